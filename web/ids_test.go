package web_test

import (
	"fmt"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// TestNeedPagesHaveUniqueIDs: a need's page carries several step forms at
// once; no two elements share an id, so every label names its own field.
func TestNeedPagesHaveUniqueIDs(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		list, _, err := s.ListNeeds(bg, principalByPhone(t, s, "13800000002"), models.NeedFilter{Scope: models.NeedsStaff, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, n := range list {
			if n.Status.Final() {
				continue
			}
			p := staff.Get(fmt.Sprintf("/needs/%d", n.ID))
			seen := map[string]bool{}
			p.Doc.Find("[id]").Each(func(_ int, el *goquery.Selection) {
				id, _ := el.Attr("id")
				if seen[id] {
					t.Errorf("need %d (%s): id %q used twice", n.ID, n.Status, id)
				}
				seen[id] = true
			})
			checked++
		}
		if checked < 5 {
			t.Fatalf("only %d open needs checked", checked)
		}
	})
}
