package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// TestNeedWhistleThroughPages: staff escalate a need to the community and
// then to the street, calling a department; the department reports on the
// need's page; once done, the street rates the whistle.
func TestNeedWhistleThroughPages(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		filer := principalByPhone(t, s, "13800000005")
		hh, _, _ := s.Residency(bg, filer.Account.ID)
		cats, _ := s.NeedCategories(bg, true)
		n, err := s.FileNeed(bg, filer, models.NeedInput{CategoryID: cats[0].ID, PlaceID: *hh.ParentID, Description: "小区门口道路塌陷，有个大坑。", Public: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		path := "/needs/" + itoa(n.ID)
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		p := staff.Get(path)
		p = staff.Submit(p, `form[data-testid="act-escalate"]`, map[string]string{"note": "网格处理不了"})
		if p.Text(`[data-testid="need-level"]`) != "社区" {
			t.Fatalf("level after one escalation: %q", p.Text(`[data-testid="need-level"]`))
		}
		bad := staff.Submit(p, `form[data-testid="act-escalate"]`, nil)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-call"]`) {
			t.Fatalf("whistle with nobody called: %d", bad.Status)
		}
		call := ""
		p.Doc.Find(`form[data-testid="act-escalate"] input[name="call"]`).Each(func(_ int, in *goquerySel) {
			if strings.Contains(in.Parent().Text(), "城管") {
				call, _ = in.Attr("value")
			}
		})
		if call == "" {
			t.Fatal("the city department cannot be called")
		}
		p = staff.Submit(p, `form[data-testid="act-escalate"]`, map[string]string{"call": call, "note": "需要城管到场"})
		if p.Text(`[data-testid="need-level"]`) != "街道（吹哨）" || !strings.Contains(p.Text(`[data-testid="whistle-call"]`), "待报到") {
			t.Fatalf("after the whistle: %q %q", p.Text(`[data-testid="need-level"]`), p.Text(`[data-testid="whistle-call"]`))
		}
		dept := srv.Client()
		dept.Login("13800000009", demo.Password)
		if l := dept.Get("/needs?tab=dispatched"); !l.Has(`[data-testid="need-item"][data-id="` + itoa(n.ID) + `"]`) {
			t.Fatal("the called department does not find the need")
		}
		dp := dept.Get(path)
		wantActions(t, "the called department", dp, "report")
		dp = dept.Submit(dp, `form[data-testid="act-report"]`, map[string]string{"note": "已到现场"})
		if !dp.Has(`[data-testid="call-reported"]`) || dp.Has(`form[data-testid="act-report"]`) {
			t.Fatal("the report does not show")
		}
		// The department does its job as the need's taker.
		sp := staff.Get(path)
		sp = staff.Submit(sp, `form[data-testid="act-accept"]`, nil)
		sp = staff.Submit(sp, `form[data-testid="act-dispatch"]`, map[string]string{"taker_id": optionValue(t, sp, "taker_id", "城管")})
		if sp.Status != http.StatusOK || sp.Has(`form[data-testid="act-dispatch"]`) {
			t.Fatalf("dispatch to the department: %d", sp.Status)
		}
		dp = dept.Get(path)
		dp = dept.Submit(dp, `form[data-testid="act-take"]`, nil)
		dept.Submit(dp, `form[data-testid="act-complete"]`, map[string]string{"note": "已回填修复。", "confirm": "on"})
		// Community staff cannot rate the whistle; the street can.
		if staff.Get(path).Has(`form[data-testid="act-rate-whistle"]`) {
			t.Fatal("community staff may rate the whistle")
		}
		street := srv.Client()
		street.Login("13800000001", demo.Password)
		stp := street.Get(path)
		stp = street.Submit(stp, `form[data-testid="act-rate-whistle"]`, map[string]string{"rating": "4", "comment": "报到及时"})
		if !strings.Contains(stp.Text(`[data-testid="whistle-rating"]`), "满意") {
			t.Fatalf("whistle rating: %q", stp.Text(`[data-testid="whistle-rating"]`))
		}
	})
}

