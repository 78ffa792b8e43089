package models

import (
	"testing"
	"time"
)

// TestResolutionTransitions tries every action by every actor from every
// state against the table of what is allowed.
func TestResolutionTransitions(t *testing.T) {
	t.Parallel()
	type key struct {
		from ResolutionStatus
		a    ResolutionAction
		by   ResolutionActor
	}
	allowed := map[key]ResolutionStatus{
		{ResolutionPending, ResolutionActAssign, ResolutionByRunner}:      ResolutionAssigned,
		{ResolutionAssigned, ResolutionActAssign, ResolutionByRunner}:     ResolutionAssigned,
		{ResolutionInProgress, ResolutionActAssign, ResolutionByRunner}:   ResolutionInProgress,
		{ResolutionAssigned, ResolutionActProgress, ResolutionByRunner}:   ResolutionInProgress,
		{ResolutionAssigned, ResolutionActProgress, ResolutionByOwner}:    ResolutionInProgress,
		{ResolutionInProgress, ResolutionActProgress, ResolutionByRunner}: ResolutionInProgress,
		{ResolutionInProgress, ResolutionActProgress, ResolutionByOwner}:  ResolutionInProgress,
		{ResolutionAssigned, ResolutionActDone, ResolutionByRunner}:       ResolutionDone,
		{ResolutionAssigned, ResolutionActDone, ResolutionByOwner}:        ResolutionDone,
		{ResolutionInProgress, ResolutionActDone, ResolutionByRunner}:     ResolutionDone,
		{ResolutionInProgress, ResolutionActDone, ResolutionByOwner}:      ResolutionDone,
		{ResolutionPending, ResolutionActAbandon, ResolutionByRunner}:     ResolutionAbandoned,
		{ResolutionAssigned, ResolutionActAbandon, ResolutionByRunner}:    ResolutionAbandoned,
		{ResolutionInProgress, ResolutionActAbandon, ResolutionByRunner}:  ResolutionAbandoned,
		{ResolutionAssigned, ResolutionActChase, ResolutionBySystem}:      ResolutionAssigned,
		{ResolutionInProgress, ResolutionActChase, ResolutionBySystem}:    ResolutionInProgress,
	}
	actions := append(append([]ResolutionAction{}, ResolutionActions...), ResolutionActChase, "bogus")
	for _, from := range ResolutionStatuses {
		for _, a := range actions {
			for _, by := range []ResolutionActor{ResolutionByRunner, ResolutionByOwner, ResolutionBySystem} {
				to, ok := ResolutionTransition(from, a, by)
				want, wantOK := allowed[key{from, a, by}]
				if ok != wantOK || ok && to != want || !ok && to != from {
					t.Errorf("%s --%s by %s--> %s, %v; want %s, %v", from, a, by, to, ok, want, wantOK)
				}
			}
			if from.Final() {
				if _, ok := ResolutionTransition(from, a, ResolutionByRunner, ResolutionByOwner, ResolutionBySystem); ok {
					t.Errorf("final %s changed by %s", from, a)
				}
			}
		}
	}
	// Nobody in particular may do nothing.
	if _, ok := ResolutionTransition(ResolutionAssigned, ResolutionActProgress); ok {
		t.Error("a step without an actor")
	}
	// An owner who also runs the council may abandon.
	if to, ok := ResolutionTransition(ResolutionInProgress, ResolutionActAbandon, ResolutionByOwner, ResolutionByRunner); !ok || to != ResolutionAbandoned {
		t.Errorf("owner and runner abandon: %s %v", to, ok)
	}
}

// TestResolutionOverdueAndChase: overdue from the due instant on while
// open; chased at most once a day.
func TestResolutionOverdueAndChase(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	due := now.Add(-time.Hour)
	later := now.Add(time.Hour)
	recent, old := now.Add(-23*time.Hour), now.Add(-24*time.Hour)
	cases := []struct {
		name    string
		r       Resolution
		overdue bool
		chase   bool
	}{
		{"no due date", Resolution{Status: ResolutionPending}, false, false},
		{"not yet due", Resolution{Status: ResolutionAssigned, DueAt: &later}, false, false},
		{"due exactly now", Resolution{Status: ResolutionAssigned, DueAt: &now}, true, true},
		{"overdue, never chased", Resolution{Status: ResolutionInProgress, DueAt: &due}, true, true},
		{"overdue, chased 23h ago", Resolution{Status: ResolutionInProgress, DueAt: &due, LastChasedAt: &recent}, true, false},
		{"overdue, chased a day ago", Resolution{Status: ResolutionInProgress, DueAt: &due, LastChasedAt: &old}, true, true},
		{"done late", Resolution{Status: ResolutionDone, DueAt: &due}, false, false},
		{"abandoned late", Resolution{Status: ResolutionAbandoned, DueAt: &due}, false, false},
	}
	for _, c := range cases {
		if got := c.r.Overdue(now); got != c.overdue {
			t.Errorf("%s: overdue %v, want %v", c.name, got, c.overdue)
		}
		if got := ResolutionChaseDue(c.r, now); got != c.chase {
			t.Errorf("%s: chase %v, want %v", c.name, got, c.chase)
		}
	}
}

func TestProgressAndDueValidation(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	pc := func(n int) *int { return &n }
	cases := []struct {
		in    ProgressInput
		field string
	}{
		{ProgressInput{Note: "  "}, "note"},
		{ProgressInput{Note: "已联系物业", Percent: pc(101)}, "percent"},
		{ProgressInput{Note: "已联系物业", Percent: pc(-1)}, "percent"},
		{ProgressInput{Note: "已联系物业", Percent: pc(40)}, ""},
		{ProgressInput{Note: "已联系物业"}, ""},
	}
	for _, c := range cases {
		fe := c.in.Validate()
		if c.field == "" && len(fe) != 0 || c.field != "" && fe[c.field] == "" {
			t.Errorf("%+v: %v, want an error on %q", c.in, fe, c.field)
		}
	}
	if fe := ValidateDue(time.Time{}, now); fe["due"] != "err.required" {
		t.Errorf("no due date: %v", fe)
	}
	if fe := ValidateDue(now, now); fe["due"] != "resolution.err_due_past" {
		t.Errorf("due now: %v", fe)
	}
	if fe := ValidateDue(now.Add(time.Minute), now); len(fe) != 0 {
		t.Errorf("due later: %v", fe)
	}
}
