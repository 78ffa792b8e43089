package models_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// ballotFixture adds to the small street three feasible candidates in
// community 1 and a way to make verified residents quickly.
type ballotFixture struct {
	*fixture
	cands []models.Candidate
	n     int
}

func newBallotFixture(t *testing.T, s *models.Store) *ballotFixture {
	t.Helper()
	f := &ballotFixture{fixture: newFixture(t, s)}
	f.cands = f.moreCandidates(t, s)
	return f
}

// moreCandidates makes the fixture's three feasible candidates afresh: a
// candidate sits on one running ballot at a time, so a test running two
// ballots at once gives the second its own.
func (f *ballotFixture) moreCandidates(t *testing.T, s *models.Store) []models.Candidate {
	t.Helper()
	var out []models.Candidate
	for i, in := range []models.CandidateInput{
		{PlaceID: f.com1.ID, Title: "加装楼道扶手", CostFen: 30_000_00, Kind: models.CandidateWorks},
		{PlaceID: f.com1.ID, Title: "老年食堂餐具", CostFen: 50_000_00, Kind: models.CandidateGoods},
		{PlaceID: f.building.ID, Title: "助老服务", CostFen: 20_000_00, Kind: models.CandidateService},
	} {
		c, err := s.CreateCandidate(bg, f.staff1, in, nil)
		if err != nil {
			t.Fatalf("candidate %d: %v", i, err)
		}
		if c, err = s.ReviewCandidate(bg, f.staff1, c.ID, models.ReviewInput{Feasible: true, Reason: "符合要求"}); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// voters makes n verified residents, alternately of the fixture's two
// households.
func (f *ballotFixture) voters(t *testing.T, s *models.Store, n int) []*models.Principal {
	t.Helper()
	out := make([]*models.Principal, n)
	for i := range out {
		out[i] = f.voter(t, s, []models.Place{f.hh1, f.hh2}[i%2])
	}
	return out
}

// voter makes a verified resident of household hh without the cost of a
// password hash.
func (f *ballotFixture) voter(t *testing.T, s *models.Store, hh models.Place) *models.Principal {
	t.Helper()
	f.n++
	a := models.Account{Phone: fmt.Sprintf("137%08d", f.n), Name: fmt.Sprintf("居民%d", f.n)}
	if err := s.Tx(bg).Create(&a).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.Tx(bg).Create(&models.RoleGrant{AccountID: a.ID, Role: models.RoleResident, PlaceID: hh.ID}).Error; err != nil {
		t.Fatal(err)
	}
	return principal(t, s, a.ID)
}

func (f *ballotFixture) ballot(t *testing.T, s *models.Store, in models.BallotInput) models.Ballot {
	t.Helper()
	return f.ballotOf(t, s, in, f.cands)
}

// ballotOf is ballot with the candidates cands.
func (f *ballotFixture) ballotOf(t *testing.T, s *models.Store, in models.BallotInput, cands []models.Candidate) models.Ballot {
	t.Helper()
	if in.PlaceID == 0 {
		in.PlaceID = f.com1.ID
	}
	if in.Title == "" {
		in.Title = "2027 年民生微实事票决"
	}
	if in.Electorate == "" {
		in.Electorate = models.ElectorateAdults
	}
	if in.Method == "" {
		in.Method, in.BudgetFen = models.MethodBudget, 80_000_00
	}
	if in.OpensAt.IsZero() {
		in.OpensAt = s.Now().Add(time.Hour)
		in.ClosesAt = s.Now().Add(49 * time.Hour)
	}
	b, err := s.CreateBallot(bg, f.staff1, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cands {
		if err := s.AddCandidate(bg, f.staff1, b.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (f *ballotFixture) ids(i ...int) models.Choices {
	var out models.Choices
	for _, x := range i {
		out = append(out, f.cands[x].ID)
	}
	return out
}

func TestBallotLifecycle(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		// Review: over the cap cannot be feasible; infeasible needs a reason.
		big, err := s.CreateCandidate(bg, f.staff1, models.CandidateInput{PlaceID: f.com1.ID, Title: "改造广场", CostFen: 60_000_00, Kind: models.CandidateService}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var fe models.FieldErrors
		if _, err := s.ReviewCandidate(bg, f.staff1, big.ID, models.ReviewInput{Feasible: true}); !errors.As(err, &fe) || fe["feasible"] != "ballot.reason.over_cap" {
			t.Fatalf("over the cap: %v", err)
		}
		if _, err := s.ReviewCandidate(bg, f.staff2, big.ID, models.ReviewInput{Feasible: false, Reason: "超出上限"}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 reviewed: %v", err)
		}
		if big, err = s.ReviewCandidate(bg, f.staff1, big.ID, models.ReviewInput{Feasible: false, Reason: "超出服务类上限"}); err != nil || big.Status != models.CandidateInfeasible {
			t.Fatalf("infeasible: %v %v", big.Status, err)
		}
		// A resident may propose inside their community, not elsewhere.
		res := f.voter(t, s, f.hh1)
		if c, err := s.CreateCandidate(bg, res, models.CandidateInput{PlaceID: f.com1.ID, Title: "健身器材", CostFen: 10_000_00, Kind: models.CandidateGoods}, nil); err != nil || c.Source != models.SourceResident {
			t.Fatalf("resident proposal: %+v %v", c, err)
		}
		if _, err := s.CreateCandidate(bg, res, models.CandidateInput{PlaceID: f.com2.ID, Title: "健身器材", CostFen: 10_000_00, Kind: models.CandidateGoods}, nil); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("resident proposal elsewhere: %v", err)
		}

		if _, err := s.CreateBallot(bg, f.staff2, models.BallotInput{PlaceID: f.com1.ID, Title: "x", Electorate: models.ElectorateAdults, Method: models.MethodSingle,
			OpensAt: s.Now().Add(time.Hour), ClosesAt: s.Now().Add(2 * time.Hour)}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 created a ballot in community 1: %v", err)
		}
		b := f.ballot(t, s, models.BallotInput{})
		if list, total, err := s.StaffBallots(bg, f.staff1, models.BallotQuery{}); err != nil || total != 1 || list[0].ID != b.ID {
			t.Fatalf("staff1 ballots: %v %d %v", list, total, err)
		}
		if _, total, err := s.StaffBallots(bg, f.staff2, models.BallotQuery{}); err != nil || total != 0 {
			t.Fatalf("staff2 sees %d ballots of community 1: %v", total, err)
		}
		if err := s.AddCandidate(bg, f.staff1, b.ID, big.ID); !errors.Is(err, models.ErrCandidateNotReady) {
			t.Fatalf("infeasible candidate added: %v", err)
		}
		if err := s.AddCandidate(bg, f.staff2, b.ID, f.cands[0].ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 added: %v", err)
		}
		in := models.BallotInput{Title: "2027 年民生微实事票决（修订）", Electorate: models.ElectorateAdults, Method: models.MethodBudget, BudgetFen: 80_000_00,
			OpensAt: b.OpensAt, ClosesAt: b.ClosesAt}
		if b, err = s.UpdateBallot(bg, f.staff1, b.ID, in); err != nil || b.Title != in.Title {
			t.Fatalf("update: %v", err)
		}
		v1, v2 := f.voter(t, s, f.hh1), f.voter(t, s, f.hh2)
		if _, err := s.CastVote(bg, v1, b.ID, f.ids(0)); !errors.Is(err, models.ErrBallotNotOpen) {
			t.Fatalf("vote before opening: %v", err)
		}
		if st, err := s.Eligible(bg, v1, b.ID); err != nil || !st.Eligible || st.Voted {
			t.Fatalf("eligible before opening: %+v %v", st, err)
		}

		clock.Advance(time.Hour)
		if b, err = s.Ballot(bg, b.ID); err != nil || b.FrozenAt == nil || len(b.Fingerprint) != 64 {
			t.Fatalf("not frozen after opening: %+v %v", b, err)
		}
		if b.ElectorateSize != 3 { // res, v1, v2
			t.Fatalf("electorate %d", b.ElectorateSize)
		}
		if _, err := s.UpdateBallot(bg, f.staff1, b.ID, in); !errors.Is(err, models.ErrBallotStarted) {
			t.Fatalf("update after opening: %v", err)
		}
		if err := s.RemoveCandidate(bg, f.staff1, b.ID, f.cands[0].ID); !errors.Is(err, models.ErrBallotStarted) {
			t.Fatalf("remove after opening: %v", err)
		}
		if _, err := s.CastVote(bg, v1, b.ID, f.ids(0, 1, 2)); !errors.Is(err, models.ErrOverBudget) {
			t.Fatalf("over budget: %v", err)
		}
		r1, err := s.CastVote(bg, v1, b.ID, f.ids(0, 1)) // exactly the budget
		if err != nil || len(r1.Code) < 10 || r1.Repeat {
			t.Fatalf("vote: %+v %v", r1, err)
		}
		again, err := s.CastVote(bg, v1, b.ID, f.ids(2))
		if err != nil || again.Code != r1.Code || !again.Repeat {
			t.Fatalf("repeat: %+v %v", again, err)
		}
		if _, err := s.CastVote(bg, f.staff2, b.ID, f.ids(2)); !errors.Is(err, models.ErrNotEligible) {
			t.Fatalf("staff2 voted: %v", err)
		}
		if _, err := s.CastVote(bg, v2, b.ID, f.ids(1, 2)); err != nil {
			t.Fatal(err)
		}
		// Results are hidden from everyone until close.
		for _, who := range []*models.Principal{nil, f.admin, f.staff1, v1} {
			if r, err := s.Results(bg, who, b.ID); err != nil || r != nil {
				t.Fatalf("results before close: %+v %v", r, err)
			}
		}
		if _, err := s.CloseAndTally(bg, f.staff1, b.ID); !errors.Is(err, models.ErrBallotNotClosed) {
			t.Fatalf("tally before close: %v", err)
		}
		if _, err := s.Board(bg, b.ID); !errors.Is(err, models.ErrBallotNotClosed) {
			t.Fatalf("board before close: %v", err)
		}
		// A roll amendment adds a newcomer, counted.
		newcomer := f.voter(t, s, f.hh2)
		if _, err := s.CastVote(bg, newcomer, b.ID, f.ids(2)); !errors.Is(err, models.ErrNotEligible) {
			t.Fatalf("newcomer voted before amendment: %v", err)
		}
		if _, err := s.AmendRoll(bg, f.staff1, b.ID, models.AmendInput{AccountID: newcomer.Account.ID}); err == nil {
			t.Fatal("amendment without a reason")
		}
		if _, err := s.AmendRoll(bg, f.staff2, b.ID, models.AmendInput{AccountID: newcomer.Account.ID, Reason: "新迁入"}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 amended: %v", err)
		}
		if _, err := s.AmendRoll(bg, f.staff1, b.ID, models.AmendInput{AccountID: newcomer.Account.ID, Reason: "新迁入，已核实"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CastVote(bg, newcomer, b.ID, f.ids(2)); err != nil {
			t.Fatalf("newcomer after amendment: %v", err)
		}
		if b, _ = s.Ballot(bg, b.ID); b.Amendments != 1 || b.Voters() != 4 {
			t.Fatalf("amendments %d voters %d", b.Amendments, b.Voters())
		}
		if open, err := s.OpenBallotsFor(bg, res); err != nil || len(open) != 1 {
			t.Fatalf("open for res: %v %v", open, err)
		}
		if open, err := s.OpenBallotsFor(bg, v1); err != nil || len(open) != 0 {
			t.Fatalf("open for v1 who voted: %v %v", open, err)
		}

		clock.Set(b.ClosesAt)
		if _, err := s.CastVote(bg, res, b.ID, f.ids(0)); !errors.Is(err, models.ErrBallotNotOpen) {
			t.Fatalf("vote after close: %v", err)
		}
		r, err := s.Results(bg, nil, b.ID)
		if err != nil || r == nil {
			t.Fatalf("results: %v", err)
		}
		if r.Voted != 3 || r.Electorate != 4 || r.Online != 3 || !r.Valid {
			t.Fatalf("turnout %+v", r)
		}
		// Votes: 0:1, 1:2, 2:2. Ranked 2 (cheaper), 1, 0; budget 80k:
		// 2 (20k) + 1 (50k) = 70k, then 0 (30k) no longer fits.
		funded := r.Funded()
		if len(funded) != 2 || funded[0] != f.cands[2].ID || funded[1] != f.cands[1].ID {
			t.Fatalf("funded %v (%+v)", funded, r.Detail.Candidates)
		}
		if len(r.Detail.Places) != 1 || r.Detail.Places[0].Voted != 3 || r.Detail.Places[0].Electorate != 4 {
			t.Fatalf("places %+v", r.Detail.Places)
		}
		r2, err := s.CloseAndTally(bg, f.staff1, b.ID)
		if err != nil || r2.DrawSeed != r.DrawSeed || r2.BoardHead != r.BoardHead {
			t.Fatalf("tally not idempotent: %+v %v", r2, err)
		}
		data, err := s.BoardJSON(bg, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		bf, err := models.ParseBoard(data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.Recount(bf); err != nil {
			t.Fatalf("recount of the stored board: %v", err)
		}
		if bf.Head != r.BoardHead || len(bf.Entries) != 3 {
			t.Fatalf("board head %s entries %d", bf.Head, len(bf.Entries))
		}
		rc, err := s.LookupReceipt(bg, b.ID, strings.ToLower(r1.Code))
		if err != nil || !rc.Counted || rc.BoardSeq == 0 || rc.Choices != f.ids(0, 1).String() {
			t.Fatalf("receipt lookup: %+v %v", rc, err)
		}
		if _, err := s.LookupReceipt(bg, b.ID, "ABCDEFGHJKMN"); !errors.Is(err, models.ErrReceiptUnknown) {
			t.Fatalf("unknown receipt: %v", err)
		}
		mine, err := s.MyReceipts(bg, v1)
		if err != nil || len(mine) != 1 || mine[0].Receipt != r1.Code {
			t.Fatalf("my receipts %+v %v", mine, err)
		}

		// Publish, wait out the publicity period, fund.
		if _, err := s.FundCandidates(bg, f.staff1, b.ID); !errors.Is(err, models.ErrPublicityRunning) {
			t.Fatalf("fund before publishing: %v", err)
		}
		if _, err := s.PublishResult(bg, f.staff2, b.ID, models.NoticeInput{PeriodDays: 5, AllowObjections: true}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 published: %v", err)
		}
		n, err := s.PublishResult(bg, f.staff1, b.ID, models.NoticeInput{PeriodDays: 5, AllowObjections: true})
		if err != nil || n.SourceType != models.BallotSource || n.SourceID != b.ID || !strings.Contains(n.Body, "助老服务") {
			t.Fatalf("publish: %+v %v", n, err)
		}
		if _, err := s.PublishResult(bg, f.staff1, b.ID, models.NoticeInput{PeriodDays: 5}); !errors.Is(err, models.ErrResultPublished) {
			t.Fatalf("second publish: %v", err)
		}
		if _, err := s.FundCandidates(bg, f.staff1, b.ID); !errors.Is(err, models.ErrPublicityRunning) {
			t.Fatalf("fund during publicity: %v", err)
		}
		clock.Advance(5 * 24 * time.Hour)
		projects, err := s.FundCandidates(bg, f.staff1, b.ID)
		if err != nil || len(projects) != 2 {
			t.Fatalf("fund: %v %v", projects, err)
		}
		for _, pr := range projects {
			if pr.SourceType != models.BallotSource || pr.SourceID == nil || *pr.SourceID != b.ID {
				t.Fatalf("project not linked: %+v", pr)
			}
		}
		if c, _ := s.CandidateByID(bg, f.cands[2].ID); c.ProjectID == nil {
			t.Fatal("candidate not linked to its project")
		}
		if _, err := s.FundCandidates(bg, f.staff1, b.ID); !errors.Is(err, models.ErrAlreadyFunded) {
			t.Fatalf("fund twice: %v", err)
		}
	})
}

func TestBallotOneVoterManySubmissions(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		v := f.voter(t, s, f.hh1)
		b := f.ballot(t, s, models.BallotInput{})
		clock.Advance(2 * time.Hour)
		const n = 200
		codes := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r, err := s.CastVote(bg, v, b.ID, f.ids(0))
				codes[i], errs[i] = r.Code, err
			}(i)
		}
		wg.Wait()
		for i := range codes {
			if errs[i] != nil || codes[i] != codes[0] {
				t.Fatalf("submission %d: %q %v (first %q)", i, codes[i], errs[i], codes[0])
			}
		}
		var parts, votes int64
		s.Tx(bg).Model(&models.BallotParticipation{}).Where("ballot_id = ?", b.ID).Count(&parts)
		s.Tx(bg).Model(&models.BallotVote{}).Where("ballot_id = ?", b.ID).Count(&votes)
		if parts != 1 || votes != 1 {
			t.Fatalf("%d participations, %d votes", parts, votes)
		}
	})
}

func TestBallotManyVotersAtOnce(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		const n = 100
		voters := f.voters(t, s, n)
		b := f.ballot(t, s, models.BallotInput{Method: models.MethodApprove, MinChoices: 1, MaxChoices: 2})
		clock.Advance(2 * time.Hour)
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range voters {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				c := f.ids(i % 3)
				if i%5 == 0 {
					c = f.ids(i%3, (i+1)%3)
				}
				_, errs[i] = s.CastVote(bg, voters[i], b.ID, c)
			}(i)
		}
		wg.Wait()
		want := map[uint64]int64{}
		for i := range voters {
			if errs[i] != nil {
				t.Fatalf("voter %d: %v", i, errs[i])
			}
			want[f.cands[i%3].ID]++
			if i%5 == 0 {
				want[f.cands[(i+1)%3].ID]++
			}
		}
		clock.Set(b.ClosesAt)
		r, err := s.Results(bg, nil, b.ID)
		if err != nil || r.Voted != n {
			t.Fatalf("voted %v %v", r, err)
		}
		for _, c := range r.Detail.Candidates {
			if c.Votes != want[c.ID] {
				t.Fatalf("candidate %d: %d votes, want %d", c.ID, c.Votes, want[c.ID])
			}
		}
		var votes int64
		s.Tx(bg).Model(&models.BallotVote{}).Where("ballot_id = ?", b.ID).Count(&votes)
		if votes != n {
			t.Fatalf("%d votes stored", votes)
		}
	})
}

func TestBallotPaperVotes(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		online, onPaper := f.voter(t, s, f.hh1), f.voter(t, s, f.hh2)
		// An elderly resident on the roster without an account.
		elder := models.Resident{HouseholdID: f.hh2.ID, Name: "张奶奶", BirthYear: 1940}
		if err := s.Tx(bg).Create(&elder).Error; err != nil {
			t.Fatal(err)
		}
		b := f.ballot(t, s, models.BallotInput{Method: models.MethodSingle})
		clock.Advance(2 * time.Hour)
		if _, _, err := s.EnterPaperVote(bg, f.staff2, b.ID, models.AccountVoter(onPaper.Account.ID), f.ids(0)); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 entered: %v", err)
		}
		pv, rc, err := s.EnterPaperVote(bg, f.staff1, b.ID, models.AccountVoter(onPaper.Account.ID), f.ids(0))
		if err != nil || !rc.Pending || len(rc.Code) < 10 {
			t.Fatalf("enter: %+v %v", rc, err)
		}
		// The paper voter can no longer vote online.
		if _, err := s.CastVote(bg, onPaper, b.ID, f.ids(1)); !errors.Is(err, models.ErrAlreadyVoted) {
			t.Fatalf("online after paper: %v", err)
		}
		// An online voter cannot then be entered on paper.
		if _, err := s.CastVote(bg, online, b.ID, f.ids(1)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.EnterPaperVote(bg, f.staff1, b.ID, models.AccountVoter(online.Account.ID), f.ids(0)); !errors.Is(err, models.ErrAlreadyVoted) {
			t.Fatalf("paper after online: %v", err)
		}
		if _, _, err := s.EnterPaperVote(bg, f.staff1, b.ID, models.AccountVoter(f.staff2.Account.ID), f.ids(0)); !errors.Is(err, models.ErrNotEligible) {
			t.Fatalf("paper for someone off the roll: %v", err)
		}
		elderPV, _, err := s.EnterPaperVote(bg, f.staff1, b.ID, models.ResidentVoter(elder.ID), f.ids(2))
		if err != nil {
			t.Fatalf("paper for a resident without an account: %v", err)
		}
		if err := s.ConfirmPaperVote(bg, f.staff1, pv.ID); !errors.Is(err, models.ErrSameStaff) {
			t.Fatalf("confirmed by the same staff: %v", err)
		}
		if err := s.ConfirmPaperVote(bg, f.staff2, pv.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("confirmed by staff of another community: %v", err)
		}
		pending, err := s.PendingPaperVotes(bg, f.admin, b.ID)
		if err != nil || len(pending) != 2 {
			t.Fatalf("pending %v %v", pending, err)
		}
		if err := s.ConfirmPaperVote(bg, f.admin, pv.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmPaperVote(bg, f.admin, pv.ID); !errors.Is(err, models.ErrPaperSettled) {
			t.Fatalf("confirmed twice: %v", err)
		}
		roll, total, err := s.Roll(bg, f.staff1, b.ID, "张", 1, 50)
		if err != nil || total != 1 || roll[0].Name != "张奶奶" || roll[0].Channel != models.ChannelPaper || !roll[0].Pending {
			t.Fatalf("roll %+v %d %v", roll, total, err)
		}
		_ = elderPV // never confirmed: it does not count
		clock.Set(b.ClosesAt)
		r, err := s.Results(bg, nil, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Voted != 2 || r.Online != 1 || r.Paper != 1 {
			t.Fatalf("turnout %+v", r)
		}
		votes := map[uint64]int64{}
		for _, c := range r.Detail.Candidates {
			votes[c.ID] = c.Votes
		}
		if votes[f.cands[0].ID] != 1 || votes[f.cands[1].ID] != 1 || votes[f.cands[2].ID] != 0 {
			t.Fatalf("votes %v", votes)
		}
		var left models.BallotPaperVote
		s.Tx(bg).Where("id = ?", elderPV.ID).Find(&left)
		if left.VoterKey != "" || left.Choices != "" {
			t.Fatalf("unconfirmed paper vote keeps its link: %+v", left)
		}
	})
}

func TestBallotHouseholdsAndKiosk(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		a1, a2, b1 := f.voter(t, s, f.hh1), f.voter(t, s, f.hh1), f.voter(t, s, f.hh2)
		b := f.ballot(t, s, models.BallotInput{Electorate: models.ElectorateHouseholds, Method: models.MethodRank, RankK: 2})
		clock.Advance(2 * time.Hour)
		if b, _ = s.Ballot(bg, b.ID); b.ElectorateSize != 2 {
			t.Fatalf("household electorate %d", b.ElectorateSize)
		}
		r1, err := s.CastVote(bg, a1, b.ID, f.ids(0, 1))
		if err != nil {
			t.Fatal(err)
		}
		// The other member of the household gets the household's receipt.
		r2, err := s.CastVote(bg, a2, b.ID, f.ids(2))
		if err != nil || r2.Code != r1.Code || !r2.Repeat {
			t.Fatalf("second member: %+v %v", r2, err)
		}
		if _, err := s.KioskVote(bg, f.staff2, b1, b.ID, f.ids(2)); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("kiosk by staff2: %v", err)
		}
		k, err := s.KioskVote(bg, f.staff1, b1, b.ID, f.ids(2, 0))
		if err != nil || k.Channel != models.ChannelKiosk {
			t.Fatalf("kiosk: %+v %v", k, err)
		}
		clock.Set(b.ClosesAt)
		r, err := s.Results(bg, nil, b.ID)
		if err != nil || r.Voted != 2 || r.Kiosk != 1 || r.Online != 1 {
			t.Fatalf("results %+v %v", r, err)
		}
		// Points: 0 = 2+1, 1 = 1, 2 = 2: candidate 0 wins one seat.
		if got := r.Funded(); len(got) != 1 || got[0] != f.cands[0].ID {
			t.Fatalf("winner %v %+v", got, r.Detail.Candidates)
		}
	})
}

