package models

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CandidateKind is the type of a candidate project, each with its own cost
// cap: 服务类 service, 货物类 goods, 工程类 works.
type CandidateKind string

// Candidate kinds.
const (
	CandidateService CandidateKind = "service" // 服务类
	CandidateGoods   CandidateKind = "goods"   // 货物类
	CandidateWorks   CandidateKind = "works"   // 工程类
)

// CandidateKinds lists every kind in display order.
var CandidateKinds = []CandidateKind{CandidateService, CandidateGoods, CandidateWorks}

// Valid reports whether k is a known kind.
func (k CandidateKind) Valid() bool {
	for _, x := range CandidateKinds {
		if x == k {
			return true
		}
	}
	return false
}

// CandidateStatus is where a candidate stands in the feasibility review.
type CandidateStatus string

// Candidate states.
const (
	CandidateProposed   CandidateStatus = "proposed"   // 待审查
	CandidateFeasible   CandidateStatus = "feasible"   // 可行: may be put on a ballot
	CandidateInfeasible CandidateStatus = "infeasible" // 不可行, with the reason recorded
)

// CandidateSource is where a candidate came from.
type CandidateSource string

// Candidate sources.
const (
	SourceNeed     CandidateSource = "need"     // from the needs list (NeedID kept)
	SourceCouncil  CandidateSource = "council"  // from a deliberation council
	SourceResident CandidateSource = "resident" // proposed by a resident directly
	SourceStaff    CandidateSource = "staff"    // entered by staff
)

// Valid reports whether s is a known source.
func (s CandidateSource) Valid() bool {
	switch s {
	case SourceNeed, SourceCouncil, SourceResident, SourceStaff:
		return true
	}
	return false
}

// Exclusion is a category the feasibility review excludes from ballots.
type Exclusion string

// Excluded categories.
const (
	ExcludePropertyDuty  Exclusion = "property_duty"  // 物业服务企业的职责
	ExcludeAlreadyFunded Exclusion = "already_funded" // 政府已安排资金的事项
)

// Candidate is a proposed micro-project (候选项目) for a ballot, with its
// cost in fen, its place and kind, and the result of the feasibility review
// (可行性审查).
type Candidate struct {
	ID           uint64 `gorm:"primaryKey"`
	PlaceID      uint64
	Title        string
	Description  string
	CostFen      int64
	Kind         CandidateKind
	Source       CandidateSource
	NeedID       *uint64
	Status       CandidateStatus
	Reason       string // the review's recorded reason
	Exclusions   string // comma-separated Exclusions the reviewer found
	ProposedByID *uint64
	ReviewedByID *uint64
	ReviewedAt   *time.Time
	ProjectID    *uint64 // the project it became once funded
	CreatedAt    time.Time
	UpdatedAt    time.Time

	Place  Place            `gorm:"foreignKey:PlaceID"`
	Photos []CandidatePhoto `gorm:"foreignKey:CandidateID"`
}

// CandidatePhoto is a photo of a candidate (现场照片).
type CandidatePhoto struct {
	ID          uint64 `gorm:"primaryKey"`
	CandidateID uint64
	ContentType string
	Data        []byte
	Width       int
	Height      int
	CreatedAt   time.Time
}

// MaxCandidatePhotos is how many photos a candidate carries.
const MaxCandidatePhotos = 3

// CandidateInput is what a proposer enters.
type CandidateInput struct {
	PlaceID     uint64
	Title       string
	Description string
	CostFen     int64
	Kind        CandidateKind
	Source      CandidateSource
	NeedID      *uint64
}

