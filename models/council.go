package models

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CouncilKind is what kind of deliberative body a council is (议事组织类型).
type CouncilKind string

// Council kinds. Staff name "other" councils themselves.
const (
	CouncilResidents     CouncilKind = "residents"      // 居民议事会
	CouncilBuilding      CouncilKind = "building"       // 楼栋议事会
	CouncilJoint         CouncilKind = "joint"          // 物居业三方联席会议
	CouncilVillageReps   CouncilKind = "village_reps"   // 村民代表会议
	CouncilTwoCommittees CouncilKind = "two_committees" // 两委
	CouncilPartyAssembly CouncilKind = "party_assembly" // 党员大会
	CouncilOther         CouncilKind = "other"          // 其他 (named by staff)
)

// CouncilKinds lists every kind, in the order the form offers them.
var CouncilKinds = []CouncilKind{CouncilResidents, CouncilBuilding, CouncilJoint, CouncilVillageReps, CouncilTwoCommittees, CouncilPartyAssembly, CouncilOther}

// Valid reports whether k is a known kind.
func (k CouncilKind) Valid() bool {
	for _, x := range CouncilKinds {
		if x == k {
			return true
		}
	}
	return false
}

// PassRule is how many votes for a motion carry it (表决通过规则).
type PassRule string

// Pass rules.
const (
	PassMajorityOfMembers PassRule = "majority_members" // 超过全体成员半数
	PassMajorityOfPresent PassRule = "majority_present" // 超过到会成员半数
	PassTwoThirds         PassRule = "two_thirds"       // 全体成员三分之二以上 (exactly two thirds passes)
)

// PassRules lists every pass rule.
var PassRules = []PassRule{PassMajorityOfMembers, PassMajorityOfPresent, PassTwoThirds}

// Valid reports whether r is a known pass rule.
func (r PassRule) Valid() bool {
	return r == PassMajorityOfMembers || r == PassMajorityOfPresent || r == PassTwoThirds
}

// Fraction is a share of voting members, such as 2/3 (三分之二). A share is
// reached at or above it (…以上) unless Over asks for more than it
// (超过…, as in 过半数: more than half, which a council of 10 reaches with 6,
// where "at least half" takes 5).
type Fraction struct {
	Num, Den int
	Over     bool `json:",omitempty"`
}

// String spells f as the rules form sends it: "2/3", or ">1/2" when Over.
func (f Fraction) String() string {
	s := strconv.Itoa(f.Num) + "/" + strconv.Itoa(f.Den)
	if f.Over {
		return ">" + s
	}
	return s
}

// ParseFraction reads what String writes; anything else is the zero
// Fraction, which no rule accepts.
func ParseFraction(v string) Fraction {
	var f Fraction
	rest, over := strings.CutPrefix(strings.TrimSpace(v), ">")
	num, den, ok := strings.Cut(rest, "/")
	if !ok {
		return Fraction{}
	}
	var err1, err2 error
	f.Num, err1 = strconv.Atoi(num)
	f.Den, err2 = strconv.Atoi(den)
	if err1 != nil || err2 != nil {
		return Fraction{}
	}
	f.Over = over
	return f
}

// ReachedBy reports whether n of total reach the share f.
func (f Fraction) ReachedBy(n, total int) bool {
	if f.Over {
		return n*f.Den > f.Num*total
	}
	return n*f.Den >= f.Num*total
}

// Least is the smallest count of total that reaches f.
func (f Fraction) Least(total int) int {
	if f.Den <= 0 {
		return 0
	}
	if f.Over {
		return f.Num*total/f.Den + 1
	}
	return (f.Num*total + f.Den - 1) / f.Den
}

// QuorumChoices are the quorums the rules form offers: more than half
// (过半数, as villagers' assemblies require) and shares reached at or above
// (…以上).
var QuorumChoices = []Fraction{{Num: 1, Den: 2}, {Num: 1, Den: 2, Over: true}, {Num: 3, Den: 5}, {Num: 2, Den: 3}, {Num: 3, Den: 4}, {Num: 4, Den: 5}}