func TestBallotSecrecy(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		voters := []*models.Principal{f.voter(t, s, f.hh1), f.voter(t, s, f.hh2), f.voter(t, s, f.hh2)}
		b := f.ballot(t, s, models.BallotInput{Secret: true, Method: models.MethodApprove, MinChoices: 1, MaxChoices: 3, TurnoutPct: 50})
		clock.Advance(2 * time.Hour)
		choices := []models.Choices{f.ids(0, 2), f.ids(1, 0), f.ids(2, 1, 0)}
		for i, v := range voters[:2] {
			if _, err := s.CastVote(bg, v, b.ID, choices[i]); err != nil {
				t.Fatal(err)
			}
		}
		pv, _, err := s.EnterPaperVote(bg, f.staff1, b.ID, models.AccountVoter(voters[2].Account.ID), choices[2])
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmPaperVote(bg, f.admin, pv.ID); err != nil {
			t.Fatal(err)
		}
		clock.Set(b.ClosesAt)
		r, err := s.Results(bg, nil, b.ID)
		if err != nil || r.Voted != 3 || !r.Valid {
			t.Fatalf("results %+v %v", r, err)
		}

		// The votes table: a random text key, the ballot, the choices.
		cols, err := s.DB().Migrator().ColumnTypes("ballot_votes")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range cols {
			names = append(names, c.Name())
			if c.Name() == "id" && !strings.Contains(strings.ToLower(c.DatabaseTypeName()), "char") && !strings.Contains(strings.ToLower(c.DatabaseTypeName()), "text") {
				t.Fatalf("vote key is %s, not a random text key", c.DatabaseTypeName())
			}
		}
		if strings.Join(names, ",") != "id,ballot_id,choices" {
			t.Fatalf("ballot_votes columns %v could reference a voter or a time", names)
		}
		var ids []string
		s.Tx(bg).Model(&models.BallotVote{}).Where("ballot_id = ?", b.ID).Pluck("id", &ids)
		for _, id := range ids {
			if len(id) != 32 {
				t.Fatalf("vote id %q is not random", id)
			}
		}
		// Participation and paper rows of a secret ballot hold no choices.
		var withChoices int64
		s.Tx(bg).Model(&models.BallotParticipation{}).Where("ballot_id = ? AND choices <> ''", b.ID).Count(&withChoices)
		var paperLinked int64
		s.Tx(bg).Model(&models.BallotPaperVote{}).Where("ballot_id = ? AND (choices <> '' OR voter_key <> '')", b.ID).Count(&paperLinked)
		if withChoices != 0 || paperLinked != 0 {
			t.Fatalf("%d participations and %d paper rows hold choices", withChoices, paperLinked)
		}
		// The audit trail of the whole run names voters but never choices.
		var entries []models.AuditEntry
		s.Tx(bg).Order("id").Find(&entries)
		for _, e := range entries {
			if !strings.HasPrefix(e.Action, "ballot.") {
				continue
			}
			for _, c := range choices {
				if strings.Contains(e.Detail, c.String()) {
					t.Fatalf("audit %s holds choices %s: %q", e.Action, c, e.Detail)
				}
			}
			for _, c := range f.cands {
				if strings.Contains(e.Detail, c.Title) && e.Action != "ballot.add_candidate" {
					t.Fatalf("audit %s names a candidate: %q", e.Action, e.Detail)
				}
			}
		}
		// The board lists receipts without choices, then choices without receipts.
		board, err := s.Board(bg, b.ID)
		if err != nil || len(board) != 6 {
			t.Fatalf("board %d %v", len(board), err)
		}
		for i, e := range board {
			if (i < 3) != (e.Kind == models.BoardReceipt) || (e.Kind == models.BoardReceipt && e.Choices != "") || (e.Kind == models.BoardVote && e.Receipt != "") {
				t.Fatalf("board entry %d: %+v", i, e)
			}
		}
		bf, err := s.BoardFileFor(bg, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.Recount(bf); err != nil {
			t.Fatalf("recount: %v", err)
		}
	})
}

