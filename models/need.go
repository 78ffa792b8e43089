package models

import (
	"strings"
	"time"
)

// NeedStatus is where a need (需求) stands on its way from filing (点单) to
// the filer's rating (评单).
type NeedStatus string

// Need states.
const (
	NeedSubmitted  NeedStatus = "submitted"   // 待受理: filed, waiting for staff
	NeedAccepted   NeedStatus = "accepted"    // 已受理: accepted, waiting to be dispatched (or returned by a taker)
	NeedDispatched NeedStatus = "dispatched"  // 已派单: sent to a taker, waiting for 接单
	NeedInProgress NeedStatus = "in_progress" // 办理中: the taker works on it (办单)
	NeedDone       NeedStatus = "done"        // 待评价: the taker reports it done; the filer confirms and rates
	NeedClosed     NeedStatus = "closed"      // 已办结: rated, or closed unrated after the rating window
	NeedDeclined   NeedStatus = "declined"    // 不予受理: declined with a reason the filer sees
	NeedMerged     NeedStatus = "merged"      // 已合并: merged into another need
)

// NeedStatuses lists every state in the order a need passes through them.
var NeedStatuses = []NeedStatus{NeedSubmitted, NeedAccepted, NeedDispatched, NeedInProgress, NeedDone, NeedClosed, NeedDeclined, NeedMerged}

// Final reports whether nothing more can happen to a need in status s.
func (s NeedStatus) Final() bool { return s == NeedClosed || s == NeedDeclined || s == NeedMerged }

// NeedAction is one step on a need's timeline.
type NeedAction string

// Need actions. Each is done by one kind of actor (see needTransitions).
const (
	NeedActAccept    NeedAction = "accept"     // staff: 受理
	NeedActDecline   NeedAction = "decline"    // staff: 不予受理, with a reason
	NeedActMerge     NeedAction = "merge"      // staff: merge into another need
	NeedActDispatch  NeedAction = "dispatch"   // staff: 派单 to a taker
	NeedActTake      NeedAction = "take"       // taker: 接单
	NeedActReturn    NeedAction = "return"     // taker: 退单, with a reason; staff dispatch it again
	NeedActRecall    NeedAction = "recall"     // staff: 撤回 a dispatched need from its taker, with a reason, to dispatch it again
	NeedActProgress  NeedAction = "progress"   // taker: records progress
	NeedActComplete  NeedAction = "complete"   // taker: reports it done
	NeedActRate      NeedAction = "rate"       // filer: confirms and rates 1-5 (评单)
	NeedActSendBack  NeedAction = "send_back"  // filer: 发回重办, with a reason
	NeedActAutoClose NeedAction = "auto_close" // system: no rating within NeedRatingWindow
	NeedActEscalate  NeedAction = "escalate"   // staff: 网格 → 社区 → 街道
	NeedActChase     NeedAction = "chase"      // staff or system: 催办 an overdue need
)

// NeedActor is who may take an action on a need.
type NeedActor string

// Need actors.
const (
	NeedByFiler  NeedActor = "filer"
	NeedByStaff  NeedActor = "staff"
	NeedByTaker  NeedActor = "taker"
	NeedBySystem NeedActor = "system"
)

type needTransition struct {
	from []NeedStatus
	to   NeedStatus // "" keeps the status
	by   []NeedActor
}

// open are the states in which a need is still being worked on.
var openNeed = []NeedStatus{NeedSubmitted, NeedAccepted, NeedDispatched, NeedInProgress}

// needTransitions is the whole state machine.
var needTransitions = map[NeedAction]needTransition{
	NeedActAccept:    {from: []NeedStatus{NeedSubmitted}, to: NeedAccepted, by: []NeedActor{NeedByStaff}},
	NeedActDecline:   {from: []NeedStatus{NeedSubmitted, NeedAccepted}, to: NeedDeclined, by: []NeedActor{NeedByStaff}},
	NeedActMerge:     {from: []NeedStatus{NeedSubmitted, NeedAccepted}, to: NeedMerged, by: []NeedActor{NeedByStaff}},
	NeedActDispatch:  {from: []NeedStatus{NeedAccepted}, to: NeedDispatched, by: []NeedActor{NeedByStaff}},
	NeedActTake:      {from: []NeedStatus{NeedDispatched}, to: NeedInProgress, by: []NeedActor{NeedByTaker}},
	NeedActReturn:    {from: []NeedStatus{NeedDispatched, NeedInProgress}, to: NeedAccepted, by: []NeedActor{NeedByTaker}},
	NeedActRecall:    {from: []NeedStatus{NeedDispatched, NeedInProgress}, to: NeedAccepted, by: []NeedActor{NeedByStaff}},
	NeedActProgress:  {from: []NeedStatus{NeedInProgress}, by: []NeedActor{NeedByTaker}},
	NeedActComplete:  {from: []NeedStatus{NeedInProgress}, to: NeedDone, by: []NeedActor{NeedByTaker}},
	NeedActRate:      {from: []NeedStatus{NeedDone}, to: NeedClosed, by: []NeedActor{NeedByFiler}},
	NeedActSendBack:  {from: []NeedStatus{NeedDone}, to: NeedInProgress, by: []NeedActor{NeedByFiler}},
	NeedActAutoClose: {from: []NeedStatus{NeedDone}, to: NeedClosed, by: []NeedActor{NeedBySystem}},
	NeedActEscalate:  {from: openNeed, by: []NeedActor{NeedByStaff}},
	NeedActChase:     {from: openNeed, by: []NeedActor{NeedByStaff, NeedBySystem}},
}

