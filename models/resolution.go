package models

import (
	"slices"
	"strings"
	"time"
)

// ResolutionStatus is where the execution of a resolution stands (决议执行状态).
type ResolutionStatus string

// Resolution states.
const (
	ResolutionPending    ResolutionStatus = "pending"     // 待交办: adopted, no owner yet
	ResolutionAssigned   ResolutionStatus = "assigned"    // 已交办: an owner and a due date
	ResolutionInProgress ResolutionStatus = "in_progress" // 落实中: progress reported
	ResolutionDone       ResolutionStatus = "done"        // 已办结, with a result summary
	ResolutionAbandoned  ResolutionStatus = "abandoned"   // 已终止, with a reason
)

// ResolutionStatuses lists every resolution state.
var ResolutionStatuses = []ResolutionStatus{ResolutionPending, ResolutionAssigned, ResolutionInProgress, ResolutionDone, ResolutionAbandoned}

// Final reports whether nothing more can happen to a resolution in status s.
func (s ResolutionStatus) Final() bool { return s == ResolutionDone || s == ResolutionAbandoned }

// ResolutionAction is a step in carrying out a resolution (执行监督).
type ResolutionAction string

// Resolution actions. Chase is the system's reminder of an overdue one.
const (
	ResolutionActAssign   ResolutionAction = "assign"   // 交办: owner and due date (again: reassign)
	ResolutionActProgress ResolutionAction = "progress" // 报告进展
	ResolutionActDone     ResolutionAction = "done"     // 办结, with a result summary
	ResolutionActAbandon  ResolutionAction = "abandon"  // 终止, with a mandatory reason
	ResolutionActChase    ResolutionAction = "chase"    // 催办 (system)
)

// ResolutionActions lists the people's steps in the order forms show.
var ResolutionActions = []ResolutionAction{ResolutionActAssign, ResolutionActProgress, ResolutionActDone, ResolutionActAbandon}

// ResolutionActor is the part someone plays in a resolution.
type ResolutionActor string

// Resolution actors.
const (
	ResolutionByRunner ResolutionActor = "runner" // convener, secretary or managing staff
	ResolutionByOwner  ResolutionActor = "owner"  // 责任人
	ResolutionBySystem ResolutionActor = "system"
)

// resolutionRule is one row of the transition table: the states an action
// starts from, the state it leads to ("" keeps the state) and who may take it.
type resolutionRule struct {
	from []ResolutionStatus
	to   ResolutionStatus
	by   []ResolutionActor
}

var openResolution = []ResolutionStatus{ResolutionPending, ResolutionAssigned, ResolutionInProgress}

var resolutionRules = map[ResolutionAction][]resolutionRule{
	ResolutionActAssign: {
		{from: []ResolutionStatus{ResolutionPending}, to: ResolutionAssigned, by: []ResolutionActor{ResolutionByRunner}},
		{from: []ResolutionStatus{ResolutionAssigned, ResolutionInProgress}, by: []ResolutionActor{ResolutionByRunner}},
	},
	ResolutionActProgress: {
		{from: []ResolutionStatus{ResolutionAssigned, ResolutionInProgress}, to: ResolutionInProgress, by: []ResolutionActor{ResolutionByRunner, ResolutionByOwner}},
	},
	ResolutionActDone: {
		{from: []ResolutionStatus{ResolutionAssigned, ResolutionInProgress}, to: ResolutionDone, by: []ResolutionActor{ResolutionByRunner, ResolutionByOwner}},
	},
	ResolutionActAbandon: {
		{from: openResolution, to: ResolutionAbandoned, by: []ResolutionActor{ResolutionByRunner}},
	},
	ResolutionActChase: {
		{from: []ResolutionStatus{ResolutionAssigned, ResolutionInProgress}, by: []ResolutionActor{ResolutionBySystem}},
	},
}

// ResolutionTransition tells the status action a by any of actors leads to
// from status from, or ok=false when none of them may take it there. A
// final status never changes.
func ResolutionTransition(from ResolutionStatus, a ResolutionAction, actors ...ResolutionActor) (ResolutionStatus, bool) {
	for _, r := range resolutionRules[a] {
		if !slices.Contains(r.from, from) {
			continue
		}
		for _, by := range r.by {
			if slices.Contains(actors, by) {
				if r.to == "" {
					return from, true
				}
				return r.to, true
			}
		}
	}
	return from, false
}

// ResolutionOverdue reports whether a resolution is past its due time at
// now and not final (逾期).
func ResolutionOverdue(s ResolutionStatus, due *time.Time, now time.Time) bool {
	return due != nil && !s.Final() && !now.Before(*due)
}

// ChaseInterval is how often an overdue resolution is chased at most.
const ChaseInterval = 24 * time.Hour

