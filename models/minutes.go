package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MinutesStatus is where the minutes of a meeting (会议记录) stand.
type MinutesStatus string

// Minutes states. A meeting has no minutes ("") until they are started.
const (
	MinutesDraft     MinutesStatus = "draft"     // 草稿: the secretary writes
	MinutesFinal     MinutesStatus = "final"     // 已定稿: the text is fixed; amendments only
	MinutesSigned    MinutesStatus = "signed"    // 已签发: the convener signed it off
	MinutesPublished MinutesStatus = "published" // 已公示: on the public bulletin
)

// MinutesStatuses lists every state of minutes.
var MinutesStatuses = []MinutesStatus{MinutesDraft, MinutesFinal, MinutesSigned, MinutesPublished}

// Fixed reports whether the text of minutes in status s can no longer be
// edited, only amended with a reason.
func (s MinutesStatus) Fixed() bool {
	return s == MinutesFinal || s == MinutesSigned || s == MinutesPublished
}

// Public reports whether minutes in status s are for everyone who may see
// the council: signed off (and published). Until then only the council's
// members and staff read them.
func (s MinutesStatus) Public() bool { return s == MinutesSigned || s == MinutesPublished }

// MinutesAction is a step on the minutes (会议记录流程).
type MinutesAction string

// Minutes actions.
const (
	MinutesActStart    MinutesAction = "start"    // 生成草稿 from the closed meeting
	MinutesActEdit     MinutesAction = "edit"     // 修改草稿
	MinutesActFinalise MinutesAction = "finalise" // 定稿
	MinutesActReturn   MinutesAction = "return"   // 退回修改 (the convener, with a reason)
	MinutesActSign     MinutesAction = "sign"     // 签发 (the convener)
	MinutesActPublish  MinutesAction = "publish"  // 公示
	MinutesActAmend    MinutesAction = "amend"    // 更正 (with a reason)
)

// MinutesActions lists every step on minutes.
var MinutesActions = []MinutesAction{MinutesActStart, MinutesActEdit, MinutesActFinalise, MinutesActReturn, MinutesActSign, MinutesActPublish, MinutesActAmend}

// MinutesStanding is what a viewer is to a council, as far as its minutes
// go: their seat (if any) and whether they are staff who manage the
// council.
type MinutesStanding struct {
	Role   MemberRole
	Manage bool
}

// Runs reports whether the viewer writes the minutes: convener, secretary
// or managing staff.
func (w MinutesStanding) Runs() bool { return w.Manage || w.Role.Runs() }

// ReadsDrafts reports whether the viewer may read minutes before they are
// signed: the council's members (guests included) and managing staff.
func (w MinutesStanding) ReadsDrafts() bool { return w.Manage || w.Role.Valid() }

// may reports whether the viewer may take step a at all, whatever the
// status: the convener alone returns and signs; the convener or managing
// staff publish; those who run the council do the rest.
func (w MinutesStanding) may(a MinutesAction) bool {
	switch a {
	case MinutesActReturn, MinutesActSign:
		return w.Role == MemberConvener
	case MinutesActPublish:
		return w.Role == MemberConvener || w.Manage
	}
	return w.Runs()
}

// Domain errors of minutes.
var (
	ErrMinutesStep      = &Error{Code: "err.minutes_step_not_allowed"}
	ErrMinutesNotClosed = &Error{Code: "err.minutes_meeting_not_closed"}
	ErrMinutesFixed     = &Error{Code: "err.minutes_fixed"}
	// ErrMinutesConflict: the draft's texts changed after the editor
	// loaded them (someone else saved meanwhile); nothing was saved.
	ErrMinutesConflict = &Error{Code: "err.minutes_conflict"}
	// ErrMinutesAmendedMeanwhile: fixed minutes were amended after the
	// amending editor loaded them; nothing was amended.
	ErrMinutesAmendedMeanwhile = &Error{Code: "err.minutes_amended_meanwhile"}
)

// MinutesStep tells the status step a leads to from status from (""
// before the minutes are started) for a viewer of standing w at a meeting
// in status meeting. ErrForbidden when w may never take the step, else
// ErrMinutesNotClosed before the meeting closes, ErrMinutesFixed for an
// edit of a fixed text, ErrMinutesStep when the status does not allow it.
func MinutesStep(meeting MeetingStatus, from MinutesStatus, a MinutesAction, w MinutesStanding) (MinutesStatus, error) {
	if !w.may(a) {
		return from, ErrForbidden
	}
	if meeting != MeetingClosed {
		return from, ErrMinutesNotClosed
	}
	switch {
	case a == MinutesActStart && from == "":
		return MinutesDraft, nil
	case a == MinutesActEdit && from == MinutesDraft:
		return MinutesDraft, nil
	case a == MinutesActEdit && from.Fixed():
		return from, ErrMinutesFixed
	case a == MinutesActFinalise && from == MinutesDraft:
		return MinutesFinal, nil
	case a == MinutesActReturn && from == MinutesFinal:
		return MinutesDraft, nil
	case a == MinutesActSign && from == MinutesFinal:
		return MinutesSigned, nil
	case a == MinutesActPublish && from == MinutesSigned:
		return MinutesPublished, nil
	case a == MinutesActAmend && from.Fixed():
		return from, nil
	}
	return from, ErrMinutesStep
}

