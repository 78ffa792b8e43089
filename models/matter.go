package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// StepKind is what one step of a procedure is (环节类型): a meeting that
// deliberates and decides, or a publication to the villagers.
type StepKind string

// Step kinds.
const (
	StepMeeting     StepKind = "meeting"     // 会议
	StepPublication StepKind = "publication" // 公开
)

// StepKinds lists every step kind.
var StepKinds = []StepKind{StepMeeting, StepPublication}

// Valid reports whether k is a known step kind.
func (k StepKind) Valid() bool { return k == StepMeeting || k == StepPublication }

// ProcedureStep is one step of a procedure, at its position (from 0). A
// meeting step names the kind of council expected to meet ("" for any).
type ProcedureStep struct {
	ID          uint64 `gorm:"primaryKey"`
	ProcedureID uint64
	Position    int
	Name        string
	Kind        StepKind
	CouncilKind CouncilKind
	// Key is the catalog key of a built-in step's name; staff's own steps
	// have none and show their Name as typed.
	Key string `gorm:"-"`
}

// Procedure is the chain of steps by which a village decides an important
// matter (议事程序), by default 四议两公开. Staff define other chains for
// their place; a chain some matter follows is no longer edited. The default
// chain is not stored: it has ID 0.
type Procedure struct {
	ID          uint64 `gorm:"primaryKey"`
	PlaceID     uint64
	Name        string
	CreatedByID uint64
	CreatedAt   time.Time
	UpdatedAt   time.Time

	Steps []ProcedureStep `gorm:"-"`
	Place Place           `gorm:"foreignKey:PlaceID"`
}

// DefaultProcedure is 四议两公开: 支部提议 → 两委商议 → 党员大会审议 →
// 村民(代表)会议决议 → 决议公开 → 实施结果公开.
var DefaultProcedure = Procedure{Name: "四议两公开", Steps: []ProcedureStep{
	{Position: 0, Name: "党组织提议", Kind: StepMeeting, Key: "village.step.branch"},
	{Position: 1, Name: "两委会商议", Kind: StepMeeting, CouncilKind: CouncilTwoCommittees, Key: "village.step.committees"},
	{Position: 2, Name: "党员大会审议", Kind: StepMeeting, CouncilKind: CouncilPartyAssembly, Key: "village.step.party"},
	{Position: 3, Name: "村民（代表）会议决议", Kind: StepMeeting, CouncilKind: CouncilVillageReps, Key: "village.step.villagers"},
	{Position: 4, Name: "决议公开", Kind: StepPublication, Key: "village.step.publish_resolution"},
	{Position: 5, Name: "实施结果公开", Kind: StepPublication, Key: "village.step.publish_result"},
}}

// Bounds of a procedure.
const (
	MaxProcedureSteps = 10
	maxStepName       = 30
)

// ProcedureStepInput is one row of the chain form.
type ProcedureStepInput struct {
	Name        string
	Kind        StepKind
	CouncilKind CouncilKind
}

// ProcedureInput is what staff enter to define a chain: a name, the place
// it is for, and its steps in order.
type ProcedureInput struct {
	PlaceID uint64
	Name    string
	Steps   []ProcedureStepInput
}

// StepField names the form field of row i (from 0) of the chain form.
func StepField(what string, i int) string { return fmt.Sprintf("step_%s_%d", what, i+1) }

// Validate checks a chain: a name, one to MaxProcedureSteps steps, each
// named, of a known kind, and for a meeting a known council kind or none.
func (in *ProcedureInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	if in.PlaceID == 0 {
		fe.Add("place_id", "err.required")
	}
	fe.Text("name", in.Name, 0, 60)
	switch {
	case len(in.Steps) == 0:
		fe.Add("steps", "village.err.no_steps")
	case len(in.Steps) > MaxProcedureSteps:
		fe.Add("steps", "village.err.too_many_steps")
	}
	for i := range in.Steps {
		st := &in.Steps[i]
		st.Name = strings.TrimSpace(st.Name)
		fe.Text(StepField("name", i), st.Name, 0, maxStepName)
		if !st.Kind.Valid() {
			fe.Add(StepField("kind", i), "err.invalid_choice")
		}
		if st.CouncilKind != "" && (!st.CouncilKind.Valid() || st.Kind == StepPublication) {
			fe.Add(StepField("council", i), "err.invalid_choice")
		}
	}
	return fe
}

