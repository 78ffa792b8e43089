package demo_test

import (
	"context"
	"testing"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

func TestDemoBallots(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		ctx := context.Background()
		for i := 0; i < 2; i++ { // loading twice changes nothing the second time
			if err := demo.Load(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		ballots, total, err := s.Ballots(ctx, models.BallotQuery{})
		if err != nil || total != 3 {
			t.Fatalf("%d ballots: %v", total, err)
		}
		byStatus := map[models.BallotStatus]models.Ballot{}
		for _, b := range ballots {
			byStatus[b.Status(s.Now())] = b
		}
		open, closed, scheduled := byStatus[models.BallotOpen], byStatus[models.BallotClosed], byStatus[models.BallotScheduled]
		if open.ID == 0 || closed.ID == 0 || scheduled.ID == 0 || open.Method != models.MethodBudget {
			t.Fatalf("ballots by status: %v", byStatus)
		}
		var accounts []models.Account
		s.Tx(ctx).Where("phone IN ?", []string{"13800000004", "13800000005"}).Find(&accounts)
		for _, a := range accounts {
			p, err := s.LoadPrincipal(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			st, err := s.Eligible(ctx, p, open.ID)
			if err != nil || !st.Eligible || st.Voted {
				t.Fatalf("%s in the open ballot: %+v %v", a.Phone, st, err)
			}
			mine, err := s.OpenBallotsFor(ctx, p)
			if err != nil || len(mine) != 1 || mine[0].ID != open.ID {
				t.Fatalf("%s open ballots: %v %v", a.Phone, mine, err)
			}
		}
		if r, err := s.Results(ctx, nil, open.ID); err != nil || r != nil {
			t.Fatalf("open ballot shows results: %v %v", r, err)
		}
		r, err := s.Results(ctx, nil, closed.ID)
		if err != nil || r == nil || r.Paper != 2 || r.Online != 4 || len(r.Funded()) == 0 {
			t.Fatalf("closed ballot result: %+v %v", r, err)
		}
		if closed.NoticeID == nil || closed.FundedAt == nil {
			t.Fatalf("closed ballot not published and funded: %+v", closed)
		}
		var funded int64
		s.Tx(ctx).Model(&models.Project{}).Where("source_type = ? AND source_id = ?", models.BallotSource, closed.ID).Count(&funded)
		if int(funded) != len(r.Funded()) {
			t.Fatalf("%d projects for %d funded candidates", funded, len(r.Funded()))
		}
		f, err := s.BoardFileFor(ctx, closed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.Recount(f); err != nil {
			t.Fatalf("demo board: %v", err)
		}
	})
}
