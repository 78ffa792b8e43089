package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// dashboardScenario files four needs in community 1 through the store: one
// answered in time and rated 5, one answered late and rated 2, one answered
// in time and done but not yet rated, one never answered (overdue). It
// returns the needs and the filer of the unrated one.
func dashboardScenario(t *testing.T, s *models.Store, clock *modeltest.Clock) ([]models.Need, *models.Principal) {
	t.Helper()
	// The figures below count this scenario's needs alone: clear the demo's.
	for _, table := range []string{"whistle_calls", "whistles", "need_events", "need_photos", "need_supports", "needs"} {
		if err := s.Tx(bg).Exec("DELETE FROM " + table).Error; err != nil {
			t.Fatal(err)
		}
	}
	load := func(phone string) *models.Principal {
		a, err := s.AccountByPhone(bg, phone)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.LoadPrincipal(bg, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b, staff := load("13800000004"), load("13800000005"), load("13800000002")
	worker, err := s.CreateAccount(bg, models.AccountInput{Phone: "13700000077", Name: "网格员", Password: demo.Password, Confirm: demo.Password}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wp := load(worker.Phone)
	com1 := placeNamed(t, s, demo.CommunityNames[0])
	taker, err := s.CreateTaker(bg, staff, models.TakerInput{Kind: models.TakerGridWorker, Name: "一网格", PlaceID: com1.ID, AccountID: &worker.ID})
	if err != nil {
		t.Fatal(err)
	}
	cats, err := s.NeedCategories(bg, true)
	if err != nil {
		t.Fatal(err)
	}
	var repair models.NeedCategory
	for _, c := range cats {
		if c.Code == "repair" {
			repair = c
		}
	}
	file := func(p *models.Principal) models.Need {
		hh, _, err := s.Residency(bg, p.Account.ID)
		if err != nil || hh == nil {
			t.Fatalf("residency: %v", err)
		}
		n, err := s.FileNeed(bg, p, models.NeedInput{CategoryID: repair.ID, PlaceID: *hh.ParentID, Description: "楼道灯坏了，晚上看不见"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	ns := []models.Need{file(a), file(b), file(a), file(b)}
	must := func(_ models.Need, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Hour)
	must(s.AcceptNeed(bg, staff, ns[0].ID))
	must(s.AcceptNeed(bg, staff, ns[2].ID))
	clock.Advance(30 * time.Hour) // past the 24 h respond limit
	must(s.AcceptNeed(bg, staff, ns[1].ID))
	for _, n := range ns[:3] {
		must(s.DispatchNeed(bg, staff, n.ID, taker.ID))
		must(s.TakeNeed(bg, wp, n.ID))
		must(s.CompleteNeed(bg, wp, n.ID, "已修好"))
	}
	must(s.RateNeed(bg, a, ns[0].ID, 5, "很满意"))
	must(s.RateNeed(bg, b, ns[1].ID, 2, "太慢"))
	return ns, a
}

func placeNamed(t *testing.T, s *models.Store, name string) models.Place {
	t.Helper()
	var pl models.Place
	if err := s.Tx(bg).Where("name = ?", name).First(&pl).Error; err != nil {
		t.Fatalf("place %s: %v", name, err)
	}
	return pl
}

// communityRow returns the cells of a community's row in the dashboard.
func communityRow(t *testing.T, p *webtest.Page, name string) map[string]string {
	t.Helper()
	cells := map[string]string{}
	p.Doc.Find(`[data-testid="dash-communities"] [data-testid="dash-row"]`).Each(func(_ int, row *goquery.Selection) {
		if strings.TrimSpace(row.Find(`[data-testid="dash-name"]`).Text()) != name {
			return
		}
		for _, k := range []string{"filed", "response", "resolution", "satisfaction", "overdue"} {
			cells[k] = strings.TrimSpace(row.Find(`[data-testid="dash-` + k + `"]`).Text())
		}
	})
	if len(cells) == 0 {
		t.Fatalf("no row for %s in %d rows", name, p.Count(`[data-testid="dash-communities"] [data-testid="dash-row"]`))
	}
	return cells
}

func TestDashboardFiguresAndScope(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		ns, filer := dashboardScenario(t, s, clock)
		com1 := demo.CommunityNames[0]

		street := srv.Client()
		street.Login("13800000001", demo.Password)
		if !street.Get("/console").Has(`[data-testid="tile-dashboard"]`) {
			t.Fatal("no dashboard tile on the console")
		}
		p := street.Get("/console/dashboard")
		if p.Status != http.StatusOK {
			t.Fatalf("dashboard: %d", p.Status)
		}
		want := map[string]string{"filed": "4", "response": "50.0%", "resolution": "75.0%", "satisfaction": "50.0%", "overdue": "1"}
		if got := communityRow(t, p, com1); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("community 1: %v, want %v", got, want)
		}
		// The street's communities and its village, 桃源村, each a row.
		if n := p.Count(`[data-testid="dash-communities"] [data-testid="dash-row"]`); n != len(demo.CommunityNames)+1 {
			t.Fatalf("street staff see %d communities and villages", n)
		}
		if other := communityRow(t, p, demo.CommunityNames[1]); other["response"] != "—" || other["filed"] != "0" {
			t.Fatalf("an empty community: %v", other)
		}
		chart := p.Doc.Find(`svg[data-testid="chart-rates"]`)
		if chart.Length() != 1 || chart.AttrOr("role", "") != "img" || !strings.Contains(chart.Text(), "75.0%") || !strings.Contains(chart.Find("title").Text(), "响应率") {
			t.Fatal("the rates chart is missing or lacks its numbers")
		}
		if !p.Has(`svg[data-testid="chart-overdue"]`) {
			t.Fatal("the overdue chart is missing")
		}

		// One more need rated 5: satisfaction goes from 1 of 2 to 2 of 3.
		if _, err := s.RateNeed(bg, filer, ns[2].ID, 5, ""); err != nil {
			t.Fatal(err)
		}
		p = street.Get("/console/dashboard")
		if got := communityRow(t, p, com1)["satisfaction"]; got != "66.7%" {
			t.Fatalf("after one more rating: %s", got)
		}
		if got := p.Text(`[data-testid="total-satisfaction"]`); got != "66.7%" {
			t.Fatalf("total satisfaction %s", got)
		}

		// A period before the needs: honest empty state, no division by zero.
		p = street.Get("/console/dashboard?from=2026-01-01&to=2026-01-31")
		if p.Status != http.StatusOK || !p.Has(`[data-testid="empty"]`) || p.Text(`[data-testid="total-response"]`) != "—" {
			t.Fatalf("empty period: %d %q", p.Status, p.Text(`[data-testid="total-response"]`))
		}
		// Bad dates change nothing and say why.
		p = street.Get("/console/dashboard?from=2026-02-30&to=2026-01-31")
		if p.Status != http.StatusUnprocessableEntity || !p.Has(`[data-testid="error-from"]`) || p.Has(`[data-testid="dash-summary"]`) {
			t.Fatalf("bad date: %d", p.Status)
		}
		p = street.Get("/console/dashboard?from=2026-03-01&to=2026-01-31")
		if p.Status != http.StatusUnprocessableEntity || !p.Has(`[data-testid="error-to"]`) {
			t.Fatalf("reversed range: %d", p.Status)
		}

		// Staff of community 2 see only their own community.
		acct, err := s.CreateAccount(bg, models.AccountInput{Phone: "13800000098", Name: "二社区社工", Password: demo.Password, Confirm: demo.Password}, nil)
		if err != nil {
			t.Fatal(err)
		}
		com2 := placeNamed(t, s, demo.CommunityNames[1])
		if err := s.GrantRoleAsSystem(bg, acct.ID, models.RoleCommunityStaff, com2.ID); err != nil {
			t.Fatal(err)
		}
		staff2 := srv.Client()
		staff2.Login("13800000098", demo.Password)
		p = staff2.Get("/console/dashboard")
		if n := p.Count(`[data-testid="dash-communities"] [data-testid="dash-row"]`); n != 1 || communityRow(t, p, com2.Name)["filed"] != "0" {
			t.Fatalf("staff of community 2 see %d rows", n)
		}
		if strings.Contains(p.Body, com1) || p.Text(`[data-testid="total-filed"]`) != "0" {
			t.Fatal("staff of community 2 see community 1")
		}
		if p := staff2.Get(fmt.Sprintf("/console/dashboard?place=%d", placeNamed(t, s, com1).ID)); p.Status != http.StatusForbidden {
			t.Fatalf("community 2 asking for community 1: %d", p.Status)
		}
	})
}

// readSheet opens a downloaded workbook and returns a sheet's rows.
func readSheet(t *testing.T, p *webtest.Page, sheet string) [][]string {
	t.Helper()
	if p.Status != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Fatalf("download: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(strings.NewReader(p.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v (sheets %v)", sheet, err, f.GetSheetList())
	}
	return rows
}

func TestNeedsAndDashboardExports(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		ns, _ := dashboardScenario(t, s, clock)
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)

		p := staff.Get("/console/needs/export.xlsx")
		cd := p.Header.Get("Content-Disposition")
		if !strings.Contains(cd, `filename="needs-list-20261124.xlsx"`) || !strings.Contains(cd, "filename*=UTF-8''%E9%9C%80%E6%B1%82%E6%B8%85%E5%8D%95-20261124.xlsx") {
			t.Fatalf("Content-Disposition %q", cd)
		}
		rows := readSheet(t, p, "需求清单")
		if len(rows) != 5 || rows[0][0] != "编号" || len(rows[0]) != 15 {
			t.Fatalf("all needs: %d rows, header %v", len(rows), rows[0])
		}
		if strings.Contains(p.Body, "13800000004") {
			t.Fatal("a filer's phone in full")
		}
		// Newest first: the last filed is the overdue one.
		last := rows[len(rows)-1]
		if last[0] != fmt.Sprint(ns[0].ID) || last[4] != "已办结" || last[11] != "5" || last[13] != "否" || last[14] != "138****0004" || last[6] != "一网格" {
			t.Fatalf("first need's row %v", last)
		}

		rows = readSheet(t, staff.Get("/console/needs/export.xlsx?overdue=1"), "需求清单")
		if len(rows) != 2 || rows[1][0] != fmt.Sprint(ns[3].ID) || rows[1][13] != "是" || rows[1][4] != "待受理" {
			t.Fatalf("overdue only: %v", rows)
		}
		rows = readSheet(t, staff.Get("/console/needs/export.xlsx?status=closed"), "需求清单")
		if len(rows) != 3 {
			t.Fatalf("closed only: %d rows", len(rows)-1)
		}
		if p := staff.Get("/console/needs/export.xlsx?overdue=maybe"); p.Status != http.StatusBadRequest {
			t.Fatalf("bad overdue flag: %d", p.Status)
		}

		// The figures, in English: the community's line and the total.
		en := srv.Client()
		en.Header.Set("Accept-Language", "en")
		en.Login("13800000001", demo.Password)
		p = en.Get("/console/dashboard/export.xlsx?from=2026-11-01&to=2026-11-30")
		if cd := p.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="needs-dashboard-20261101-20261130.xlsx"`) {
			t.Fatalf("Content-Disposition %q", cd)
		}
		rows = readSheet(t, p, "By community")
		var line []string
		for _, r := range rows {
			if len(r) > 0 && r[0] == demo.CommunityNames[0] {
				line = r
			}
		}
		if len(line) != 15 || line[1] != "4" || line[4] != "50.0%" || line[7] != "75.0%" || line[10] != "50.0%" || line[11] != "1" {
			t.Fatalf("community line %v", line)
		}
		if total := rows[len(rows)-1]; total[0] != "Total" || total[1] != "4" {
			t.Fatalf("total line %v", total)
		}
		if cats := readSheet(t, p, "By category"); len(cats) < 3 {
			t.Fatalf("categories sheet %v", cats)
		}
	})
}
