package models_test

import (
	"errors"
	"testing"
	"time"

	"yishi/models"
)

var ballotOpts = []models.Option{{ID: 1, CostFen: 30_000_00}, {ID: 2, CostFen: 50_000_00}, {ID: 3, CostFen: 20_000_00}, {ID: 4, CostFen: 100_000_00}}

func TestValidateChoices(t *testing.T) {
	single := models.Ballot{Method: models.MethodSingle}
	approve := models.Ballot{Method: models.MethodApprove, MinChoices: 1, MaxChoices: 2}
	budget := models.Ballot{Method: models.MethodBudget, BudgetFen: 80_000_00}
	rank := models.Ballot{Method: models.MethodRank, RankK: 3}
	yesno := models.Ballot{Method: models.MethodYesNo}
	yesnoOpts := []models.Option{{ID: 7, CostFen: 100}}
	cases := []struct {
		name string
		b    models.Ballot
		opts []models.Option
		c    models.Choices
		want error
	}{
		{"single one", single, ballotOpts, models.Choices{2}, nil},
		{"single two", single, ballotOpts, models.Choices{2, 3}, models.ErrChoiceCount},
		{"single empty", single, ballotOpts, nil, models.ErrChoiceEmpty},
		{"single unknown", single, ballotOpts, models.Choices{9}, models.ErrChoiceUnknown},
		{"approve min", approve, ballotOpts, models.Choices{1}, nil},
		{"approve max", approve, ballotOpts, models.Choices{1, 4}, nil},
		{"approve over max", approve, ballotOpts, models.Choices{1, 2, 3}, models.ErrChoiceCount},
		{"approve twice", approve, ballotOpts, models.Choices{1, 1}, models.ErrChoiceTwice},
		{"budget exact fit", budget, ballotOpts, models.Choices{1, 2}, nil},
		{"budget one fen over", models.Ballot{Method: models.MethodBudget, BudgetFen: 80_000_00 - 1}, ballotOpts, models.Choices{1, 2}, models.ErrOverBudget},
		{"budget nothing fits", models.Ballot{Method: models.MethodBudget, BudgetFen: 10_000_00}, ballotOpts, models.Choices{3}, models.ErrOverBudget},
		{"budget empty", budget, ballotOpts, models.Choices{}, models.ErrChoiceEmpty},
		{"budget under", budget, ballotOpts, models.Choices{3}, nil},
		{"budget all over", budget, ballotOpts, models.Choices{1, 2, 3}, models.ErrOverBudget},
		{"rank full", rank, ballotOpts, models.Choices{3, 1, 2}, nil},
		{"rank partial", rank, ballotOpts, models.Choices{4}, nil},
		{"rank too many", rank, ballotOpts, models.Choices{1, 2, 3, 4}, models.ErrChoiceCount},
		{"rank twice", rank, ballotOpts, models.Choices{1, 1}, models.ErrChoiceTwice},
		{"yes", yesno, yesnoOpts, models.Choices{7}, nil},
		{"no", yesno, yesnoOpts, models.Choices{models.NoChoice}, nil},
		{"yes and no", yesno, yesnoOpts, models.Choices{7, 0}, models.ErrChoiceCount},
		{"yes to another", yesno, yesnoOpts, models.Choices{8}, models.ErrChoiceUnknown},
		{"yesno empty", yesno, yesnoOpts, nil, models.ErrChoiceEmpty},
		{"no is not a candidate elsewhere", single, ballotOpts, models.Choices{0}, models.ErrChoiceUnknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := models.ValidateChoices(tc.b, tc.opts, tc.c)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestValidateOptions(t *testing.T) {
	one := []models.Option{{ID: 1}}
	if err := models.ValidateOptions(models.Ballot{Method: models.MethodYesNo}, one); err != nil {
		t.Fatal(err)
	}
	if err := models.ValidateOptions(models.Ballot{Method: models.MethodYesNo}, ballotOpts); err == nil {
		t.Fatal("yes/no with four candidates")
	}
	if err := models.ValidateOptions(models.Ballot{Method: models.MethodSingle}, one); err == nil {
		t.Fatal("single with one candidate")
	}
	if err := models.ValidateOptions(models.Ballot{Method: models.MethodApprove, MinChoices: 5, MaxChoices: 5}, ballotOpts); err == nil {
		t.Fatal("approve five of four")
	}
}

func TestTallyMethods(t *testing.T) {
	rank := models.Ballot{Method: models.MethodRank, RankK: 3}
	rows, _ := models.Tally(rank, ballotOpts, []models.Choices{{1, 2, 3}, {2, 1}, {2}})
	want := map[uint64][2]int64{1: {2, 3 + 2}, 2: {3, 2 + 3 + 3}, 3: {1, 1}, 4: {0, 0}}
	for _, r := range rows {
		if w := want[r.ID]; r.Votes != w[0] || r.Points != w[1] {
			t.Errorf("rank %d: %d votes %d points, want %v", r.ID, r.Votes, r.Points, w)
		}
	}
	yn := models.Ballot{Method: models.MethodYesNo}
	rows, no := models.Tally(yn, []models.Option{{ID: 7}}, []models.Choices{{7}, {0}, {7}})
	if rows[0].Votes != 2 || no != 1 {
		t.Fatalf("yes/no: %+v no %d", rows, no)
	}
	funded := models.SelectFunded(yn, models.RankTallies(rows, 1), no, true)
	if !funded[0].Funded {
		t.Fatal("2 yes to 1 no did not carry")
	}
	if f := models.SelectFunded(yn, models.RankTallies(rows, 1), 2, true); f[0].Funded {
		t.Fatal("a tie carried")
	}
	approve := models.Ballot{Method: models.MethodApprove, MinChoices: 1, MaxChoices: 2, Seats: 2}
	rows, _ = models.Tally(approve, ballotOpts, []models.Choices{{1, 2}, {1, 3}, {1}})
	got := funded1(models.SelectFunded(approve, models.RankTallies(rows, 5), 0, true))
	// 1 has three votes; 2 and 3 one each, 3 is cheaper.
	if len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Fatalf("approve winners %v", got)
	}
	if got := funded1(models.SelectFunded(approve, models.RankTallies(rows, 5), 0, false)); len(got) != 0 {
		t.Fatalf("invalid result funded %v", got)
	}
}

func funded1(rows []models.CandidateTally) []uint64 {
	var out []uint64
	for _, r := range rows {
		if r.Funded {
			out = append(out, r.ID)
		}
	}
	return out
}

func TestFundedSet(t *testing.T) {
	opts := []models.Option{{ID: 1, CostFen: 500}, {ID: 2, CostFen: 400}, {ID: 3, CostFen: 300}, {ID: 4, CostFen: 300}, {ID: 5, CostFen: 100}}
	tally := func(votes map[uint64]int64) []models.CandidateTally {
		var rows []models.CandidateTally
		for _, o := range opts {
			rows = append(rows, models.CandidateTally{ID: o.ID, CostFen: o.CostFen, Votes: votes[o.ID], Points: votes[o.ID]})
		}
		return rows
	}
	cases := []struct {
		name   string
		budget int64
		votes  map[uint64]int64
		want   []uint64 // funded, in rank order
	}{
		{"exact fit", 900, map[uint64]int64{1: 9, 2: 8, 3: 1}, []uint64{1, 2}},
		{"skip what no longer fits", 800, map[uint64]int64{1: 9, 2: 8, 3: 7, 5: 1}, []uint64{1, 3}},
		{"one fen short skips", 899, map[uint64]int64{1: 9, 2: 8, 5: 1}, []uint64{1, 5}},
		{"nothing fits", 50, map[uint64]int64{1: 9, 2: 8, 5: 1}, nil},
		{"no votes funds nothing", 10000, map[uint64]int64{}, nil},
		{"tie goes to lower cost", 500, map[uint64]int64{1: 5, 2: 5}, []uint64{2}},
	}
	b := models.Ballot{Method: models.MethodBudget}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b.BudgetFen = tc.budget
			got := funded1(models.SelectFunded(b, models.RankTallies(tally(tc.votes), 42), 0, true))
			if len(got) != len(tc.want) {
				t.Fatalf("funded %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("funded %v, want %v", got, tc.want)
				}
			}
		})
	}
	// 3 and 4 tie on votes and cost: the draw decides, the same way for the
	// same seed, and some seed decides each way.
	b.BudgetFen = 300
	winners := map[uint64]bool{}
	for seed := uint64(1); seed <= 20; seed++ {
		first := funded1(models.SelectFunded(b, models.RankTallies(tally(map[uint64]int64{3: 4, 4: 4}), seed), 0, true))
		again := funded1(models.SelectFunded(b, models.RankTallies(tally(map[uint64]int64{3: 4, 4: 4}), seed), 0, true))
		if len(first) != 1 || len(again) != 1 || first[0] != again[0] {
			t.Fatalf("seed %d: %v then %v", seed, first, again)
		}
		order := models.DrawOrder([]uint64{4, 3, 1, 2, 5}, seed)
		if want := uint64(3); order[4] < order[3] {
			want = 4
			_ = want
			if first[0] != 4 {
				t.Fatalf("seed %d: draw puts 4 first but %v won", seed, first)
			}
		} else if first[0] != 3 {
			t.Fatalf("seed %d: draw puts 3 first but %v won", seed, first)
		}
		winners[first[0]] = true
	}
	if len(winners) != 2 {
		t.Fatalf("twenty seeds always drew %v", winners)
	}
}