func TestBallotFingerprintFollowsRoll(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		f.voter(t, s, f.hh1)
		b1 := f.ballot(t, s, models.BallotInput{})
		b2 := f.ballotOf(t, s, models.BallotInput{}, f.moreCandidates(t, s))
		clock.Advance(2 * time.Hour)
		b1, _ = s.Ballot(bg, b1.ID)
		f.voter(t, s, f.hh2) // joins before b2 is first seen
		b2, _ = s.Ballot(bg, b2.ID)
		if b1.ElectorateSize != 1 || b2.ElectorateSize != 2 {
			t.Fatalf("electorates %d %d", b1.ElectorateSize, b2.ElectorateSize)
		}
		// Same definition but the ids differ; recompute b1's with b2's roll.
		var keys1, keys2 []string
		s.Tx(bg).Model(&models.BallotVoter{}).Where("ballot_id = ?", b1.ID).Pluck("voter_key", &keys1)
		s.Tx(bg).Model(&models.BallotVoter{}).Where("ballot_id = ?", b2.ID).Pluck("voter_key", &keys2)
		opts := []models.Option{}
		for _, c := range f.cands {
			opts = append(opts, models.Option{ID: c.ID, CostFen: c.CostFen})
		}
		b1.Place = models.Place{}
		if got := models.Fingerprint(b1, opts, keys1); got != b1.Fingerprint {
			t.Fatalf("stored fingerprint %s, recomputed %s", b1.Fingerprint, got)
		}
		if models.Fingerprint(b1, opts, keys2) == b1.Fingerprint {
			t.Fatal("a different roll kept the fingerprint")
		}
		// Explicit opening after the lazy freeze changes nothing.
		again, err := s.Open(bg, f.staff1, b1.ID)
		if err != nil || again.Fingerprint != b1.Fingerprint {
			t.Fatalf("open: %v", err)
		}
	})
}

