package models

import (
	"errors"
	"testing"
	"time"
)

// attempt is one try at recording a step: its position and, for a meeting,
// its result.
type attempt struct {
	position int
	result   StepResult
	want     error // nil: recorded
}

// chain plays attempts on a matter of the default chain through the order
// rule, recording what it allows, and returns the final status and count.
func playChain(t *testing.T, attempts []attempt) (MatterStatus, int) {
	t.Helper()
	steps := DefaultProcedure.Steps
	status, done := MatterOpen, 0
	for i, a := range attempts {
		err := CheckStep(status, done, len(steps), a.position)
		if !errors.Is(err, a.want) || (a.want == nil) != (err == nil) {
			t.Fatalf("attempt %d (step %d): got %v, want %v", i+1, a.position+1, err, a.want)
		}
		if err == nil {
			status = AfterStep(len(steps), a.position, steps[a.position].Kind, a.result)
			done = a.position + 1
		}
	}
	return status, done
}

func TestStepOrder(t *testing.T) {
	t.Parallel()
	ok := StepPassed
	all := []attempt{{0, ok, nil}, {1, ok, nil}, {2, ok, nil}, {3, ok, nil}, {4, "", nil}, {5, "", nil}}
	cases := []struct {
		name     string
		attempts []attempt
		status   MatterStatus
		done     int
	}{
		{"the first step comes first", []attempt{{0, ok, nil}}, MatterOpen, 1},
		{"cannot skip to the second step", []attempt{{1, ok, ErrStepSkipped}}, MatterOpen, 0},
		{"cannot skip the party assembly", []attempt{{0, ok, nil}, {1, ok, nil}, {3, ok, ErrStepSkipped}, {2, ok, nil}}, MatterOpen, 3},
		{"cannot publish before the villagers decide", []attempt{{0, ok, nil}, {1, ok, nil}, {2, ok, nil}, {4, "", ErrStepSkipped}}, MatterOpen, 3},
		{"cannot repeat a step", []attempt{{0, ok, nil}, {0, ok, ErrStepRecorded}}, MatterOpen, 1},
		{"cannot go back to an earlier step", []attempt{{0, ok, nil}, {1, ok, nil}, {0, ok, ErrStepRecorded}}, MatterOpen, 2},
		{"cannot reorder two steps", []attempt{{0, ok, nil}, {2, ok, ErrStepSkipped}, {1, ok, nil}, {2, ok, nil}, {1, ok, ErrStepRecorded}}, MatterOpen, 3},
		{"a rejection stops the chain", []attempt{{0, ok, nil}, {1, StepFailed, nil}, {2, ok, ErrMatterEnded}}, MatterRejected, 2},
		{"a rejection at the villagers' meeting ends it before publication", []attempt{{0, ok, nil}, {1, ok, nil}, {2, ok, nil}, {3, StepFailed, nil}, {4, "", ErrMatterEnded}}, MatterRejected, 4},
		{"the whole chain ends done", all, MatterDone, 6},
		{"nothing after the last step", append(append([]attempt{}, all...), attempt{5, "", ErrMatterEnded}), MatterDone, 6},
		{"no step beyond the chain", []attempt{{6, ok, ErrNotFound}, {-1, ok, ErrNotFound}}, MatterOpen, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, done := playChain(t, c.attempts)
			if status != c.status || done != c.done {
				t.Fatalf("ended %s after %d steps, want %s after %d", status, done, c.status, c.done)
			}
		})
	}
}

