package web_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yishi/models"
	"yishi/web/webtest"
)

// TestBrowserInviteSlipPrints: with JavaScript the invitation slip shows a
// print button, and the button prints the page.
func TestBrowserInviteSlipPrints(t *testing.T) {
	s := demoForBrowser(t)
	com1 := community1(t, s)
	hhs, err := s.PlacesOfKind(context.Background(), com1, models.KindHousehold)
	if err != nil || len(hhs) == 0 {
		t.Fatalf("households: %v", err)
	}
	srv := webtest.Start(t, s)
	ctx, problems := headless(t, 1024, 40*time.Second)
	var printed bool
	err = chromedp.Do(ctx,
		signIn(srv.URL, "13800000002", "/console/residents/households/"+strconv.FormatUint(hhs[0].ID, 10)),
		chromedp.Click(chromedp.CSS(`[data-testid="invite-create"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="slip-code"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="slip-print"]`)),
		// The print dialog itself cannot be watched; the call that opens it can.
		into(new(bool), chromedp.Evaluate[bool](`window.print = () => { window.yishiPrinted = true }; true`)),
		chromedp.Click(chromedp.CSS(`[data-testid="slip-print"]`)),
		waitUntil(`window.yishiPrinted === true`),
		into(&printed, chromedp.Evaluate[bool](`window.yishiPrinted === true`)),
	)
	if err != nil || !printed {
		t.Fatalf("print button: %v (printed %v); the browser reported %v", err, printed, problems.all())
	}
	if p := problems.all(); len(p) > 0 {
		t.Fatalf("the browser reported %v", p)
	}
}
