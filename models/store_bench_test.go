package models_test

import (
	"errors"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// TestSyntheticCommunity: the load-test community is made only in an
// empty database; its residents are verified, eligible in a ballot of the
// community, and their batch-opened sessions resume like any other.
func TestSyntheticCommunity(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		sc, err := s.CreateSyntheticCommunity(bg, 1001, "x")
		if err != nil {
			t.Fatal(err)
		}
		if len(sc.VoterIDs) != 1001 || len(sc.Households) != 251 {
			t.Fatalf("%d voters in %d households", len(sc.VoterIDs), len(sc.Households))
		}
		hh, err := s.PlaceByID(bg, sc.Households[250].ID)
		if err != nil {
			t.Fatal(err)
		}
		if !sc.Community.Contains(hh) || hh.Kind != models.KindHousehold {
			t.Fatalf("household %+v is not in the community %+v", hh, sc.Community)
		}
		if _, err := s.CreateSyntheticCommunity(bg, 10, "x"); !errors.Is(err, models.ErrNotEmpty) {
			t.Fatalf("a second community in the same database: %v", err)
		}
		toks, err := s.StartSessions(bg, sc.VoterIDs[998:])
		if err != nil || len(toks) != 3 {
			t.Fatalf("%v %v", toks, err)
		}
		p, err := s.ResumeSession(bg, toks[2])
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := p.ResidentHousehold(); !ok || p.Account.ID != sc.VoterIDs[1000] || h != sc.Households[250].ID {
			t.Fatalf("session of %+v", p)
		}
		staff, err := s.LoadPrincipal(bg, sc.StaffID)
		if err != nil {
			t.Fatal(err)
		}
		if !staff.Can(models.PermManageBallots, sc.Community) {
			t.Fatal("the synthetic staff account cannot manage ballots in its community")
		}
		b, err := s.CreateBallot(bg, staff, models.BallotInput{PlaceID: sc.Community.ID, Title: "试", Electorate: models.ElectorateAdults,
			Method: models.MethodSingle, OpensAt: clock.Now().Add(time.Hour), ClosesAt: clock.Now().Add(2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.Eligible(bg, p, b.ID)
		if err != nil || !st.Eligible {
			t.Fatalf("a synthetic resident is not eligible: %+v %v", st, err)
		}
		var audits int64
		if err := s.DB().Model(&models.AuditEntry{}).Where("action IN ?", []string{"bench.populate", "bench.sessions"}).Count(&audits).Error; err != nil || audits != 2 {
			t.Fatalf("%d audit entries for the load, %v", audits, err)
		}
	})
}
