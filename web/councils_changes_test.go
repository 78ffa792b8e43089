package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// TestPostponeAndCancelThroughForms: the convener postpones the demo's
// announced meeting (a reason, a later time and the confirmation box are
// required), members see the time first set and the reason, the bulletin
// carries the postponement; then the meeting is cancelled and no longer
// offers its forms. A member who does not run the council is refused.
func TestPostponeAndCancelThroughForms(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		url := demoMeetingURL(t, s)
		conv, zhao := login(srv, "13800000003"), login(srv, "13800000006")
		if p := zhao.Get(url); p.Has(`[data-testid="postpone-form"]`) || p.Has(`[data-testid="cancel-form"]`) {
			t.Fatal("a member who does not run the council is offered postponing or cancelling")
		}
		if p := zhao.Post(url+"/cancel", nil); p.Status != http.StatusForbidden {
			t.Fatalf("a member cancelled: %d", p.Status)
		}

		mp := conv.Get(url)
		old := mp.Text(`[data-testid="meeting-starts"]`)
		m, _ := demoMeetings(t, s)
		later := m.StartsAt.Add(7 * 24 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")
		earlier := m.StartsAt.Add(-time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")
		bad := conv.Submit(mp, `form[data-testid="postpone-form"]`, map[string]string{"starts_at": later, "reason": "活动室装修"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-confirm"]`) {
			t.Fatalf("postponed without confirming: %d", bad.Status)
		}
		bad = conv.Submit(bad, `form[data-testid="postpone-form"]`, map[string]string{"starts_at": earlier, "reason": "活动室装修", "confirm": "on"})
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Text(`form[data-testid="postpone-form"]`), "原定时间之后") {
			t.Fatalf("postponed to an earlier time: %d", bad.Status)
		}
		done := conv.Submit(bad, `form[data-testid="postpone-form"]`, map[string]string{"starts_at": later, "reason": "活动室装修", "confirm": "on"})
		if done.Status != http.StatusOK || done.Text(`[data-testid="meeting-starts"]`) == old || !strings.Contains(done.Text(`[data-testid="meeting-postponed"]`), "活动室装修") {
			t.Fatalf("after postponing: %d, starts %q, postponed %q", done.Status, done.Text(`[data-testid="meeting-starts"]`), done.Text(`[data-testid="meeting-postponed"]`))
		}
		if !strings.Contains(zhao.Get("/inbox").Text("main"), "延期") {
			t.Fatal("a member was not told of the postponement")
		}
		if !strings.Contains(srv.Client().Get("/notices").Text("main"), "会议延期公告") {
			t.Fatal("the postponement is not on the bulletin")
		}

		bad = conv.Submit(done, `form[data-testid="cancel-form"]`, map[string]string{"reason": "", "confirm": "on"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-reason"]`) {
			t.Fatalf("cancelled without a reason: %d", bad.Status)
		}
		gone := conv.Submit(bad, `form[data-testid="cancel-form"]`, map[string]string{"reason": "台风红色预警", "confirm": "on"})
		if gone.Status != http.StatusOK || !strings.Contains(gone.Text(`[data-testid="meeting-cancelled"]`), "台风红色预警") ||
			gone.Has(`[data-testid="cancel-form"]`) || gone.Has(`[data-testid="postpone-form"]`) || gone.Has(`[data-testid="open-meeting"]`) {
			t.Fatalf("after cancelling: %d %q", gone.Status, gone.Text(`[data-testid="meeting-cancelled"]`))
		}
		if !strings.Contains(zhao.Get(url).Text(`[data-testid="meeting-status"]`), "已取消") {
			t.Fatal("a member does not see the meeting cancelled")
		}
	})
}