// MatterSource is where a village matter's motion comes from (动议来源).
type MatterSource string

// Sources of a motion.
const (
	SourceResidents MatterSource = "residents" // 群众建议
	SourceOfficials MatterSource = "officials" // 干部提议
	SourceAssigned  MatterSource = "assigned"  // 上级交办
)

// MatterSources lists every source.
var MatterSources = []MatterSource{SourceResidents, SourceOfficials, SourceAssigned}

// Valid reports whether s is a known source.
func (s MatterSource) Valid() bool {
	return s == SourceResidents || s == SourceOfficials || s == SourceAssigned
}

// MatterStatus is where a village matter stands.
type MatterStatus string

// Matter states.
const (
	MatterOpen     MatterStatus = "open"     // 办理中: steps remain
	MatterDone     MatterStatus = "done"     // 已完成: every step recorded
	MatterRejected MatterStatus = "rejected" // 未通过: a meeting did not pass it; it ends there
)

// Matter is an important village matter (村级重大事项) decided by a chain of
// steps (四议两公开 by default): what it is, where its motion came from, and
// how many of its steps are recorded.
type Matter struct {
	ID          uint64 `gorm:"primaryKey"`
	PlaceID     uint64
	ProcedureID *uint64 // nil: the default chain
	Title       string
	Description string
	Source      MatterSource
	Status      MatterStatus
	Done        int // steps recorded, so the next step's position
	CreatedByID uint64
	EndedAt     *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time

	Place Place `gorm:"foreignKey:PlaceID"`
}

// MatterInput is what staff enter to register a matter (事项登记).
type MatterInput struct {
	PlaceID     uint64
	ProcedureID uint64 // 0: the default chain
	Title       string
	Description string
	Source      MatterSource
}

// Validate checks a new matter.
func (in *MatterInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	if in.PlaceID == 0 {
		fe.Add("place_id", "err.required")
	}
	fe.Text("title", in.Title, 4, 80)
	fe.Text("description", in.Description, 0, 5000)
	if !in.Source.Valid() {
		fe.Add("source", "err.invalid_choice")
	}
	return fe
}

// Domain errors of village matters.
var (
	ErrStepSkipped    = &Error{Code: "village.err.step_skipped"}     // an earlier step is not recorded yet
	ErrStepRecorded   = &Error{Code: "village.err.step_recorded"}    // the step is recorded already
	ErrMatterEnded    = &Error{Code: "village.err.matter_ended"}     // done or not passed: no more steps
	ErrProcedureInUse = &Error{Code: "village.err.procedure_in_use"} // a matter follows the chain
)

// CheckStep is the order rule of a chain: on a matter in status with done
// of its n steps recorded, only the step at position done may be recorded
// next. An earlier step is recorded already (no step is repeated or
// reordered), a later one would skip steps, and an ended matter takes none.
func CheckStep(status MatterStatus, done, n, position int) error {
	switch {
	case position < 0 || position >= n:
		return ErrNotFound
	case status != MatterOpen:
		return ErrMatterEnded
	case position < done:
		return ErrStepRecorded
	case position > done:
		return ErrStepSkipped
	}
	return nil
}

// AfterStep is the status of a matter of n steps once the step at position,
// of kind, is recorded with result: a meeting that does not pass the
// matter ends it, rejected; the last step ends it, done.
func AfterStep(n, position int, kind StepKind, result StepResult) MatterStatus {
	switch {
	case kind == StepMeeting && result != StepPassed:
		return MatterRejected
	case position+1 >= n:
		return MatterDone
	}
	return MatterOpen
}

// StepResult is what a meeting step came to (表决结果).
type StepResult string

// Results of a meeting step.
const (
	StepPassed StepResult = "passed" // 通过
	StepFailed StepResult = "failed" // 未通过
)

// StepResults lists every result.
var StepResults = []StepResult{StepPassed, StepFailed}

// MeetingForms are the forms a meeting step may take (会议形式).
var MeetingForms = []string{"onsite", "online", "mixed"}

// PublishChannels are the ways a publication step publishes (公开方式).
var PublishChannels = []string{"board", "website", "wechat", "broadcast", "door"}