// Bounds of the texts of minutes.
const (
	MaxMinutesSummary = 10000
	MaxMinutesNote    = 5000
	MaxMinutesReason  = 500
	// DefaultMinutesPeriod is the publicity period (公示期) the publish form
	// offers, in days.
	DefaultMinutesPeriod = 7
)

// MinutesText is what the secretary writes into minutes: the discussion on
// each agenda item (by agenda item id) and a general summary.
type MinutesText struct {
	Summary string
	Notes   map[uint64]string
}

// Normalize trims the texts and drops empty notes.
func (t MinutesText) Normalize() MinutesText {
	out := MinutesText{Summary: strings.TrimSpace(t.Summary), Notes: map[uint64]string{}}
	for k, v := range t.Notes {
		if v = strings.TrimSpace(v); v != "" {
			out.Notes[k] = v
		}
	}
	return out
}

// Validate checks the texts against the record: notes only on its agenda
// items, none too long; with final, the summary is required (a record is
// not finalised without one).
func (t MinutesText) Validate(r MinutesRecord, final bool) FieldErrors {
	fe := FieldErrors{}
	switch n := utf8.RuneCountInString(t.Summary); {
	case n == 0 && final:
		fe.Add("summary", "err.minutes_summary_required")
	case n > MaxMinutesSummary:
		fe.Add("summary", "err.too_long")
	}
	for id, v := range t.Notes {
		if !r.HasItem(id) {
			fe.Add("notes", "err.invalid_choice")
			continue
		}
		if utf8.RuneCountInString(v) > MaxMinutesNote {
			fe.Add(NoteField(id), "err.too_long")
		}
	}
	return fe
}

// NoteField is the form field of the notes on agenda item id.
func NoteField(id uint64) string { return "note_" + strconv.FormatUint(id, 10) }

// ValidateMinutesReason checks the reason given for returning or amending
// minutes.
func ValidateMinutesReason(reason string) FieldErrors {
	fe := FieldErrors{}
	fe.Text("reason", strings.TrimSpace(reason), 4, MaxMinutesReason)
	return fe
}

// MinutesChange is one text an amendment changed: the summary ("summary")
// or the notes on an agenda item (its NoteField), before and after.
type MinutesChange struct {
	Field  string
	ItemID uint64 `json:",omitempty"`
	Before string
	After  string
}

// Diff lists the texts that differ from before to after, the summary
// first, then the notes in agenda order of r.
func Diff(r MinutesRecord, before, after MinutesText) []MinutesChange {
	var out []MinutesChange
	if before.Summary != after.Summary {
		out = append(out, MinutesChange{Field: "summary", Before: before.Summary, After: after.Summary})
	}
	for _, it := range r.Items {
		if b, a := before.Notes[it.ID], after.Notes[it.ID]; b != a {
			out = append(out, MinutesChange{Field: NoteField(it.ID), ItemID: it.ID, Before: b, After: a})
		}
	}
	return out
}

// CheckAmendment applies the rule for an amendment: a reason, and at least
// one text changed.
func CheckAmendment(r MinutesRecord, before, after MinutesText, reason string) ([]MinutesChange, error) {
	fe := ValidateMinutesReason(reason)
	for k, v := range after.Validate(r, true) {
		fe.Add(k, v)
	}
	changes := Diff(r, before, after)
	if len(changes) == 0 && fe["summary"] == "" {
		fe.Add("summary", "err.minutes_no_change")
	}
	return changes, fe.Err()
}

// MinutesPerson is someone named in the record: their name and seat, and
// for those present how and when they signed in.
type MinutesPerson struct {
	AccountID uint64
	Name      string
	Role      MemberRole
	Method    AttendanceMethod `json:",omitempty"`
	At        *time.Time       `json:",omitempty"`
}

// MinutesResearch is one piece of pre-meeting research as the record keeps
// it (the file by name only).
type MinutesResearch struct {
	Author    string
	Note      string
	CostFen   int64
	Canvassed int
	FileName  string `json:",omitempty"`
}