// Validate checks a candidate proposal.
func (in *CandidateInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	fe.Text("title", in.Title, 0, 120)
	if utf8.RuneCountInString(in.Description) > 5000 {
		fe.Add("description", "err.too_long")
	}
	if in.PlaceID == 0 {
		fe.Add("place_id", "err.required")
	}
	switch {
	case in.CostFen <= 0:
		fe.Add("cost", "err.must_be_positive")
	case in.CostFen > MaxBudgetFen:
		fe.Add("cost", "err.too_large")
	}
	if !in.Kind.Valid() {
		fe.Add("kind", "err.invalid_choice")
	}
	if in.Source == "" {
		in.Source = SourceStaff
		if in.NeedID != nil {
			in.Source = SourceNeed
		}
	}
	if !in.Source.Valid() || (in.Source == SourceNeed) != (in.NeedID != nil) {
		fe.Add("source", "err.invalid_choice")
	}
	return fe
}

// FeasibilityPolicy is what the feasibility review checks: a cost cap per
// kind, in fen, and the excluded categories.
type FeasibilityPolicy struct {
	Caps     map[CandidateKind]int64
	Excluded []Exclusion
}

// DefaultFeasibility caps service projects at 50,000 yuan, goods at
// 100,000 and works at 200,000, and excludes the property company's duties
// and things already funded.
var DefaultFeasibility = FeasibilityPolicy{
	Caps: map[CandidateKind]int64{
		CandidateService: 50_000 * 100,
		CandidateGoods:   100_000 * 100,
		CandidateWorks:   200_000 * 100,
	},
	Excluded: []Exclusion{ExcludePropertyDuty, ExcludeAlreadyFunded},
}

// Check returns the catalog keys of every reason why a candidate of kind
// and cost, found by the reviewer to fall in categories found, is not
// feasible; none means feasible.
func (fp FeasibilityPolicy) Check(kind CandidateKind, costFen int64, found []Exclusion) []string {
	var out []string
	if cap, ok := fp.Caps[kind]; !ok {
		out = append(out, "ballot.reason.kind_unknown")
	} else if costFen > cap {
		out = append(out, "ballot.reason.over_cap")
	}
	for _, f := range found {
		for _, x := range fp.Excluded {
			if f == x {
				out = append(out, "ballot.reason."+string(x))
			}
		}
	}
	return out
}

// ReviewInput is a feasibility decision.
type ReviewInput struct {
	Feasible   bool
	Reason     string
	Exclusions []Exclusion
}

// DecideFeasibility checks a review decision against the policy: a
// candidate the policy rules out cannot be found feasible, and every
// finding, either way, records its reason. It returns the status to record.
func DecideFeasibility(fp FeasibilityPolicy, c Candidate, in ReviewInput) (CandidateStatus, FieldErrors) {
	fe := FieldErrors{}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		fe.Add("reason", "err.required")
	} else if utf8.RuneCountInString(reason) > 1000 {
		fe.Add("reason", "err.too_long")
	}
	for _, x := range in.Exclusions {
		if x != ExcludePropertyDuty && x != ExcludeAlreadyFunded {
			fe.Add("exclusions", "err.invalid_choice")
		}
	}
	if in.Feasible {
		if problems := fp.Check(c.Kind, c.CostFen, in.Exclusions); len(problems) > 0 {
			fe.Add("feasible", problems[0])
		}
		return CandidateFeasible, fe
	}
	return CandidateInfeasible, fe
}

// ElectorateKind says who may vote in a ballot.
type ElectorateKind string

// Electorates.
const (
	ElectorateAdults          ElectorateKind = "adults"          // every verified adult resident of the scope
	ElectorateHouseholds      ElectorateKind = "households"      // one vote per household (户代表)
	ElectorateRepresentatives ElectorateKind = "representatives" // resident representatives (居民代表)
	ElectorateCouncil         ElectorateKind = "council"         // council members (议事会成员)
)

// Electorates lists every electorate kind.
var Electorates = []ElectorateKind{ElectorateAdults, ElectorateHouseholds, ElectorateRepresentatives, ElectorateCouncil}

// Valid reports whether e is known.
func (e ElectorateKind) Valid() bool {
	for _, x := range Electorates {
		if x == e {
			return true
		}
	}
	return false
}

// BallotMethod is how choices are made and counted.
type BallotMethod string

