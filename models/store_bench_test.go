package models_test

import (
	"errors"
	"slices"
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

// TestFrozenBallotCache: what the vote path and the ballot page read from
// memory once a ballot is frozen is what the database holds, and callers
// cannot change the cached copies.
func TestFrozenBallotCache(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		b := f.ballot(t, s, models.BallotInput{Title: "缓存", Method: models.MethodApprove, MinChoices: 1, MaxChoices: 2})
		voters := []*models.Principal{f.voter(t, s, f.hh1), f.voter(t, s, f.hh1), f.voter(t, s, f.hh2)}
		before, err := s.BallotOptions(bg, b.ID) // scheduled: never cached
		if err != nil || len(before) != 3 {
			t.Fatalf("%d candidates, %v", len(before), err)
		}
		clock.Advance(time.Hour)
		if _, err := s.Ballot(bg, b.ID); err != nil { // opens: freezes, and remembers
			t.Fatal(err)
		}
		for round := range 2 { // the first read fills the cache, the second reads it
			got, err := s.BallotOptions(bg, b.ID)
			if err != nil || len(got) != 3 {
				t.Fatalf("round %d: %d candidates, %v", round, len(got), err)
			}
			for i := range got {
				if got[i].ID != before[i].ID || got[i].Title != before[i].Title || got[i].Place.Name != before[i].Place.Name || got[i].CostFen != before[i].CostFen {
					t.Fatalf("round %d: candidate %d is %+v, the database says %+v", round, i, got[i], before[i])
				}
			}
			got[0].Title = "changed by a caller"
		}
		again, _ := s.BallotOptions(bg, b.ID)
		if again[0].Title != before[0].Title {
			t.Fatal("a caller changed the cached candidates")
		}
		voter := voters[0]
		rc, err := s.CastVote(bg, voter, b.ID, models.Choices{f.cands[1].ID})
		if err != nil || rc.Code == "" {
			t.Fatalf("vote through the cache: %+v %v", rc, err)
		}
		if _, err := s.CastVote(bg, voters[1], b.ID, f.ids(0, 1, 2)); !errors.Is(err, models.ErrChoiceCount) {
			t.Fatalf("the cached definition let three choices through: %v", err)
		}
		st, err := s.Eligible(bg, voter, b.ID)
		if err != nil || !st.Voted || st.Receipt != rc.Code {
			t.Fatalf("voter state %+v %v", st, err)
		}
		clock.Advance(48 * time.Hour) // closed: the cache does not outlive the window
		if _, err := s.CastVote(bg, voters[2], b.ID, f.ids(0)); !errors.Is(err, models.ErrBallotNotOpen) {
			t.Fatalf("a vote after closing: %v", err)
		}
	})
}

// TestSessionLookupKeepsGenericPlan: the session look-up every request
// makes is planned once per connection, not at every call. Single-session
// batches on one connection would make PostgreSQL plan the statement anew
// each time if the batch's values were not padded (see plannedLen).
func TestSessionLookupKeepsGenericPlan(t *testing.T) {
	if !slices.Contains(modeltest.Dialects(t), "postgres") {
		t.Skip("PostgreSQL only")
	}
	s := modeltest.Open(t, "postgres", time.Now)
	sqlDB, err := s.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1) // every query below on the same connection
	sc, err := s.CreateSyntheticCommunity(bg, 3, "x")
	if err != nil {
		t.Fatal(err)
	}
	toks, err := s.StartSessions(bg, sc.VoterIDs)
	if err != nil {
		t.Fatal(err)
	}
	const calls = 12
	for i := range calls {
		if _, err := s.ResumeSession(bg, toks[i%len(toks)]); err != nil {
			t.Fatal(err)
		}
	}
	// The pattern is in this query's own text too: it is left out.
	var plans struct{ Generic, Custom int64 }
	if err := s.DB().Raw(`SELECT generic_plans AS generic, custom_plans AS custom FROM pg_prepared_statements
		WHERE statement LIKE '%FROM sessions s JOIN accounts a%' AND statement NOT LIKE '%pg_prepared_statements%'`).Scan(&plans).Error; err != nil {
		t.Fatal(err)
	}
	if plans.Generic+plans.Custom != calls || plans.Custom > 5 {
		t.Fatalf("%d session look-ups: %d generic plans, %d custom plans", calls, plans.Generic, plans.Custom)
	}
}

// TestAnyOfMatchesExactly: a batch's "one of" condition matches exactly
// the values given, whatever characters they hold, on both databases.
func TestAnyOfMatchesExactly(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		odd := []string{`plain`, `with,comma`, `with "quote"`, `back\slash`, `{brace}`, `NULL`, ``, `空格 和中文`}
		db := s.DB()
		if err := db.Exec("CREATE TABLE any_probe (v TEXT NOT NULL)").Error; err != nil {
			t.Fatal(err)
		}
		for _, v := range append(odd, "other", "with", "comma") {
			if err := db.Exec("INSERT INTO any_probe (v) VALUES (?)", v).Error; err != nil {
				t.Fatal(err)
			}
		}
		for i := range odd {
			want := odd[:i+1]
			cond, arg := s.AnyOf("v", want)
			var got []string
			if err := db.Raw("SELECT v FROM any_probe WHERE "+cond, arg).Scan(&got).Error; err != nil {
				t.Fatal(err)
			}
			slices.Sort(got) // in Go: the database's collation may order otherwise
			w := slices.Clone(want)
			slices.Sort(w)
			if !slices.Equal(got, w) {
				t.Fatalf("one of %q matched %q", want, got)
			}
		}
	})
}
