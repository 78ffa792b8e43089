package models

import (
	"fmt"
	"testing"
	"time"
)

// TestNeedStateMachine walks every status × action × actor: the allowed
// steps are exactly those listed here, with their results; every other
// combination is refused and leaves the status alone.
func TestNeedStateMachine(t *testing.T) {
	type step struct {
		from NeedStatus
		act  NeedAction
		by   NeedActor
	}
	allowed := map[step]NeedStatus{
		{NeedSubmitted, NeedActAccept, NeedByStaff}:    NeedAccepted,
		{NeedSubmitted, NeedActDecline, NeedByStaff}:   NeedDeclined,
		{NeedAccepted, NeedActDecline, NeedByStaff}:    NeedDeclined,
		{NeedSubmitted, NeedActMerge, NeedByStaff}:     NeedMerged,
		{NeedAccepted, NeedActMerge, NeedByStaff}:      NeedMerged,
		{NeedAccepted, NeedActDispatch, NeedByStaff}:   NeedDispatched,
		{NeedDispatched, NeedActTake, NeedByTaker}:     NeedInProgress,
		{NeedDispatched, NeedActReturn, NeedByTaker}:   NeedAccepted,
		{NeedInProgress, NeedActReturn, NeedByTaker}:   NeedAccepted,
		{NeedDispatched, NeedActRecall, NeedByStaff}:   NeedAccepted,
		{NeedInProgress, NeedActRecall, NeedByStaff}:   NeedAccepted,
		{NeedInProgress, NeedActProgress, NeedByTaker}: NeedInProgress,
		{NeedInProgress, NeedActComplete, NeedByTaker}: NeedDone,
		{NeedDone, NeedActRate, NeedByFiler}:           NeedClosed,
		{NeedDone, NeedActSendBack, NeedByFiler}:       NeedInProgress,
		{NeedDone, NeedActAutoClose, NeedBySystem}:     NeedClosed,
		{NeedSubmitted, NeedActEscalate, NeedByStaff}:  NeedSubmitted,
		{NeedAccepted, NeedActEscalate, NeedByStaff}:   NeedAccepted,
		{NeedDispatched, NeedActEscalate, NeedByStaff}: NeedDispatched,
		{NeedInProgress, NeedActEscalate, NeedByStaff}: NeedInProgress,
		{NeedSubmitted, NeedActChase, NeedByStaff}:     NeedSubmitted,
		{NeedAccepted, NeedActChase, NeedByStaff}:      NeedAccepted,
		{NeedDispatched, NeedActChase, NeedByStaff}:    NeedDispatched,
		{NeedInProgress, NeedActChase, NeedByStaff}:    NeedInProgress,
		{NeedSubmitted, NeedActChase, NeedBySystem}:    NeedSubmitted,
		{NeedAccepted, NeedActChase, NeedBySystem}:     NeedAccepted,
		{NeedDispatched, NeedActChase, NeedBySystem}:   NeedDispatched,
		{NeedInProgress, NeedActChase, NeedBySystem}:   NeedInProgress,
	}
	actions := []NeedAction{NeedActAccept, NeedActDecline, NeedActMerge, NeedActDispatch, NeedActTake, NeedActReturn,
		NeedActRecall, NeedActProgress, NeedActComplete, NeedActRate, NeedActSendBack, NeedActAutoClose, NeedActEscalate, NeedActChase, "bogus"}
	actors := []NeedActor{NeedByFiler, NeedByStaff, NeedByTaker, NeedBySystem, "neighbour"}
	seen := 0
	for _, from := range NeedStatuses {
		for _, act := range actions {
			for _, by := range actors {
				name := fmt.Sprintf("%s/%s/%s", from, act, by)
				to, ok := NeedTransition(from, act, by)
				want, wantOK := allowed[step{from, act, by}]
				switch {
				case wantOK && (!ok || to != want):
					t.Errorf("%s: want allowed → %s, got ok=%v → %s", name, want, ok, to)
				case !wantOK && ok:
					t.Errorf("%s: want refused, got → %s", name, to)
				case !wantOK && to != from:
					t.Errorf("%s: a refused step changed the status to %s", name, to)
				}
				if wantOK {
					seen++
				}
			}
		}
	}
	if seen != len(allowed) {
		t.Fatalf("the table lists %d steps but only %d were walked", len(allowed), seen)
	}
}

