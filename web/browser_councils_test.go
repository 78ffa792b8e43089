package web_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yishi/models"
	"yishi/models/demo"
	"yishi/web/webtest"
)

// TestBrowserAgendaWithHTMX: in headless Chromium with JavaScript on, the
// convener moves an agenda item down and sets its time box; htmx swaps the
// agenda in place (the page is not reloaded: a mark left on the window
// survives) and the order and total are saved.
func TestBrowserAgendaWithHTMX(t *testing.T) {
	s := demoForBrowser(t)
	conv := principalByPhone(t, s, "13800000003")
	list, _, err := s.Councils(bg, conv, 1, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("demo council: %v", err)
	}
	m, err := s.CreateMeeting(bg, conv, list[0].ID, models.MeetingInput{Title: "一月议事会", StartsAt: s.Now().Add(10 * 24 * time.Hour), Location: "活动室"})
	if err != nil {
		t.Fatal(err)
	}
	var topics []uint64
	for _, title := range []string{"楼道堆物清理", "健身器材维修"} {
		tp, err := s.SubmitTopic(bg, conv, list[0].ID, models.TopicInput{Title: title, Body: title + "，建议议事会讨论。"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptTopic(bg, conv, tp.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.AddAgendaItem(bg, conv, m.ID, tp.ID, 20); err != nil {
			t.Fatal(err)
		}
		topics = append(topics, tp.ID)
	}
	srv := webtest.Start(t, s)

	ctx, problems := headless(t, 1024, 40*time.Second)
	path := "/meetings/" + strconv.FormatUint(m.ID, 10)
	first := func(topic uint64) string {
		return `[data-testid="agenda-item"]:first-child[data-topic="` + strconv.FormatUint(topic, 10) + `"]`
	}
	var mark, total, set string
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login?next="+path),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), "13800000003"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(first(topics[0]))),
		into(&set, chromedp.Evaluate[string](`window.yishiMark = "still here"`)),
		chromedp.Click(chromedp.CSS(`[data-testid="agenda-item"]:first-child [data-testid="item-down"]`)),
		chromedp.WaitVisible(chromedp.CSS(first(topics[1]))),
		chromedp.SetValue(chromedp.CSS(`[data-testid="agenda-item"]:first-child [data-testid="item-minutes"]`), "45"),
		chromedp.Click(chromedp.CSS(`[data-testid="agenda-item"]:first-child [data-testid="item-time"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="agenda-item"]:first-child[data-minutes="45"]`)),
		into(&mark, chromedp.Evaluate[string](`String(window.yishiMark)`)),
		into(&total, chromedp.Text(chromedp.CSS(`[data-testid="agenda-total"]`))),
	)
	if err != nil {
		t.Fatalf("agenda: %v; the browser reported %v", err, problems.all())
	}
	if mark != "still here" {
		t.Fatalf("the page was reloaded instead of swapped (mark %q)", mark)
	}
	if total != "共 2 项，约 65 分钟" {
		t.Fatalf("agenda total %q", total)
	}
	v, err := s.MeetingByID(bg, conv, m.ID)
	if err != nil || v.Items[0].TopicID != topics[1] || v.Items[0].Minutes != 45 {
		t.Fatalf("saved agenda: %+v %v", v.Items, err)
	}
	if p := problems.all(); len(p) > 0 {
		t.Fatalf("the browser reported %v", p)
	}
}
