package models

import (
	"reflect"
	"testing"
	"time"
)

func TestProjectStateMachine(t *testing.T) {
	allowed := map[ProjectStatus]map[ProjectAction]map[ProjectActor]ProjectStatus{
		ProjectDraft: {
			ProjectActOpenCall: {ProjectByStaff: ProjectOpenCall},
			ProjectActStart:    {ProjectByStaff: ProjectInProgress},
		},
		ProjectOpenCall:   {ProjectActPick: {ProjectByStaff: ProjectInProgress}},
		ProjectInProgress: {ProjectActSubmit: {ProjectByStaff: ProjectAwaitingAcceptance, ProjectByUndertaker: ProjectAwaitingAcceptance}},
		ProjectAwaitingAcceptance: {
			ProjectActAccept: {ProjectByStaff: ProjectAccepted},
			ProjectActReject: {ProjectByStaff: ProjectInProgress},
		},
		ProjectAccepted: {ProjectActClose: {ProjectByStaff: ProjectClosed}},
	}
	actors := []ProjectActor{ProjectByStaff, ProjectByUndertaker, "resident"}
	checked := 0
	for _, from := range ProjectStatuses {
		for _, a := range append(ProjectActions, "nonsense") {
			for _, by := range actors {
				want, ok := allowed[from][a][by]
				got, gotOK := ProjectTransition(from, a, by)
				checked++
				if gotOK != ok {
					t.Errorf("%s --%s by %s--> allowed=%v, want %v", from, a, by, gotOK, ok)
					continue
				}
				if ok && got != want {
					t.Errorf("%s --%s by %s--> %s, want %s", from, a, by, got, want)
				}
				if !ok && got != from {
					t.Errorf("%s --%s by %s--> refused but moved to %s", from, a, by, got)
				}
			}
		}
	}
	if checked != len(ProjectStatuses)*(len(ProjectActions)+1)*len(actors) {
		t.Fatalf("checked %d combinations", checked)
	}
	if ProjectDraft.Public() || !ProjectOpenCall.Public() || !ProjectClosed.Public() {
		t.Fatal("only drafts are private")
	}
}

func TestBudgetFormattingAndParsing(t *testing.T) {
	fmtCases := map[int64]string{0: "0.00", 5: "0.05", 100: "1.00", 123456: "1,234.56", 1234567890: "12,345,678.90", -250: "-2.50", 100000: "1,000.00"}
	for fen, want := range fmtCases {
		if got := FormatYuan(fen); got != want {
			t.Errorf("FormatYuan(%d) = %q, want %q", fen, got, want)
		}
	}
	parse := []struct {
		in  string
		fen int64
		ok  bool
	}{
		{"1200", 120000, true}, {"1,200.5", 120050, true}, {"0.05", 5, true}, {" 3.10 ", 310, true}, {"12，000", 1200000, true},
		{"", 0, false}, {"1.234", 0, false}, {"-5", 0, false}, {"abc", 0, false}, {"1.", 0, false}, {".5", 0, false}, {"1e5", 0, false},
		{"9999999999999", 0, false},
	}
	for _, c := range parse {
		fen, ok := ParseYuan(c.in)
		if ok != c.ok || (ok && fen != c.fen) {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d, %v", c.in, fen, ok, c.fen, c.ok)
		}
	}
	if ValidateBudget(-1) == "" || ValidateBudget(MaxBudgetFen+1) == "" || ValidateBudget(0) != "" || ValidateBudget(MaxBudgetFen) != "" {
		t.Fatal("budget bounds")
	}
}