// TestBallotOpenNow: staff open a scheduled ballot early and it is frozen
// at once; staff elsewhere may not; too few candidates are refused.
func TestBallotOpenNow(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		b := f.ballot(t, s, models.BallotInput{})
		if _, err := s.OpenNow(bg, f.staff2, b.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff of community 2: %v", err)
		}
		opened, err := s.OpenNow(bg, f.staff1, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if opened.Status(s.Now()) != models.BallotOpen || opened.FrozenAt == nil || opened.Fingerprint == "" {
			t.Fatalf("not open and frozen: %+v", opened)
		}
		if again, err := s.OpenNow(bg, f.staff1, b.ID); err != nil || again.Fingerprint != opened.Fingerprint {
			t.Fatalf("again: %v", err)
		}
		lone, err := s.CreateBallot(bg, f.staff1, models.BallotInput{PlaceID: f.com1.ID, Title: "只有一个候选", Electorate: models.ElectorateAdults,
			Method: models.MethodBudget, BudgetFen: 100_000_00, OpensAt: s.Now().Add(time.Hour), ClosesAt: s.Now().Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddCandidate(bg, f.staff1, lone.ID, f.moreCandidates(t, s)[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OpenNow(bg, f.staff1, lone.ID); !errors.Is(err, models.ErrBallotOptions) {
			t.Fatalf("one candidate on a budget ballot: %v", err)
		}
		if got, _ := s.Ballot(bg, lone.ID); got.Status(s.Now()) != models.BallotScheduled {
			t.Fatal("a refused opening changes nothing")
		}
	})
}

// TestBallotBatchInsertsInKeyOrder: a batch writes its participations in
// the voters' key order, whatever order they queued in. Two batches may run
// at once; taking the unique key's locks in one order, two that share
// voters wait for one another instead of deadlocking.
func TestBallotBatchInsertsInKeyOrder(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		voters := f.voters(t, s, 7)
		b := f.ballot(t, s, models.BallotInput{Method: models.MethodSingle})
		clock.Advance(2 * time.Hour)
		if _, err := s.CastVote(bg, voters[0], b.ID, f.ids(0)); err != nil { // freezes the roll
			t.Fatal(err)
		}
		b, err := s.Ballot(bg, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		rest := voters[1:]
		slices.SortFunc(rest, func(x, y *models.Principal) int { // against the key's order
			return strings.Compare(models.VoterKeyFor(y, b), models.VoterKeyFor(x, b))
		})
		if err := s.WriteVotesTogether(bg, b, rest, f.ids(1)); err != nil {
			t.Fatal(err)
		}
		var keys []string
		if err := s.Tx(bg).Model(&models.BallotParticipation{}).Where("ballot_id = ? AND voter_key <> ?", b.ID, models.VoterKeyFor(voters[0], b)).
			Order("id").Pluck("voter_key", &keys).Error; err != nil {
			t.Fatal(err)
		}
		if len(keys) != len(rest) || !slices.IsSorted(keys) {
			t.Fatalf("participations in the order %v, want %d in key order", keys, len(rest))
		}
	})
}

// TestBallotVotesBatchedTogether sends at once, so that they share
// batches, fresh votes, repeats of one voter, a voter who voted before, a
// voter who voted on paper and someone off the roll: each gets its own
// answer, and exactly the fresh votes and the first of the repeats count.
func TestBallotVotesBatchedTogether(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		const fresh = 40
		voters := f.voters(t, s, fresh)
		twice, earlier, onPaper := f.voter(t, s, f.hh1), f.voter(t, s, f.hh1), f.voter(t, s, f.hh2)
		b := f.ballot(t, s, models.BallotInput{Method: models.MethodSingle})
		clock.Advance(2 * time.Hour)
		first, err := s.CastVote(bg, earlier, b.ID, f.ids(1))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.EnterPaperVote(bg, f.staff1, b.ID, models.AccountVoter(onPaper.Account.ID), f.ids(2)); err != nil {
			t.Fatal(err)
		}
		type outcome struct {
			rc  models.VoteReceipt
			err error
		}
		var mu sync.Mutex
		got := map[string][]outcome{}
		cast := func(name string, p *models.Principal, c models.Choices) {
			rc, err := s.CastVote(bg, p, b.ID, c)
			mu.Lock()
			got[name] = append(got[name], outcome{rc, err})
			mu.Unlock()
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		run := func(name string, p *models.Principal, c models.Choices) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				cast(name, p, c)
			}()
		}
		for i, v := range voters {
			run(fmt.Sprintf("fresh%d", i), v, f.ids(0))
		}
		for range 5 {
			run("twice", twice, f.ids(1))
		}
		run("earlier", earlier, f.ids(0))
		run("paper", onPaper, f.ids(0))
		run("stranger", f.staff2, f.ids(0))
		close(start)
		wg.Wait()
		for i := range voters {
			o := got[fmt.Sprintf("fresh%d", i)][0]
			if o.err != nil || o.rc.Repeat || len(o.rc.Code) < 10 {
				t.Fatalf("fresh voter %d: %+v", i, o)
			}
		}
		repeats := 0
		for _, o := range got["twice"] {
			if o.err != nil || o.rc.Code != got["twice"][0].rc.Code {
				t.Fatalf("repeated voter: %+v", got["twice"])
			}
			if o.rc.Repeat {
				repeats++
			}
		}
		if repeats != 4 {
			t.Fatalf("repeated voter: %d answers marked repeat, want 4", repeats)
		}
		if o := got["earlier"][0]; o.err != nil || !o.rc.Repeat || o.rc.Code != first.Code {
			t.Fatalf("earlier voter: %+v, first receipt %s", o, first.Code)
		}
		if o := got["paper"][0]; !errors.Is(o.err, models.ErrAlreadyVoted) {
			t.Fatalf("paper voter: %+v", o)
		}
		if o := got["stranger"][0]; !errors.Is(o.err, models.ErrNotEligible) {
			t.Fatalf("someone off the roll: %+v", o)
		}
		var parts, votes, audits int64
		s.Tx(bg).Model(&models.BallotParticipation{}).Where("ballot_id = ? AND channel = ?", b.ID, models.ChannelOnline).Count(&parts)
		s.Tx(bg).Model(&models.BallotVote{}).Where("ballot_id = ?", b.ID).Count(&votes)
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND object_id = ?", "ballot.vote", fmt.Sprint(b.ID)).Count(&audits)
		// fresh + twice + earlier online; the paper vote is not counted
		// before its confirmation.
		if parts != fresh+2 || votes != fresh+2 || audits != fresh+2 {
			t.Fatalf("%d online participations, %d votes, %d audit entries; want %d each", parts, votes, audits, fresh+2)
		}
	})
}

