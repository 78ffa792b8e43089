package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"yishi/models"
	"yishi/models/demo"
	"yishi/web/webtest"
)

// TestBrowserNeedWithoutJavaScript: in headless Chromium with JavaScript
// off, a resident files a need through the form, and once the taker has
// reported it done, confirms and rates it.
func TestBrowserNeedWithoutJavaScript(t *testing.T) {
	s := demoForBrowser(t)
	srv := webtest.Start(t, s)

	ctx, problems := headless(t, 1024, 40*time.Second)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	const text = "3号楼门口的路灯不亮，晚上老人出门看不清路。"
	var location, status, htmxType string
	err := chromedp.Do(ctx,
		signIn(srv.URL, "13800000004", "/needs/new"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="need-form"]`)),
		chromedp.SetValue(chromedp.CSS(`select[name="category_id"]`), "2"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="description"]`), text),
		chromedp.Click(chromedp.CSS(`[data-testid="vis-staff"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="need-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="need-title"]`)),
		into(&location, chromedp.Location()),
		into(&status, chromedp.Text(chromedp.CSS(`[data-testid="need-status"]`))),
		into(&htmxType, chromedp.Evaluate[string](`typeof window.htmx`)),
	)
	if err != nil {
		t.Fatalf("filing: %v; the browser reported %v", err, problems.all())
	}
	if htmxType != "undefined" {
		t.Fatalf("scripts ran: typeof htmx is %q", htmxType)
	}
	i := strings.LastIndex(location, "/")
	id, err := strconv.ParseUint(location[i+1:], 10, 64)
	if err != nil || status != "待受理" {
		t.Fatalf("after filing at %s: status %q", location, status)
	}
	n, err := s.NeedByID(bg, principalByPhone(t, s, "13800000004"), id)
	if err != nil || n.Description != text || n.Public || n.Category.Code != "repair" {
		t.Fatalf("filed need: %+v %v", n.Need, err)
	}

	// Staff and the grid worker do their part.
	staff, worker := principalByPhone(t, s, "13800000002"), principalByPhone(t, s, "13800000008")
	takers, err := s.TakersFor(bg, n.Place)
	if err != nil {
		t.Fatal(err)
	}
	var grid uint64
	for _, tk := range takers {
		if tk.Kind == models.TakerGridWorker {
			grid = tk.ID
		}
	}
	if _, err := s.AcceptNeed(bg, staff, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DispatchNeed(bg, staff, id, grid); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeNeed(bg, worker, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompleteNeed(bg, worker, id, "已换新灯。"); err != nil {
		t.Fatal(err)
	}

	var rating string
	err = chromedp.Do(ctx,
		chromedp.Navigate(location),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="need-please-rate"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="rating-4"]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-testid="act-rate"] textarea[name="comment"]`), "修好了，谢谢"),
		chromedp.Click(chromedp.CSS(`form[data-testid="act-rate"] input[name="confirm"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="submit-rate"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="need-rating"]`)),
		into(&status, chromedp.Text(chromedp.CSS(`[data-testid="need-status"]`))),
		into(&rating, chromedp.Text(chromedp.CSS(`[data-testid="need-rating"]`))),
	)
	if err != nil {
		t.Fatalf("rating: %v; the browser reported %v", err, problems.all())
	}
	if status != "已办结" || !strings.Contains(rating, "满意") || !strings.Contains(rating, "修好了") {
		t.Fatalf("after rating: status %q rating %q", status, rating)
	}
	got, err := s.NeedByID(bg, staff, id)
	if err != nil || got.Rating != 4 || got.Status != models.NeedClosed {
		t.Fatalf("stored: rating %d status %s %v", got.Rating, got.Status, err)
	}
}

// TestBrowserFormKeptThroughSignIn: a resident whose session ended while
// they typed a need sends it, is led through the sign-in page (which says
// it was not saved) back to the form, and finds what they typed there,
// with a note to check it and send it again; the page loaded afresh after
// that is empty again.
func TestBrowserFormKeptThroughSignIn(t *testing.T) {
	s := demoForBrowser(t)
	srv := webtest.Start(t, s)
	ctx, problems := headless(t, 1024, 40*time.Second)
	const text = "楼道里的扶手松了，老人上下楼不安全，请尽快修一修。"
	var restored, afresh, unsent, kept, note string
	err := chromedp.Do(ctx,
		signIn(srv.URL, "13800000004", "/needs/new"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="need-form"]`)),
		chromedp.SetValue(chromedp.CSS(`select[name="category_id"]`), "2"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="description"]`), text),
		chromedp.Func(func(context.Context, *chromedp.Target) error {
			// Signed out elsewhere while typing (or the session lapsed).
			return s.Tx(bg).Model(&models.Session{}).Where("account_id = ?", principalByPhone(t, s, "13800000004").Account.ID).
				Update("revoked_at", s.Now()).Error
		}),
		chromedp.Click(chromedp.CSS(`[data-testid="need-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-error"][data-unsent]`)),
		into(&unsent, chromedp.Text(chromedp.CSS(`[data-testid="login-error"]`))),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), "13800000004"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="draft-restored"]`)),
		into(&note, chromedp.Text(chromedp.CSS(`[data-testid="draft-restored"]`))),
		into(&restored, chromedp.Value(chromedp.CSS(`textarea[name="description"]`))),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="need-form"]`)),
		into(&afresh, chromedp.Value(chromedp.CSS(`textarea[name="description"]`))),
		// A form htmx sent and the server took forgets its draft; one the
		// server refused keeps it.
		into(&kept, chromedp.Evaluate[string](`sessionStorage.setItem("yishi.draft", "{}");
			document.dispatchEvent(new CustomEvent("htmx:afterRequest", {detail: {successful: false, requestConfig: {verb: "post"}}}));
			var k = String(sessionStorage.getItem("yishi.draft"));
			document.dispatchEvent(new CustomEvent("htmx:afterRequest", {detail: {successful: true, requestConfig: {verb: "post"}}}));
			k + " " + String(sessionStorage.getItem("yishi.draft"))`)),
	)
	if err != nil {
		t.Fatalf("%v; the browser reported %v", err, problems.all())
	}
	if !strings.Contains(note, "已经放回") {
		t.Fatalf("the note over the restored form: %q", note)
	}
	if !strings.Contains(unsent, "没有保存") || restored != text || afresh != "" || kept != "{} null" {
		t.Fatalf("sign-in page %q; restored %q; afresh %q; draft after a refused and a taken htmx post %q", unsent, restored, afresh, kept)
	}
	if n := countNeedsWith(t, s, text); n != 0 {
		t.Fatalf("the unsent need was filed %d times", n)
	}
	if p := problems.all(); len(p) > 0 {
		t.Fatalf("the browser reported %v", p)
	}
}

// countNeedsWith counts the needs whose description is text.
func countNeedsWith(t *testing.T, s *models.Store, text string) int64 {
	t.Helper()
	var n int64
	if err := s.Tx(bg).Model(&models.Need{}).Where("description = ?", text).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