// CouncilRules are a council's procedural rules (议事规则), set per council because
// local charters differ: the quorum as a share of voting members (at least
// that share, or more than it, must be present; see Fraction), the pass
// rule, and the days of notice before a meeting.
type CouncilRules struct {
	Quorum     Fraction
	Pass       PassRule
	NoticeDays int
}

// DefaultCouncilRules are what a new council starts with: quorum two
// thirds, more than half of members, three days' notice.
var DefaultCouncilRules = CouncilRules{Quorum: Fraction{Num: 2, Den: 3}, Pass: PassMajorityOfMembers, NoticeDays: 3}

// RulesFor are the rules a new council of kind k starts with: the statutory
// ones for a villagers' representatives' meeting (村民代表会议: two thirds
// present, more than half of those present carry a motion), the defaults
// for any other. Staff change them to the local charter's.
func RulesFor(k CouncilKind) CouncilRules {
	if k == CouncilVillageReps {
		return CouncilRules{Quorum: Fraction{Num: 2, Den: 3}, Pass: PassMajorityOfPresent, NoticeDays: DefaultCouncilRules.NoticeDays}
	}
	return DefaultCouncilRules
}

// MaxNoticeDays bounds a council's notice period.
const MaxNoticeDays = 30

// Validate checks rules staff set.
func (r CouncilRules) Validate() FieldErrors {
	fe := FieldErrors{}
	ok := false
	for _, q := range QuorumChoices {
		ok = ok || q == r.Quorum
	}
	if !ok {
		fe.Add("quorum", "err.invalid_choice")
	}
	if !r.Pass.Valid() {
		fe.Add("pass_rule", "err.invalid_choice")
	}
	if r.NoticeDays < 0 || r.NoticeDays > MaxNoticeDays {
		fe.Add("notice_days", "err.notice_days_invalid")
	}
	return fe
}

// QuorumMet reports whether present voting members make a quorum of
// members voting members: present ≥ quorum × members, or present > quorum ×
// members when the quorum is Over. A council without voting members never
// has a quorum.
func (r CouncilRules) QuorumMet(members, present int) bool {
	if members <= 0 || r.Quorum.Den <= 0 {
		return false
	}
	return r.Quorum.ReachedBy(present, members)
}

// Hands is the count of a show of hands (举手表决) on one motion. Abstentions are
// counted but never carry a motion: under "more than half of those
// present" they weigh as much as a vote against.
type Hands struct{ For, Against, Abstain int }

// Outcome is what a vote on a motion comes to (表决结果).
type Outcome string

// Outcomes of a vote.
const (
	OutcomeNoQuorum Outcome = "no_quorum" // too few voting members present: no decision
	OutcomePassed   Outcome = "passed"
	OutcomeFailed   Outcome = "failed"
)

// Decide applies the rules to a tally: members is the number of voting
// members (guests excluded), present those of them present. Without a
// quorum nothing is decided.
func (r CouncilRules) Decide(members, present int, t Hands) Outcome {
	if !r.QuorumMet(members, present) {
		return OutcomeNoQuorum
	}
	var carried bool
	switch r.Pass {
	case PassMajorityOfMembers:
		carried = t.For*2 > members
	case PassMajorityOfPresent:
		carried = t.For*2 > present
	case PassTwoThirds:
		carried = t.For*3 >= members*2
	}
	if carried {
		return OutcomePassed
	}
	return OutcomeFailed
}

// MemberRole is the part a person plays in a council (成员身份).
type MemberRole string

// Member roles.
const (
	MemberConvener  MemberRole = "convener"  // 召集人
	MemberSecretary MemberRole = "secretary" // 秘书 / 记录人
	MemberRegular   MemberRole = "member"    // 成员
	MemberGuest     MemberRole = "guest"     // 列席 (invited, no vote)
)

// MemberRoles lists every member role.
var MemberRoles = []MemberRole{MemberConvener, MemberSecretary, MemberRegular, MemberGuest}

// Valid reports whether r is a known member role.
func (r MemberRole) Valid() bool {
	return r == MemberConvener || r == MemberSecretary || r == MemberRegular || r == MemberGuest
}

// Votes reports whether a member in role r votes (guests do not).
func (r MemberRole) Votes() bool { return r.Valid() && r != MemberGuest }