func TestBallotStatusAndTurnout(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b := models.Ballot{OpensAt: at, ClosesAt: at.Add(48 * time.Hour)}
	for _, tc := range []struct {
		now  time.Time
		want models.BallotStatus
	}{
		{at.Add(-time.Second), models.BallotScheduled},
		{at, models.BallotOpen},
		{at.Add(48*time.Hour - time.Nanosecond), models.BallotOpen},
		{at.Add(48 * time.Hour), models.BallotClosed},
	} {
		if got := b.Status(tc.now); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.now, got, tc.want)
		}
	}
	if !models.TurnoutMet(50, 100, 50) || models.TurnoutMet(49, 100, 50) || !models.TurnoutMet(0, 100, 0) {
		t.Fatal("turnout threshold")
	}
}

func TestBallotInputValidate(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ok := models.BallotInput{PlaceID: 1, Title: "2027 年民生微实事", Electorate: models.ElectorateAdults, Method: models.MethodBudget,
		BudgetFen: 100, OpensAt: now.Add(time.Hour), ClosesAt: now.Add(48 * time.Hour)}
	if fe := ok.Validate(now); len(fe) != 0 {
		t.Fatalf("valid input: %v", fe)
	}
	cases := map[string]func(in *models.BallotInput){
		"budget":      func(in *models.BallotInput) { in.BudgetFen = 0 },
		"closes_at":   func(in *models.BallotInput) { in.ClosesAt = in.OpensAt },
		"opens_at":    func(in *models.BallotInput) { in.OpensAt = now.Add(-time.Hour) },
		"method":      func(in *models.BallotInput) { in.Method = "lottery" },
		"electorate":  func(in *models.BallotInput) { in.Electorate = "" },
		"max_choices": func(in *models.BallotInput) { in.Method, in.MinChoices, in.MaxChoices = models.MethodApprove, 3, 2 },
		"rank_k":      func(in *models.BallotInput) { in.Method = models.MethodRank },
		"turnout":     func(in *models.BallotInput) { in.TurnoutPct = 101 },
		"title":       func(in *models.BallotInput) { in.Title = "  " },
	}
	for field, breakIt := range cases {
		in := ok
		breakIt(&in)
		if fe := in.Validate(now); fe[field] == "" {
			t.Errorf("%s: not flagged (%v)", field, fe)
		}
	}
}

