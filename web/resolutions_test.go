package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// TestResolutionThroughForms follows a resolution from the meeting that
// adopted it through its forms: the convener assigns an owner and a due
// date (a wrong phone said beside the form), the owner reports progress,
// it shows overdue on its page and the council's list once the date has
// passed, staff spawn a project and a ballot from it (each links back), it
// is done only with the confirmation ticked, a resident rates it once, and
// the topic's page shows where it stands.
func TestResolutionThroughForms(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		id := adoptResolution(t, s, "同意更换小区路灯，由物业在两周内完成。")
		rv, err := s.ResolutionByID(bg, principalByPhone(t, s, actorPhones[convener]), id)
		if err != nil {
			t.Fatal(err)
		}
		url := "/resolutions/" + strconv.FormatUint(id, 10)
		conv, sec, owner, chen := login(srv, "13800000003"), login(srv, "13800000002"), login(srv, "13800000006"), login(srv, "13800000004")

		// The meeting's adopted motion links to it.
		mp := chen.Get("/meetings/" + strconv.FormatUint(rv.MeetingID, 10))
		if href, _ := mp.Doc.Find(`[data-testid="motion-resolution"]`).Attr("href"); href != url {
			t.Fatalf("meeting links to %q", href)
		}
		rp := conv.Get(url)
		if rp.Text(`[data-testid="resolution-status"]`) != "待交办" || !strings.Contains(rp.Text(`[data-testid="resolution-text"]`), "路灯") {
			t.Fatalf("new resolution: %q", rp.Text(`[data-testid="resolution-status"]`))
		}
		if chen.Get(url).Has(`form[data-testid="resolution-assign"]`) {
			t.Fatal("a resident is offered the assignment")
		}

		// Assignment: an unknown phone and no date are said beside the form.
		bad := conv.Submit(rp, `form[data-testid="resolution-assign"]`, map[string]string{"phone": "13999999999", "due": ""})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-phone"]`) || !bad.Has(`[data-testid="error-due"]`) {
			t.Fatalf("bad assignment: %d", bad.Status)
		}
		rp = conv.Submit(bad, `form[data-testid="resolution-assign"]`, map[string]string{"phone": "13800000006", "due": "2026-11-30"})
		if rp.Text(`[data-testid="resolution-status"]`) != "已交办" || rp.Text(`[data-testid="resolution-owner"]`) == "尚未指定" || rp.Text(`[data-testid="resolution-due"]`) != "2026-11-30" {
			t.Fatalf("after assigning: %q, owner %q, due %q", rp.Text(`[data-testid="resolution-status"]`), rp.Text(`[data-testid="resolution-owner"]`), rp.Text(`[data-testid="resolution-due"]`))
		}
		// The timeline says whom it went to and by when.
		ownerName := principalByPhone(t, s, "13800000006").Account.Name
		if a := rp.Text(`[data-testid="timeline-assign"]`); !strings.Contains(a, ownerName) || !strings.Contains(a, "2026-11-30") {
			t.Fatalf("timeline of the assignment: %q", a)
		}

		// The owner reports progress with a percentage.
		op := owner.Get(url)
		if op.Has(`form[data-testid="resolution-abandon"]`) || !op.Has(`form[data-testid="resolution-done"]`) {
			t.Fatal("the owner's forms: abandon offered or done missing")
		}
		bad = owner.Submit(op, `form[data-testid="resolution-progress"]`, map[string]string{"note": "", "percent": "150"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-note"]`) || !bad.Has(`[data-testid="error-percent"]`) {
			t.Fatalf("bad progress: %d", bad.Status)
		}
		op = owner.Submit(bad, `form[data-testid="resolution-progress"]`, map[string]string{"note": "已采购路灯20盏，下周安装。", "percent": "30"})
		if op.Text(`[data-testid="resolution-status"]`) != "落实中" || op.Text(`[data-testid="resolution-percent"]`) != "30%" || op.Count(`[data-testid="timeline-entry"][data-action="progress"]`) != 1 {
			t.Fatalf("after progress: %q %q", op.Text(`[data-testid="resolution-status"]`), op.Text(`[data-testid="resolution-percent"]`))
		}

		// Staff who run the council spawn a project and a ballot from it.
		sp := sec.Get(url)
		if conv.Get(url).Has(`[data-testid="spawn-project"]`) {
			t.Fatal("the convener, who is no staff, is offered a project")
		}
		href, _ := sp.Doc.Find(`[data-testid="spawn-project"]`).Attr("href")
		form := sec.Get(href)
		if !form.Has(`[data-testid="project-from-resolution"]`) || !strings.Contains(form.Text(`textarea[name="summary"]`), "路灯") {
			t.Fatalf("project form not prefilled: %d", form.Status)
		}
		pj := sec.Submit(form, `form[data-testid="project-form"]`, map[string]string{"title": "更换小区路灯", "budget": "8000"})
		if back, _ := pj.Doc.Find(`[data-testid="project-source"]`).Attr("href"); pj.Status != http.StatusOK || back != url {
			t.Fatalf("project page links back to %q (%d)", back, pj.Status)
		}
		href, _ = sec.Get(url).Doc.Find(`[data-testid="spawn-ballot"]`).Attr("href")
		form = sec.Get(href)
		if !form.Has(`[data-testid="ballot-from-resolution"]`) {
			t.Fatalf("ballot form not prefilled: %d", form.Status)
		}
		bp := sec.Submit(form, `form[data-testid="ballot-form"]`, map[string]string{"title": "路灯样式票决", "method": "single", "budget": ""})
		if bp.Status != http.StatusOK {
			t.Fatalf("ballot: %d %s", bp.Status, bp.Text(`[data-testid="form-errors"]`))
		}
		sp = sec.Get(url)
		prHref, _ := sp.Doc.Find(`[data-testid="resolution-project"]`).Attr("href")
		bHref, _ := sp.Doc.Find(`[data-testid="resolution-ballot"]`).Attr("href")
		if prHref != pj.URL.Path || bHref == "" || sp.Has(`[data-testid="spawn-project"]`) || sp.Has(`[data-testid="spawn-ballot"]`) {
			t.Fatalf("resolution links to %q and %q", prHref, bHref)
		}
		if back, _ := chen.Get(bHref).Doc.Find(`[data-testid="ballot-resolution"]`).Attr("href"); back != url {
			t.Fatalf("ballot page links back to %q", back)
		}

		// Past the due date it is flagged overdue, on its page and in the
		// council's list under its tab.
		council := "/councils/" + strconv.FormatUint(rv.CouncilID, 10)
		// (The demo's own overdue resolution is listed there already.)
		item := `[data-testid="resolution-item"][data-id="` + strconv.FormatUint(rv.ID, 10) + `"]`
		if chen.Get(council + "?rtab=overdue").Has(item) {
			t.Fatal("overdue before the due date")
		}
		clock.Advance(8 * 24 * time.Hour)
		// A week on, the sessions have timed out: sign in again.
		owner, chen = login(srv, "13800000006"), login(srv, "13800000004")
		if !chen.Get(url).Has(`[data-testid="resolution-overdue"]`) {
			t.Fatal("no overdue flag on the page")
		}
		cp := chen.Get(council + "?rtab=overdue")
		if !cp.Has(item + ` [data-testid="resolution-overdue"]`) {
			t.Fatalf("overdue tab: %d item(s)", cp.Count(`[data-testid="resolution-item"]`))
		}

		// Done needs the result and the confirmation.
		op = owner.Get(url)
		bad = owner.Submit(op, `form[data-testid="resolution-done"]`, map[string]string{"result": "20盏路灯已全部更换。"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`form[data-testid="resolution-done"] [data-testid="error-confirm"]`) {
			t.Fatalf("done without confirming: %d", bad.Status)
		}
		op = owner.Submit(bad, `form[data-testid="resolution-done"]`, map[string]string{"result": "20盏路灯已全部更换。", "confirm": "on"})
		if op.Text(`[data-testid="resolution-status"]`) != "已办结" || op.Has(`[data-testid="resolution-overdue"]`) || op.Has(`form[data-testid="resolution-progress"]`) {
			t.Fatalf("after done: %q", op.Text(`[data-testid="resolution-status"]`))
		}
		if chen.Get(council+"?rtab=done").Count(`[data-testid="resolution-item"]`) != 1 {
			t.Fatal("not under the done tab")
		}

		// A resident rates it once; a second press is refused.
		cp = chen.Get(url)
		stale := cp
		cp = chen.Submit(cp, `form[data-testid="rate-form"]`, map[string]string{"stars": "4"})
		if cp.Text(`[data-testid="my-rating"]`) == "" || cp.Has(`form[data-testid="rate-form"]`) {
			t.Fatalf("after rating: %d", cp.Status)
		}
		again := chen.Submit(stale, `form[data-testid="rate-form"]`, map[string]string{"stars": "1"})
		if again.Status != http.StatusUnprocessableEntity || again.Text(`[data-testid="error-stars"]`) != "您已经评价过这项决议的落实效果了。" {
			t.Fatalf("second rating: %d %q", again.Status, again.Text(`[data-testid="error-stars"]`))
		}
		if n, _ := again.Doc.Find(`[data-testid="rating-summary"]`).Attr("data-count"); n != "1" {
			t.Fatalf("%s rating(s)", n)
		}
		// Street staff see it but do not rate as residents.
		if p := login(srv, "13800000001").Post(url+"/rate", map[string][]string{"_csrf": {chen.Get(url).CSRF()}, "stars": {"5"}}); p.Status != http.StatusForbidden {
			t.Fatalf("street staff rated: %d", p.Status)
		}

		// The topic's page shows where its resolution stands.
		tp := chen.Get("/topics/" + strconv.FormatUint(*rv.TopicID, 10))
		if tp.Text(`[data-testid="topic-resolution"] [data-testid="resolution-status"]`) != "已办结" {
			t.Fatalf("topic page: %q", tp.Text(`[data-testid="topic-resolution"] [data-testid="resolution-status"]`))
		}
	})
}