// Methods.
const (
	MethodSingle  BallotMethod = "single"  // one choice
	MethodApprove BallotMethod = "approve" // approve between MinChoices and MaxChoices candidates
	MethodBudget  BallotMethod = "budget"  // any candidates whose total cost stays within BudgetFen
	MethodRank    BallotMethod = "rank"    // rank up to RankK candidates; points K..1
	MethodYesNo   BallotMethod = "yesno"   // yes or no on exactly one candidate
)

// Methods lists every method.
var Methods = []BallotMethod{MethodSingle, MethodApprove, MethodBudget, MethodRank, MethodYesNo}

// Valid reports whether m is known.
func (m BallotMethod) Valid() bool {
	for _, x := range Methods {
		if x == m {
			return true
		}
	}
	return false
}

// BallotStatus is where a ballot stands, derived from the clock alone.
type BallotStatus string

// Ballot states.
const (
	BallotScheduled BallotStatus = "scheduled" // 未开始: before OpensAt
	BallotOpen      BallotStatus = "open"      // 投票中
	BallotClosed    BallotStatus = "closed"    // 已结束: at or after ClosesAt
)

// Ballot is a micro-project ballot (票决): residents of a scope choose
// among candidates by a method between two times. At opening the definition
// and the electorate are frozen and fingerprinted; after that only a logged
// roll amendment adds a voter.
type Ballot struct {
	ID             uint64 `gorm:"primaryKey"`
	PlaceID        uint64
	Title          string
	Description    string
	Electorate     ElectorateKind
	Method         BallotMethod
	MinChoices     int   // approve: fewest candidates a voter approves
	MaxChoices     int   // approve: most candidates a voter approves
	BudgetFen      int64 // budget: the money to share
	RankK          int   // rank: how many places a voter ranks
	Seats          int   // single, approve, rank: how many candidates win (at least 1)
	OpensAt        time.Time
	ClosesAt       time.Time
	TurnoutPct     int // 0 = no threshold
	Secret         bool
	FrozenAt       *time.Time
	Fingerprint    string
	ElectorateSize int // voters on the roll frozen at opening
	Amendments     int // voters added since, each with a reason
	NoticeID       *uint64
	FundedAt       *time.Time
	TalliedAt      *time.Time // when the result was counted: no vote is written after it
	CreatedByID    uint64
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// StalledAt is when the ballot was found due with candidates that did
	// not suit its method (see Stalled); nil for every other.
	StalledAt *time.Time
	// ResolutionID is the council resolution (议事会决议) the ballot was
	// started from; nil for every other. Fixed when the ballot is made.
	ResolutionID *uint64

	Place Place `gorm:"foreignKey:PlaceID"`
}

// Status derives the ballot's state from now.
func (b Ballot) Status(now time.Time) BallotStatus {
	switch {
	case now.Before(b.OpensAt):
		return BallotScheduled
	case now.Before(b.ClosesAt):
		return BallotOpen
	}
	return BallotClosed
}

// Stalled reports whether b's opening time came while its candidates did
// not suit its method (ValidateOptions), so that it was not frozen and
// takes no vote (Store.ensureFrozen). Until it closes, staff may mend its
// candidates and then open it by hand (Store.OpenNow), or set a new opening
// time; it does not open by itself the moment its candidates first fit,
// which would freeze it with the first one staff add. A ballot that closes
// stalled was not held. Store.Ballot marks a ballot that is due and not
// ready on the way.
func (b Ballot) Stalled() bool { return b.FrozenAt == nil && b.StalledAt != nil }

// Editable reports whether b's definition and candidates may still change
// at now: it is scheduled, or stalled before its close. The store checks
// it again under the ballot's lock.
func (b Ballot) Editable(now time.Time) bool {
	switch b.Status(now) {
	case BallotScheduled:
		return b.FrozenAt == nil
	case BallotOpen:
		return b.Stalled()
	}
	return false
}

// Voters is the current size of the roll: frozen plus amendments.
func (b Ballot) Voters() int { return b.ElectorateSize + b.Amendments }