func TestFeasibility(t *testing.T) {
	fp := models.DefaultFeasibility
	c := models.Candidate{Kind: models.CandidateService, CostFen: 50_000_00}
	if _, fe := models.DecideFeasibility(fp, c, models.ReviewInput{Feasible: true}); fe["reason"] != "err.required" {
		t.Fatalf("a feasible finding without its reason: %v", fe)
	}
	if st, fe := models.DecideFeasibility(fp, c, models.ReviewInput{Feasible: true, Reason: "在上限以内"}); st != models.CandidateFeasible || len(fe) != 0 {
		t.Fatalf("at the cap: %s %v", st, fe)
	}
	c.CostFen++
	if _, fe := models.DecideFeasibility(fp, c, models.ReviewInput{Feasible: true}); fe["feasible"] != "ballot.reason.over_cap" {
		t.Fatalf("one fen over the cap: %v", fe)
	}
	c.Kind = models.CandidateWorks
	if _, fe := models.DecideFeasibility(fp, c, models.ReviewInput{Feasible: true, Exclusions: []models.Exclusion{models.ExcludePropertyDuty}}); fe["feasible"] != "ballot.reason.property_duty" {
		t.Fatalf("property duty: %v", fe)
	}
	if _, fe := models.DecideFeasibility(fp, c, models.ReviewInput{Feasible: false}); fe["reason"] != "err.required" {
		t.Fatalf("infeasible without reason: %v", fe)
	}
	if st, fe := models.DecideFeasibility(fp, c, models.ReviewInput{Feasible: false, Reason: "属于物业职责"}); st != models.CandidateInfeasible || len(fe) != 0 {
		t.Fatalf("infeasible: %s %v", st, fe)
	}
	custom := models.FeasibilityPolicy{Caps: map[models.CandidateKind]int64{models.CandidateGoods: 100}}
	if got := custom.Check(models.CandidateWorks, 1, nil); len(got) != 1 || got[0] != "ballot.reason.kind_unknown" {
		t.Fatalf("custom policy without works: %v", got)
	}
	in := models.CandidateInput{PlaceID: 1, Title: "加装扶手", CostFen: 0, Kind: "x", Source: models.SourceNeed}
	fe := in.Validate()
	for _, f := range []string{"cost", "kind", "source"} {
		if fe[f] == "" {
			t.Errorf("%s not flagged: %v", f, fe)
		}
	}
}

