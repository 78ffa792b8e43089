package web_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// TestBrowserBallotJourney votes in headless Chromium with JavaScript on:
// the demo resident ticks budget candidates on the open ballot and watches
// the remaining-budget meter change, reviews, confirms and gets a receipt;
// the clock passes the close; staff publish the result; an anonymous
// visitor reads it; the resident finds the receipt on the profile and by
// lookup on the ballot page.
func TestBrowserBallotJourney(t *testing.T) {
	needChromium(t)
	clock := modeltest.NewClock(time.Now())
	s := modeltest.Open(t, "sqlite", clock.Now)
	if err := demo.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	srv := webtest.Start(t, s)
	b := demoBallot(t, s, models.BallotOpen)
	opts, err := s.Options(bg, b.ID)
	if err != nil || len(opts) < 2 {
		t.Fatalf("options: %v", err)
	}
	page := srv.URL + ballotPath(b.ID, "")

	ctx, problems := headless(t, 420, 60*time.Second)

	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v; the browser reported %v", step, err, problems.all())
		}
	}
	meterText := `document.querySelector('[data-testid="budget-meter"]').textContent.replace(/\s+/g, ' ').trim()`
	tick := func(id uint64) chromedp.Action[chromedp.Void] {
		var ignored string
		return into(&ignored, chromedp.Evaluate[string](fmt.Sprintf(`(() => { document.querySelector('[data-testid="choice-%d"]').click(); return "ok"; })()`, id)))
	}
	signOut := chromedp.Steps(
		chromedp.Click(chromedp.CSS(`[data-testid="logout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/login"]`)),
	)

	var m0, m1, m2, code string
	left := func(fen int64) string { return "还剩 " + models.FormatYuan(fen) + " 元" }
	// Each tick must bring the meter to the remaining budget it implies;
	// wait for that text rather than for any change, since htmx swaps the
	// meter asynchronously.
	shows := func(fen int64) string { return meterText + `.includes(` + strconv.Quote(left(fen)) + `)` }
	run("resident ticks candidates and watches the meter",
		signIn(srv.URL, "13800000004", "/"),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="vote-form"]`)),
		waitUntil(`typeof window.htmx !== "undefined" && document.readyState === "complete"`),
		into(&m0, chromedp.Evaluate[string](meterText)),
		tick(opts[0].ID),
		waitUntil(shows(b.BudgetFen-opts[0].CostFen)),
		into(&m1, chromedp.Evaluate[string](meterText)),
	)
	run("a second tick",
		tick(opts[1].ID),
		waitUntil(shows(b.BudgetFen-opts[0].CostFen-opts[1].CostFen)),
		into(&m2, chromedp.Evaluate[string](meterText)),
	)
	if !strings.Contains(m0, left(b.BudgetFen)) || !strings.Contains(m1, left(b.BudgetFen-opts[0].CostFen)) ||
		!strings.Contains(m2, left(b.BudgetFen-opts[0].CostFen-opts[1].CostFen)) {
		t.Fatalf("meter: %q → %q → %q", m0, m1, m2)
	}
	run("review and confirm",
		chromedp.Click(chromedp.CSS(`[data-testid="vote-review"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="confirm-form"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="vote-confirm"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="receipt-code"]`)),
		into(&code, chromedp.Text(chromedp.CSS(`[data-testid="receipt-code"]`))),
		signOut,
	)
	if len(code) < 10 {
		t.Fatalf("receipt %q", code)
	}

	// The ballot closes; staff publish.
	clock.Set(b.ClosesAt.Add(time.Hour))
	var notice string
	run("staff publish the result",
		signIn(srv.URL, "13800000002", "/console"),
		chromedp.Navigate(srv.URL+"/console/ballots/"+strconv.FormatUint(b.ID, 10)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="publish-form"]`)),
		chromedp.Click(chromedp.CSS(`form[data-testid="publish-form"] input[name="confirm"]`)),
		chromedp.Click(chromedp.CSS(`form[data-testid="publish-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="result-notice"]`)),
		into(&notice, chromedp.Text(chromedp.CSS(`[data-testid="result-notice"]`))),
		signOut,
	)
	var turnout, found, profile string
	run("an anonymous visitor reads the result",
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="result-table"]`)),
		into(&turnout, chromedp.Text(chromedp.CSS(`[data-testid="turnout-channels"]`))),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="result-notice"]`)),
	)
	if !strings.Contains(turnout, "线上") {
		t.Fatalf("turnout %q", turnout)
	}
	run("the resident finds the receipt",
		signIn(srv.URL, "13800000004", "/profile"),
		chromedp.Navigate(srv.URL+"/profile"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="profile-receipts"]`)),
		into(&profile, chromedp.Text(chromedp.CSS(`[data-testid="profile-receipts"]`))),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="lookup-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-testid="lookup-form"] input[name="receipt"]`), code),
		chromedp.Submit(chromedp.CSS(`form[data-testid="lookup-form"] input[name="receipt"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="lookup-found"]`)),
		into(&found, chromedp.Text(chromedp.CSS(`[data-testid="lookup-found"]`))),
	)
	if !strings.Contains(profile, code) || !strings.Contains(found, code) {
		t.Fatalf("receipt %s: profile %q, lookup %q", code, profile, found)
	}
	if p := problems.all(); len(p) > 0 {
		t.Fatalf("the browser reported problems: %v", p)
	}
}
