package web_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// TestBrowserAgendaWithHTMX: in headless Chromium with JavaScript on, the
// convener moves an agenda item down and sets its time box; htmx swaps the
// agenda in place (the page is not reloaded: a mark left on the window
// survives) and the order and total are saved.
func TestBrowserAgendaWithHTMX(t *testing.T) {
	s := demoForBrowser(t)
	m, topics := draftDemoMeeting(t, s)
	srv := webtest.Start(t, s)

	ctx, problems := headless(t, 1024, 40*time.Second)
	path := "/meetings/" + strconv.FormatUint(m.ID, 10)
	first := func(topic uint64) string {
		return `[data-testid="agenda-item"]:first-child[data-topic="` + strconv.FormatUint(topic, 10) + `"]`
	}
	var mark, total, set string
	err := chromedp.Do(ctx,
		signIn(srv.URL, "13800000003", path),
		chromedp.WaitVisible(chromedp.CSS(first(topics[0]))),
		// A click before htmx has taken over the forms posts them plainly.
		waitUntil(`typeof window.htmx !== "undefined" && document.readyState === "complete"`),
		// Counted settles: the swapped agenda's forms are htmx's only once
		// it has settled; a click before that would post them plainly.
		into(&set, chromedp.Evaluate[string](`window.yishiSettled = 0;
			document.body.addEventListener("htmx:afterSettle", () => window.yishiSettled++);
			window.yishiMark = "still here"`)),
		chromedp.Click(chromedp.CSS(`[data-testid="agenda-item"]:first-child [data-testid="item-down"]`)),
		chromedp.WaitVisible(chromedp.CSS(first(topics[1]))),
		waitUntil(`window.yishiSettled >= 1`),
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
	v, err := s.MeetingByID(bg, principalByPhone(t, s, "13800000003"), m.ID)
	if err != nil || v.Items[0].TopicID != topics[1] || v.Items[0].Minutes != 45 {
		t.Fatalf("saved agenda: %+v %v", v.Items, err)
	}
	if p := problems.all(); len(p) > 0 {
		t.Fatalf("the browser reported %v", p)
	}
}

// crowd is one headless Chromium in which each person browses in a browser
// context of their own (their own cookies, as on their own device). Every
// window.confirm a page asks is accepted, as a person would, and counted.
type crowd struct {
	t        *testing.T
	base     string
	browser  context.Context
	problems *browserProblems
	dialogs  atomic.Int32
}

func newCrowd(t *testing.T, base string) *crowd {
	ctx, problems := headless(t, 1280, 90*time.Second)
	return &crowd{t: t, base: base, browser: ctx, problems: problems}
}

// person is someone at a browser: a phone when narrow.
type person struct {
	c    *crowd
	name string
	ctx  context.Context
}

// Viewports: a phone held upright, and a desk.
const (
	phoneWidth, phoneHeight = 390, 844
	deskWidth, deskHeight   = 1280, 900
)

// visitor opens a new browser context width pixels wide, signed in as
// nobody.
func (c *crowd) visitor(name string, width, height int64) *person {
	ctx, cancel := chromedp.NewContext(c.browser, chromedp.WithNewBrowserContext())
	c.t.Cleanup(cancel)
	return c.open(name, ctx, width, height)
}

// open readies a new tab of ctx: its problems are listened to, its
// dialogs accepted, its viewport set.
func (c *crowd) open(name string, ctx context.Context, width, height int64) *person {
	c.problems.listen(c.t, ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			c.dialogs.Add(1)
			if _, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}); err != nil {
				c.problems.add("dialog: " + err.Error())
			}
		}
	}()
	var opts []chromedp.EmulateViewportOption
	if width < 600 {
		opts = append(opts, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	p := &person{c: c, name: name, ctx: ctx}
	p.do("set the viewport", chromedp.EmulateViewport(width, height, opts...))
	return p
}

// signedIn is a visitor who signs in through the form and lands on next.
func (c *crowd) signedIn(phone string, width, height int64, next string) *person {
	p := c.visitor(phone, width, height)
	p.do("sign in", signIn(c.base, phone, next))
	return p
}

// signIn signs in as phone through the form and lands on next, a page
// of the site's layout (with its sign-out button).
func signIn(base, phone, next string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		submitLogin(base, phone, next),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="logout"]`)),
	)
}

// submitLogin fills in and sends the sign-in form for next, without waiting
// for the page it leads to (a projector or print page has no sign-out
// button to wait for).
func submitLogin(base, phone, next string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login?next="+next),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), phone),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
	)
}

// together has each person take their steps at the same time, as people
// in one room do, and fails the test with the first error.
func together(t *testing.T, people []*person, step string, steps func(i int, p *person) []chromedp.Action[chromedp.Void]) {
	t.Helper()
	errs := make([]error, len(people))
	var wg sync.WaitGroup
	for i, p := range people {
		wg.Go(func() { errs[i] = chromedp.Do(p.ctx, steps(i, p)...) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %s: %v; the browser reported %v", people[i].name, step, err, people[i].c.problems.all())
		}
	}
}

// tab opens another tab of p's browser context (the same sign-in).
func (p *person) tab(name string, width, height int64) *person {
	ctx, cancel := chromedp.NewContext(p.ctx)
	p.c.t.Cleanup(cancel)
	return p.c.open(name, ctx, width, height)
}

// do runs the actions in p's tab, failing the test with step on an error.
func (p *person) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	p.c.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.c.t.Fatalf("%s: %s: %v; the browser reported %v", p.name, step, err, p.c.problems.all())
	}
}

// goTo opens path and waits for sel.
func (p *person) goTo(path, sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Navigate(p.c.base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// confirmAndPress ticks the confirmation box of the form with testid and
// presses its button.
func confirmAndPress(testid string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(chromedp.CSS(`form[data-testid="`+testid+`"] input[name="confirm"]`)),
		chromedp.Click(chromedp.CSS(`form[data-testid="`+testid+`"] button[type="submit"]`)),
	)
}

// hrefOf finds the link under within whose text contains text.
func hrefOf(dst *string, within, text string) chromedp.Action[chromedp.Void] {
	return into(dst, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const a = [...document.querySelectorAll(%q)].find(a => a.textContent.includes(%q));
		return a ? a.getAttribute("href") : "";
	})()`, within+" a", text)))
}