// MatterStep is the record of one step of a matter (登记记录), at its
// position in the chain (once each: the database refuses a second). A
// meeting step records its date, form, expected and actual attendance, the
// text considered, the result, who signed and, if it was held in this
// system, the council meeting; a publication step records its date, the
// ways it was published, the publicity period, supervision remarks and the
// notice it put on the bulletin.
type MatterStep struct {
	ID           uint64 `gorm:"primaryKey"`
	MatterID     uint64
	Position     int
	Name         string // the step's name when recorded
	Kind         StepKind
	HeldOn       time.Time
	Form         string // meeting: one of MeetingForms; publication: PublishChannels, comma-separated
	Expected     int
	Actual       int
	Text         string
	Result       StepResult
	Signatures   string
	MeetingID    *uint64
	PeriodDays   int
	Remarks      string
	NoticeID     *uint64
	RecordedByID uint64
	CreatedAt    time.Time

	RecordedBy Account `gorm:"foreignKey:RecordedByID"`
}

// Channels are the ways a publication step was published.
func (r MatterStep) Channels() []string {
	if r.Kind != StepPublication || r.Form == "" {
		return nil
	}
	return strings.Split(r.Form, ",")
}

// StepInput is what the recorder enters for one step (环节登记).
type StepInput struct {
	HeldOn     time.Time
	Form       string   // a meeting's form
	Channels   []string // a publication's ways
	Expected   int
	Actual     int
	Text       string
	Result     StepResult
	Signatures string
	MeetingID  uint64
	PeriodDays int
	Remarks    string
}

// Bounds of a step record.
const (
	MaxAttendance   = 100000
	maxStepText     = 5000
	maxStepNote     = 1000
	DefaultStepDays = 7
)

// Validate checks the record of a step of kind at now; after is the date of
// the step before (nil for the first): steps happen in order, so none is
// dated before the one it follows, nor in the future. For a meeting the
// actual attendance cannot exceed the expected one.
func (in *StepInput) Validate(kind StepKind, after *time.Time, now time.Time) FieldErrors {
	fe := FieldErrors{}
	in.Text, in.Signatures, in.Remarks = strings.TrimSpace(in.Text), strings.TrimSpace(in.Signatures), strings.TrimSpace(in.Remarks)
	switch {
	case in.HeldOn.IsZero():
		fe.Add("held_on", "err.required")
	case in.HeldOn.After(now):
		fe.Add("held_on", "village.err.date_future")
	case after != nil && in.HeldOn.Before(*after):
		fe.Add("held_on", "village.err.date_before_previous")
	}
	fe.Text("text", in.Text, 0, maxStepText)
	if utf8.RuneCountInString(in.Remarks) > maxStepNote {
		fe.Add("remarks", "err.too_long")
	}
	switch kind {
	case StepMeeting:
		if !slices.Contains(MeetingForms, in.Form) {
			fe.Add("form", "err.invalid_choice")
		}
		switch {
		case in.Expected < 1 || in.Expected > MaxAttendance:
			fe.Add("expected", "village.err.expected_invalid")
		case in.Actual < 0 || in.Actual > MaxAttendance:
			fe.Add("actual", "err.number_invalid")
		case in.Actual > in.Expected:
			fe.Add("actual", "village.err.actual_over_expected")
		}
		if in.Result != StepPassed && in.Result != StepFailed {
			fe.Add("result", "err.invalid_choice")
		}
		fe.Text("signatures", in.Signatures, 0, maxStepNote)
	case StepPublication:
		if len(in.Channels) == 0 {
			fe.Add("channels", "village.err.channels_required")
		}
		for _, c := range in.Channels {
			if !slices.Contains(PublishChannels, c) {
				fe.Add("channels", "err.invalid_choice")
			}
		}
		if in.PeriodDays < 1 || in.PeriodDays > MaxPeriodDays {
			fe.Add("period_days", "village.err.period_invalid")
		}
	}
	return fe
}

// CheckNext validates in as the record of the matter's next step: the
// step's own rules, and a date neither in the future (now) nor before the
// previous step's. A matter with no step left to record has nothing to
// check it against (CheckStep refuses the step).
func (v MatterView) CheckNext(in *StepInput, now time.Time) FieldErrors {
	next := v.Next()
	if next == nil {
		return FieldErrors{}
	}
	var after *time.Time
	if prev := v.Record(v.Done - 1); prev != nil {
		after = &prev.HeldOn
	}
	return in.Validate(next.Kind, after, now)
}