// NeedTransition tells what status action a by actor leads to from status
// from, or ok=false when the step is not allowed.
func NeedTransition(from NeedStatus, action NeedAction, by NeedActor) (to NeedStatus, ok bool) {
	tr, known := needTransitions[action]
	if !known || !containsStatus(tr.from, from) || !containsActor(tr.by, by) {
		return from, false
	}
	if tr.to == "" {
		return from, true
	}
	return tr.to, true
}

// NeedActionsFor lists the actions actor by may take on a need in status s,
// in a stable order, for showing the right buttons.
func NeedActionsFor(s NeedStatus, by NeedActor) []NeedAction {
	var out []NeedAction
	for _, a := range needActionOrder {
		if _, ok := NeedTransition(s, a, by); ok {
			out = append(out, a)
		}
	}
	return out
}

// TakenBy reports whether actor by takes action a from some status: a
// resident never accepts, staff never rate. A request for an action its
// sender can never take is forbidden, not merely untimely.
func (a NeedAction) TakenBy(by NeedActor) bool {
	tr, ok := needTransitions[a]
	return ok && containsActor(tr.by, by)
}

var needActionOrder = []NeedAction{
	NeedActAccept, NeedActDispatch, NeedActTake, NeedActProgress, NeedActComplete, NeedActRate,
	NeedActSendBack, NeedActReturn, NeedActRecall, NeedActEscalate, NeedActChase, NeedActMerge, NeedActDecline, NeedActAutoClose,
}

func containsStatus(list []NeedStatus, s NeedStatus) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsActor(list []NeedActor, a NeedActor) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// NeedLevel is the level a need is handled at; escalation follows
// 小事不出网格、难事不出社区、大事不出街道.
type NeedLevel string

// Need levels, lowest first.
const (
	NeedLevelGrid      NeedLevel = "grid"      // 网格
	NeedLevelCommunity NeedLevel = "community" // 社区
	NeedLevelStreet    NeedLevel = "street"    // 街道 (吹哨)
)

// Next returns the level above l, or ok=false at the street.
func (l NeedLevel) Next() (NeedLevel, bool) {
	switch l {
	case NeedLevelGrid:
		return NeedLevelCommunity, true
	case NeedLevelCommunity:
		return NeedLevelStreet, true
	}
	return l, false
}

// Urgency is a category's time-limit class.
type Urgency string

// Urgency classes.
const (
	UrgencyUrgent  Urgency = "urgent"  // 紧急
	UrgencyGeneral Urgency = "general" // 一般
	UrgencyComplex Urgency = "complex" // 复杂
)

// TimeLimits are how long staff have to respond (受理) to a need and to
// resolve it (办结), counted in calendar time from filing: residents' needs
// do not wait for Monday.
type TimeLimits struct {
	Respond time.Duration
	Resolve time.Duration
}

// DefaultLimits are the time limits a new category gets for its urgency.
func DefaultLimits(u Urgency) TimeLimits {
	switch u {
	case UrgencyUrgent:
		return TimeLimits{Respond: 2 * time.Hour, Resolve: 24 * time.Hour}
	case UrgencyComplex:
		return TimeLimits{Respond: 24 * time.Hour, Resolve: 15 * 24 * time.Hour}
	}
	return TimeLimits{Respond: 24 * time.Hour, Resolve: 7 * 24 * time.Hour}
}

// Validate checks limits staff configure: both positive, respond no longer
// than resolve, resolve at most 90 days.
func (l TimeLimits) Validate() FieldErrors {
	fe := FieldErrors{}
	if l.Respond <= 0 {
		fe.Add("respond_hours", "err.must_be_positive")
	}
	if l.Resolve <= 0 {
		fe.Add("resolve_hours", "err.must_be_positive")
	} else if l.Resolve > 90*24*time.Hour {
		fe.Add("resolve_hours", "err.too_large")
	} else if l.Respond > l.Resolve {
		fe.Add("respond_hours", "err.respond_after_resolve")
	}
	return fe
}