func TestNeedActionsFor(t *testing.T) {
	cases := []struct {
		s    NeedStatus
		by   NeedActor
		want string
	}{
		{NeedSubmitted, NeedByStaff, "[accept escalate chase merge decline]"},
		{NeedAccepted, NeedByStaff, "[dispatch escalate chase merge decline]"},
		{NeedDispatched, NeedByTaker, "[take return]"},
		{NeedInProgress, NeedByTaker, "[progress complete return]"},
		{NeedDone, NeedByFiler, "[rate send_back]"},
		{NeedDone, NeedByStaff, "[]"},
		{NeedClosed, NeedByStaff, "[]"},
		{NeedSubmitted, NeedByFiler, "[]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(NeedActionsFor(c.s, c.by)); got != c.want {
			t.Errorf("%s by %s: got %s, want %s", c.s, c.by, got, c.want)
		}
	}
}

func TestNeedLevels(t *testing.T) {
	l, ok := NeedLevelGrid.Next()
	if !ok || l != NeedLevelCommunity {
		t.Fatalf("grid → %s %v", l, ok)
	}
	l, ok = l.Next()
	if !ok || l != NeedLevelStreet {
		t.Fatalf("community → %s %v", l, ok)
	}
	if l, ok = l.Next(); ok || l != NeedLevelStreet {
		t.Fatalf("street escalated to %s", l)
	}
}

func TestDefaultLimitsAndValidation(t *testing.T) {
	if l := DefaultLimits(UrgencyUrgent); l.Respond != 2*time.Hour || l.Resolve != 24*time.Hour {
		t.Errorf("urgent %+v", l)
	}
	if l := DefaultLimits(UrgencyGeneral); l.Respond != 24*time.Hour || l.Resolve != 7*24*time.Hour {
		t.Errorf("general %+v", l)
	}
	if l := DefaultLimits(UrgencyComplex); l.Resolve != 15*24*time.Hour {
		t.Errorf("complex %+v", l)
	}
	bad := []struct {
		l     TimeLimits
		field string
		code  string
	}{
		{TimeLimits{0, time.Hour}, "respond_hours", "err.must_be_positive"},
		{TimeLimits{time.Hour, 0}, "resolve_hours", "err.must_be_positive"},
		{TimeLimits{3 * time.Hour, 2 * time.Hour}, "respond_hours", "err.respond_after_resolve"},
		{TimeLimits{time.Hour, 91 * 24 * time.Hour}, "resolve_hours", "err.too_large"},
	}
	for _, b := range bad {
		if fe := b.l.Validate(); fe[b.field] != b.code {
			t.Errorf("%+v: got %v, want %s=%s", b.l, fe, b.field, b.code)
		}
	}
	if fe := DefaultLimits(UrgencyComplex).Validate(); len(fe) != 0 {
		t.Errorf("defaults invalid: %v", fe)
	}
}

// TestNeedDeadlinesAcrossNightsAndWeekends: limits run in calendar time, so
// an urgent need filed late on a Friday evening in Shanghai is due that
// night, and a general one filed on Saturday is due the next Saturday.
func TestNeedDeadlinesAcrossNightsAndWeekends(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	friday2330 := time.Date(2026, 11, 27, 23, 30, 0, 0, sh)
	urgent := NeedClock{FiledAt: friday2330.UTC(), Limits: DefaultLimits(UrgencyUrgent)}
	if got := urgent.RespondBy().In(sh); !got.Equal(time.Date(2026, 11, 28, 1, 30, 0, 0, sh)) {
		t.Fatalf("urgent respond by %v", got)
	}
	if urgent.Overdue(NeedSubmitted, time.Date(2026, 11, 28, 1, 29, 0, 0, sh)) {
		t.Fatal("overdue a minute early")
	}
	if !urgent.Overdue(NeedSubmitted, time.Date(2026, 11, 28, 1, 31, 0, 0, sh)) {
		t.Fatal("not overdue after the 2-hour limit across midnight")
	}
	responded := time.Date(2026, 11, 28, 1, 0, 0, 0, sh).UTC()
	urgent.RespondedAt = &responded
	if !urgent.RespondedInTime() || urgent.Overdue(NeedAccepted, time.Date(2026, 11, 28, 12, 0, 0, 0, sh)) {
		t.Fatal("responded in time but flagged")
	}
	if !urgent.Overdue(NeedInProgress, time.Date(2026, 11, 28, 23, 31, 0, 0, sh)) {
		t.Fatal("not overdue after 24 h unresolved")
	}
	if urgent.Overdue(NeedDone, time.Date(2026, 12, 5, 0, 0, 0, 0, sh)) || urgent.Overdue(NeedClosed, time.Date(2026, 12, 5, 0, 0, 0, 0, sh)) {
		t.Fatal("a done or closed need is never overdue")
	}

	saturday := time.Date(2026, 11, 28, 10, 0, 0, 0, sh)
	general := NeedClock{FiledAt: saturday.UTC(), Limits: DefaultLimits(UrgencyGeneral)}
	if got := general.ResolveBy().In(sh); !got.Equal(time.Date(2026, 12, 5, 10, 0, 0, 0, sh)) {
		t.Fatalf("general resolve by %v", got)
	}
	done := time.Date(2026, 12, 5, 10, 0, 0, 0, sh).UTC()
	general.ResolvedAt = &done
	if !general.ResolvedInTime() {
		t.Fatal("resolved exactly at the deadline counts as in time")
	}
	late := done.Add(time.Second)
	general.ResolvedAt = &late
	if general.ResolvedInTime() {
		t.Fatal("resolved a second late counts as in time")
	}
	if general.RespondedInTime() {
		t.Fatal("never responded counts as responded in time")
	}
}