// Runs reports whether a member in role r runs the council's business:
// accepts topics, drafts meetings and their agendas, announces them.
func (r MemberRole) Runs() bool { return r == MemberConvener || r == MemberSecretary }

// VotingMembers counts the members who vote.
func VotingMembers(ms []CouncilMember) int {
	n := 0
	for _, m := range ms {
		if m.Role.Votes() {
			n++
		}
	}
	return n
}

// Council is a deliberative body at a place (议事会 / 协商议事委员会): a
// residents' council, a building council, the three-party joint meeting, a
// village's representatives' meeting, 两委 or 党员大会, with its own rules.
type Council struct {
	ID         uint64 `gorm:"primaryKey"`
	PlaceID    uint64
	Kind       CouncilKind
	Name       string
	QuorumNum  int
	QuorumDen  int
	QuorumOver bool // the quorum is more than QuorumNum/QuorumDen (see Fraction)
	PassRule   PassRule
	NoticeDays int
	CreatedAt  time.Time
	UpdatedAt  time.Time

	Place Place `gorm:"foreignKey:PlaceID"`
}

// Rules returns the council's rules.
func (c Council) Rules() CouncilRules {
	return CouncilRules{Quorum: Fraction{Num: c.QuorumNum, Den: c.QuorumDen, Over: c.QuorumOver}, Pass: c.PassRule, NoticeDays: c.NoticeDays}
}

// CouncilInput is what staff enter to set up a council (设立议事会).
type CouncilInput struct {
	PlaceID uint64
	Kind    CouncilKind
	Name    string
}

// Validate checks a new council.
func (in *CouncilInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	if in.PlaceID == 0 {
		fe.Add("place_id", "err.required")
	}
	if !in.Kind.Valid() {
		fe.Add("kind", "err.invalid_choice")
	}
	fe.Text("name", in.Name, 0, 60)
	return fe
}

// CouncilMember is a person's seat on a council (议事会成员), with their
// role in it.
type CouncilMember struct {
	ID        uint64 `gorm:"primaryKey"`
	CouncilID uint64
	AccountID uint64
	Role      MemberRole
	CreatedAt time.Time

	Account Account `gorm:"foreignKey:AccountID"`
}

// TopicStatus is where a topic (议题) stands (议题状态).
type TopicStatus string

// Topic states. Later steps (deliberated, resolved, implemented) follow the
// meeting in a later part.
const (
	TopicSubmitted TopicStatus = "submitted" // 待审: submitted, open for co-signing
	TopicAccepted  TopicStatus = "accepted"  // 已采纳: accepted for an agenda
	TopicMerged    TopicStatus = "merged"    // 已合并: merged into another topic
	TopicDeclined  TopicStatus = "declined"  // 不予采纳: declined with a reason
)

// TopicStatuses lists every topic state.
var TopicStatuses = []TopicStatus{TopicSubmitted, TopicAccepted, TopicMerged, TopicDeclined}

// Final reports whether nothing more can happen to a topic in status s.
func (s TopicStatus) Final() bool { return s == TopicMerged || s == TopicDeclined }

// TopicAction is a step the convener takes on a topic (议题审议).
type TopicAction string

// Topic actions.
const (
	TopicActAccept  TopicAction = "accept"  // 采纳, for an agenda
	TopicActMerge   TopicAction = "merge"   // 合并 into another topic
	TopicActDecline TopicAction = "decline" // 不予采纳, with a reason
)

// TopicActions lists the convener's steps in the order buttons show.
var TopicActions = []TopicAction{TopicActAccept, TopicActMerge, TopicActDecline}

// TopicTransition tells the status action a leads to from status from, or
// ok=false when the step is not allowed. Accepted topics can still be
// merged or declined until they are on an announced agenda (the store
// checks that).
func TopicTransition(from TopicStatus, a TopicAction) (TopicStatus, bool) {
	switch {
	case a == TopicActAccept && from == TopicSubmitted:
		return TopicAccepted, true
	case a == TopicActMerge && (from == TopicSubmitted || from == TopicAccepted):
		return TopicMerged, true
	case a == TopicActDecline && (from == TopicSubmitted || from == TopicAccepted):
		return TopicDeclined, true
	}
	return from, false
}