// NeedRatingWindow is how long a filer has to rate a done need before it
// closes unrated.
const NeedRatingWindow = 7 * 24 * time.Hour

// NeedClock is the timing of one need: when it was filed, responded to and
// resolved, against its limits.
type NeedClock struct {
	FiledAt     time.Time
	RespondedAt *time.Time // first accept, decline or merge
	ResolvedAt  *time.Time // first reported done
	Limits      TimeLimits
}

// RespondBy is the respond deadline.
func (c NeedClock) RespondBy() time.Time { return c.FiledAt.Add(c.Limits.Respond) }

// ResolveBy is the resolve deadline.
func (c NeedClock) ResolveBy() time.Time { return c.FiledAt.Add(c.Limits.Resolve) }

// RespondedInTime reports whether the response came before its deadline.
func (c NeedClock) RespondedInTime() bool {
	return c.RespondedAt != nil && !c.RespondedAt.After(c.RespondBy())
}

// ResolvedInTime reports whether the need was reported done before its
// deadline.
func (c NeedClock) ResolvedInTime() bool {
	return c.ResolvedAt != nil && !c.ResolvedAt.After(c.ResolveBy())
}

// Overdue reports whether, at now, a need in status s has missed a deadline
// it still owes: the response while nobody has answered it, or the
// resolution while it is still open.
func (c NeedClock) Overdue(s NeedStatus, now time.Time) bool {
	if s.Final() || s == NeedDone {
		return false
	}
	if c.RespondedAt == nil && now.After(c.RespondBy()) {
		return true
	}
	return now.After(c.ResolveBy())
}

// NeedInput is what a resident files.
type NeedInput struct {
	CategoryID  uint64
	PlaceID     uint64
	Description string
	Public      bool
}

// Validate checks a need before it is filed.
func (in *NeedInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Description = strings.TrimSpace(in.Description)
	if in.CategoryID == 0 {
		fe.Add("category_id", "err.required")
	}
	if in.PlaceID == 0 {
		fe.Add("place_id", "err.required")
	}
	fe.Text("description", in.Description, 5, 2000)
	return fe
}

// ValidRating reports whether r is a rating from 1 to 5 stars.
func ValidRating(r int) bool { return r >= 1 && r <= 5 }

// Satisfied reports whether a rating counts towards 满意率 (4 or 5).
func Satisfied(r int) bool { return r >= 4 }

// NeedCategory is a kind of need (需求类别) with the time limits staff set
// for it.
type NeedCategory struct {
	ID             uint64 `gorm:"primaryKey"`
	Code           string
	NameZh         string
	NameEn         string
	Urgency        Urgency
	RespondMinutes int
	ResolveMinutes int
	Active         bool
	Sort           int
}

// Limits returns the category's time limits.
func (c NeedCategory) Limits() TimeLimits {
	return TimeLimits{Respond: time.Duration(c.RespondMinutes) * time.Minute, Resolve: time.Duration(c.ResolveMinutes) * time.Minute}
}

// Name returns the category's name in locale ("zh" or "en").
func (c NeedCategory) Name(locale string) string {
	if locale == "en" && c.NameEn != "" {
		return c.NameEn
	}
	return c.NameZh
}

// TakerKind is what kind of party takes dispatched needs.
type TakerKind string

// Taker kinds.
const (
	TakerGridWorker TakerKind = "grid_worker" // 网格员
	TakerVolunteer  TakerKind = "volunteer"   // 志愿者
	TakerUnit       TakerKind = "unit"        // 共建单位
	TakerDepartment TakerKind = "department"  // 职能部门
)

// TakerKinds lists every taker kind.
var TakerKinds = []TakerKind{TakerGridWorker, TakerVolunteer, TakerUnit, TakerDepartment}

// Taker is a party a need can be dispatched to (承接方 / 接单人): a grid
// worker, a volunteer, a co-building unit or a department, acting through
// one account. Departments and units are the ones that report (报到) when
// the street blows the whistle.
type Taker struct {
	ID        uint64 `gorm:"primaryKey"`
	Kind      TakerKind
	Name      string
	PlaceID   uint64
	AccountID *uint64
	Active    bool
	CreatedAt time.Time

	Place Place `gorm:"foreignKey:PlaceID"`
}