// TestBallotEligibleBeforeOpening: before the roll is frozen, a voter's
// page asks about that voter alone; the answer must be the one the whole
// roll gives once it is frozen, for adults, minors, households and people
// outside the scope.
func TestBallotEligibleBeforeOpening(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		adult := f.voter(t, s, f.hh1)
		minor := f.voter(t, s, f.hh2)
		if err := s.Tx(bg).Create(&models.Resident{HouseholdID: f.hh2.ID, Name: minor.Account.Name, BirthYear: s.Now().Year() - 10, AccountID: &minor.Account.ID}).Error; err != nil {
			t.Fatal(err)
		}
		// A household elsewhere in the street, outside community 1.
		compound2, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: f.com2.ID, Kind: models.KindCompound, Name: "二号小区"})
		if err != nil {
			t.Fatal(err)
		}
		hh, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: compound2.ID, Kind: models.KindHousehold, Name: "201"})
		if err != nil {
			t.Fatal(err)
		}
		outsider := f.voter(t, s, hh)
		people := map[string]*models.Principal{"adult": adult, "minor": minor, "staff": f.staff1, "outsider": outsider}
		for _, el := range []models.ElectorateKind{models.ElectorateAdults, models.ElectorateHouseholds} {
			b := f.ballotOf(t, s, models.BallotInput{Electorate: el, Method: models.MethodSingle}, f.moreCandidates(t, s))
			before := map[string]bool{}
			for name, p := range people {
				st, err := s.Eligible(bg, p, b.ID)
				if err != nil {
					t.Fatal(err)
				}
				before[name] = st.Eligible
			}
			clock.Advance(time.Hour)
			for name, p := range people {
				st, err := s.Eligible(bg, p, b.ID)
				if err != nil {
					t.Fatal(err)
				}
				if st.Eligible != before[name] {
					t.Errorf("%s, %s: eligible %v before opening, %v on the frozen roll", el, name, before[name], st.Eligible)
				}
			}
			if !before["adult"] || before["staff"] || (el == models.ElectorateAdults && before["minor"]) || before["outsider"] {
				t.Errorf("%s: eligibility %v", el, before)
			}
			clock.Advance(-time.Hour)
		}
	})
}

// TestBallotReceiptCollision: a receipt code drawn twice must not cost a
// vote. The batch that meets the taken code is written again, each voter
// alone with a fresh code, and no vote, participation or audit entry is
// lost or doubled.
func TestBallotReceiptCollision(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		first := f.voter(t, s, f.hh1)
		others := f.voters(t, s, 5)
		b := f.ballot(t, s, models.BallotInput{Method: models.MethodSingle})
		clock.Advance(2 * time.Hour)
		taken, err := s.CastVote(bg, first, b.ID, f.ids(0))
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		draws := 0
		s.SetReceipts(func() string {
			mu.Lock()
			defer mu.Unlock()
			draws++
			if draws == 1 {
				return taken.Code
			}
			return models.NewReceipt()
		})
		codes := make([]string, len(others))
		errs := make([]error, len(others))
		var wg sync.WaitGroup
		for i, p := range others {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rc, err := s.CastVote(bg, p, b.ID, f.ids(1))
				codes[i], errs[i] = rc.Code, err
			}()
		}
		wg.Wait()
		if draws < 2 {
			t.Fatalf("the colliding code was drawn but never replaced (%d draws)", draws)
		}
		seen := map[string]bool{taken.Code: true}
		for i := range others {
			if errs[i] != nil || len(codes[i]) != models.ReceiptLen || seen[codes[i]] {
				t.Fatalf("voter %d: receipt %q, err %v (codes so far %v)", i, codes[i], errs[i], seen)
			}
			seen[codes[i]] = true
		}
		var parts, votes, audits int64
		s.Tx(bg).Model(&models.BallotParticipation{}).Where("ballot_id = ?", b.ID).Count(&parts)
		s.Tx(bg).Model(&models.BallotVote{}).Where("ballot_id = ?", b.ID).Count(&votes)
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND object_id = ?", "ballot.vote", fmt.Sprint(b.ID)).Count(&audits)
		if want := int64(len(others) + 1); parts != want || votes != want || audits != want {
			t.Fatalf("%d participations, %d votes, %d audit entries; want %d each", parts, votes, audits, want)
		}
		var stored []string
		s.Tx(bg).Model(&models.BallotParticipation{}).Where("ballot_id = ?", b.ID).Pluck("receipt", &stored)
		for _, c := range stored {
			if !seen[c] {
				t.Fatalf("stored receipt %s was never acknowledged", c)
			}
		}
	})
}

// TestRollAmendmentOnePersonOneLine: an amendment adds only someone the
// electorate rule admits, and never a second line for a person already on
// the roll: a roster resident frozen without an account who later signs
// up cannot be added again under the account and vote twice.
func TestRollAmendmentOnePersonOneLine(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		elder := models.Resident{HouseholdID: f.hh2.ID, Name: "李奶奶", BirthYear: 1945}
		if err := s.Tx(bg).Create(&elder).Error; err != nil {
			t.Fatal(err)
		}
		b := f.ballot(t, s, models.BallotInput{Method: models.MethodSingle})
		clock.Advance(2 * time.Hour) // open: the roll froze with her roster line
		// She votes on paper under her roster line.
		pv, _, err := s.EnterPaperVote(bg, f.staff1, b.ID, models.ResidentVoter(elder.ID), f.ids(0))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmPaperVote(bg, f.admin, pv.ID); err != nil {
			t.Fatal(err)
		}
		// Then she gets an account, verified at her household.
		acct := f.voter(t, s, f.hh2)
		if err := s.Tx(bg).Model(&models.Resident{}).Where("id = ?", elder.ID).Update("account_id", acct.Account.ID).Error; err != nil {
			t.Fatal(err)
		}
		onRoll := func(err error) bool {
			var fe models.FieldErrors
			return errors.As(err, &fe) && fe["voter"] == "err.ballot_voter_on_roll"
		}
		if _, err := s.AmendRoll(bg, f.staff1, b.ID, models.AmendInput{ResidentID: elder.ID, Reason: "已注册账号"}); !onRoll(err) {
			t.Fatalf("the roster resident added again under her account: %v", err)
		}
		if _, err := s.AmendRoll(bg, f.staff1, b.ID, models.AmendInput{AccountID: acct.Account.ID, Reason: "已注册账号"}); !onRoll(err) {
			t.Fatalf("her account added beside her roster line: %v", err)
		}
		if _, err := s.CastVote(bg, acct, b.ID, f.ids(1)); !errors.Is(err, models.ErrNotEligible) {
			t.Fatalf("she voted a second time online: %v", err)
		}
		// Someone the rule leaves out is refused: an account with no
		// verified residence, a minor on the roster.
		notEligible := func(err error) bool {
			var fe models.FieldErrors
			return errors.As(err, &fe) && fe["voter"] == "err.ballot_voter_not_eligible"
		}
		bare := models.Account{Phone: "13799999999", Name: "未认证"}
		if err := s.Tx(bg).Create(&bare).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.AmendRoll(bg, f.staff1, b.ID, models.AmendInput{AccountID: bare.ID, Reason: "补登"}); !notEligible(err) {
			t.Fatalf("an unverified account added: %v", err)
		}
		child := models.Resident{HouseholdID: f.hh1.ID, Name: "小明", BirthYear: s.Now().Year() - 9}
		if err := s.Tx(bg).Create(&child).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.AmendRoll(bg, f.staff1, b.ID, models.AmendInput{ResidentID: child.ID, Reason: "补登"}); !notEligible(err) {
			t.Fatalf("a minor added: %v", err)
		}
		// A newcomer verified after opening is added once, and votes once.
		newcomer := f.voter(t, s, f.hh1)
		if _, err := s.AmendRoll(bg, f.staff1, b.ID, models.AmendInput{AccountID: newcomer.Account.ID, Reason: "新迁入，已核实"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AmendRoll(bg, f.staff1, b.ID, models.AmendInput{AccountID: newcomer.Account.ID, Reason: "再登一次"}); !onRoll(err) {
			t.Fatalf("the newcomer added twice: %v", err)
		}
		if _, err := s.CastVote(bg, newcomer, b.ID, f.ids(1)); err != nil {
			t.Fatal(err)
		}
		if b, _ = s.Ballot(bg, b.ID); b.Amendments != 1 {
			t.Fatalf("%d amendments counted, want 1", b.Amendments)
		}
		clock.Set(b.ClosesAt)
		r, err := s.Results(bg, nil, b.ID)
		if err != nil || r.Voted != 2 || r.Paper != 1 || r.Online != 1 {
			t.Fatalf("turnout %+v %v", r, err)
		}
	})
}