func TestProjectInputValidate(t *testing.T) {
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, -1)
	in := ProjectInput{Title: "  ", PlaceID: 0, BudgetFen: -1, WantKinds: []OfferKind{"rocket"}, StartOn: &start, EndOn: &end}
	fe := in.Validate()
	for _, f := range []string{"title", "place_id", "budget", "want_kinds", "end_on", "needs"} {
		if fe[f] == "" {
			t.Errorf("no error for %s: %v", f, fe)
		}
	}
	ok := ProjectInput{Title: "加装扶手", PlaceID: 3, BudgetFen: 500000, NeedIDs: []uint64{1}, WantKinds: []OfferKind{OfferHours}}
	if fe := ok.Validate(); len(fe) != 0 {
		t.Fatalf("valid input refused: %v", fe)
	}
	fromBallot := ProjectInput{Title: "票决项目", PlaceID: 3, SourceType: BallotSource, SourceID: 7}
	if fe := fromBallot.Validate(); len(fe) != 0 {
		t.Fatalf("a project from another source needs no needs: %v", fe)
	}
	for _, src := range []ProjectInput{{SourceType: "meeting", SourceID: 7}, {SourceType: BallotSource}} {
		src.Title, src.PlaceID = "票决项目", 3
		if fe := src.Validate(); fe["source"] == "" {
			t.Fatalf("source %q #%d taken", src.SourceType, src.SourceID)
		}
	}
	if got := joinKinds([]OfferKind{OfferHours, OfferVenue, OfferHours}); got != "venue,hours" {
		t.Fatalf("joinKinds = %q", got)
	}
	if got := (Project{WantKinds: "venue,bogus,hours"}).Kinds(); !reflect.DeepEqual(got, []OfferKind{OfferVenue, OfferHours}) {
		t.Fatalf("Kinds = %v", got)
	}
}

func TestValidateProgress(t *testing.T) {
	cases := []struct {
		prev, pct int
		note      string
		photos    int
		bad       []string
	}{
		{0, 30, "完成材料采购", 1, nil},
		{30, 30, "本周因雨停工", 0, nil},
		{50, 40, "倒退", 0, []string{"percent"}},
		{0, 101, "x", 0, []string{"percent"}},
		{0, -1, "x", 0, []string{"percent"}},
		{0, 10, "  ", 0, []string{"note"}},
		{0, 10, "ok", 4, []string{"photos"}},
	}
	for _, c := range cases {
		fe := ValidateProgress(c.prev, c.pct, c.note, c.photos)
		if len(fe) != len(c.bad) {
			t.Errorf("%+v: errors %v", c, fe)
		}
		for _, f := range c.bad {
			if fe[f] == "" {
				t.Errorf("%+v: no error for %s", c, f)
			}
		}
	}
}

func TestDecideAcceptance(t *testing.T) {
	list := ChecklistFor([]ProjectMilestone{{ID: 7}})
	if list[len(list)-1] != "milestone-7" || len(list) != len(AcceptanceChecklist)+1 {
		t.Fatalf("checklist %v", list)
	}
	all := append([]string(nil), list...)
	if got, fe := DecideAcceptance(list, all, true, "符合要求"); len(fe) != 0 || !reflect.DeepEqual(got, list) {
		t.Fatalf("full checklist: %v %v", got, fe)
	}
	if _, fe := DecideAcceptance(list, all[1:], true, "符合要求"); fe["checked"] != "err.checklist_incomplete" {
		t.Fatalf("accept with an item unchecked: %v", fe)
	}
	if _, fe := DecideAcceptance(list, all, true, " "); fe["note"] == "" {
		t.Fatalf("accept without a note: %v", fe)
	}
	if got, fe := DecideAcceptance(list, []string{"quality"}, false, "扶手松动，需返工"); len(fe) != 0 || !reflect.DeepEqual(got, []string{"quality"}) {
		t.Fatalf("reject: %v %v", got, fe)
	}
	if _, fe := DecideAcceptance(list, []string{"bogus"}, false, "x"); fe["checked"] == "" {
		t.Fatal("unknown item accepted")
	}
}

func TestRatingRulesAndSummary(t *testing.T) {
	acc := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	if MayClose(nil, acc) || MayClose(&acc, acc.Add(ProjectRatingWindow-time.Second)) || !MayClose(&acc, acc.Add(ProjectRatingWindow)) {
		t.Fatal("close only after the rating window")
	}
	if !RatingOpen(ProjectAccepted) || RatingOpen(ProjectAwaitingAcceptance) || RatingOpen(ProjectClosed) {
		t.Fatal("rating open only while accepted")
	}
	s := SummarizeRatings([]int{5, 4, 3, 0, 5})
	if s.Count != 4 || s.Satisfied != 3 || s.Average != 4.25 || s.Stars != [5]int{0, 0, 1, 1, 2} {
		t.Fatalf("summary %+v", s)
	}
	if z := SummarizeRatings(nil); z.Count != 0 || z.Average != 0 {
		t.Fatalf("empty summary %+v", z)
	}
}