// Need is a resident's need on the needs list (需求清单): filed (点单),
// reviewed, dispatched (派单), taken (接单), handled (办单) and rated by its
// filer (评单).
type Need struct {
	ID            uint64 `gorm:"primaryKey"`
	FilerID       uint64
	PlaceID       uint64
	CategoryID    uint64
	Description   string
	Public        bool
	Status        NeedStatus
	Level         NeedLevel
	TakerID       *uint64
	MergedIntoID  *uint64
	Reason        string // why it was declined, returned or sent back, the latest
	RespondBy     time.Time
	ResolveBy     time.Time
	RespondedAt   *time.Time
	ResolvedAt    *time.Time
	DoneAt        *time.Time
	ClosedAt      *time.Time
	Rating        int
	RatingComment string
	Supporters    int
	LastChasedAt  *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time

	Place    Place        `gorm:"foreignKey:PlaceID"`
	Category NeedCategory `gorm:"foreignKey:CategoryID"`
	Taker    *Taker       `gorm:"foreignKey:TakerID"`
}

// Clock returns the need's timing against its deadlines.
func (n Need) Clock() NeedClock {
	return NeedClock{FiledAt: n.CreatedAt, RespondedAt: n.RespondedAt, ResolvedAt: n.ResolvedAt,
		Limits: TimeLimits{Respond: n.RespondBy.Sub(n.CreatedAt), Resolve: n.ResolveBy.Sub(n.CreatedAt)}}
}

// Overdue reports whether the need has missed a deadline it still owes.
func (n Need) Overdue(now time.Time) bool { return n.Clock().Overdue(n.Status, now) }

// TakesMerges reports whether other needs may still be merged into n: it is
// open and not yet reported done.
func (n Need) TakesMerges() bool { return !n.Status.Final() && n.Status != NeedDone }

// TakesSupport reports whether account may add support to n: not its own
// need, and n is still open. (Who counts as a neighbour is the store's.)
func (n Need) TakesSupport(account uint64) bool { return n.FilerID != account && !n.Status.Final() }

// WhistlesRateable reports whether the whistles of n may be rated: the
// street rates a whistle once its need is done (一哨一考核).
func (n Need) WhistlesRateable() bool { return n.Status == NeedDone || n.Status == NeedClosed }

// NeedPhoto is a photo attached to a need, re-encoded without metadata.
type NeedPhoto struct {
	ID          uint64 `gorm:"primaryKey"`
	NeedID      uint64
	ContentType string
	Data        []byte
	Width       int
	Height      int
	CreatedAt   time.Time
}

// NeedSupport is a neighbour's support for a public need (附议), once each.
type NeedSupport struct {
	NeedID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	AccountID uint64 `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt time.Time
}

// NeedEvent is one step on a need's timeline (办理过程), with its actor and
// time.
type NeedEvent struct {
	ID         uint64 `gorm:"primaryKey"`
	NeedID     uint64
	At         time.Time
	ActorID    *uint64
	Action     NeedAction
	FromStatus NeedStatus
	ToStatus   NeedStatus
	Note       string
	TakerID    *uint64

	Actor *Account `gorm:"foreignKey:ActorID"`
	Taker *Taker   `gorm:"foreignKey:TakerID"`
}

// Whistle is a need escalated to the street (吹哨): the named departments
// and units must report (报到) by ReportBy, and the street rates the whistle
// afterwards (一哨一考核).
type Whistle struct {
	ID            uint64 `gorm:"primaryKey"`
	NeedID        uint64
	BlownByID     uint64
	BlownAt       time.Time
	ReportBy      time.Time
	Note          string
	Rating        int
	RatingComment string
	RatedByID     *uint64
	RatedAt       *time.Time

	Calls []WhistleCall `gorm:"foreignKey:WhistleID"`
}

// WhistleCall is one department or unit called by a whistle, and its report
// (报到).
type WhistleCall struct {
	ID         uint64 `gorm:"primaryKey"`
	WhistleID  uint64
	TakerID    uint64
	ReportedAt *time.Time
	Note       string

	Taker Taker `gorm:"foreignKey:TakerID"`
}

// ReportedInTime reports whether the call was answered by the deadline.
func (c WhistleCall) ReportedInTime(by time.Time) bool {
	return c.ReportedAt != nil && !c.ReportedAt.After(by)
}

// WhistleReportLimit is how long called departments have to report.
const WhistleReportLimit = 24 * time.Hour

// MayRaiseTopic reports whether viewer may put the need to a council as a
// topic (议题): its filer, or staff who handle it, while it is neither
// merged nor declined.
func (d NeedDetail) MayRaiseTopic(viewer uint64) bool {
	if d.Status == NeedMerged || d.Status == NeedDeclined {
		return false
	}
	if viewer != 0 && d.FilerID == viewer {
		return true
	}
	for _, r := range d.Roles {
		if r == NeedByStaff {
			return true
		}
	}
	return false
}