// BallotInput is the definition staff enter.
type BallotInput struct {
	PlaceID     uint64
	Title       string
	Description string
	Electorate  ElectorateKind
	Method      BallotMethod
	MinChoices  int
	MaxChoices  int
	BudgetFen   int64
	RankK       int
	Seats       int
	OpensAt     time.Time
	ClosesAt    time.Time
	TurnoutPct  int
	Secret      bool
}

// Validate checks a ballot definition; now is when it is saved (a ballot
// cannot be scheduled to open in the past).
func (in *BallotInput) Validate(now time.Time) FieldErrors {
	fe := FieldErrors{}
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	fe.Text("title", in.Title, 0, 120)
	if utf8.RuneCountInString(in.Description) > 5000 {
		fe.Add("description", "err.too_long")
	}
	if in.PlaceID == 0 {
		fe.Add("place_id", "err.required")
	}
	if !in.Electorate.Valid() {
		fe.Add("electorate", "err.invalid_choice")
	}
	if !in.Method.Valid() {
		fe.Add("method", "err.invalid_choice")
	}
	if in.Seats <= 0 {
		in.Seats = 1
	}
	switch in.Method {
	case MethodApprove:
		if in.MinChoices < 1 {
			fe.Add("min_choices", "err.must_be_positive")
		}
		if in.MaxChoices < in.MinChoices || in.MaxChoices > 50 {
			fe.Add("max_choices", "err.ballot_range")
		}
	case MethodBudget:
		if in.BudgetFen <= 0 {
			fe.Add("budget", "err.must_be_positive")
		} else if in.BudgetFen > MaxBudgetFen {
			fe.Add("budget", "err.too_large")
		}
	case MethodRank:
		if in.RankK < 1 || in.RankK > 20 {
			fe.Add("rank_k", "err.ballot_range")
		}
	}
	if in.Seats > 50 {
		fe.Add("seats", "err.ballot_range")
	}
	if in.TurnoutPct < 0 || in.TurnoutPct > 100 {
		fe.Add("turnout", "err.percent_range")
	}
	if in.OpensAt.IsZero() {
		fe.Add("opens_at", "err.required")
	} else if in.OpensAt.Before(now.Add(-time.Minute)) {
		fe.Add("opens_at", "err.ballot_opens_past")
	}
	if in.ClosesAt.IsZero() {
		fe.Add("closes_at", "err.required")
	} else if !in.ClosesAt.After(in.OpensAt) {
		fe.Add("closes_at", "err.date_range")
	}
	return fe
}

// Option is a candidate as a ballot counts it: its id and cost.
type Option struct {
	ID      uint64
	CostFen int64
}

// ValidateOptions checks that a ballot's candidates suit its method: a
// yes/no ballot asks about exactly one candidate; the others need at least
// two, and at least as many as the most a voter may pick.
func ValidateOptions(b Ballot, opts []Option) error {
	n := len(opts)
	switch {
	case b.Method == MethodYesNo && n != 1:
		return ErrBallotOptions
	case b.Method != MethodYesNo && n < 2:
		return ErrBallotOptions
	case b.Method == MethodApprove && n < b.MinChoices:
		return ErrBallotOptions
	}
	return nil
}

// Choices is one voter's choice set: candidate ids, in rank order for a
// rank ballot. For a yes/no ballot it is [candidate id] for yes and [0]
// (NoChoice) for no.
type Choices []uint64

// NoChoice is the "no" answer of a yes/no ballot.
const NoChoice uint64 = 0

// String encodes choices as "3,1,2", the form stored in votes and on the
// board.
func (c Choices) String() string {
	parts := make([]string, len(c))
	for i, id := range c {
		parts[i] = strconv.FormatUint(id, 10)
	}
	return strings.Join(parts, ",")
}

// ParseChoices reads the "3,1,2" encoding.
func ParseChoices(s string) (Choices, error) {
	if s == "" {
		return Choices{}, nil
	}
	var out Choices
	for _, part := range strings.Split(s, ",") {
		id, err := strconv.ParseUint(part, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("choices %q: %w", s, err)
		}
		out = append(out, id)
	}
	return out, nil
}