// TestNoVoteAfterTheCount: a vote checked while the ballot was open but
// written after its result was counted (here by a second process whose
// clock still reads before closing) is refused, every way a vote is
// written, and the stored result and roll stay as counted.
func TestNoVoteAfterTheCount(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		early, lateOnline, lateKiosk, latePaper := f.voter(t, s, f.hh1), f.voter(t, s, f.hh1), f.voter(t, s, f.hh2), f.voter(t, s, f.hh2)
		b := f.ballot(t, s, models.BallotInput{Method: models.MethodSingle})
		clock.Advance(2 * time.Hour)
		if _, err := s.CastVote(bg, early, b.ID, f.ids(0)); err != nil {
			t.Fatal(err)
		}
		// A paper ballot entered before closing, confirmed too late.
		pv, _, err := s.EnterPaperVote(bg, f.staff1, b.ID, models.AccountVoter(latePaper.Account.ID), f.ids(1))
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(b.ClosesAt)
		counted, err := s.CloseAndTally(bg, f.staff1, b.ID)
		if err != nil || counted.Voted != 1 {
			t.Fatalf("count: %+v %v", counted, err)
		}
		beforeClose := b.ClosesAt.Add(-time.Second)
		late := models.NewStore(s.DB(), func() time.Time { return beforeClose })
		if _, err := late.CastVote(bg, lateOnline, b.ID, f.ids(1)); !errors.Is(err, models.ErrBallotNotOpen) {
			t.Fatalf("online vote after the count: %v", err)
		}
		if _, err := late.KioskVote(bg, f.staff1, lateKiosk, b.ID, f.ids(1)); !errors.Is(err, models.ErrBallotNotOpen) {
			t.Fatalf("kiosk vote after the count: %v", err)
		}
		// The count settled the unconfirmed paper ballot as not counted.
		if err := late.ConfirmPaperVote(bg, f.admin, pv.ID); !errors.Is(err, models.ErrBallotNotOpen) && !errors.Is(err, models.ErrPaperSettled) {
			t.Fatalf("paper vote confirmed after the count: %v", err)
		}
		if _, _, err := late.EnterPaperVote(bg, f.staff1, b.ID, models.AccountVoter(lateKiosk.Account.ID), f.ids(1)); !errors.Is(err, models.ErrBallotNotOpen) {
			t.Fatalf("paper vote entered after the count: %v", err)
		}
		var parts, votes int64
		s.Tx(bg).Model(&models.BallotParticipation{}).Where("ballot_id = ? AND pending = ?", b.ID, false).Count(&parts)
		s.Tx(bg).Model(&models.BallotVote{}).Where("ballot_id = ?", b.ID).Count(&votes)
		if parts != 1 || votes != 1 {
			t.Fatalf("%d participations and %d votes stored after the count, want 1 and 1", parts, votes)
		}
		again, err := s.CloseAndTally(bg, f.staff1, b.ID)
		if err != nil || again.Voted != 1 || again.BoardHead != counted.BoardHead {
			t.Fatalf("result changed: %+v %v", again, err)
		}
	})
}

