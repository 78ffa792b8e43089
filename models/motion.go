package models

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// AttendanceMethod is how a member came to be recorded present (签到方式).
type AttendanceMethod string

// Attendance methods.
const (
	AttendCode   AttendanceMethod = "code"   // 扫码/输码签到: the member typed the room's code
	AttendMarked AttendanceMethod = "marked" // 秘书登记: the secretary marked them present
)

// Attendance is one member's presence at a meeting in session (出席 / 签到),
// once per member and meeting.
type Attendance struct {
	ID         uint64 `gorm:"primaryKey"`
	MeetingID  uint64
	AccountID  uint64
	Method     AttendanceMethod
	MarkedByID *uint64
	CreatedAt  time.Time

	Account Account `gorm:"foreignKey:AccountID"`
}

// TableName keeps the table's name plural in English.
func (Attendance) TableName() string { return "attendances" }

// AttendanceCodeLen is the number of digits of an attendance code.
const AttendanceCodeLen = 6

// NewAttendanceCode draws a random code of AttendanceCodeLen digits.
func NewAttendanceCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// NormalizeCode strips the spaces and dashes people type into a code, and
// turns full-width digits into ASCII ones.
func NormalizeCode(code string) string {
	var b strings.Builder
	for _, r := range code {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case r == ' ' || r == '-' || r == '\u3000':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Quorum is the live count of a meeting in session (到会情况): voting
// members, those of them present, and whether that makes a quorum.
type Quorum struct {
	Members int
	Present int
	Need    int // voting members needed for a quorum
	Met     bool
}

// QuorumOf counts the quorum of a council's members given who is present:
// guests are counted neither among members nor among those present.
func QuorumOf(r CouncilRules, members []CouncilMember, present map[uint64]bool) Quorum {
	q := Quorum{Members: VotingMembers(members)}
	for _, m := range members {
		if m.Role.Votes() && present[m.AccountID] {
			q.Present++
		}
	}
	q.Met = r.QuorumMet(q.Members, q.Present)
	q.Need = r.Quorum.Least(q.Members)
	return q
}

// MotionStatus is where a motion stands (表决事项状态).
type MotionStatus string

// Motion states.
const (
	MotionDraft     MotionStatus = "draft"     // 待表决
	MotionVoting    MotionStatus = "voting"    // 表决中
	MotionAdopted   MotionStatus = "adopted"   // 通过
	MotionRejected  MotionStatus = "rejected"  // 未通过
	MotionWithdrawn MotionStatus = "withdrawn" // 撤回
)

// MotionStatuses lists every motion state.
var MotionStatuses = []MotionStatus{MotionDraft, MotionVoting, MotionAdopted, MotionRejected, MotionWithdrawn}

// Final reports whether nothing more can happen to a motion in status s.
func (s MotionStatus) Final() bool {
	return s == MotionAdopted || s == MotionRejected || s == MotionWithdrawn
}

// MotionAction is a step the convener takes on a motion (表决程序).
type MotionAction string

// Motion actions.
const (
	MotionActOpen     MotionAction = "open"     // 开始表决
	MotionActClose    MotionAction = "close"    // 结束表决 and count
	MotionActWithdraw MotionAction = "withdraw" // 撤回
)

// MotionActions lists every motion action.
var MotionActions = []MotionAction{MotionActOpen, MotionActClose, MotionActWithdraw}

// MotionTransition tells the status action a leads to from status from, or
// ok=false. Closing leads by the outcome of the vote: passed adopts the
// motion, failed rejects it, and without a quorum nothing is decided, so
// the motion waits, as a draft, to be voted on again.
func MotionTransition(from MotionStatus, a MotionAction, outcome Outcome) (MotionStatus, bool) {
	switch {
	case a == MotionActOpen && from == MotionDraft:
		return MotionVoting, true
	case a == MotionActClose && from == MotionVoting:
		switch outcome {
		case OutcomePassed:
			return MotionAdopted, true
		case OutcomeNoQuorum:
			return MotionDraft, true
		}
		return MotionRejected, true
	case a == MotionActWithdraw && (from == MotionDraft || from == MotionVoting):
		return MotionWithdrawn, true
	}
	return from, false
}

// MotionChoice is one member's vote on a motion (表决意见).
type MotionChoice string

// Motion choices.
const (
	ChoiceFor     MotionChoice = "for"     // 同意
	ChoiceAgainst MotionChoice = "against" // 反对
	ChoiceAbstain MotionChoice = "abstain" // 弃权
)

// MotionChoices lists the choices in the order the buttons show.
var MotionChoices = []MotionChoice{ChoiceFor, ChoiceAgainst, ChoiceAbstain}

// Valid reports whether c is a known choice.
func (c MotionChoice) Valid() bool { return c == ChoiceFor || c == ChoiceAgainst || c == ChoiceAbstain }

// Motion is a matter put to the vote at a meeting, on one agenda item
// (表决事项). While voting, members vote on their phones, or the secretary
// records a show of hands (举手表决) instead; closing the vote fixes the
// tally and the outcome by the council's pass rule.
type Motion struct {
	ID           uint64 `gorm:"primaryKey"`
	MeetingID    uint64
	AgendaItemID uint64
	Text         string
	Status       MotionStatus
	// The tally: counted votes, or the show of hands when ByHands. While
	// voting only a show of hands is kept here; phone votes are counted
	// from motion_votes.
	For     int `gorm:"column:votes_for"`
	Against int `gorm:"column:votes_against"`
	Abstain int `gorm:"column:votes_abstain"`
	ByHands bool
	// HandsByID is who entered the show of hands.
	HandsByID *uint64
	// Members and Present are the voting members and those of them
	// present when the vote closed; Outcome what the rule made of it.
	Members     int
	Present     int
	Outcome     Outcome
	CreatedByID uint64
	OpenedAt    *time.Time
	ClosedAt    *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Tally is the motion's count as a show of hands.
func (m Motion) Tally() Hands { return Hands{For: m.For, Against: m.Against, Abstain: m.Abstain} }

// Undecided reports whether the motion's last vote closed without a quorum
// (未达法定人数, 未形成决定): nothing was decided and it may be voted on
// again. Until then its tally, Members and Present are what that vote
// counted.
func (m Motion) Undecided() bool { return undecided(m.Status, m.Outcome) }

func undecided(s MotionStatus, o Outcome) bool { return s == MotionDraft && o == OutcomeNoQuorum }

// MotionVote is one member's vote on a motion (成员表决票), once per member
// and motion: a unique constraint on (motion_id, account_id) backs the rule.
type MotionVote struct {
	ID        uint64 `gorm:"primaryKey"`
	MotionID  uint64
	AccountID uint64
	Choice    MotionChoice
	CreatedAt time.Time
}

// MotionInput is the text of a motion the convener puts (表决事项内容).
type MotionInput struct {
	AgendaItemID uint64
	Text         string
}

// Validate checks a motion before it is put.
func (in *MotionInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Text = strings.TrimSpace(in.Text)
	if in.AgendaItemID == 0 {
		fe.Add("item_id", "err.required")
	}
	fe.Text("text", in.Text, 4, 500)
	return fe
}

// ValidateHands checks a show of hands: no negative counts, and no more
// hands than voting members present.
func ValidateHands(h Hands, present int) FieldErrors {
	fe := FieldErrors{}
	for k, n := range map[string]int{"for": h.For, "against": h.Against, "abstain": h.Abstain} {
		if n < 0 {
			fe.Add(k, "err.number_invalid")
		}
	}
	if len(fe) == 0 && h.For+h.Against+h.Abstain > present {
		fe.Add("hands", "err.hands_exceed_present")
	}
	return fe
}

// OpenEarly is how long before its announced time a meeting may be opened
// (宣布开会): members gather a little early, but a meeting is never held
// days before the time they were given. err.meeting_too_early says so.
const OpenEarly = 30 * time.Minute

// CheckOpen applies the rule for opening meeting m at now: it is
// announced, and its time is at most OpenEarly away.
func CheckOpen(m Meeting, now time.Time) error {
	if _, ok := MeetingTransition(m.Status, MeetingActOpen); !ok {
		return ErrMeetingStep
	}
	if now.Before(m.StartsAt.Add(-OpenEarly)) {
		return ErrMeetingTooEarly
	}
	return nil
}

// Domain errors of meetings in session.
var (
	ErrMeetingTooEarly  = &Error{Code: "err.meeting_too_early"}
	ErrMotionStep       = &Error{Code: "err.motion_step_not_allowed"}
	ErrMotionVoted      = &Error{Code: "err.motion_already_voted"}
	ErrNotPresent       = &Error{Code: "err.not_present"}
	ErrNoVote           = &Error{Code: "err.no_vote"}
	ErrAlreadyPresent   = &Error{Code: "err.already_present"}
	ErrAnotherVoting    = &Error{Code: "err.another_motion_voting"}
	ErrMotionsVoting    = &Error{Code: "err.motions_still_voting"}
	ErrHandsRecorded    = &Error{Code: "err.hands_recorded"}
	ErrNotCouncilMember = &Error{Code: "err.not_council_member"}
	// ErrCheckInLocked: the member entered MaxCheckInFailures wrong codes
	// at this meeting and may sign in only by being marked present.
	ErrCheckInLocked = &Error{Code: "err.checkin_locked"}
)

// MaxCheckInFailures is how many wrong attendance codes a member may enter
// while a meeting is in session. A code has a million values: the limit
// keeps someone away from the room from guessing it by script and being
// counted present; once it is reached, only those who run the council can
// mark the member present (MarkPresent).
const MaxCheckInFailures = 5

// CheckMotionVote applies the rule for a member's vote: the meeting is in
// session, the motion open for votes without a show of hands recorded, the
// member votes (guests do not), is present and has not voted.
func CheckMotionVote(meeting MeetingStatus, m Motion, role MemberRole, present, voted bool, c MotionChoice) error {
	switch {
	case !c.Valid():
		return FieldErrors{"choice": "err.invalid_choice"}
	case meeting != MeetingInSession || m.Status != MotionVoting:
		return ErrMotionStep
	case m.ByHands:
		return ErrHandsRecorded
	case !role.Votes():
		return ErrNoVote
	case !present:
		return ErrNotPresent
	case voted:
		return ErrMotionVoted
	}
	return nil
}

// TakesMotions reports whether a meeting in status s takes new motions:
// once announced and while in session.
func TakesMotions(s MeetingStatus) bool { return s == MeetingAnnounced || s == MeetingInSession }

// MotionStepOpen reports whether step a may be taken on the motions of a
// meeting in status s: opening and closing a vote only in session,
// withdrawing also before the meeting opens.
func MotionStepOpen(s MeetingStatus, a MotionAction) bool {
	if a == MotionActWithdraw {
		return TakesMotions(s)
	}
	return s == MeetingInSession
}

// Opened reports whether a meeting in status s has sat: its attendance and
// its motions' tallies are shown.
func (s MeetingStatus) Opened() bool { return s == MeetingInSession || s == MeetingClosed }

// May reports whether the viewer may take step a on the meeting now: they
// run the council and the step leads somewhere from its status.
func (v MeetingView) May(a MeetingAction) bool {
	_, ok := MeetingTransition(v.Status, a)
	return v.Council.Run && ok
}

// MayEdit reports whether the viewer may change the meeting's draft.
func (v MeetingView) MayEdit() bool { return v.Council.Run && v.Status.Editable() }

// MayResearch reports whether the viewer may attach research now.
func (v MeetingView) MayResearch() bool {
	return (v.Council.Run || v.Council.MyRole.Votes()) && v.Status.TakesResearch()
}

// MayAddMotion reports whether the viewer may put a motion now.
func (v MeetingView) MayAddMotion() bool { return v.Council.Run && TakesMotions(v.Status) }

// MayCheckIn reports whether the viewer is a member still to sign in to
// the meeting in session.
func (v MeetingView) MayCheckIn() bool {
	return v.Status == MeetingInSession && v.Council.MyRole != "" && !v.Present
}

// MayMotion reports whether the viewer may take step a on motion m now:
// they run the council, the meeting's status allows the step and it leads
// somewhere from the motion's status.
func (v MeetingView) MayMotion(m Motion, a MotionAction) bool {
	_, ok := MotionTransition(m.Status, a, OutcomePassed)
	return v.Council.Run && MotionStepOpen(v.Status, a) && ok
}