func TestScoreOffersRanking(t *testing.T) {
	street := Place{ID: 1, Kind: KindStreet, Path: "/1/"}
	com1 := Place{ID: 2, Kind: KindCommunity, Path: "/1/2/"}
	comp1 := Place{ID: 3, Kind: KindCompound, Path: "/1/2/3/"}
	comp2 := Place{ID: 4, Kind: KindCompound, Path: "/1/2/4/"}
	com2 := Place{ID: 5, Kind: KindCommunity, Path: "/1/5/"}
	day := func(d int) *time.Time { t := time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC); return &t }
	offers := []Offer{
		{ID: 1, ProviderID: 10, Kind: OfferHours, Status: OfferVerified, AvailableFrom: day(1), AvailableUntil: day(31)}, // kind, place, window, rated 5
		{ID: 2, ProviderID: 11, Kind: OfferHours, Status: OfferVerified},                                                 // kind, sibling compound, by arrangement, unrated
		{ID: 3, ProviderID: 12, Kind: OfferVenue, Status: OfferVerified, AvailableFrom: day(20)},                         // wrong kind, place, window misses
		{ID: 4, ProviderID: 13, Kind: OfferHours, Status: OfferPending},                                                  // not verified
		{ID: 5, ProviderID: 14, Kind: OfferGoods, Status: OfferVerified},                                                 // wrong kind, other community: left out
		{ID: 6, ProviderID: 10, Kind: OfferHours, Status: OfferVerified, AvailableFrom: day(1), AvailableUntil: day(31)}, // already matched
		{ID: 7, ProviderID: 15, Kind: OfferHours, Status: OfferVerified},                                                 // ties with 2, younger
	}
	in := SuggestInput{
		Kinds: []OfferKind{OfferHours}, Place: comp1, From: *day(5), Until: *day(10),
		Ratings:  map[uint64]float64{10: 5, 12: 2.5},
		Served:   map[uint64][]Place{1: {street}, 2: {comp2}, 3: {com1}, 4: {com1}, 5: {com2}, 6: {com1}, 7: {comp2}},
		Excluded: map[uint64]bool{6: true},
	}
	got := ScoreOffers(offers, in)
	var ids []uint64
	for _, s := range got {
		ids = append(ids, s.Offer.ID)
	}
	if !reflect.DeepEqual(ids, []uint64{1, 2, 7, 3}) {
		t.Fatalf("order %v", ids)
	}
	want := []OfferScore{
		{Kind: 40, Place: 30, Availability: 20, Rating: 10, Score: 100},
		{Kind: 40, Place: 15, Availability: 10, Rating: 5, Score: 70},
		{Kind: 40, Place: 15, Availability: 10, Rating: 5, Score: 70},
		{Kind: 0, Place: 30, Availability: 0, Rating: 5, Score: 35},
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.Kind || g.Place != w.Place || g.Availability != w.Availability || g.Rating != w.Rating || g.Score != w.Score {
			t.Errorf("offer %d: %+v, want %+v", g.Offer.ID, g, w)
		}
	}
	// Deterministic: the same input gives the same order every time.
	for i := 0; i < 5; i++ {
		if again := ScoreOffers(offers, in); !reflect.DeepEqual(again, got) {
			t.Fatal("ranking not deterministic")
		}
	}
}

func TestOfferInputAndCovers(t *testing.T) {
	from := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	until := from.AddDate(0, 0, -2)
	in := OfferInput{Kind: "x", Title: "", Capacity: -1, AvailableFrom: &from, AvailableUntil: &until}
	fe := in.Validate()
	for _, f := range []string{"kind", "title", "capacity", "available_until", "places"} {
		if fe[f] == "" {
			t.Errorf("no error for %s: %v", f, fe)
		}
	}
	in = OfferInput{Kind: OfferVenue, Title: "活动室", Capacity: 30, PlaceIDs: []uint64{1}}
	if fe := in.Validate(); fe["capacity_unit"] == "" {
		t.Fatal("a capacity needs its unit")
	}
	in.CapacityUnit = "人"
	if fe := in.Validate(); len(fe) != 0 {
		t.Fatalf("valid offer refused: %v", fe)
	}
	pin := ProviderInput{Kind: "bogus", Name: "", Phone: "123"}
	if fe := pin.Validate(); len(fe) != 4 {
		t.Fatalf("provider errors %v", fe)
	}
	o := Offer{AvailableFrom: &from}
	if !o.Covers(from, from.AddDate(1, 0, 0)) || o.Covers(from.AddDate(0, 0, -1), time.Time{}) || (Offer{}).Covers(from, from) {
		t.Fatal("Covers")
	}
}
