package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yishi/models"
	"yishi/web/webtest"
)

// TestBrowserProjectorLive: in headless Chromium the projector page shows
// the tally, and a vote stored meanwhile replaces the board through the
// live stream without reloading the page (a mark left on the window
// survives).
func TestBrowserProjectorLive(t *testing.T) {
	s := demoForBrowser(t)
	id, url, zhao := sessionWithVote(t, s)
	v, err := s.MeetingByID(bg, zhao, id)
	if err != nil || len(v.Motions) != 1 {
		t.Fatalf("meeting: %v", err)
	}
	srv := webtest.Start(t, s)
	ctx, problems := headless(t, 1280, 40*time.Second)
	var set, mark string
	err = chromedp.Do(ctx,
		submitLogin(srv.URL, "13800000003", url+"/projector"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="projector-tally"][data-for="0"]`)),
		into(&set, chromedp.Evaluate[string](`window.yishiMark = "still here"`)),
		chromedp.Func(func(context.Context, *chromedp.Target) error {
			// Give the stream a moment to subscribe, then vote.
			for deadline := time.Now().Add(5 * time.Second); srv.Live.Subscribers(id) == 0 && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
			}
			_, err := s.CastMotionVote(bg, zhao, id, v.Motions[0].ID, models.ChoiceFor)
			return err
		}),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="projector-tally"][data-for="1"]`)),
		into(&mark, chromedp.Evaluate[string](`String(window.yishiMark)`)),
	)
	if err != nil {
		t.Fatalf("projector: %v; the browser reported %v", err, problems.all())
	}
	if mark != "still here" {
		t.Fatalf("the projector reloaded instead of updating live (mark %q)", mark)
	}
	if p := problems.all(); len(p) > 0 {
		t.Fatalf("the browser reported %v", p)
	}
}