// TestBrowserCouncilJourney follows a topic of the demo council through
// headless Chromium with JavaScript on, each step by its own person on
// their own device: a resident puts the topic in writing and a neighbour
// co-signs it; the convener accepts it, drafts a meeting, puts it on the
// agenda with a time box and announces the meeting, which an anonymous
// visitor then finds on the public bulletin. At the meeting's time the
// convener opens it and the projector shows the room's code; six members
// sign in with it on their phones, the secretary marks the convener and
// herself present, and the quorum is met; the convener puts a motion, the
// members vote on their phones (the projector follows live), the vote is
// closed and the motion adopted as a resolution. The meeting is closed, the
// secretary writes and finalises the minutes, the convener signs and
// publishes them, and the visitor reads them on the bulletin. Last, the
// convener gives the resolution an owner and a due date, the owner finds it
// in the inbox and reports progress, and the resident who proposed the
// topic is told in the inbox and reads the progress on the resolution's
// page.
func TestBrowserCouncilJourney(t *testing.T) {
	needChromium(t)
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := webtest.Start(t, s)
		c := newCrowd(t, srv.URL)
		tz := time.FixedZone("CST", 8*3600)
		council := demoCouncil(t, s)
		councilPath := "/councils/" + itoa(council.ID)
		const (
			topicTitle   = "小区东门增设无障碍坡道"
			topicBody    = "东门只有台阶，坐轮椅和推婴儿车的居民进出很不方便，建议在台阶旁增设无障碍坡道和扶手。"
			meetingTitle = "无障碍设施专题议事会"
			motionText   = "同意在小区东门增设无障碍坡道和扶手，费用从公共收益列支。"
			progressNote = "已请施工队现场测量，坡道图纸已出，下周开工。"
			summary      = "会议通过在东门增设无障碍坡道的决议。"
		)

		// 1. The resident puts the topic in writing; a neighbour co-signs.
		var location, status string
		chen := c.signedIn("13800000004", phoneWidth, phoneHeight, councilPath)
		chen.do("submit a topic",
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="topic-new"]`)),
			chromedp.Click(chromedp.CSS(`[data-testid="topic-new"]`)),
			chromedp.WaitVisible(chromedp.CSS(`form[data-testid="topic-form"]`)),
			chromedp.SendKeys(chromedp.CSS(`form[data-testid="topic-form"] input[name="title"]`), topicTitle),
			chromedp.SendKeys(chromedp.CSS(`form[data-testid="topic-form"] textarea[name="body"]`), topicBody),
			chromedp.Click(chromedp.CSS(`[data-testid="topic-submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="topic-title"]`)),
			into(&location, chromedp.Location()),
			into(&status, chromedp.Text(chromedp.CSS(`[data-testid="topic-status"]`))),
		)
		topicPath := strings.TrimPrefix(location, srv.URL)
		topicID := idFromPath(topicPath)
		if !strings.HasPrefix(topicPath, "/topics/") || status != "待审议" {
			t.Fatalf("the topic was filed at %s with status %q", location, status)
		}
		var cosigners string
		liu := c.signedIn("13800000005", phoneWidth, phoneHeight, topicPath)
		liu.do("co-sign",
			chromedp.Click(chromedp.CSS(`[data-testid="cosign-submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="topic-cosigned"]`)),
			into(&cosigners, chromedp.Text(chromedp.CSS(`[data-testid="topic-cosigners"]`))),
		)
		if cosigners != "1" {
			t.Fatalf("co-signers after one: %q", cosigners)
		}

		// 2. The convener accepts it, drafts a meeting the council's notice
		// ahead, puts the topic on the agenda and announces the meeting.
		day := clock.Now().In(tz).AddDate(0, 0, council.NoticeDays+1)
		starts := time.Date(day.Year(), day.Month(), day.Day(), 19, 0, 0, 0, tz)
		var agendaTotal, notice, meetingStatus string
		conv := c.signedIn("13800000003", deskWidth, deskHeight, topicPath)
		conv.do("accept the topic",
			chromedp.Click(chromedp.CSS(`[data-testid="submit-accept"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="topic-status"][data-status="accepted"]`)),
			into(&status, chromedp.Text(chromedp.CSS(`[data-testid="topic-status"]`))),
		)
		if status != "已采纳" {
			t.Fatalf("accepted topic: %q", status)
		}
		conv.do("draft a meeting",
			conv.goTo(councilPath, `form[data-testid="draft-form"]`),
			chromedp.SendKeys(chromedp.CSS(`form[data-testid="draft-form"] input[name="title"]`), meetingTitle),
			chromedp.SetValue(chromedp.CSS(`form[data-testid="draft-form"] input[name="starts_at"]`), starts.Format("2006-01-02T15:04")),
			chromedp.SendKeys(chromedp.CSS(`form[data-testid="draft-form"] input[name="location"]`), "幸福社区党群服务中心二楼会议室"),
			chromedp.Click(chromedp.CSS(`[data-testid="draft-submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="meeting-status"][data-status="draft"]`)),
			into(&location, chromedp.Location()),
		)
		meetingPath := strings.TrimPrefix(location, srv.URL)
		conv.do("put the topic on the agenda",
			chromedp.SetValue(chromedp.CSS(`form[data-testid="agenda-add"] select[name="topic_id"]`), itoa(topicID)),
			chromedp.SetValue(chromedp.CSS(`form[data-testid="agenda-add"] input[name="minutes"]`), "30"),
			chromedp.Click(chromedp.CSS(`[data-testid="agenda-add-submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="agenda-item"][data-topic="`+itoa(topicID)+`"][data-minutes="30"]`)),
			into(&agendaTotal, chromedp.Text(chromedp.CSS(`[data-testid="agenda-total"]`))),
		)
		if agendaTotal != "共 1 项，约 30 分钟" {
			t.Fatalf("agenda total %q", agendaTotal)
		}
		conv.do("announce the meeting",
			chromedp.Click(chromedp.CSS(`[data-testid="confirm-announce"]`)),
			chromedp.Click(chromedp.CSS(`[data-testid="announce-submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="meeting-status"][data-status="announced"]`)),
			into(&notice, chromedp.Text(chromedp.CSS(`[data-testid="meeting-notice"]`))),
			into(&meetingStatus, chromedp.Text(chromedp.CSS(`[data-testid="meeting-status"]`))),
		)
		if meetingStatus != "已公告" || !strings.Contains(notice, meetingTitle) {
			t.Fatalf("announced: %q, notice %q", meetingStatus, notice)
		}
		// An anonymous visitor finds the agenda on the public bulletin.
		var href, body string
		anon := c.visitor("visitor", phoneWidth, phoneHeight)
		anon.do("read the announcement on the bulletin",
			anon.goTo("/notices", `[data-testid="bulletin-list"]`),
			hrefOf(&href, `[data-testid="bulletin-item"]`, meetingTitle),
		)
		if href == "" {
			t.Fatal("the announcement is not on the bulletin")
		}
		anon.do("open the announcement",
			chromedp.Click(chromedp.CSS(`[data-testid="bulletin-item"] a[href="`+href+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="notice-body"]`)),
			into(&body, chromedp.Text(chromedp.CSS(`[data-testid="notice-body"]`))),
		)
		if !strings.Contains(body, topicTitle) || !strings.Contains(body, "约30分钟") {
			t.Fatalf("the announcement reads %q", body)
		}

		// 3. The evening of the meeting (everyone signs in afresh): the
		// convener opens it; the projector shows the room's code.
		clock.Set(starts.Add(-10 * time.Minute))
		var code string
		conv = c.signedIn("13800000003", deskWidth, deskHeight, meetingPath)
		conv.do("open the meeting",
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="open-meeting"]`)),
			confirmAndPress("open"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="meeting-status"][data-status="in_session"]`)),
		)
		screen := conv.tab("projector", deskWidth, 720)
		screen.do("show the projector",
			// The live stream may swap the board in as it is read.
			screen.goTo(meetingPath+"/projector", `[data-testid="projector-code"]`),
			waitUntil(`/^[0-9]{6}$/.test(document.querySelector('[data-testid="projector-code"]')?.textContent.trim())`),
			into(&code, chromedp.Evaluate[string](`document.querySelector('[data-testid="projector-code"]').textContent.trim()`)),
		)
		if len(code) != 6 {
			t.Fatalf("room code %q", code)
		}
		// Six members sign in on their phones with the code, at once.
		phones := []string{"13800000040", "13800000041", "13800000042", "13800000043", "13800000044", "13800000045"}
		members := make([]*person, len(phones))
		for i, phone := range phones {
			members[i] = c.visitor(phone, phoneWidth, phoneHeight)
		}
		together(t, members, "sign in to the meeting", func(i int, _ *person) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{
				signIn(srv.URL, phones[i], meetingPath),
				chromedp.WaitVisible(chromedp.CSS(`form[data-testid="checkin-form"]`)),
				chromedp.SendKeys(chromedp.CSS(`form[data-testid="checkin-form"] input[name="code"]`), code),
				chromedp.Click(chromedp.CSS(`[data-testid="checkin-submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="me-present"]`)),
			}
		})
		// The secretary marks the convener and herself present: eight of
		// eleven meet the quorum of two thirds.
		var met chromedp.AttributeResult
		sec := c.signedIn("13800000002", deskWidth, deskHeight, meetingPath)
		sec.do("see who is present",
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="quorum"][data-present="6"]`)),
			into(&met, chromedp.AttributeValue(chromedp.CSS(`[data-testid="quorum"]`), "data-met")),
		)
		if met.Value != "false" {
			t.Fatalf("quorum met with six of eleven: %q", met.Value)
		}
		for i, phone := range []string{"13800000003", "13800000002"} {
			sec.do("mark "+phone+" present",
				chromedp.SetValue(chromedp.CSS(`form[data-testid="mark-form"] select[name="account_id"]`), itoa(mustPhone(t, s, phone))),
				chromedp.Click(chromedp.CSS(`[data-testid="mark-submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid="quorum"][data-present="%d"]`, 7+i))),
			)
		}
		sec.do("see the quorum met", chromedp.WaitVisible(chromedp.CSS(`[data-testid="quorum"][data-met="true"]`)))

		// The convener puts a motion on the item and opens the vote.
		var item string
		conv.do("put a motion",
			chromedp.Reload(),
			chromedp.WaitVisible(chromedp.CSS(`form[data-testid="motion-form"]`)),
			into(&item, chromedp.Evaluate[string](fmt.Sprintf(`[...document.querySelectorAll('form[data-testid="motion-form"] select[name="item_id"] option')].find(o => o.textContent.includes(%q))?.value || ""`, topicTitle))),
		)
		if item == "" {
			t.Fatal("the motion form offers no agenda item for the topic")
		}
		conv.do("open the vote",
			chromedp.SetValue(chromedp.CSS(`form[data-testid="motion-form"] select[name="item_id"]`), item),
			chromedp.SendKeys(chromedp.CSS(`form[data-testid="motion-form"] textarea[name="text"]`), motionText),
			chromedp.Click(chromedp.CSS(`[data-testid="motion-submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="motion"][data-status="draft"]`)),
			chromedp.Click(chromedp.CSS(`[data-testid="motion-open-submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="motion"][data-status="voting"]`)),
		)
		// The members vote on their phones: five for, one abstains; the
		// convener votes for at the desk.
		together(t, members, "vote", func(i int, _ *person) []chromedp.Action[chromedp.Void] {
			choice := string(models.ChoiceFor)
			if i == len(members)-1 {
				choice = string(models.ChoiceAbstain)
			}
			return []chromedp.Action[chromedp.Void]{
				chromedp.Reload(),
				chromedp.WaitVisible(chromedp.CSS(`form[data-testid="vote-form"]`)),
				chromedp.Click(chromedp.CSS(`[data-testid="vote-` + choice + `"]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="my-vote"][data-choice="` + choice + `"]`)),
			}
		})
		conv.do("vote at the desk",
			chromedp.Reload(),
			chromedp.Click(chromedp.CSS(`[data-testid="vote-for"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="my-vote"][data-choice="for"]`)),
		)
		screen.do("the projector follows the vote live",
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="projector-motion"][data-status="voting"] [data-testid="projector-tally"][data-for="6"][data-abstain="1"]`)),
		)
		var tally chromedp.AttributeResult
		var resolutionHref string
		conv.do("close the vote",
			confirmAndPress("motion-close"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="motion"][data-status="adopted"]`)),
			into(&tally, chromedp.AttributeValue(chromedp.CSS(`[data-testid="motion"] [data-testid="motion-tally"]`), "data-for")),
			into(&resolutionHref, chromedp.Evaluate[string](`document.querySelector('[data-testid="motion-resolution"]')?.getAttribute("href") || ""`)),
		)
		if tally.Value != "6" || !strings.HasPrefix(resolutionHref, "/resolutions/") {
			t.Fatalf("adopted with %q for; resolution link %q", tally.Value, resolutionHref)
		}
		screen.do("the projector shows the motion adopted",
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="projector-motion"][data-status="adopted"]`)),
		)

		// 4. The convener closes the meeting; the secretary writes the
		// minutes and finalises them; the convener signs and publishes.
		conv.do("close the meeting",
			confirmAndPress("close"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="meeting-status"][data-status="closed"]`)),
		)
		sec.do("write and finalise the minutes",
			chromedp.Reload(),
			chromedp.Click(chromedp.CSS(`[data-testid="minutes-link"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="minutes-start"]`)),
			chromedp.Click(chromedp.CSS(`[data-testid="start-submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`form[data-testid="minutes-edit"]`)),
			chromedp.SendKeys(chromedp.CSS(`form[data-testid="minutes-edit"] [data-testid="minutes-note"]`), "成员一致认为应尽快施工，并注意施工期间的出行安全。"),
			chromedp.SendKeys(chromedp.CSS(`form[data-testid="minutes-edit"] [data-testid="minutes-summary"]`), summary),
			chromedp.Click(chromedp.CSS(`[data-testid="minutes-save"]`)),
			waitUntil(`document.querySelector('[data-testid="minutes-summary-text"]')?.textContent === `+strconv.Quote(summary)),
			confirmAndPress("finalise"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="minutes-status"][data-status="final"]`)),
		)
		var minutesNotice string
		conv.do("sign and publish the minutes",
			conv.goTo(meetingPath+"/minutes", `form[data-testid="sign"]`),
			confirmAndPress("sign"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="minutes-signed"]`)),
			confirmAndPress("minutes-publish"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="minutes-notice"]`)),
			into(&status, chromedp.Text(chromedp.CSS(`[data-testid="minutes-status"]`))),
			into(&minutesNotice, chromedp.Text(chromedp.CSS(`[data-testid="minutes-notice"]`))),
		)
		if status != "已公示" {
			t.Fatalf("minutes after publishing: %q", status)
		}
		anon.do("read the minutes on the bulletin",
			anon.goTo("/notices", `[data-testid="bulletin-list"]`),
			hrefOf(&href, `[data-testid="bulletin-item"]`, minutesNotice),
		)
		if href == "" {
			t.Fatalf("the minutes' notice %q is not on the bulletin", minutesNotice)
		}
		anon.do("open the minutes' notice",
			chromedp.Click(chromedp.CSS(`[data-testid="bulletin-item"] a[href="`+href+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="notice-body"]`)),
			into(&body, chromedp.Text(chromedp.CSS(`[data-testid="notice-body"]`))),
		)
		if !strings.Contains(body, motionText) || !strings.Contains(minutesNotice, meetingTitle) {
			t.Fatalf("the minutes' notice %q reads %q", minutesNotice, body)
		}

		// 5. The convener gives the resolution an owner and a due date.
		due := starts.AddDate(0, 1, 0).Format("2006-01-02")
		var owner, dueShown string
		conv.do("assign the resolution",
			conv.goTo(resolutionHref, `form[data-testid="resolution-assign"]`),
			chromedp.SendKeys(chromedp.CSS(`form[data-testid="resolution-assign"] input[name="phone"]`), "13800000006"),
			chromedp.SetValue(chromedp.CSS(`form[data-testid="resolution-assign"] input[name="due"]`), due),
			chromedp.Click(chromedp.CSS(`[data-testid="resolution-assign-submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="resolution-status"][data-status="assigned"]`)),
			into(&owner, chromedp.Text(chromedp.CSS(`[data-testid="resolution-owner"]`))),
			into(&dueShown, chromedp.Text(chromedp.CSS(`[data-testid="resolution-due"]`))),
		)
		if dueShown != due || !strings.Contains(owner, principalByPhone(t, s, "13800000006").Account.Name) {
			t.Fatalf("assigned to %q by %q", owner, dueShown)
		}
		// The owner finds it in the inbox and reports progress.
		var percent string
		zhao := c.signedIn("13800000006", phoneWidth, phoneHeight, "/inbox")
		zhao.do("open the resolution from the inbox",
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="inbox-list"]`)),
			openFromInbox("已交办"),
			chromedp.WaitVisible(chromedp.CSS(`form[data-testid="resolution-progress"]`)),
			into(&location, chromedp.Location()),
		)
		if !strings.HasSuffix(location, resolutionHref) {
			t.Fatalf("the owner's inbox led to %s, not %s", location, resolutionHref)
		}
		zhao.do("report progress",
			chromedp.SendKeys(chromedp.CSS(`form[data-testid="resolution-progress"] textarea[name="note"]`), progressNote),
			chromedp.SendKeys(chromedp.CSS(`form[data-testid="resolution-progress"] input[name="percent"]`), "40"),
			chromedp.Click(chromedp.CSS(`[data-testid="resolution-progress-submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="resolution-status"][data-status="in_progress"]`)),
			into(&percent, chromedp.Text(chromedp.CSS(`[data-testid="resolution-percent"]`))),
		)
		if percent != "40%" {
			t.Fatalf("progress shows %q", percent)
		}
		// The resident who proposed the topic is told, and reads it.
		var entry, topicResolution string
		chen = c.signedIn("13800000004", phoneWidth, phoneHeight, "/inbox")
		chen.do("read the progress from the inbox",
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="inbox-list"]`)),
			openFromInbox("有新的落实进展"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="timeline-entry"][data-action="progress"]`)),
			into(&location, chromedp.Location()),
			into(&entry, chromedp.Text(chromedp.CSS(`[data-testid="timeline-entry"][data-action="progress"]`))),
			into(&percent, chromedp.Text(chromedp.CSS(`[data-testid="resolution-percent"]`))),
			chromedp.Click(chromedp.CSS(`[data-testid="resolution-topic"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="topic-resolution"]`)),
			into(&topicResolution, chromedp.Text(chromedp.CSS(`[data-testid="topic-resolution"]`))),
		)
		if !strings.HasSuffix(location, resolutionHref) || !strings.Contains(entry, progressNote) || !strings.Contains(entry, "40%") || percent != "40%" {
			t.Fatalf("the proposer reads at %s: %q, %q", location, entry, percent)
		}
		if !strings.Contains(topicResolution, motionText) || !strings.Contains(topicResolution, "落实中") {
			t.Fatalf("the topic's page shows its resolution as %q", topicResolution)
		}

		// Every final step asked once more: opening, closing the vote and
		// the meeting, finalising and signing.
		if n := c.dialogs.Load(); n != 5 {
			t.Fatalf("%d confirmation prompts, want 5", n)
		}
		if p := c.problems.all(); len(p) > 0 {
			t.Fatalf("the browser reported problems: %v", p)
		}
	})
}

// openFromInbox opens the newest inbox item whose text contains text.
func openFromInbox(text string) chromedp.Action[chromedp.Void] {
	var id string
	return chromedp.Steps(
		into(&id, chromedp.Evaluate[string](fmt.Sprintf(`[...document.querySelectorAll('[data-testid="inbox-item"]')].find(li => li.textContent.includes(%q))?.dataset.id || ""`, text))),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if id == "" {
				return fmt.Errorf("no inbox item says %q", text)
			}
			_, err := chromedp.Click(chromedp.CSS(`[data-testid="inbox-item"][data-id="`+id+`"] [data-testid="inbox-open"]`))(ctx, tg)
			return err
		}),
	)
}