func TestAfterStep(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		n, pos int
		kind   StepKind
		result StepResult
		want   MatterStatus
	}{
		{"a passed meeting goes on", 6, 0, StepMeeting, StepPassed, MatterOpen},
		{"a failed meeting rejects", 6, 2, StepMeeting, StepFailed, MatterRejected},
		{"a publication goes on", 6, 4, StepPublication, "", MatterOpen},
		{"the last publication ends it", 6, 5, StepPublication, "", MatterDone},
		{"a chain ending in a passed meeting is done", 3, 2, StepMeeting, StepPassed, MatterDone},
		{"a chain ending in a failed meeting is rejected", 3, 2, StepMeeting, StepFailed, MatterRejected},
	}
	for _, c := range cases {
		if got := AfterStep(c.n, c.pos, c.kind, c.result); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestStepInputValidate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	prev := now.Add(-3 * day)
	meeting := func(edit func(*StepInput)) StepInput {
		in := StepInput{HeldOn: now.Add(-day), Form: "onsite", Expected: 9, Actual: 7, Text: "关于修建村道的提议", Result: StepPassed, Signatures: "张三、李四"}
		edit(&in)
		return in
	}
	pub := func(edit func(*StepInput)) StepInput {
		in := StepInput{HeldOn: now, Channels: []string{"board", "wechat"}, PeriodDays: 7, Text: "决议内容"}
		edit(&in)
		return in
	}
	cases := []struct {
		name  string
		kind  StepKind
		in    StepInput
		field string // "" for valid
		code  string
	}{
		{"a full meeting record", StepMeeting, meeting(func(*StepInput) {}), "", ""},
		{"everyone came", StepMeeting, meeting(func(in *StepInput) { in.Actual = 9 }), "", ""},
		{"more came than expected", StepMeeting, meeting(func(in *StepInput) { in.Actual = 10 }), "actual", "village.err.actual_over_expected"},
		{"nobody expected", StepMeeting, meeting(func(in *StepInput) { in.Expected, in.Actual = 0, 0 }), "expected", "village.err.expected_invalid"},
		{"negative attendance", StepMeeting, meeting(func(in *StepInput) { in.Actual = -1 }), "actual", "err.number_invalid"},
		{"no signatures", StepMeeting, meeting(func(in *StepInput) { in.Signatures = "  " }), "signatures", "err.required"},
		{"no result", StepMeeting, meeting(func(in *StepInput) { in.Result = "" }), "result", "err.invalid_choice"},
		{"unknown form", StepMeeting, meeting(func(in *StepInput) { in.Form = "dream" }), "form", "err.invalid_choice"},
		{"no text", StepMeeting, meeting(func(in *StepInput) { in.Text = "" }), "text", "err.required"},
		{"no date", StepMeeting, meeting(func(in *StepInput) { in.HeldOn = time.Time{} }), "held_on", "err.required"},
		{"in the future", StepMeeting, meeting(func(in *StepInput) { in.HeldOn = now.Add(day) }), "held_on", "village.err.date_future"},
		{"before the step it follows", StepMeeting, meeting(func(in *StepInput) { in.HeldOn = prev.Add(-day) }), "held_on", "village.err.date_before_previous"},
		{"the same day as the step before", StepMeeting, meeting(func(in *StepInput) { in.HeldOn = prev }), "", ""},
		{"a publication", StepPublication, pub(func(*StepInput) {}), "", ""},
		{"a publication without a channel", StepPublication, pub(func(in *StepInput) { in.Channels = nil }), "channels", "village.err.channels_required"},
		{"a publication by an unknown channel", StepPublication, pub(func(in *StepInput) { in.Channels = []string{"board", "tv"} }), "channels", "err.invalid_choice"},
		{"a publication without a period", StepPublication, pub(func(in *StepInput) { in.PeriodDays = 0 }), "period_days", "village.err.period_invalid"},
		{"a publication needs no attendance", StepPublication, pub(func(in *StepInput) { in.Expected, in.Actual = 0, 5 }), "", ""},
	}
	for _, c := range cases {
		in := c.in
		fe := in.Validate(c.kind, &prev, now)
		switch {
		case c.field == "" && len(fe) > 0:
			t.Errorf("%s: unexpected errors %v", c.name, fe)
		case c.field != "" && fe[c.field] != c.code:
			t.Errorf("%s: %s = %q, want %q (all: %v)", c.name, c.field, fe[c.field], c.code, fe)
		}
	}
}

func TestProcedureInputValidate(t *testing.T) {
	t.Parallel()
	good := func() ProcedureInput {
		return ProcedureInput{PlaceID: 1, Name: "简易程序", Steps: []ProcedureStepInput{
			{Name: "两委商议", Kind: StepMeeting, CouncilKind: CouncilTwoCommittees}, {Name: "结果公开", Kind: StepPublication},
		}}
	}
	cases := []struct {
		name  string
		edit  func(*ProcedureInput)
		field string
	}{
		{"valid", func(*ProcedureInput) {}, ""},
		{"no name", func(in *ProcedureInput) { in.Name = " " }, "name"},
		{"no steps", func(in *ProcedureInput) { in.Steps = nil }, "steps"},
		{"too many steps", func(in *ProcedureInput) {
			for len(in.Steps) <= MaxProcedureSteps {
				in.Steps = append(in.Steps, ProcedureStepInput{Name: "公开", Kind: StepPublication})
			}
		}, "steps"},
		{"a step without a name", func(in *ProcedureInput) { in.Steps[1].Name = "" }, "step_name_2"},
		{"a step of unknown kind", func(in *ProcedureInput) { in.Steps[0].Kind = "vote" }, "step_kind_1"},
		{"a publication with a council", func(in *ProcedureInput) { in.Steps[1].CouncilKind = CouncilVillageReps }, "step_council_2"},
		{"an unknown council kind", func(in *ProcedureInput) { in.Steps[0].CouncilKind = "senate" }, "step_council_1"},
	}
	for _, c := range cases {
		in := good()
		c.edit(&in)
		fe := in.Validate()
		if (c.field == "") != (len(fe) == 0) || c.field != "" && fe[c.field] == "" {
			t.Errorf("%s: errors %v, want one on %q", c.name, fe, c.field)
		}
	}
}
