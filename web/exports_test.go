package web_test

import (
	"net/http"
	"strings"
	"testing"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// TestListDownloadsFollowTheFilters: the resources, projects and staff
// needs lists each link to a spreadsheet of what they show, with the same
// filters, every page of it.
func TestListDownloadsFollowTheFilters(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		anon := srv.Client()

		// Resources: all public offers, then only venues.
		all, _, err := s.PublicOffers(bg, models.OfferQuery{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		page := anon.Get("/resources")
		href, ok := page.Doc.Find(`[data-testid="resources-export"]`).Attr("href")
		if !ok {
			t.Fatal("no download link on the resources list")
		}
		rows := readSheet(t, anon.Get(href), "资源清单")
		if len(rows)-1 != len(all) || rows[0][0] != "编号" {
			t.Fatalf("resources: %d rows for %d offers", len(rows)-1, len(all))
		}
		venues := 0
		for _, o := range all {
			if o.Kind == models.OfferVenue {
				venues++
			}
		}
		page = anon.Get("/resources?kind=venue")
		href, _ = page.Doc.Find(`[data-testid="resources-export"]`).Attr("href")
		rows = readSheet(t, anon.Get(href), "资源清单")
		if !strings.Contains(href, "kind=venue") || len(rows)-1 != venues || venues == 0 {
			t.Fatalf("venues: %s gave %d rows, want %d", href, len(rows)-1, venues)
		}
		for _, r := range rows[1:] {
			if r[1] != "场地" || strings.Contains(strings.Join(r, " "), "1380000002") {
				t.Fatalf("row %v: not a venue, or a phone in full", r)
			}
		}

		// Projects: a visitor's download holds no drafts.
		page = anon.Get("/projects")
		href, _ = page.Doc.Find(`[data-testid="projects-export"]`).Attr("href")
		rows = readSheet(t, anon.Get(href), "项目清单")
		visible, _, err := s.ListProjects(bg, nil, models.ProjectQuery{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows)-1 != len(visible) || len(visible) == 0 {
			t.Fatalf("projects: %d rows for %d visible", len(rows)-1, len(visible))
		}
		for _, r := range rows[1:] {
			if r[3] == "草稿" {
				t.Fatalf("a draft in a visitor's download: %v", r)
			}
		}

		// Staff needs list: the overdue filter carries into the download.
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		page = staff.Get("/console/needs?overdue=on")
		href, _ = page.Doc.Find(`[data-testid="needs-export"]`).Attr("href")
		dl := staff.Get(href)
		if dl.Status != http.StatusOK {
			t.Fatalf("needs download %s: %d", href, dl.Status)
		}
		rows = readSheet(t, dl, "需求清单")
		_, overdue, err := s.ListNeeds(bg, principalByPhone(t, s, "13800000002"), models.NeedFilter{Scope: models.NeedsStaff, Overdue: true})
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(rows)-1) != overdue || overdue == 0 {
			t.Fatalf("overdue needs: %d rows, want %d", len(rows)-1, overdue)
		}
		for _, r := range rows[1:] {
			if r[13] != "是" {
				t.Fatalf("a need that is not overdue: %v", r)
			}
		}
	})
}
