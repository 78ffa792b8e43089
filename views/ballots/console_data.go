package ballots

import (
	"yishi/models"
	"yishi/views/components"
)

// ConsoleListData is the staff list of ballots.
type ConsoleListData struct {
	Items   []Card
	Status  string
	Base    string
	Page    int
	PerPage int
	Total   int64
}

// FormData is the ballot definition form.
type FormData struct {
	ID          uint64 // 0 for a new ballot
	Places      []components.Option
	Electorates []components.Option
	Methods     []components.Option
	Form        map[string]string
	Secret      bool
	Errors      models.FieldErrors
}

// CandidateRow is a candidate in the console.
type CandidateRow struct {
	ID       uint64
	Title    string
	Place    string
	Kind     models.CandidateKind
	Cost     string
	Source   models.CandidateSource
	NeedID   *uint64
	Status   models.CandidateStatus
	Reason   string
	Reviewer string
	Reviewed string
}

// CandidatesData is the candidates page: proposals, their review and a
// form to propose one.
type CandidatesData struct {
	Items    []CandidateRow
	Places   []components.Option
	Kinds    []components.Option
	Needs    []components.Option
	Statuses []components.Option
	Status   string
	Form     map[string]string
	Errors   models.FieldErrors
	ReviewID uint64 // the candidate whose review form failed
	Base     string
	Page     int
	PerPage  int
	Total    int64
	Caps     []string
}

// PaperLine is a pending paper ballot: what the second staff member
// checks against the slip. It names no voter.
type PaperLine struct {
	ID        uint64
	EnteredBy string
	EnteredAt string
	Choices   []string
	Mine      bool // entered by the viewer, who may not confirm it
}

// AmendmentLine is a logged roll amendment.
type AmendmentLine struct {
	VoterKey string
	Reason   string
	At       string
}

// ManageData is a ballot's console page.
type ManageData struct {
	Show       ShowData
	Def        FormData
	Addable    []components.Option
	OnBallot   []CandidateRow
	Paper      []PaperLine
	Amendments []AmendmentLine
	Places     []components.Option // for the publish form (not used for choice)
	Errors     models.FieldErrors
	Refused    string
	Form       map[string]string
	Projects   []ProjectLink
	// NoticeWithdrawn: the result notice was withdrawn; staff may publish
	// the result again, and nothing is funded until they do.
	NoticeWithdrawn bool
	// NotReady: the candidates on a scheduled ballot do not fit its
	// method (too few, or not one for yes/no); it could not take votes
	// once it opens.
	NotReady bool
	// Editable: the definition and candidates may still change: the
	// ballot is scheduled, or stalled before its close (Show.Stalled).
	Editable bool
}

// ProjectLink is a project a funded candidate became.
type ProjectLink struct {
	ID    uint64
	Title string
}

// RollLine is a voter on the roll as the paper and kiosk pages list it:
// a name and whether they voted, never how.
type RollLine struct {
	Key     string
	Name    string
	Place   string
	Channel string
	Pending bool
}

// PaperData is the paper ballot entry page: find the voter, then enter
// the slip.
type PaperData struct {
	Ballot  ShowData
	Query   string
	Roll    []RollLine
	Voter   *RollLine // chosen voter, not yet voted
	Receipt string    // the receipt of the slip just entered
	Refused string
	Base    string
	Page    int
	PerPage int
	Total   int64
}

// KioskData is the kiosk's staff check screen.
type KioskData struct {
	// Station: the device is in service-station mode for this ballot; if
	// not, the page offers to start it before anyone votes on it.
	Station bool
	// Check is the check form's one-time value (models.KioskCheckForm).
	Check   string
	Ballot  ShowData
	Query   string
	Matches []RollLine
	Errors  models.FieldErrors
	Refused string
}

// ProposeData is a resident's proposal form.
type ProposeData struct {
	Verified bool
	Places   []components.Option
	Kinds    []components.Option
	Needs    []components.Option
	Caps     []string
	Form     map[string]string
	Errors   models.FieldErrors
}
