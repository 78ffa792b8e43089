package models

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ProjectStatus is where a project (项目) stands.
type ProjectStatus string

// Project states.
const (
	ProjectDraft              ProjectStatus = "draft"               // 草拟: visible to staff only
	ProjectOpenCall           ProjectStatus = "open_call"           // 竞争承接: social organisations apply
	ProjectInProgress         ProjectStatus = "in_progress"         // 实施中
	ProjectAwaitingAcceptance ProjectStatus = "awaiting_acceptance" // 待验收
	ProjectAccepted           ProjectStatus = "accepted"            // 已验收: residents rate it (效果民评)
	ProjectClosed             ProjectStatus = "closed"              // 已结项: after the rating window
)

// ProjectStatuses lists every state in order.
var ProjectStatuses = []ProjectStatus{ProjectDraft, ProjectOpenCall, ProjectInProgress, ProjectAwaitingAcceptance, ProjectAccepted, ProjectClosed}

// Valid reports whether s is a known status.
func (s ProjectStatus) Valid() bool {
	for _, x := range ProjectStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// Public reports whether a project in status s is readable by anyone:
// every project is public once it leaves draft (财由民理: residents see what
// is done with the money), a draft only by staff of its place.
func (s ProjectStatus) Public() bool { return s != ProjectDraft && s != "" }

// ProjectAction is one step in a project's life.
type ProjectAction string

// Project actions.
const (
	ProjectActOpenCall ProjectAction = "open_call" // staff: invite social organisations to apply (竞争承接)
	ProjectActPick     ProjectAction = "pick"      // staff: pick one applicant as undertaker
	ProjectActStart    ProjectAction = "start"     // staff: start without an open call (community or a chosen undertaker carries it out)
	ProjectActSubmit   ProjectAction = "submit"    // staff or undertaker: ask for acceptance (申请验收)
	ProjectActAccept   ProjectAction = "accept"    // staff: 验收通过, every checklist item checked
	ProjectActReject   ProjectAction = "reject"    // staff: 验收不通过, back to work with a reason
	ProjectActClose    ProjectAction = "close"     // staff: 结项, once the rating window has passed
)

// ProjectActor is who takes a step.
type ProjectActor string

// Project actors.
const (
	ProjectByStaff      ProjectActor = "staff"
	ProjectByUndertaker ProjectActor = "undertaker"
)

type projectTransition struct {
	from ProjectStatus
	to   ProjectStatus
	by   []ProjectActor
}

// projectTransitions is the whole state machine.
var projectTransitions = map[ProjectAction]projectTransition{
	ProjectActOpenCall: {from: ProjectDraft, to: ProjectOpenCall, by: []ProjectActor{ProjectByStaff}},
	ProjectActPick:     {from: ProjectOpenCall, to: ProjectInProgress, by: []ProjectActor{ProjectByStaff}},
	ProjectActStart:    {from: ProjectDraft, to: ProjectInProgress, by: []ProjectActor{ProjectByStaff}},
	ProjectActSubmit:   {from: ProjectInProgress, to: ProjectAwaitingAcceptance, by: []ProjectActor{ProjectByStaff, ProjectByUndertaker}},
	ProjectActAccept:   {from: ProjectAwaitingAcceptance, to: ProjectAccepted, by: []ProjectActor{ProjectByStaff}},
	ProjectActReject:   {from: ProjectAwaitingAcceptance, to: ProjectInProgress, by: []ProjectActor{ProjectByStaff}},
	ProjectActClose:    {from: ProjectAccepted, to: ProjectClosed, by: []ProjectActor{ProjectByStaff}},
}

// ProjectActions lists every action, in the order buttons show.
var ProjectActions = []ProjectAction{ProjectActOpenCall, ProjectActPick, ProjectActStart, ProjectActSubmit, ProjectActAccept, ProjectActReject, ProjectActClose}

// ProjectTransition tells where action by actor leads from status from, or
// ok=false when the step is not allowed.
func ProjectTransition(from ProjectStatus, action ProjectAction, by ProjectActor) (ProjectStatus, bool) {
	tr, known := projectTransitions[action]
	if !known || tr.from != from {
		return from, false
	}
	for _, a := range tr.by {
		if a == by {
			return tr.to, true
		}
	}
	return from, false
}

// ProjectRatingWindow is how long residents have to rate an accepted
// project before staff may close it.
const ProjectRatingWindow = 30 * 24 * time.Hour

// MayClose reports whether an accepted project's rating window is over.
func MayClose(acceptedAt *time.Time, now time.Time) bool {
	return acceptedAt != nil && !now.Before(acceptedAt.Add(ProjectRatingWindow))
}

// RatingOpen reports whether residents may rate a project now: after
// acceptance, until it is closed.
func RatingOpen(s ProjectStatus) bool { return s == ProjectAccepted }

// MaxBudgetFen is the largest budget a project may carry: 100 million yuan,
// far above any community project, to catch a mistyped figure.
const MaxBudgetFen int64 = 100_000_000 * 100

// FormatYuan shows an amount in fen as yuan with two decimals and
// thousands separators, "12,345.60".
func FormatYuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	yuan, cents := fen/100, fen%100
	digits := strconv.FormatInt(yuan, 10)
	// Every ballot and project page shows dozens of amounts: one buffer,
	// no formatting verbs.
	b := make([]byte, 0, len(digits)+len(digits)/3+5)
	if neg {
		b = append(b, '-')
	}
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, digits[i])
	}
	b = append(b, '.', byte('0'+cents/10), byte('0'+cents%10))
	return string(b)
}