// TestResolutionAbandonThroughForms: abandoning needs a reason and the
// confirmation, and only those who run the council may.
func TestResolutionAbandonThroughForms(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		url := "/resolutions/" + strconv.FormatUint(adoptResolution(t, s, "同意在小区增设快递柜。"), 10)
		conv := login(srv, "13800000003")
		rp := conv.Get(url)
		bad := conv.Submit(rp, `form[data-testid="resolution-abandon"]`, map[string]string{"reason": "", "confirm": "on"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-reason"]`) {
			t.Fatalf("abandoned without a reason: %d", bad.Status)
		}
		bad = conv.Submit(rp, `form[data-testid="resolution-abandon"]`, map[string]string{"reason": "场地不足，改由街道统筹。"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`form[data-testid="resolution-abandon"] [data-testid="error-confirm"]`) {
			t.Fatalf("abandoned without confirming: %d", bad.Status)
		}
		rp = conv.Submit(rp, `form[data-testid="resolution-abandon"]`, map[string]string{"reason": "场地不足，改由街道统筹。", "confirm": "on"})
		if rp.Text(`[data-testid="resolution-status"]`) != "已终止" || rp.Text(`[data-testid="resolution-reason"]`) != "场地不足，改由街道统筹。" || rp.Has(`form[data-testid="resolution-assign"]`) {
			t.Fatalf("after abandoning: %q", rp.Text(`[data-testid="resolution-status"]`))
		}
		// A final resolution takes no more steps.
		if p := conv.Post(url+"/assign", map[string][]string{"_csrf": {rp.CSRF()}, "phone": {"13800000006"}, "due": {"2026-12-30"}}); p.Status != http.StatusUnprocessableEntity || !p.Has(`[data-testid="error-step"]`) {
			t.Fatalf("assigned an abandoned resolution: %d", p.Status)
		}
	})
}