// TakesCosigns reports whether a topic in status s may still be co-signed.
func (s TopicStatus) TakesCosigns() bool { return s == TopicSubmitted || s == TopicAccepted }

// Topic is a matter put to a council in writing (议题), signed by its
// proposer and co-signed (联署) by neighbours. It may come from a need
// (需求) on the needs list, whose link it keeps.
type Topic struct {
	ID           uint64 `gorm:"primaryKey"`
	CouncilID    uint64
	ProposerID   uint64
	Title        string
	Body         string
	NeedID       *uint64
	Status       TopicStatus
	Reason       string // why it was declined
	MergedIntoID *uint64
	Cosigners    int
	DecidedAt    *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time

	Proposer Account `gorm:"foreignKey:ProposerID"`
}

// TopicInput is what a proposer writes (书面提议).
type TopicInput struct {
	Title  string
	Body   string
	NeedID uint64
}

// Validate checks a topic before it is submitted.
func (in *TopicInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	fe.Text("title", in.Title, 4, 80)
	fe.Text("body", in.Body, 10, 5000)
	return fe
}

// TopicCosign is one neighbour's co-signature on a topic (联署), once each.
type TopicCosign struct {
	TopicID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	AccountID uint64 `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt time.Time
}

// MeetingStatus is where a council meeting (会议) stands (会议状态).
type MeetingStatus string

// Meeting states.
const (
	MeetingDraft     MeetingStatus = "draft"      // 草拟: the convener prepares it
	MeetingAnnounced MeetingStatus = "announced"  // 已公告: agenda published, members told
	MeetingInSession MeetingStatus = "in_session" // 进行中: members sign in, motions are voted
	MeetingClosed    MeetingStatus = "closed"     // 已结束
	MeetingCancelled MeetingStatus = "cancelled"  // 已取消, with a reason
)

// MeetingStatuses lists every meeting state.
var MeetingStatuses = []MeetingStatus{MeetingDraft, MeetingAnnounced, MeetingInSession, MeetingClosed, MeetingCancelled}

// MeetingAction is a step on a meeting (会议流程).
type MeetingAction string

// Meeting actions.
const (
	MeetingActAnnounce MeetingAction = "announce" // 发布会议公告
	MeetingActOpen     MeetingAction = "open"     // 宣布开会: attendance opens
	MeetingActClose    MeetingAction = "close"    // 宣布散会
	// MeetingActPostpone moves an announced meeting to a later time (延期),
	// with a reason; the announcement stands and the change is published.
	MeetingActPostpone MeetingAction = "postpone"
	// MeetingActCancel calls off a meeting before it opens (取消), with a
	// reason; its agenda's topics are free for another meeting.
	MeetingActCancel MeetingAction = "cancel"
)

// MeetingActions lists every meeting action.
var MeetingActions = []MeetingAction{MeetingActAnnounce, MeetingActOpen, MeetingActClose, MeetingActPostpone, MeetingActCancel}

// MeetingTransition tells the status a step leads to, or ok=false.
func MeetingTransition(from MeetingStatus, a MeetingAction) (MeetingStatus, bool) {
	switch {
	case a == MeetingActAnnounce && from == MeetingDraft:
		return MeetingAnnounced, true
	case a == MeetingActOpen && from == MeetingAnnounced:
		return MeetingInSession, true
	case a == MeetingActClose && from == MeetingInSession:
		return MeetingClosed, true
	case a == MeetingActPostpone && from == MeetingAnnounced:
		return MeetingAnnounced, true
	case a == MeetingActCancel && (from == MeetingDraft || from == MeetingAnnounced):
		return MeetingCancelled, true
	}
	return from, false
}

// MaxChangeReason bounds the reason given to postpone or cancel a meeting.
const MaxChangeReason = 300

// CheckPostpone validates moving meeting m to starts at now: a reason, and
// a time in the future and later than the one announced, so that members
// have had at least the notice they were given.
func CheckPostpone(m Meeting, starts time.Time, reason string, now time.Time) FieldErrors {
	fe := checkReason(reason)
	switch {
	case starts.IsZero():
		fe.Add("starts_at", "err.required")
	case !starts.After(now):
		fe.Add("starts_at", "err.meeting_in_past")
	case !starts.After(m.StartsAt):
		fe.Add("starts_at", "err.postpone_earlier")
	}
	return fe
}

// CheckCancel validates the reason for calling a meeting off.
func CheckCancel(reason string) FieldErrors { return checkReason(reason) }

func checkReason(reason string) FieldErrors {
	fe := FieldErrors{}
	fe.Text("reason", strings.TrimSpace(reason), 0, MaxChangeReason)
	return fe
}

// Editable reports whether a meeting's time, place and agenda may change:
// only while it is a draft, since the announcement fixes them.
func (s MeetingStatus) Editable() bool { return s == MeetingDraft }

// LocksTopics reports whether a meeting in status s fixes the topics on
// its agenda, so that they are no longer merged or declined: once it is
// announced, and for good once held. A draft fixes nothing yet, and a
// cancelled meeting frees its topics.
func (s MeetingStatus) LocksTopics() bool {
	return s == MeetingAnnounced || s == MeetingInSession || s == MeetingClosed
}

// MeetingsHoldingTopics are the statuses of meetings whose agenda keeps a
// topic off another meeting's: those being prepared, announced or in
// session. A closed or cancelled meeting holds no topic back.
var MeetingsHoldingTopics = []MeetingStatus{MeetingDraft, MeetingAnnounced, MeetingInSession}

// TakesResearch reports whether pre-meeting research may be attached: until
// the meeting opens.
func (s MeetingStatus) TakesResearch() bool { return s == MeetingDraft || s == MeetingAnnounced }

// Meeting is a council meeting (会议): when and where, an optional online
// link, and its agenda. Announcing it publishes the agenda as a notice.
type Meeting struct {
	ID          uint64 `gorm:"primaryKey"`
	CouncilID   uint64
	Title       string
	StartsAt    time.Time
	Location    string
	OnlineURL   string
	Status      MeetingStatus
	NoticeID    *uint64
	AnnouncedAt *time.Time
	// AttendanceCode is the short code shown in the room while the meeting
	// is in session (签到码); members sign in with it.
	AttendanceCode string
	OpenedAt       *time.Time
	ClosedAt       *time.Time
	// PostponedFrom is the time first announced, once postponed; Reason
	// says why it was last postponed or why it was cancelled.
	PostponedFrom *time.Time
	CancelledAt   *time.Time
	ChangeReason  string
	CreatedByID   uint64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// MeetingInput is what the convener enters for a meeting (会议通知要素).
type MeetingInput struct {
	Title     string
	StartsAt  time.Time
	Location  string
	OnlineURL string
}

// Validate checks a meeting at now: it starts in the future, has a place,
// and its online link, if any, is an http(s) address.
func (in *MeetingInput) Validate(now time.Time) FieldErrors {
	fe := FieldErrors{}
	in.Title, in.Location, in.OnlineURL = strings.TrimSpace(in.Title), strings.TrimSpace(in.Location), strings.TrimSpace(in.OnlineURL)
	fe.Text("title", in.Title, 0, 80)
	if in.StartsAt.IsZero() {
		fe.Add("starts_at", "err.required")
	} else if !in.StartsAt.After(now) {
		fe.Add("starts_at", "err.meeting_in_past")
	}
	fe.Text("location", in.Location, 0, 120)
	if in.OnlineURL != "" {
		u, err := url.Parse(in.OnlineURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(in.OnlineURL) > 300 {
			fe.Add("online_url", "err.url_invalid")
		}
	}
	return fe
}

// Domain errors of councils.
var (
	ErrTopicStep      = &Error{Code: "err.topic_step_not_allowed"}
	ErrMeetingStep    = &Error{Code: "err.meeting_step_not_allowed"}
	ErrNoticeTooLate  = &Error{Code: "err.notice_too_late"}
	ErrAgendaEmpty    = &Error{Code: "err.agenda_empty"}
	ErrAlreadyCosign  = &Error{Code: "err.already_cosigned"}
	ErrNotPlaceMember = &Error{Code: "err.not_council_resident"}
	// ErrCouncilSitting: the council's members or rules were to change
	// while one of its meetings is in session, whose quorum and votes
	// they decide.
	ErrCouncilSitting = &Error{Code: "err.council_sitting"}
)

// CheckAnnounce applies the rule for announcing a meeting at now: it is a
// draft, its agenda is not empty, and it starts at least the council's
// notice days ahead.
func CheckAnnounce(m Meeting, items int, noticeDays int, now time.Time) error {
	if _, ok := MeetingTransition(m.Status, MeetingActAnnounce); !ok {
		return ErrMeetingStep
	}
	if items == 0 {
		return ErrAgendaEmpty
	}
	if m.StartsAt.Before(now.Add(time.Duration(noticeDays) * 24 * time.Hour)) {
		return ErrNoticeTooLate.With(noticeDays)
	}
	return nil
}

// Time boxes of agenda items, in minutes.
const (
	MinTimeBox     = 5
	MaxTimeBox     = 180
	DefaultTimeBox = 20
)

// ValidTimeBox reports whether minutes is an allowed time box.
func ValidTimeBox(minutes int) bool { return minutes >= MinTimeBox && minutes <= MaxTimeBox }

// AgendaItem is one topic on a meeting's agenda (议程), in order, with its
// time box. Motions (表决事项) on it come with in-meeting voting.
type AgendaItem struct {
	ID        uint64 `gorm:"primaryKey"`
	MeetingID uint64
	TopicID   uint64
	Position  int
	Minutes   int
	CreatedAt time.Time

	Topic Topic `gorm:"foreignKey:TopicID"`
}

// Research is one piece of pre-meeting research on an agenda item
// (商前调研): notes or a site visit, a cost estimate in fen, how many
// residents were canvassed, and an optional file.
type Research struct {
	ID           uint64 `gorm:"primaryKey"`
	AgendaItemID uint64
	AuthorID     uint64
	Note         string
	CostFen      int64
	Canvassed    int
	FileName     string
	FileType     string
	FileData     []byte
	FileSize     int
	CreatedAt    time.Time

	Author Account `gorm:"foreignKey:AuthorID"`
}

// ResearchInput is what a researcher enters (调研记录).
type ResearchInput struct {
	Note      string
	CostFen   int64
	Canvassed int
	FileName  string
	FileType  string
	FileData  []byte
}

// MaxResearchFile bounds an attached file.
const MaxResearchFile = 5 << 20

// researchTypes are the file types research accepts: documents, sheets and
// photos.
var researchTypes = map[string]bool{
	"application/pdf": true, "image/jpeg": true, "image/png": true, "text/plain": true,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": true,
}

// Validate checks research before it is attached.
func (in *ResearchInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Note = strings.TrimSpace(in.Note)
	fe.Text("note", in.Note, 0, 5000)
	if in.CostFen < 0 || in.CostFen > 100_000_000_00 {
		fe.Add("cost", "err.number_invalid")
	}
	if in.Canvassed < 0 || in.Canvassed > 100000 {
		fe.Add("canvassed", "err.number_invalid")
	}
	if len(in.FileData) > 0 {
		if len(in.FileData) > MaxResearchFile {
			fe.Add("file", "err.file_too_large")
		} else if !researchTypes[in.FileType] {
			fe.Add("file", "err.file_type")
		}
		if utf8.RuneCountInString(in.FileName) > 120 {
			in.FileName = string([]rune(in.FileName)[:120])
		}
	}
	return fe
}

// ProposerNameFor is the proposer's name as viewer sees it: whole to the
// proposer and to those who run the council (run), masked to anyone else.
func (t Topic) ProposerNameFor(viewer uint64, run bool) string {
	if run || (viewer != 0 && t.ProposerID == viewer) {
		return t.Proposer.Name
	}
	return MaskName(t.Proposer.Name)
}

// Next tells the status step a takes the topic to, or ok=false. A topic
// on an announced agenda is locked: it may still be accepted, but no
// longer merged or declined.
func (v TopicView) Next(a TopicAction) (TopicStatus, bool) {
	to, ok := TopicTransition(v.Status, a)
	return to, ok && (a == TopicActAccept || !v.Locked)
}

// May reports whether the viewer may take step a on the topic now: they
// run the council and the step leads somewhere.
func (v TopicView) May(a TopicAction) bool {
	_, ok := v.Next(a)
	return v.Council.Run && ok
}
