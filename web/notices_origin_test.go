package web_test

import (
	"net/http"
	"strings"
	"testing"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// TestNoticesLinkBackToTheirOrigin: every notice the demo published from a
// record (the project's acceptance, the ballot's result, the meetings'
// agendas, the minutes) links back to that record's page, which its
// readers can open; notices staff wrote have no such link.
func TestNoticesLinkBackToTheirOrigin(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		reader := login(srv, "13800000004") // a resident of community 1
		var ns []models.Notice
		if err := s.DB().Order("id").Find(&ns).Error; err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"project": "/projects/", "ballot": "/ballots/", "meeting": "/meetings/", "minutes": "/minutes"}
		seen := map[string]bool{}
		for _, n := range ns {
			page := srv.Client().Get(path(n.ID, ""))
			href, ok := page.Doc.Find(`[data-testid="notice-origin"]`).Attr("href")
			if n.SourceType == "" {
				if ok {
					t.Errorf("notice %q written by staff links to %s", n.Title, href)
				}
				continue
			}
			if !ok || !strings.Contains(href, want[n.SourceType]) {
				t.Errorf("notice %q (%s %d) links to %q", n.Title, n.SourceType, n.SourceID, href)
				continue
			}
			seen[n.SourceType] = true
			if got := reader.Get(href); got.Status != http.StatusOK || got.URL.Path != href {
				t.Errorf("%s from notice %q: %d at %s", href, n.Title, got.Status, got.URL.Path)
			}
		}
		if len(seen) != len(want) {
			t.Fatalf("origins seen: %v", seen)
		}
	})
}