// TestConsoleNeedsTakersAndLimits: the staff list filters and counts, a
// taker is added by phone, and only the street changes time limits, with
// bad limits refused.
func TestConsoleNeedsTakersAndLimits(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		con := staff.Get("/console")
		if !con.Has(`[data-testid="console-needs"]`) || !con.Has(`[data-testid="console-takers"]`) {
			t.Fatal("no needs tiles on the console")
		}
		list := staff.Get("/console/needs?overdue=on")
		if list.Status != http.StatusOK || list.Count(`[data-testid="need-item"]`) == 0 || list.Count(`[data-testid="need-item"]`) != list.Count(`[data-testid="need-item"] [data-testid="need-overdue"]`) {
			t.Fatalf("overdue filter: %d items, %d flagged", list.Count(`[data-testid="need-item"]`), list.Count(`[data-testid="need-item"] [data-testid="need-overdue"]`))
		}
		if list.Text(`[data-testid="count-overdue"]`) == "0" || !list.Has(`[data-testid="pager"]`) && list.Count(`[data-testid="need-item"]`) > 20 {
			t.Fatal("overdue count or pager missing")
		}
		if list.Has(`[data-testid="link-categories"]`) {
			t.Fatal("community staff are offered the time limits")
		}
		closed := staff.Get("/console/needs?status=closed")
		closed.Doc.Find(`[data-testid="need-item"] [data-testid="need-status"]`).Each(func(_ int, b *goquerySel) {
			if st, _ := b.Attr("data-status"); st != "closed" {
				t.Errorf("status filter let through %s", st)
			}
		})

		tk := staff.Get("/console/takers")
		bad := staff.Submit(tk, `form[data-testid="taker-form"]`, map[string]string{"kind": "volunteer", "name": "李志愿", "phone": "13999999999"})
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Text(`[data-testid="error-phone"]`), "没有找到") {
			t.Fatalf("unknown phone: %d %q", bad.Status, bad.Text(`[data-testid="error-phone"]`))
		}
		before := tk.Count(`[data-testid="taker"]`)
		ok := staff.Submit(tk, `form[data-testid="taker-form"]`, map[string]string{"kind": "volunteer", "name": "李志愿", "phone": "13800000005"})
		if ok.Count(`[data-testid="taker"]`) != before+1 || !strings.Contains(ok.Text(`[data-testid="taker-list"]`), "李志愿") {
			t.Fatalf("taker not added: %d → %d", before, ok.Count(`[data-testid="taker"]`))
		}

		if p := staff.Get("/console/categories"); p.Status != http.StatusForbidden {
			t.Fatalf("community staff on limits: %d", p.Status)
		}
		street := srv.Client()
		street.Login("13800000001", demo.Password)
		if p := street.Get("/console/needs"); p.Has(`[data-testid="link-categories"]`) {
			t.Fatal("street staff are offered the time limits")
		}
		if p := street.Get("/console/categories"); p.Status != http.StatusForbidden {
			t.Fatalf("street staff on limits: %d", p.Status)
		}
		admin := srv.Client()
		admin.Login("13800000000", demo.Password)
		if p := admin.Get("/console/needs"); !p.Has(`[data-testid="link-categories"]`) {
			t.Fatal("admins are not offered the time limits")
		}
		cp := admin.Get("/console/categories")
		bad = admin.Submit(cp, `form[data-testid="category-repair"]`, map[string]string{"respond_hours": "200", "resolve_hours": "100"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-respond_hours"]`) {
			t.Fatalf("respond after resolve: %d", bad.Status)
		}
		bad = admin.Submit(cp, `form[data-testid="category-repair"]`, map[string]string{"respond_hours": "abc", "resolve_hours": "100"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-respond_hours"]`) {
			t.Fatalf("not a number: %d", bad.Status)
		}
		var cat models.NeedCategory
		s.Tx(bg).Where("code = ?", "repair").First(&cat)
		if cat.RespondMinutes != 24*60 {
			t.Fatalf("bad input changed the limits: %d", cat.RespondMinutes)
		}
		admin.Submit(cp, `form[data-testid="category-repair"]`, map[string]string{"respond_hours": "12", "resolve_hours": "120"})
		s.Tx(bg).Where("code = ?", "repair").First(&cat)
		if cat.RespondMinutes != 12*60 || cat.ResolveMinutes != 120*60 {
			t.Fatalf("limits not saved: %d %d", cat.RespondMinutes, cat.ResolveMinutes)
		}
	})
}

type goquerySel = goquery.Selection