// Ballot errors.
var (
	ErrBallotNotOpen   = &Error{Code: "err.ballot_not_open"}
	ErrBallotNotClosed = &Error{Code: "err.ballot_not_closed"}
	ErrBallotStarted   = &Error{Code: "err.ballot_started"}
	ErrBallotOptions   = &Error{Code: "err.ballot_options"}
	// ErrBallotNotReady: the ballot's opening time has come but its
	// candidates do not suit its method, so it did not open (Stalled).
	ErrBallotNotReady = &Error{Code: "err.ballot_not_ready"}
	// ErrBallotNotHeld: the ballot closed stalled (see ErrBallotNotReady),
	// so it has no result, board or publication.
	ErrBallotNotHeld     = &Error{Code: "err.ballot_not_held"}
	ErrNotEligible       = &Error{Code: "err.ballot_not_eligible"}
	ErrAlreadyVoted      = &Error{Code: "err.ballot_already_voted"}
	ErrChoiceEmpty       = &Error{Code: "err.ballot_choice_empty"}
	ErrChoiceCount       = &Error{Code: "err.ballot_choice_count"}
	ErrChoiceUnknown     = &Error{Code: "err.ballot_choice_unknown"}
	ErrChoiceTwice       = &Error{Code: "err.ballot_choice_twice"}
	ErrOverBudget        = &Error{Code: "err.ballot_over_budget"}
	ErrSameStaff         = &Error{Code: "err.ballot_same_staff"}
	ErrPaperSettled      = &Error{Code: "err.ballot_paper_settled"}
	ErrResultPublished   = &Error{Code: "err.ballot_published"}
	ErrPublicityRunning  = &Error{Code: "err.ballot_publicity_running"}
	ErrAlreadyFunded     = &Error{Code: "err.ballot_already_funded"}
	ErrCandidateNotReady = &Error{Code: "err.ballot_candidate_not_feasible"}
	ErrCandidateOnBallot = &Error{Code: "err.ballot_candidate_on_ballot"}
	ErrResultWithdrawn   = &Error{Code: "err.ballot_result_withdrawn"}
)

// ValidateChoices checks one voter's choice set against the method of
// ballot b with candidates opts. It returns nil or one of the choice errors.
func ValidateChoices(b Ballot, opts []Option, c Choices) error {
	cost := map[uint64]int64{}
	for _, o := range opts {
		cost[o.ID] = o.CostFen
	}
	if len(c) == 0 {
		return ErrChoiceEmpty
	}
	if b.Method == MethodYesNo {
		if len(c) != 1 {
			return ErrChoiceCount
		}
		if _, ok := cost[c[0]]; !ok && c[0] != NoChoice {
			return ErrChoiceUnknown
		}
		return nil
	}
	seen := map[uint64]bool{}
	var total int64
	for _, id := range c {
		k, ok := cost[id]
		if !ok {
			return ErrChoiceUnknown
		}
		if seen[id] {
			return ErrChoiceTwice
		}
		seen[id] = true
		total += k
	}
	switch b.Method {
	case MethodSingle:
		if len(c) != 1 {
			return ErrChoiceCount
		}
	case MethodApprove:
		if len(c) < b.MinChoices || len(c) > b.MaxChoices {
			return ErrChoiceCount
		}
	case MethodBudget:
		if total > b.BudgetFen {
			return ErrOverBudget
		}
	case MethodRank:
		if len(c) > b.RankK {
			return ErrChoiceCount
		}
	}
	return nil
}

// CandidateTally is one candidate's count: how many votes named it and,
// for a rank ballot, its points (K for a first place down to 1 for place
// K: a truncated Borda count); for every other method Points equals Votes.
type CandidateTally struct {
	ID      uint64 `json:"id"`
	CostFen int64  `json:"cost_fen"`
	Votes   int64  `json:"votes"`
	Points  int64  `json:"points"`
	Draw    int    `json:"draw"`   // position in the recorded draw, 0 first
	Funded  bool   `json:"funded"` // funded (budget) or elected (other methods; yes/no: carried)
}