// ResolutionChaseDue reports whether an overdue resolution is to be chased
// at now: it is overdue, open, and was not chased in the last day.
func ResolutionChaseDue(r Resolution, now time.Time) bool {
	if _, ok := ResolutionTransition(r.Status, ResolutionActChase, ResolutionBySystem); !ok {
		return false
	}
	return ResolutionOverdue(r.Status, r.DueAt, now) && (r.LastChasedAt == nil || !now.Before(r.LastChasedAt.Add(ChaseInterval)))
}

// Resolution is what an adopted motion decided (决议), followed until it is
// carried out (执行监督): an owner (责任人) and a due date, progress
// updates, and an end, done with a result summary or abandoned with a
// reason. Its text is the motion's. It may spawn a project or a ballot.
type Resolution struct {
	ID           uint64 `gorm:"primaryKey"`
	CouncilID    uint64
	MeetingID    uint64
	MotionID     uint64
	TopicID      *uint64
	Text         string
	Status       ResolutionStatus
	OwnerID      *uint64
	DueAt        *time.Time // the instant it becomes overdue: the end of the due day
	Percent      int
	Result       string
	Reason       string
	ProjectID    *uint64
	BallotID     *uint64
	LastChasedAt *time.Time
	AssignedAt   *time.Time
	ClosedAt     *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time

	Owner *Account `gorm:"foreignKey:OwnerID"`
}

// Overdue reports whether the resolution is overdue at now.
func (r Resolution) Overdue(now time.Time) bool { return ResolutionOverdue(r.Status, r.DueAt, now) }

// ResolutionUpdate is one entry of a resolution's timeline (执行记录):
// an assignment, a progress report, the end, or a chase.
type ResolutionUpdate struct {
	ID           uint64 `gorm:"primaryKey"`
	ResolutionID uint64
	AuthorID     *uint64 // nil for the system
	Action       ResolutionAction
	FromStatus   ResolutionStatus
	ToStatus     ResolutionStatus
	Note         string
	Percent      *int
	CreatedAt    time.Time

	Author *Account `gorm:"foreignKey:AuthorID"`
}

// ResolutionRating is one resident's rating of a resolution's result
// (效果评价), 1 to 5 stars, once each (a unique key backs it).
type ResolutionRating struct {
	ID           uint64 `gorm:"primaryKey"`
	ResolutionID uint64
	AccountID    uint64
	Stars        int
	CreatedAt    time.Time
}

// ProgressInput is a progress report (进展): a note and an optional
// percentage done.
type ProgressInput struct {
	Note    string
	Percent *int
}

// Validate checks a progress report.
func (in *ProgressInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Note = strings.TrimSpace(in.Note)
	fe.Text("note", in.Note, 0, 2000)
	if in.Percent != nil && (*in.Percent < 0 || *in.Percent > 100) {
		fe.Add("percent", "err.percent_range")
	}
	return fe
}

// ValidateDue checks a due time at now: set and in the future.
func ValidateDue(due time.Time, now time.Time) FieldErrors {
	fe := FieldErrors{}
	switch {
	case due.IsZero():
		fe.Add("due", "err.required")
	case !due.After(now):
		fe.Add("due", "resolution.err_due_past")
	}
	return fe
}

// Domain errors of resolutions.
var (
	ErrResolutionStep  = &Error{Code: "resolution.err_step"}
	ErrResolutionSpawn = &Error{Code: "resolution.err_spawned"}
)

// ResolutionSource is the SourceType of a project spawned from a resolution.
const ResolutionSource = "resolution"

// MayEver reports whether actors may take step a on a resolution in some
// status: one who may not is refused before anything else is looked at.
func MayEver(a ResolutionAction, actors ...ResolutionActor) bool {
	for _, st := range ResolutionStatuses {
		if _, ok := ResolutionTransition(st, a, actors...); ok {
			return true
		}
	}
	return false
}

// CheckSpawn says whether p may make a project (perm PermManageProjects)
// or a ballot (PermManageBallots) from the resolution; taken tells that
// one was made from it already. One who does not run the council, or
// lacks perm there, is refused (ErrForbidden); an ended resolution, or one
// already carried out that way, allows no more (ErrResolutionSpawn).
func (v ResolutionView) CheckSpawn(p *Principal, perm Permission, taken bool) error {
	if !v.Council.Run || !p.Can(perm, v.Council.Place) {
		return ErrForbidden
	}
	if v.Status.Final() || taken {
		return ErrResolutionSpawn
	}
	return nil
}

// CheckSpawnProject is CheckSpawn for a project.
func (v ResolutionView) CheckSpawnProject(p *Principal) error {
	return v.CheckSpawn(p, PermManageProjects, v.ProjectID != nil)
}

// CheckSpawnBallot is CheckSpawn for a ballot.
func (v ResolutionView) CheckSpawnBallot(p *Principal) error {
	return v.CheckSpawn(p, PermManageBallots, v.ballotTaken())
}

// ballotTaken reports whether the resolution has its ballot: one was
// spawned and it did not close unheld.
func (v ResolutionView) ballotTaken() bool { return v.BallotID != nil && !v.BallotNotHeld }
