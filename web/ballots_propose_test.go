package web_test

import (
	"net/http"
	"strings"
	"testing"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// TestResidentProposesCandidate: a verified resident proposes a candidate
// through the form; bad input is refused in Chinese and changes nothing; the
// proposal waits for staff review as the resident's own.
func init() {
	matrix = append(matrix, matrixRoute{"GET", "/ballots/propose", signedIn()}, matrixRoute{"POST", "/ballots/propose", signedIn()})
}

func TestResidentProposesCandidate(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		count := func() int64 {
			var n int64
			if err := s.Tx(bg).Model(&models.Candidate{}).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()

		pending := srv.Client()
		pending.Login("13800000011", demo.Password)
		if p := pending.Get("/ballots/propose"); p.Has(`form[data-testid="propose-form"]`) {
			t.Fatal("an unverified account gets the proposal form")
		}

		r := srv.Client()
		r.Login("13800000004", demo.Password)
		page := r.Get("/ballots/propose")
		if page.Status != http.StatusOK || !page.Has(`form[data-testid="propose-form"]`) {
			t.Fatalf("proposal form: %d", page.Status)
		}
		place, _ := page.Doc.Find(`select[name="place_id"] option`).Eq(1).Attr("value")
		bad := r.Submit(page, `form[data-testid="propose-form"]`, map[string]string{"place_id": place, "title": "", "kind": "goods", "cost": "十块"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-title"]`) || !bad.Has(`[data-testid="error-cost"]`) || count() != before {
			t.Fatalf("bad proposal: %d, %d candidates", bad.Status, count()-before)
		}
		ok := r.Submit(page, `form[data-testid="propose-form"]`, map[string]string{"place_id": place, "title": "楼道加装感应灯",
			"description": "晚上楼道太黑，老人上下楼不安全。", "kind": "goods", "cost": "3200"})
		if ok.Status != http.StatusOK || ok.URL.Path != "/ballots" || count() != before+1 {
			t.Fatalf("proposal: %d at %s", ok.Status, ok.URL.Path)
		}
		var c models.Candidate
		if err := s.Tx(bg).Order("id DESC").First(&c).Error; err != nil {
			t.Fatal(err)
		}
		if c.Title != "楼道加装感应灯" || c.CostFen != 320000 || c.Source != models.SourceResident || c.Status != models.CandidateProposed {
			t.Fatalf("stored: %+v", c)
		}
		// Staff see it waiting for review.
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		if list := staff.Get("/console/candidates?status=proposed"); !strings.Contains(list.Text(`[data-testid="candidate-list"]`), "楼道加装感应灯") {
			t.Fatal("staff do not see the proposal")
		}
	})
}