// ParseYuan reads an amount typed in yuan ("1200", "1,200.5", "1200.50")
// into fen. It refuses more than two decimals, signs and anything else.
func ParseYuan(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	s = strings.ReplaceAll(s, "，", "")
	if s == "" {
		return 0, false
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (hasDot && frac == "") || len(whole) > 12 {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var fen int64
	for _, r := range whole + frac {
		fen = fen*10 + int64(r-'0')
	}
	return fen, true
}

// ValidateBudget checks a budget in fen.
func ValidateBudget(fen int64) string {
	switch {
	case fen < 0:
		return "err.must_be_positive"
	case fen > MaxBudgetFen:
		return "err.too_large"
	}
	return ""
}

// ProjectInput is what staff enter to create a project.
type ProjectInput struct {
	Title     string
	Summary   string
	PlaceID   uint64
	BudgetFen int64
	WantKinds []OfferKind
	StartOn   *time.Time
	EndOn     *time.Time
	NeedIDs   []uint64
	// SourceType and SourceID name what else the project comes from (a
	// winning ballot project, a council resolution); empty for needs only.
	SourceType string
	SourceID   uint64
}

// Validate checks a project before it is created.
func (in *ProjectInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Title = strings.TrimSpace(in.Title)
	in.Summary = strings.TrimSpace(in.Summary)
	fe.Text("title", in.Title, 0, 120)
	if utf8.RuneCountInString(in.Summary) > 5000 {
		fe.Add("summary", "err.too_long")
	}
	if in.PlaceID == 0 {
		fe.Add("place_id", "err.required")
	}
	if code := ValidateBudget(in.BudgetFen); code != "" {
		fe.Add("budget", code)
	}
	for _, k := range in.WantKinds {
		if !k.Valid() {
			fe.Add("want_kinds", "err.invalid_choice")
		}
	}
	if in.StartOn != nil && in.EndOn != nil && in.EndOn.Before(*in.StartOn) {
		fe.Add("end_on", "err.date_range")
	}
	if len(in.NeedIDs) == 0 && in.SourceType == "" {
		fe.Add("needs", "err.project_needs_source")
	}
	if in.SourceType != "" && (!slices.Contains(ProjectSourceTypes, in.SourceType) || in.SourceID == 0) {
		fe.Add("source", "err.invalid_choice")
	}
	return fe
}

// ProjectSourceTypes are the SourceTypes projects are made from besides
// their needs: a council resolution (SpawnProject) and a ballot's winning
// project.
var ProjectSourceTypes = []string{ResolutionSource, BallotSource}

// Project is an item on the projects list (项目清单): needs matched with
// resources and carried out by an undertaker under an owner, with a budget,
// milestones, progress, acceptance (验收) and the residents' rating (民评).
// Besides its needs it may come from another source (a ballot's winning
// project, a council resolution), named by SourceType and SourceID.
type Project struct {
	ID           uint64 `gorm:"primaryKey"`
	Title        string
	Summary      string
	PlaceID      uint64
	OwnerID      uint64
	UndertakerID *uint64
	BudgetFen    int64
	WantKinds    string // comma-separated OfferKinds
	StartOn      *time.Time
	EndOn        *time.Time
	Status       ProjectStatus
	Percent      int
	SourceType   string
	SourceID     *uint64
	AcceptedAt   *time.Time
	ClosedAt     *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time

	Place      Place     `gorm:"foreignKey:PlaceID"`
	Owner      Account   `gorm:"foreignKey:OwnerID"`
	Undertaker *Provider `gorm:"foreignKey:UndertakerID"`
}

// Kinds returns the kinds of resource the project seeks.
func (p Project) Kinds() []OfferKind { return parseKinds(p.WantKinds) }

func joinKinds(ks []OfferKind) string {
	seen := map[OfferKind]bool{}
	var out []string
	for _, k := range OfferKinds {
		for _, x := range ks {
			if x == k && !seen[k] {
				seen[k] = true
				out = append(out, string(k))
			}
		}
	}
	return strings.Join(out, ",")
}

func parseKinds(s string) []OfferKind {
	var out []OfferKind
	for _, part := range strings.Split(s, ",") {
		if k := OfferKind(strings.TrimSpace(part)); k.Valid() {
			out = append(out, k)
		}
	}
	return out
}

// ProjectNeed links a project to a need it answers.
type ProjectNeed struct {
	ProjectID uint64 `gorm:"primaryKey;autoIncrement:false"`
	NeedID    uint64 `gorm:"primaryKey;autoIncrement:false"`
}

// ProjectOffer is an offer matched to a project (资源对接), with how much
// of it the project uses (in the offer's unit; for hours offers, the hours
// contributed).
type ProjectOffer struct {
	ProjectID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	OfferID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	Amount      int64
	Note        string
	MatchedByID *uint64
	CreatedAt   time.Time

	Offer Offer `gorm:"foreignKey:OfferID"`
	// Withheld is set when the viewer may not see the offer (see
	// Offer.ShownOnProject): only its kind is kept, the provider, title,
	// amount and note are cleared.
	Withheld bool `gorm:"-"`
}

// withhold keeps only what any viewer may see of a matched offer that its
// provider did not make public: that a verified resource of its kind helps.
func (m ProjectOffer) withhold() ProjectOffer {
	return ProjectOffer{ProjectID: m.ProjectID, OfferID: m.OfferID, CreatedAt: m.CreatedAt,
		Offer: Offer{ID: m.OfferID, Kind: m.Offer.Kind, Status: m.Offer.Status}, Withheld: true}
}

// ProjectApplication is a social organisation's application in an open
// call (竞争承接报名).
type ProjectApplication struct {
	ID          uint64 `gorm:"primaryKey"`
	ProjectID   uint64
	ProviderID  uint64
	Note        string
	ApplicantID uint64
	CreatedAt   time.Time

	Provider Provider `gorm:"foreignKey:ProviderID"`
}

// ProjectMilestone is a planned step of a project (节点).
type ProjectMilestone struct {
	ID        uint64 `gorm:"primaryKey"`
	ProjectID uint64
	Title     string
	DueOn     time.Time
	DoneAt    *time.Time
	CreatedAt time.Time
}

// Late reports whether the milestone is past due and not done.
func (m ProjectMilestone) Late(now time.Time) bool { return m.DoneAt == nil && now.After(m.DueOn) }

// ProjectUpdate is one progress report (进度), with a percent complete
// and up to MaxProjectPhotos photos.
type ProjectUpdate struct {
	ID        uint64 `gorm:"primaryKey"`
	ProjectID uint64
	AuthorID  uint64
	Note      string
	Percent   int
	CreatedAt time.Time

	Author Account        `gorm:"foreignKey:AuthorID"`
	Photos []ProjectPhoto `gorm:"foreignKey:UpdateID"`
}

// ProjectPhoto is a photo attached to a progress update.
type ProjectPhoto struct {
	ID          uint64 `gorm:"primaryKey"`
	ProjectID   uint64
	UpdateID    uint64
	ContentType string
	Data        []byte
	Width       int
	Height      int
	CreatedAt   time.Time
}

// MaxProjectPhotos is how many photos one progress update may carry.
const MaxProjectPhotos = 3

// ValidateProgress checks a progress update against the percent reported
// before. Percent never goes down: it says how much of the work is done,
// and work done stays done; a setback is told in the note instead.
func ValidateProgress(prev, percent int, note string, photos int) FieldErrors {
	fe := FieldErrors{}
	note = strings.TrimSpace(note)
	fe.Text("note", note, 0, 2000)
	switch {
	case percent < 0 || percent > 100:
		fe.Add("percent", "err.percent_range")
	case percent < prev:
		fe.Add("percent", "err.percent_backwards")
	}
	if photos > MaxProjectPhotos {
		fe.Add("photos", "err.too_many_photos")
	}
	return fe
}

// AcceptanceChecklist is the standard list staff check at acceptance
// (验收清单), as catalog keys; each milestone of the project is checked too.
var AcceptanceChecklist = []string{"scope", "quality", "safety", "accounts", "residents"}

// MilestoneCheck is the checklist item for milestone id.
func MilestoneCheck(id uint64) string { return fmt.Sprintf("milestone-%d", id) }

// ChecklistFor returns the items an acceptance checks for a project with
// the given milestones: the standard list, then one per milestone.
func ChecklistFor(milestones []ProjectMilestone) []string {
	out := append([]string(nil), AcceptanceChecklist...)
	for _, m := range milestones {
		out = append(out, MilestoneCheck(m.ID))
	}
	return out
}

// DecideAcceptance checks an acceptance decision: accepting needs every
// item of the checklist checked and a note; rejecting needs a note saying
// what must be done. It returns the checked items in checklist order.
func DecideAcceptance(checklist, checked []string, accept bool, note string) ([]string, FieldErrors) {
	fe := FieldErrors{}
	set := map[string]bool{}
	for _, c := range checked {
		set[c] = true
	}
	var out []string
	for _, item := range checklist {
		if set[item] {
			out = append(out, item)
			delete(set, item)
		}
	}
	if len(set) > 0 {
		fe.Add("checked", "err.invalid_choice")
	}
	note = strings.TrimSpace(note)
	fe.Text("note", note, 0, 2000)
	if accept && len(out) != len(checklist) {
		fe.Add("checked", "err.checklist_incomplete")
	}
	return out, fe
}

// ProjectAcceptance is one acceptance decision (验收记录): accepted or
// sent back, with the items checked and a note.
type ProjectAcceptance struct {
	ID        uint64 `gorm:"primaryKey"`
	ProjectID uint64
	Accepted  bool
	Checked   string // comma-separated checklist items
	Note      string
	ByID      uint64
	At        time.Time

	By Account `gorm:"foreignKey:ByID"`
}

// CheckedItems returns the items checked.
func (a ProjectAcceptance) CheckedItems() []string {
	if a.Checked == "" {
		return nil
	}
	return strings.Split(a.Checked, ",")
}

// ProjectRating is one resident's rating of an accepted project (效果民评),
// once per resident.
type ProjectRating struct {
	ProjectID uint64 `gorm:"primaryKey;autoIncrement:false"`
	AccountID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Rating    int
	Comment   string
	CreatedAt time.Time
}

// RatingSummary sums up residents' ratings.
type RatingSummary struct {
	Count     int
	Average   float64 // 0 when nobody rated
	Satisfied int     // ratings of 4 or 5
	Stars     [5]int  // how many gave 1..5
}

// SummarizeRatings sums up ratings.
func SummarizeRatings(ratings []int) RatingSummary {
	var s RatingSummary
	total := 0
	for _, r := range ratings {
		if !ValidRating(r) {
			continue
		}
		s.Count++
		total += r
		s.Stars[r-1]++
		if Satisfied(r) {
			s.Satisfied++
		}
	}
	if s.Count > 0 {
		s.Average = float64(total) / float64(s.Count)
	}
	return s
}

// ProjectEvent is one step on a project's timeline (全程留痕).
type ProjectEvent struct {
	ID         uint64 `gorm:"primaryKey"`
	ProjectID  uint64
	At         time.Time
	ActorID    *uint64
	Action     string
	FromStatus ProjectStatus
	ToStatus   ProjectStatus
	Note       string

	Actor *Account `gorm:"foreignKey:ActorID"`
}

// Suggestion weights: a matched offer kind counts most, then whether the
// offer serves the project's place, then whether it is available when the
// project runs, then how residents rated the provider's past projects.
const (
	WeightKind         = 40
	WeightPlace        = 30 // the offer serves a place containing the project's place; half when only the same community
	WeightAvailability = 20 // the window covers the project's dates (today when none); half for "by arrangement"
	WeightRating       = 10 // average past rating / 5; half when the provider has no rated project yet
)

// OfferScore is an offer ranked for a project, with the parts of its score.
type OfferScore struct {
	Offer        Offer
	Score        int
	Kind         int
	Place        int
	Availability int
	Rating       int
}

// SuggestInput is what ScoreOffers needs to know about the project.
type SuggestInput struct {
	Kinds    []OfferKind
	Place    Place
	From     time.Time          // the project's planned start, or today
	Until    time.Time          // the project's planned end, or From
	Ratings  map[uint64]float64 // provider id → average past rating (absent: not rated)
	Served   map[uint64][]Place // offer id → places served
	Excluded map[uint64]bool    // offers already matched
}

// ScoreOffers ranks verified offers for a project, best first; ties go to
// the older offer (lower id) so the order is stable. Offers not verified,
// already matched, or scoring nothing at all on kind and place are left
// out.
func ScoreOffers(offers []Offer, in SuggestInput) []OfferScore {
	var out []OfferScore
	for _, o := range offers {
		if o.Status != OfferVerified || in.Excluded[o.ID] {
			continue
		}
		sc := OfferScore{Offer: o}
		if len(in.Kinds) == 0 {
			sc.Kind = WeightKind / 2
		}
		for _, k := range in.Kinds {
			if k == o.Kind {
				sc.Kind = WeightKind
			}
		}
		for _, pl := range in.Served[o.ID] {
			switch {
			case pl.Contains(in.Place):
				sc.Place = WeightPlace
			case communityOf(pl) == communityOf(in.Place) && sc.Place < WeightPlace/2:
				sc.Place = WeightPlace / 2
			}
		}
		if sc.Kind == 0 && sc.Place == 0 {
			continue
		}
		switch {
		case o.Covers(in.From, in.Until):
			sc.Availability = WeightAvailability
		case o.AvailableFrom == nil && o.AvailableUntil == nil:
			sc.Availability = WeightAvailability / 2
		}
		if avg, ok := in.Ratings[o.ProviderID]; ok {
			sc.Rating = int(avg/5*WeightRating + 0.5)
		} else {
			sc.Rating = WeightRating / 2
		}
		sc.Score = sc.Kind + sc.Place + sc.Availability + sc.Rating
		out = append(out, sc)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Offer.ID < out[j].Offer.ID
	})
	return out
}