func TestFingerprint(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b := models.Ballot{ID: 1, PlaceID: 2, Title: "票决", Method: models.MethodBudget, BudgetFen: 100, OpensAt: at, ClosesAt: at.Add(time.Hour)}
	keys := []string{"a:1", "a:2", "h:9"}
	base := models.Fingerprint(b, ballotOpts, keys)
	if models.Fingerprint(b, ballotOpts, []string{"h:9", "a:2", "a:1"}) != base {
		t.Fatal("the roll's order changed the fingerprint")
	}
	b2 := b
	b2.BudgetFen++
	if models.Fingerprint(b2, ballotOpts, keys) == base {
		t.Fatal("budget change kept the fingerprint")
	}
	if models.Fingerprint(b, ballotOpts, append(keys, "a:3")) == base {
		t.Fatal("roll change kept the fingerprint")
	}
	if models.Fingerprint(b, ballotOpts[:3], keys) == base {
		t.Fatal("candidate change kept the fingerprint")
	}
}

func TestReceiptsAndChoices(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 500; i++ {
		r := models.NewReceipt()
		if len(r) < 10 || seen[r] {
			t.Fatalf("receipt %q", r)
		}
		for _, ch := range r {
			if ch == '0' || ch == 'O' || ch == '1' || ch == 'I' || ch == 'L' {
				t.Fatalf("look-alike in %q", r)
			}
		}
		seen[r] = true
	}
	c, err := models.ParseChoices(models.Choices{3, 1, 2}.String())
	if err != nil || c.String() != "3,1,2" {
		t.Fatalf("round trip %v %v", c, err)
	}
	if _, err := models.ParseChoices("1,x"); err == nil {
		t.Fatal("bad choices parsed")
	}
}

func TestBoardRecount(t *testing.T) {
	f := models.BoardFile{Method: models.MethodApprove, Secret: true, Fingerprint: "fp",
		Candidates: []models.BoardCandidate{{ID: 1}, {ID: 2}}}
	f.Entries = []models.BoardEntry{{Kind: models.BoardReceipt, Receipt: "AAAA"}, {Kind: models.BoardReceipt, Receipt: "BBBB"},
		{Kind: models.BoardVote, Choices: "1,2"}, {Kind: models.BoardVote, Choices: "2"}}
	f.Head = models.ChainBoard(f.Fingerprint, f.Entries)
	f.Totals = models.BoardTotals{Ballots: 2, Candidates: []models.CandidateTally{{ID: 1, Votes: 1, Points: 1}, {ID: 2, Votes: 2, Points: 2}}}
	f.Method = models.MethodRank
	f.RankK = 2
	f.Totals.Candidates = []models.CandidateTally{{ID: 1, Votes: 1, Points: 2}, {ID: 2, Votes: 2, Points: 1 + 2}}
	if _, err := models.Recount(f); err != nil {
		t.Fatalf("good board: %v", err)
	}
	edited := f
	edited.Entries = append([]models.BoardEntry(nil), f.Entries...)
	edited.Entries[3].Choices = "1"
	if _, err := models.Recount(edited); err == nil {
		t.Fatal("edited choice passed")
	}
	dropped := f
	dropped.Entries = append(append([]models.BoardEntry(nil), f.Entries[:2]...), f.Entries[3:]...)
	if _, err := models.Recount(dropped); err == nil {
		t.Fatal("dropped entry passed")
	}
	lied := f
	lied.Totals.Candidates = []models.CandidateTally{{ID: 1, Votes: 2, Points: 4}, {ID: 2, Votes: 2, Points: 3}}
	if _, err := models.Recount(lied); err == nil {
		t.Fatal("wrong totals passed")
	}
}

func TestParseCostCaps(t *testing.T) {
	fp, err := models.ParseCostCaps("service=30000, works=150000.50", models.DefaultFeasibility)
	if err != nil {
		t.Fatal(err)
	}
	if fp.Caps[models.CandidateService] != 3_000_000 || fp.Caps[models.CandidateWorks] != 15_000_050 || fp.Caps[models.CandidateGoods] != models.DefaultFeasibility.Caps[models.CandidateGoods] {
		t.Fatalf("caps %v", fp.Caps)
	}
	if len(fp.Excluded) != len(models.DefaultFeasibility.Excluded) {
		t.Fatal("exclusions lost")
	}
	for _, bad := range []string{"food=100", "service", "goods=-5", "works=abc", "service=0"} {
		if _, err := models.ParseCostCaps(bad, models.DefaultFeasibility); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if fp, err := models.ParseCostCaps("", models.DefaultFeasibility); err != nil || fp.Caps[models.CandidateGoods] != models.DefaultFeasibility.Caps[models.CandidateGoods] {
		t.Fatalf("empty: %v %v", fp.Caps, err)
	}
}