// MinutesItem is an agenda item as the record keeps it.
type MinutesItem struct {
	ID       uint64 // the agenda item
	TopicID  uint64
	Position int
	Title    string
	Minutes  int // its time box
	Research []MinutesResearch
}

// MinutesMotion is a motion and its vote as the record keeps it.
type MinutesMotion struct {
	ID           uint64
	AgendaItemID uint64
	Text         string
	Status       MotionStatus
	Outcome      Outcome `json:",omitempty"`
	For          int
	Against      int
	Abstain      int
	ByHands      bool
	Members      int
	Present      int
}

// Adopted reports whether the motion was adopted: a resolution (决议).
func (m MinutesMotion) Adopted() bool { return m.Status == MotionAdopted }

// Voted reports whether the motion came to a vote (not withdrawn, not left
// as a draft).
func (m MinutesMotion) Voted() bool { return m.Status == MotionAdopted || m.Status == MotionRejected }

// Undecided reports whether the motion was last voted on without a quorum
// and left undecided (Motion.Undecided); the record keeps that vote's
// tally.
func (m MinutesMotion) Undecided() bool { return undecided(m.Status, m.Outcome) }

// MinutesRecord is the snapshot of a closed meeting the minutes are
// prefilled from and keep (会议基本情况): later changes to the council, its
// members, the agenda or the research cannot alter it.
type MinutesRecord struct {
	Council    string
	CouncilID  uint64
	Place      string
	Meeting    string
	StartsAt   time.Time
	OpenedAt   *time.Time
	ClosedAt   *time.Time
	Location   string
	OnlineURL  string `json:",omitempty"`
	Quorum     Fraction
	Pass       PassRule
	Convener   string
	Secretary  string
	Present    []MinutesPerson // voting members present, in the order they signed in
	Absent     []MinutesPerson // voting members absent
	Guests     []MinutesPerson // guests present (列席)
	Count      Quorum
	Items      []MinutesItem
	Motions    []MinutesMotion
	SnapshotAt time.Time
}

// HasItem reports whether id is one of the record's agenda items.
func (r MinutesRecord) HasItem(id uint64) bool {
	for _, it := range r.Items {
		if it.ID == id {
			return true
		}
	}
	return false
}

// Resolutions are the adopted motions (决议), in agenda order.
func (r MinutesRecord) Resolutions() []MinutesMotion {
	var out []MinutesMotion
	for _, m := range r.Motions {
		if m.Adopted() {
			out = append(out, m)
		}
	}
	return out
}

// MotionsOn are the motions put on agenda item id.
func (r MinutesRecord) MotionsOn(id uint64) []MinutesMotion {
	var out []MinutesMotion
	for _, m := range r.Motions {
		if m.AgendaItemID == id {
			out = append(out, m)
		}
	}
	return out
}

// NewMinutesRecord takes the snapshot of a closed meeting as v shows it,
// at now, with place the label of the council's place.
func NewMinutesRecord(v MeetingView, place string, now time.Time) MinutesRecord {
	r := MinutesRecord{Council: v.Council.Name, CouncilID: v.CouncilID, Place: place, Meeting: v.Title, StartsAt: v.StartsAt,
		OpenedAt: v.OpenedAt, ClosedAt: v.ClosedAt, Location: v.Location, OnlineURL: v.OnlineURL, Quorum: v.Council.Rules().Quorum,
		Pass: v.Council.PassRule, Count: v.Quorum, SnapshotAt: now}
	seen := map[uint64]Attendance{}
	for _, a := range v.Attendance {
		seen[a.AccountID] = a
	}
	for _, m := range v.Council.Members {
		switch m.Role {
		case MemberConvener:
			r.Convener = joinName(r.Convener, m.Account.Name)
		case MemberSecretary:
			r.Secretary = joinName(r.Secretary, m.Account.Name)
		}
		pp := MinutesPerson{AccountID: m.AccountID, Name: m.Account.Name, Role: m.Role}
		a, here := seen[m.AccountID]
		if here {
			at := a.CreatedAt
			pp.Method, pp.At = a.Method, &at
		}
		switch {
		case !m.Role.Votes() && here:
			r.Guests = append(r.Guests, pp)
		case !m.Role.Votes():
		case here:
			r.Present = append(r.Present, pp)
		default:
			r.Absent = append(r.Absent, pp)
		}
	}
	sort.SliceStable(r.Present, func(i, j int) bool { return r.Present[i].At.Before(*r.Present[j].At) })
	for _, it := range v.Items {
		mi := MinutesItem{ID: it.ID, TopicID: it.TopicID, Position: it.Position, Title: it.Topic.Title, Minutes: it.Minutes}
		for _, rs := range v.Research[it.ID] {
			mi.Research = append(mi.Research, MinutesResearch{Author: rs.Author.Name, Note: rs.Note, CostFen: rs.CostFen, Canvassed: rs.Canvassed, FileName: rs.FileName})
		}
		r.Items = append(r.Items, mi)
	}
	for _, m := range v.Motions {
		r.Motions = append(r.Motions, MinutesMotion{ID: m.ID, AgendaItemID: m.AgendaItemID, Text: m.Text, Status: m.Status, Outcome: m.Outcome,
			For: m.For, Against: m.Against, Abstain: m.Abstain, ByHands: m.ByHands, Members: m.Members, Present: m.Present})
	}
	return r
}