// Tally counts votes for ballot b over candidates opts, in the order
// candidates were given. For yes/no ballots, no counts the "no" answers.
func Tally(b Ballot, opts []Option, votes []Choices) (rows []CandidateTally, no int64) {
	idx := map[uint64]int{}
	for i, o := range opts {
		idx[o.ID] = i
		rows = append(rows, CandidateTally{ID: o.ID, CostFen: o.CostFen})
	}
	for _, v := range votes {
		for pos, id := range v {
			if b.Method == MethodYesNo && id == NoChoice {
				no++
				continue
			}
			i, ok := idx[id]
			if !ok {
				continue
			}
			rows[i].Votes++
			if b.Method == MethodRank {
				rows[i].Points += int64(b.RankK - pos)
			} else {
				rows[i].Points++
			}
		}
	}
	return rows, no
}

// DrawOrder is the recorded draw (抽签): a permutation of the candidate
// ids, taken in ascending order, shuffled by a generator seeded with seed.
// The seed is stored with the result so anyone can repeat the draw. It
// returns each id's position.
func DrawOrder(ids []uint64, seed uint64) map[uint64]int {
	sorted := append([]uint64(nil), ids...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	r := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	r.Shuffle(len(sorted), func(i, j int) { sorted[i], sorted[j] = sorted[j], sorted[i] })
	out := make(map[uint64]int, len(sorted))
	for i, id := range sorted {
		out[id] = i
	}
	return out
}

// NewDrawSeed returns a fresh random seed for the draw.
func NewDrawSeed() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	var s uint64
	for _, x := range b {
		s = s<<8 | uint64(x)
	}
	return s
}

// RankTallies orders tallies by points descending, then lower cost, then
// the draw made with seed, and records each one's draw position.
func RankTallies(rows []CandidateTally, seed uint64) []CandidateTally {
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	draw := DrawOrder(ids, seed)
	out := append([]CandidateTally(nil), rows...)
	for i := range out {
		out[i].Draw = draw[out[i].ID]
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Points != b.Points {
			return a.Points > b.Points
		}
		if a.CostFen != b.CostFen {
			return a.CostFen < b.CostFen
		}
		return a.Draw < b.Draw
	})
	return out
}

// SelectFunded marks the winners in ranked tallies (from RankTallies). A
// budget ballot funds candidates in rank order, skipping any that no longer
// fit what is left of the budget; candidates nobody voted for are not
// funded. Single, approve and rank ballots elect the first Seats
// candidates with at least one vote. A yes/no ballot carries when yes
// outnumbers no. valid=false (turnout below the threshold) funds nothing.
func SelectFunded(b Ballot, ranked []CandidateTally, no int64, valid bool) []CandidateTally {
	out := append([]CandidateTally(nil), ranked...)
	if !valid {
		return out
	}
	switch b.Method {
	case MethodBudget:
		left := b.BudgetFen
		for i := range out {
			if out[i].Votes > 0 && out[i].CostFen <= left {
				out[i].Funded = true
				left -= out[i].CostFen
			}
		}
	case MethodYesNo:
		for i := range out {
			out[i].Funded = out[i].Votes > no
		}
	default:
		seats := b.Seats
		if seats < 1 {
			seats = 1
		}
		for i := range out {
			if i < seats && out[i].Votes > 0 {
				out[i].Funded = true
			}
		}
	}
	return out
}

// TurnoutMet reports whether voted out of electorate meets a threshold in
// percent (0: no threshold).
func TurnoutMet(voted, electorate int64, pct int) bool {
	if pct <= 0 {
		return true
	}
	return voted*100 >= int64(pct)*electorate
}