func TestNeedInputValidate(t *testing.T) {
	in := NeedInput{Description: "  路灯  "}
	fe := in.Validate()
	if fe["category_id"] != "err.required" || fe["place_id"] != "err.required" || fe["description"] != "err.too_short" {
		t.Fatalf("got %v", fe)
	}
	in = NeedInput{CategoryID: 1, PlaceID: 2, Description: "  3号楼门口路灯坏了一周了  "}
	if fe := in.Validate(); len(fe) != 0 || in.Description != "3号楼门口路灯坏了一周了" {
		t.Fatalf("got %v %q", fe, in.Description)
	}
	for r, want := range map[int]bool{0: false, 1: true, 5: true, 6: false} {
		if ValidRating(r) != want {
			t.Errorf("ValidRating(%d)", r)
		}
	}
	if Satisfied(3) || !Satisfied(4) {
		t.Error("satisfied means 4 or 5")
	}
}

func TestNeedActionTakenBy(t *testing.T) {
	cases := []struct {
		a    NeedAction
		by   NeedActor
		want bool
	}{
		{NeedActAccept, NeedByStaff, true}, {NeedActAccept, NeedByFiler, false}, {NeedActRate, NeedByFiler, true},
		{NeedActRate, NeedByStaff, false}, {NeedActTake, NeedByTaker, true}, {NeedActTake, NeedByStaff, false},
		{NeedActChase, NeedBySystem, true}, {NeedAction("nope"), NeedByStaff, false},
	}
	for _, c := range cases {
		if got := c.a.TakenBy(c.by); got != c.want {
			t.Errorf("%s by %s = %v", c.a, c.by, got)
		}
	}
}

func TestNeedMergeSupportAndWhistleRules(t *testing.T) {
	for _, s := range NeedStatuses {
		n := Need{Status: s, FilerID: 7}
		open := !s.Final() && s != NeedDone
		if n.TakesMerges() != open {
			t.Errorf("%s: TakesMerges %v", s, n.TakesMerges())
		}
		if n.TakesSupport(8) != !s.Final() || n.TakesSupport(7) {
			t.Errorf("%s: TakesSupport by a neighbour %v, by the filer %v", s, n.TakesSupport(8), n.TakesSupport(7))
		}
		if n.WhistlesRateable() != (s == NeedDone || s == NeedClosed) {
			t.Errorf("%s: WhistlesRateable %v", s, n.WhistlesRateable())
		}
	}
	rated := time.Now()
	d := NeedDetail{Need: Need{Status: NeedDone}, Street: true, Whistles: []Whistle{{RatedAt: &rated}, {}}}
	if !d.MayRateWhistles() {
		t.Fatal("the street cannot rate an unrated whistle of a done need")
	}
	for name, m := range map[string]func(*NeedDetail){
		"not the street":  func(d *NeedDetail) { d.Street = false },
		"need still open": func(d *NeedDetail) { d.Status = NeedInProgress },
		"all rated":       func(d *NeedDetail) { d.Whistles = d.Whistles[:1] },
	} {
		c := d
		m(&c)
		if c.MayRateWhistles() {
			t.Errorf("%s: may rate", name)
		}
	}
	sup := NeedDetail{Need: Need{Status: NeedAccepted, FilerID: 7}, Neighbour: true}
	if !sup.MaySupport(8) || sup.MaySupport(7) {
		t.Fatal("support rule")
	}
	sup.Supported = true
	if sup.MaySupport(8) {
		t.Fatal("supported twice")
	}
}