func joinName(a, b string) string {
	if a == "" {
		return b
	}
	return a + "、" + b
}

// Minutes are the record of a closed meeting (会议记录): the snapshot taken
// when they were started, the secretary's texts, and who finalised, signed
// off and published them when.
type Minutes struct {
	ID            uint64 `gorm:"primaryKey"`
	MeetingID     uint64
	Status        MinutesStatus
	Snapshot      string // the MinutesRecord, JSON
	Summary       string
	Notes         string // the notes by agenda item, JSON
	ReturnReason  string // why the convener last sent it back to draft
	CreatedByID   uint64
	FinalisedByID *uint64
	FinalisedAt   *time.Time
	SignedByID    *uint64
	SignedAt      *time.Time
	PublishedByID *uint64
	PublishedAt   *time.Time
	NoticeID      *uint64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName keeps the table's name as it is.
func (Minutes) TableName() string { return "minutes" }

// Version names the texts saved in the minutes: the edit form carries it,
// and a save from a form whose version is no longer the saved one is
// refused (ErrMinutesConflict) instead of silently overwriting what
// someone else saved meanwhile; the amend form carries it too
// (ErrMinutesAmendedMeanwhile). It is taken from the texts themselves, not
// from a clock, so two saves within one clock tick are told apart too.
func (m Minutes) Version() string {
	h := sha256.New()
	h.Write([]byte(m.Summary))
	h.Write([]byte{0})
	h.Write([]byte(m.Notes))
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Record decodes the snapshot.
func (m Minutes) Record() (MinutesRecord, error) {
	var r MinutesRecord
	err := json.Unmarshal([]byte(m.Snapshot), &r)
	return r, err
}

// Text decodes the secretary's texts.
func (m Minutes) Text() (MinutesText, error) {
	t := MinutesText{Summary: m.Summary, Notes: map[uint64]string{}}
	if m.Notes == "" {
		return t, nil
	}
	var raw map[string]string
	if err := json.Unmarshal([]byte(m.Notes), &raw); err != nil {
		return t, err
	}
	for k, v := range raw {
		id, err := strconv.ParseUint(k, 10, 64)
		if err != nil {
			return t, err
		}
		t.Notes[id] = v
	}
	return t, nil
}

// encodeNotes writes notes by agenda item as JSON with string keys.
func encodeNotes(notes map[uint64]string) string {
	raw := make(map[string]string, len(notes))
	for k, v := range notes {
		raw[strconv.FormatUint(k, 10)] = v
	}
	b, _ := json.Marshal(raw) // a map of strings always encodes
	return string(b)
}

// MeetingRecord is a meeting as it stood when it was closed (散会时的会议
// 记录): its members and their roles, the council's rules, who was present,
// the agenda with its research and the motions with their results, as the
// JSON of a MinutesRecord. Its minutes start from it, so a change to the
// council after the close (a member leaving, new rules) does not alter
// what the minutes say of the meeting.
type MeetingRecord struct {
	MeetingID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Record    string
	CreatedAt time.Time
}

// TableName keeps the table's name as it is.
func (MeetingRecord) TableName() string { return "meeting_records" }

// MinutesAmendment is one amendment of fixed minutes (更正记录): who made
// it, when, why, and the texts it changed, before and after. The previous
// text is kept here, never overwritten without a trace.
type MinutesAmendment struct {
	ID        uint64 `gorm:"primaryKey"`
	MinutesID uint64
	AuthorID  uint64
	Reason    string
	Changes   string // []MinutesChange, JSON
	NoticeID  *uint64
	CreatedAt time.Time

	Author Account `gorm:"foreignKey:AuthorID"`
}

// ChangeList decodes the changes.
func (a MinutesAmendment) ChangeList() []MinutesChange {
	var out []MinutesChange
	_ = json.Unmarshal([]byte(a.Changes), &out) // written by the store only
	return out
}
