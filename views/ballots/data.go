package ballots

import (
	"yishi/models"
	"yishi/views/components"
)

// Card is a ballot in a list.
type Card struct {
	ID     uint64
	Title  string
	Place  string
	Status models.BallotStatus
	Method models.BallotMethod
	Opens  string
	Closes string
	Secret bool
	// Stalled: due but not started, or closed not held (models.Ballot.Stalled).
	Stalled bool
	Manage  bool // staff list: links to the console page
}

// ListData is the public list of ballots.
type ListData struct {
	Items    []Card
	Places   []components.Option
	Statuses []components.Option
	Place    string
	Status   string
	Base     string
	Page     int
	PerPage  int
	Total    int64
}

// CandidateLine is a candidate as the ballot page shows it.
type CandidateLine struct {
	ID          uint64
	Title       string
	Description string
	Place       string
	Kind        models.CandidateKind
	Cost        string // yuan
	CostFen     int64
	Photos      []uint64
	Checked     bool
	Rank        string
	ProjectID   *uint64
	ProjectOpen bool // the viewer may open the project's page (a draft is staff's)
	// Body is CandidateBody already rendered for the viewer's language
	// (HTML), when the page had it cached; empty means render it.
	Body string
}

// ResultRow is one candidate's line in the result.
type ResultRow struct {
	Title  string
	Votes  int64
	Points int64
	Cost   string
	Funded bool
	Draw   int
}

// ResultView is a closed ballot's result.
type ResultView struct {
	Electorate int
	Voted      int
	Online     int
	Paper      int
	Kiosk      int
	No         int64
	Valid      bool
	Rows       []ResultRow
	Places     []models.PlaceTurnout
	DrawSeed   string
	BoardHead  string
	Computed   string
}

// Meter is the remaining-budget meter of a budget ballot.
type Meter struct {
	BallotID uint64
	Budget   string
	Spent    string
	Left     string
	Over     string // how much over, when over
	Count    int
}

// VoteForm is the state of a vote form: the choices made so far.
type VoteForm struct {
	Chosen map[uint64]bool
	Ranks  map[uint64]string
	Answer string // yes/no ballots: "yes" or "no"
}

// LookupView is the result of a receipt lookup on the ballot page.
type LookupView struct {
	Code    string
	Found   bool
	Err     string // a catalog key
	Check   models.ReceiptCheck
	Choices []string // titles, public ballots only
}

// ShowData is a ballot's page.
type ShowData struct {
	ID          uint64
	Title       string
	Description string
	Place       string
	Status      models.BallotStatus
	Electorate  models.ElectorateKind
	Method      models.BallotMethod
	MinChoices  int
	MaxChoices  int
	RankK       int
	Seats       int
	Budget      string
	BudgetFen   int64
	Opens       string
	Closes      string
	TurnoutPct  int
	Secret      bool
	Frozen      string
	Fingerprint string
	Voters      int
	Amendments  int
	Candidates  []CandidateLine
	Result      *ResultView
	NoticeID    *uint64
	Funded      bool
	// Stalled: due to open but its candidates did not suit its method,
	// so it takes no vote (models.Ballot.Stalled); closed so, not held.
	Stalled bool

	SignedIn bool
	Eligible bool
	Voted    bool
	Receipt  string
	Pending  bool
	Channel  string
	CanVote  bool
	Staff    bool

	Form    VoteForm
	Meter   *Meter
	Refused string // a catalog key: why the submitted choices were refused
	Lookup  *LookupView

	// Kiosk: the form posts to the kiosk and carries the voter.
	Action     string
	KioskVoter string
	KioskName  string

	// Resolution is the council resolution (决议) the ballot was spawned
	// from, 0 for none.
	Resolution uint64
}

// Hidden is one hidden field carried from the review to the confirmation.
type Hidden struct {
	Name  string
	Value string
}

// ReviewData is the confirmation step.
type ReviewData struct {
	ID     uint64
	Title  string
	Method models.BallotMethod
	Lines  []string // what was chosen, in order, in words
	Total  string   // budget ballots: the cost of the choices
	Budget string
	Fields []Hidden
	Action string
	Back   string
	Kiosk  bool
}

// ReceiptData is the receipt page.
type ReceiptData struct {
	ID      uint64
	Title   string
	Code    string
	Repeat  bool
	Pending bool
	Kiosk   bool
	Next    string // kiosk: where the next voter starts
}