// Fingerprint is the SHA-256 over a canonical encoding of a ballot's
// definition, its candidates (sorted by id) and its electorate (the sorted
// voter keys). Each field is length-prefixed so no two inputs encode alike.
func Fingerprint(b Ballot, opts []Option, voterKeys []string) string {
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	num := func(n int64) { field(strconv.FormatInt(n, 10)) }
	field("yishi-ballot-v1")
	num(int64(b.ID))
	num(int64(b.PlaceID))
	field(b.Title)
	field(b.Description)
	field(string(b.Electorate))
	field(string(b.Method))
	num(int64(b.MinChoices))
	num(int64(b.MaxChoices))
	num(b.BudgetFen)
	num(int64(b.RankK))
	num(int64(b.Seats))
	field(b.OpensAt.UTC().Format(time.RFC3339))
	field(b.ClosesAt.UTC().Format(time.RFC3339))
	num(int64(b.TurnoutPct))
	field(strconv.FormatBool(b.Secret))
	o := append([]Option(nil), opts...)
	sort.Slice(o, func(i, j int) bool { return o[i].ID < o[j].ID })
	num(int64(len(o)))
	for _, x := range o {
		num(int64(x.ID))
		num(x.CostFen)
	}
	keys := append([]string(nil), voterKeys...)
	sort.Strings(keys)
	num(int64(len(keys)))
	for _, k := range keys {
		field(k)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Voter keys name who votes: an account, a roster resident without an
// account (who votes on paper), or a household.
func AccountVoter(id uint64) string   { return "a:" + strconv.FormatUint(id, 10) }
func ResidentVoter(id uint64) string  { return "r:" + strconv.FormatUint(id, 10) }
func HouseholdVoter(id uint64) string { return "h:" + strconv.FormatUint(id, 10) }

// Vote channels.
const (
	ChannelOnline = "online" // on the resident's own device
	ChannelPaper  = "paper"  // a paper ballot entered by staff, confirmed by a second staff account
	ChannelKiosk  = "kiosk"  // at the community service station after staff checked the voter in person
)

// receiptAlphabet has no look-alike characters (no 0/O, 1/I/L).
const receiptAlphabet = inviteAlphabet

// ReceiptLen is how long a receipt code is.
const ReceiptLen = 12

// NewReceipt returns a random receipt code (回执码).
func NewReceipt() string {
	b := make([]byte, ReceiptLen)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	out := make([]byte, ReceiptLen)
	for i, x := range b {
		// 256 is not a multiple of 31: reject the top values to stay uniform.
		for int(x) >= 256-256%len(receiptAlphabet) {
			var one [1]byte
			if _, err := rand.Read(one[:]); err != nil {
				panic(err)
			}
			x = one[0]
		}
		out[i] = receiptAlphabet[int(x)%len(receiptAlphabet)]
	}
	return string(out)
}

// NormalizeReceipt upper-cases a typed receipt and drops spaces and dashes.
func NormalizeReceipt(s string) string { return NormalizeInviteCode(s) }

// newVoteID is a random primary key for a vote row, so the key says
// nothing about when or in which order votes were cast.
func newVoteID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// ParseCostCaps reads cost caps per candidate kind written as
// "service=50000,goods=100000,works=200000" (yuan) over the defaults: kinds
// left out keep their default cap. An unknown kind or a bad amount is an
// error naming it.
func ParseCostCaps(s string, base FeasibilityPolicy) (FeasibilityPolicy, error) {
	out := FeasibilityPolicy{Caps: map[CandidateKind]int64{}, Excluded: base.Excluded}
	for k, v := range base.Caps {
		out.Caps[k] = v
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, amount, ok := strings.Cut(part, "=")
		kind := CandidateKind(strings.TrimSpace(name))
		known := false
		for _, k := range CandidateKinds {
			known = known || k == kind
		}
		if !ok || !known {
			return base, fmt.Errorf("cost caps: %q is not kind=yuan with a kind of service, goods or works", part)
		}
		fen, ok := ParseYuan(amount)
		if !ok || fen <= 0 {
			return base, fmt.Errorf("cost caps: %q is not a positive amount of yuan", part)
		}
		out.Caps[kind] = fen
	}
	return out, nil
}