// TestFundingFollowsThePublishedResult: a withdrawn result notice funds
// nothing until the result is published again and its new period ends;
// a candidate sits on one running ballot at a time, and one that two
// ballots both funded becomes one project.
func TestFundingFollowsThePublishedResult(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		v1, v2 := f.voter(t, s, f.hh1), f.voter(t, s, f.hh2)
		b1 := f.ballot(t, s, models.BallotInput{Method: models.MethodSingle})
		single := func(title string, opens time.Time) models.Ballot {
			b, err := s.CreateBallot(bg, f.staff1, models.BallotInput{PlaceID: f.com1.ID, Title: title, Electorate: models.ElectorateAdults,
				Method: models.MethodSingle, OpensAt: opens, ClosesAt: opens.Add(48 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		// While b1 has not closed its candidates go on no other ballot.
		b2 := single("第二场票决", b1.ClosesAt.Add(7*24*time.Hour))
		if err := s.AddCandidate(bg, f.staff1, b2.ID, f.cands[0].ID); !errors.Is(err, models.ErrCandidateOnBallot) {
			t.Fatalf("a candidate of a running ballot added to another: %v", err)
		}
		clock.Advance(2 * time.Hour)
		if _, err := s.CastVote(bg, v1, b1.ID, f.ids(0)); err != nil {
			t.Fatal(err)
		}
		clock.Set(b1.ClosesAt)
		// Closed, not yet funded: its candidates may go on b2, which may
		// then fund the same one.
		for _, i := range []int{0, 1} {
			if err := s.AddCandidate(bg, f.staff1, b2.ID, f.cands[i].ID); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.PublishResult(bg, f.staff1, b1.ID, models.NoticeInput{PeriodDays: 5, AllowObjections: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.WithdrawNotice(bg, f.staff1, n.ID, "异议成立，核实计票"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(6 * 24 * time.Hour)
		if _, err := s.FundCandidates(bg, f.staff1, b1.ID); !errors.Is(err, models.ErrResultWithdrawn) {
			t.Fatalf("funded on a withdrawn notice: %v", err)
		}
		n2, err := s.PublishResult(bg, f.staff1, b1.ID, models.NoticeInput{PeriodDays: 5})
		if err != nil || n2.ID == n.ID {
			t.Fatalf("published again: %+v %v", n2, err)
		}
		if _, err := s.PublishResult(bg, f.staff1, b1.ID, models.NoticeInput{PeriodDays: 5}); !errors.Is(err, models.ErrResultPublished) {
			t.Fatalf("published a third time: %v", err)
		}
		if _, err := s.FundCandidates(bg, f.staff1, b1.ID); !errors.Is(err, models.ErrPublicityRunning) {
			t.Fatalf("funded during the new period: %v", err)
		}
		// b2 ran meanwhile with the same candidates; candidate 0 wins both.
		clock.Set(b2.OpensAt.Add(time.Minute))
		if _, err := s.CastVote(bg, v2, b2.ID, f.ids(0)); err != nil {
			t.Fatal(err)
		}
		clock.Set(b2.ClosesAt)
		if _, err := s.PublishResult(bg, f.staff1, b2.ID, models.NoticeInput{PeriodDays: 1}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(6 * 24 * time.Hour)
		p1, err := s.FundCandidates(bg, f.staff1, b1.ID)
		if err != nil || len(p1) != 1 {
			t.Fatalf("fund b1: %d %v", len(p1), err)
		}
		p2, err := s.FundCandidates(bg, f.staff1, b2.ID)
		if err != nil || len(p2) != 0 {
			t.Fatalf("fund b2 made %d project(s) of a candidate already funded: %v", len(p2), err)
		}
		c, err := s.CandidateByID(bg, f.cands[0].ID)
		if err != nil || c.ProjectID == nil || *c.ProjectID != p1[0].ID {
			t.Fatalf("candidate's project: %+v %v", c.ProjectID, err)
		}
	})
}

// TestKioskSession: only staff who manage the ballot's place start a
// service station, only while it is open; the station's session replaces
// the staff member's and knows its ballot; a station starts no other.
func TestKioskSession(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		b := f.ballot(t, s, models.BallotInput{Method: models.MethodSingle})
		tok, err := s.StartSession(bg, f.staff1.Account.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartKioskSession(bg, f.staff1, b.ID, tok, "2468"); !errors.Is(err, models.ErrBallotNotOpen) {
			t.Fatalf("a station before opening: %v", err)
		}
		clock.Advance(2 * time.Hour)
		if _, err := s.StartKioskSession(bg, f.staff2, b.ID, "", "2468"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff of another community started a station: %v", err)
		}
		for _, pin := range []string{"", "123", "123456789", "12a4", "１２３４"} {
			var fe models.FieldErrors
			if _, err := s.StartKioskSession(bg, f.staff1, b.ID, tok, pin); !errors.As(err, &fe) || fe["pin"] == "" {
				t.Fatalf("station PIN %q: %v", pin, err)
			}
		}
		station, err := s.StartKioskSession(bg, f.staff1, b.ID, tok, "2468")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResumeSession(bg, tok); !errors.Is(err, models.ErrSessionExpired) {
			t.Fatalf("the replaced session still works: %v", err)
		}
		p, err := s.ResumeSession(bg, station)
		if err != nil || p.KioskBallotID != b.ID || p.Account.ID != f.staff1.Account.ID {
			t.Fatalf("station session: %+v %v", p, err)
		}
		if _, err := s.StartKioskSession(bg, p, b.ID, station, "2468"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a station started another: %v", err)
		}
		// Signing out ends the station with its PIN.
		if _, err := s.KioskCheckForm(bg, station); err != nil {
			t.Fatal(err)
		}
		if err := s.EndSession(bg, station); err != nil {
			t.Fatal(err)
		}
		var left int64
		if err := s.Tx(bg).Model(&models.KioskStation{}).Count(&left).Error; err != nil || left != 0 {
			t.Fatalf("%d stations left after signing out: %v", left, err)
		}
	})
}

// TestKioskStation: a check at the station needs the check form's current
// value, used once, and the station's PIN, whose fifth wrong entry in a row
// ends the station; the hand-over it makes names its resident until it is
// used, replaced, cancelled or left ten minutes untouched, and after the
// vote answers only a repeat, for a minute.
func TestKioskStation(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		b := f.ballot(t, s, models.BallotInput{Method: models.MethodSingle})
		clock.Advance(2 * time.Hour)
		start := func() (string, *models.Principal) {
			t.Helper()
			tok, err := s.StartSession(bg, f.staff1.Account.ID)
			if err != nil {
				t.Fatal(err)
			}
			station, err := s.StartKioskSession(bg, f.staff1, b.ID, tok, "2468")
			if err != nil {
				t.Fatal(err)
			}
			p, err := s.ResumeSession(bg, station)
			if err != nil {
				t.Fatal(err)
			}
			return station, p
		}
		station, p := start()
		other, _ := start()
		voter, next := f.voter(t, s, f.hh1), f.voter(t, s, f.hh2)
		if _, err := s.KioskCheck(bg, p, station, "", "2468"); !errors.Is(err, models.ErrKioskCheckStale) {
			t.Fatalf("a check before any form: %v", err)
		}
		check, err := s.KioskCheckForm(bg, station)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.KioskCheckForm(bg, "no-such-station"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a check form off a station: %v", err)
		}
		if _, err := s.KioskCheck(bg, p, station, check, "1357"); !errors.Is(err, models.ErrKioskPIN) {
			t.Fatalf("a wrong PIN: %v", err)
		}
		hand, err := s.KioskCheck(bg, p, station, check, "2468")
		if err != nil || hand == "" {
			t.Fatalf("a check: %q %v", hand, err)
		}
		// The same form again (resent from the history) goes nowhere.
		if _, err := s.KioskCheck(bg, p, station, check, "2468"); !errors.Is(err, models.ErrKioskCheckStale) {
			t.Fatalf("a check form used twice: %v", err)
		}
		if _, _, err := s.KioskHandedOver(bg, station, hand, true); !errors.Is(err, models.ErrKioskHandOverEnded) {
			t.Fatalf("a hand-over to nobody yet: %v", err)
		}
		if err := s.KioskHandTo(bg, other, hand, voter.Account.ID); !errors.Is(err, models.ErrKioskHandOverEnded) {
			t.Fatalf("a hand-over given on another station: %v", err)
		}
		if err := s.KioskHandTo(bg, station, hand, voter.Account.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.KioskHandTo(bg, station, hand, next.Account.ID); !errors.Is(err, models.ErrKioskHandOverEnded) {
			t.Fatalf("a hand-over given twice: %v", err)
		}
		if _, _, err := s.KioskHandedOver(bg, other, hand, true); !errors.Is(err, models.ErrKioskHandOverEnded) {
			t.Fatalf("a hand-over carried to another station: %v", err)
		}
		// Each step renews it: nine minutes and nine again hold.
		for range 2 {
			clock.Advance(9 * time.Minute)
			if id, used, err := s.KioskHandedOver(bg, station, hand, true); err != nil || used || id != voter.Account.ID {
				t.Fatalf("a hand-over in use: %d %v %v", id, used, err)
			}
		}
		clock.Advance(models.KioskHandOver + time.Second)
		if _, _, err := s.KioskHandedOver(bg, station, hand, true); !errors.Is(err, models.ErrKioskHandOverExpired) {
			t.Fatalf("a hand-over left too long: %v", err)
		}
		// A new check form cancels the hand-over.
		check, _ = s.KioskCheckForm(bg, station)
		if _, _, err := s.KioskHandedOver(bg, station, hand, true); !errors.Is(err, models.ErrKioskHandOverEnded) {
			t.Fatalf("a cancelled hand-over: %v", err)
		}
		hand, err = s.KioskCheck(bg, p, station, check, "2468")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.KioskHandTo(bg, station, hand, voter.Account.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.KioskVoted(bg, station, hand); err != nil {
			t.Fatal(err)
		}
		clock.Advance(models.KioskRepeat / 2)
		if _, _, err := s.KioskHandedOver(bg, station, hand, false); !errors.Is(err, models.ErrKioskHandOverEnded) {
			t.Fatalf("another step than the confirmation just after the vote: %v", err)
		}
		if id, used, err := s.KioskHandedOver(bg, station, hand, true); err != nil || !used || id != voter.Account.ID {
			t.Fatalf("a repeat just after the vote: %d %v %v", id, used, err)
		}
		clock.Advance(models.KioskRepeat)
		if _, _, err := s.KioskHandedOver(bg, station, hand, true); !errors.Is(err, models.ErrKioskHandOverEnded) {
			t.Fatalf("a repeat long after the vote: %v", err)
		}
		// Five wrong PINs in a row end the station; a right one between
		// starts the count again.
		check, _ = s.KioskCheckForm(bg, station)
		for i := range models.KioskPINTries - 1 {
			if _, err := s.KioskCheck(bg, p, station, check, "0000"); !errors.Is(err, models.ErrKioskPIN) {
				t.Fatalf("wrong PIN %d: %v", i+1, err)
			}
		}
		if _, err := s.KioskCheck(bg, p, station, check, "2468"); err != nil {
			t.Fatal(err)
		}
		check, _ = s.KioskCheckForm(bg, station)
		for i := range models.KioskPINTries - 1 {
			if _, err := s.KioskCheck(bg, p, station, check, "0000"); !errors.Is(err, models.ErrKioskPIN) {
				t.Fatalf("wrong PIN %d after a right one: %v", i+1, err)
			}
		}
		if _, err := s.KioskCheck(bg, p, station, check, "0000"); !errors.Is(err, models.ErrSessionExpired) {
			t.Fatalf("the last wrong PIN: %v", err)
		}
		if _, err := s.ResumeSession(bg, station); !errors.Is(err, models.ErrSessionExpired) {
			t.Fatalf("the station survived its wrong PINs: %v", err)
		}
		var audits int64
		if err := s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND object_id = ?", "ballot.kiosk_locked", fmt.Sprint(b.ID)).Count(&audits).Error; err != nil || audits != 1 {
			t.Fatalf("%d audit entries for the ended station: %v", audits, err)
		}
	})
}

// TestStalledBallot: a ballot whose candidates do not suit its method when
// it is due to open does not freeze: it refuses votes with a reason, stays
// off residents' home pages, and staff may mend it (more candidates, a new
// opening time) until it closes; one that closes so was not held and has
// no result.
func TestStalledBallot(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newBallotFixture(t, s)
		voter := f.voter(t, s, f.hh1)
		stalled := func(cands []models.Candidate) models.Ballot {
			t.Helper()
			return f.ballotOf(t, s, models.BallotInput{Method: models.MethodSingle, Title: "只有一个候选"}, cands[:1])
		}
		mend, move, never := stalled(f.cands), stalled(f.moreCandidates(t, s)), stalled(f.moreCandidates(t, s))
		clock.Advance(2 * time.Hour)
		b, err := s.Ballot(bg, mend.ID)
		if err != nil || b.FrozenAt != nil || !b.Stalled() || b.Status(s.Now()) != models.BallotOpen || !b.Editable(s.Now()) {
			t.Fatalf("a due ballot with one candidate: %+v %v", b, err)
		}
		if ready, err := s.BallotReady(bg, b); err != nil || ready {
			t.Fatalf("one candidate on a single-choice ballot is ready: %v", err)
		}
		if _, err := s.CastVote(bg, voter, mend.ID, f.ids(0)); !errors.Is(err, models.ErrBallotNotReady) {
			t.Fatalf("a vote in a stalled ballot: %v", err)
		}
		if _, err := s.Open(bg, f.staff1, mend.ID); !errors.Is(err, models.ErrBallotNotReady) {
			t.Fatalf("freezing a stalled ballot: %v", err)
		}
		if open, err := s.OpenBallotsFor(bg, voter); err != nil || slices.ContainsFunc(open, func(o models.Ballot) bool { return o.ID == mend.ID }) {
			t.Fatalf("a stalled ballot on the home page: %v", err)
		}
		// Mended with a second candidate, it does not open by itself:
		// staff may go on adding (more candidates than places), then open
		// it by hand, its opening time becoming that moment.
		if err := s.AddCandidate(bg, f.staff1, mend.ID, f.cands[1].ID); err != nil {
			t.Fatalf("mending a stalled ballot: %v", err)
		}
		if _, err := s.CastVote(bg, voter, mend.ID, f.ids(1)); !errors.Is(err, models.ErrBallotNotReady) {
			t.Fatalf("a vote once the candidates first fit: %v", err)
		}
		if b, err := s.Ballot(bg, mend.ID); err != nil || b.FrozenAt != nil || !b.Stalled() || !b.Editable(s.Now()) {
			t.Fatalf("frozen by a visit once the candidates first fit: %+v %v", b, err)
		}
		if err := s.AddCandidate(bg, f.staff1, mend.ID, f.cands[2].ID); err != nil {
			t.Fatalf("a third candidate on a mended ballot: %v", err)
		}
		clock.Advance(time.Minute)
		if b, err := s.OpenNow(bg, f.staff1, mend.ID); err != nil || b.FrozenAt == nil || b.Stalled() || !b.OpensAt.Equal(s.Now()) {
			t.Fatalf("opening a mended ballot by hand: %+v %v", b, err)
		}
		if opts, err := s.Options(bg, mend.ID); err != nil || len(opts) != 3 {
			t.Fatalf("a mended ballot opened with %d candidates: %v", len(opts), err)
		}
		if _, err := s.CastVote(bg, voter, mend.ID, f.ids(1)); err != nil {
			t.Fatalf("a vote once opened: %v", err)
		}
		if b, _ := s.Ballot(bg, mend.ID); b.FrozenAt == nil || b.Stalled() || b.Editable(s.Now()) {
			t.Fatalf("not frozen once opened: %+v", b)
		}
		if err := s.RemoveCandidate(bg, f.staff1, mend.ID, f.cands[2].ID); !errors.Is(err, models.ErrBallotStarted) {
			t.Fatalf("a candidate removed after opening: %v", err)
		}
		var marks int64
		if err := s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND object_id = ?", "ballot.stalled", fmt.Sprint(mend.ID)).Count(&marks).Error; err != nil || marks != 1 {
			t.Fatalf("%d audit entries for the stalled ballot: %v", marks, err)
		}
		// Mended by staff before anyone visited it since its opening time,
		// it is found stalled all the same and waits for them.
		uc := f.moreCandidates(t, s)
		untouched := stalled(uc)
		clock.Advance(2 * time.Hour)
		if err := s.AddCandidate(bg, f.staff1, untouched.ID, uc[1].ID); err != nil {
			t.Fatalf("mending an unvisited stalled ballot: %v", err)
		}
		if b, err := s.Ballot(bg, untouched.ID); err != nil || b.FrozenAt != nil || !b.Stalled() {
			t.Fatalf("an unvisited stalled ballot opened by its mend: %+v %v", b, err)
		}
		// Mended but never opened by hand, a ballot closes not held.
		fc := f.moreCandidates(t, s)
		forgot := stalled(fc)
		clock.Advance(2 * time.Hour)
		if b, _ := s.Ballot(bg, forgot.ID); !b.Stalled() {
			t.Fatalf("not stalled: %+v", b)
		}
		if err := s.AddCandidate(bg, f.staff1, forgot.ID, fc[1].ID); err != nil {
			t.Fatalf("mending: %v", err)
		}
		// Or moved to a new opening time, it is scheduled again.
		in := models.BallotInput{PlaceID: move.PlaceID, Title: move.Title, Electorate: move.Electorate, Method: move.Method, Seats: 1,
			OpensAt: s.Now().Add(time.Hour), ClosesAt: s.Now().Add(24 * time.Hour)}
		if moved, err := s.UpdateBallot(bg, f.staff1, move.ID, in); err != nil || moved.Status(s.Now()) != models.BallotScheduled {
			t.Fatalf("a stalled ballot moved: %v", err)
		}
		// A valid ballot nobody visited yet since its opening time is not
		// editable: it could take votes.
		two := f.moreCandidates(t, s)[:2]
		valid := f.ballotOf(t, s, models.BallotInput{Method: models.MethodSingle, Title: "两个候选"}, two)
		clock.Advance(2 * time.Hour)
		if err := s.RemoveCandidate(bg, f.staff1, valid.ID, two[0].ID); !errors.Is(err, models.ErrBallotStarted) {
			t.Fatalf("editing a due ballot: %v", err)
		}
		in.OpensAt, in.ClosesAt = s.Now().Add(time.Hour), s.Now().Add(24*time.Hour)
		if _, err := s.UpdateBallot(bg, f.staff1, valid.ID, in); !errors.Is(err, models.ErrBallotStarted) {
			t.Fatalf("moving a due ballot: %v", err)
		}
		if _, err := s.ReviewCandidate(bg, f.staff1, two[0].ID, models.ReviewInput{Feasible: false, Reason: "属于物业职责"}); !errors.Is(err, models.ErrBallotStarted) {
			t.Fatalf("reviewing a due ballot's candidate again: %v", err)
		}
		if opts, err := s.Options(bg, valid.ID); err != nil || len(opts) != 2 {
			t.Fatalf("a due ballot lost a candidate: %v %v", opts, err)
		}
		// Closed stalled: not held, nothing counted or published.
		clock.Advance(48 * time.Hour)
		if r, err := s.Results(bg, nil, never.ID); !errors.Is(err, models.ErrBallotNotHeld) || r != nil {
			t.Fatalf("result of a ballot never held: %+v %v", r, err)
		}
		if r, err := s.Results(bg, nil, forgot.ID); !errors.Is(err, models.ErrBallotNotHeld) || r != nil {
			t.Fatalf("result of a ballot mended but never opened: %+v %v", r, err)
		}
		if _, err := s.BoardJSON(bg, never.ID); !errors.Is(err, models.ErrBallotNotHeld) {
			t.Fatalf("board of a ballot never held: %v", err)
		}
		if b, err := s.Ballot(bg, never.ID); err != nil || !b.Stalled() || b.Status(s.Now()) != models.BallotClosed || b.Editable(s.Now()) {
			t.Fatalf("a ballot never held: %+v %v", b, err)
		}
		if _, err := s.UpdateBallot(bg, f.staff1, never.ID, in); !errors.Is(err, models.ErrBallotStarted) {
			t.Fatalf("editing a closed ballot: %v", err)
		}
		if _, err := s.PublishResult(bg, f.staff1, never.ID, models.NoticeInput{Title: "结果", Body: "无"}); !errors.Is(err, models.ErrBallotNotHeld) {
			t.Fatal("published the result of a ballot never held")
		}
		if _, err := s.FundCandidates(bg, f.staff1, never.ID); !errors.Is(err, models.ErrBallotNotHeld) {
			t.Fatalf("funding a ballot never held: %v", err)
		}
		// Its candidate was never voted on: it may be reviewed again.
		if _, err := s.ReviewCandidate(bg, f.staff1, fc[0].ID, models.ReviewInput{Feasible: false, Reason: "属于物业职责"}); err != nil {
			t.Fatalf("reviewing a candidate of a ballot never held: %v", err)
		}
	})
}
