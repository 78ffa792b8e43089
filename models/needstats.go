package models

import (
	"fmt"
	"time"
)

// NeedStatRow is what the dashboard needs to know of one need (需求): when
// it was filed, its deadlines, when it was answered and resolved, its
// status and rating, and where it sits.
type NeedStatRow struct {
	CommunityID uint64
	CategoryID  uint64
	Status      NeedStatus
	FiledAt     time.Time
	RespondBy   time.Time
	ResolveBy   time.Time
	RespondedAt *time.Time
	ResolvedAt  *time.Time
	Rating      int
}

// Clock returns the row's timing against its deadlines.
func (r NeedStatRow) Clock() NeedClock {
	return NeedClock{FiledAt: r.FiledAt, RespondedAt: r.RespondedAt, ResolvedAt: r.ResolvedAt,
		Limits: TimeLimits{Respond: r.RespondBy.Sub(r.FiledAt), Resolve: r.ResolveBy.Sub(r.FiledAt)}}
}

// WhistleStatRow is what the dashboard needs to know of one whistle (吹哨):
// the need it was blown for, its report deadline, its rating (0 while
// unrated) and how many of the called departments reported (报到) and how
// many of them in time.
type WhistleStatRow struct {
	CommunityID uint64
	CategoryID  uint64
	Rating      int
	Calls       int
	CallsInTime int
}

// InTime reports whether every department called by the whistle reported by
// its deadline.
func (w WhistleStatRow) InTime() bool { return w.Calls > 0 && w.CallsInTime == w.Calls }

// Ratio is a count out of a count; a ratio of nothing (Den 0) has no value
// and shows as "—", never as a division by zero.
type Ratio struct {
	Num, Den int
}

// Valid reports whether the ratio has a denominator.
func (r Ratio) Valid() bool { return r.Den > 0 }

// Fraction is Num ÷ Den, 0 when the ratio has no value.
func (r Ratio) Fraction() float64 {
	if r.Den <= 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// Percent shows the ratio as a percentage with one decimal, "83.3%", or
// "—" when it has no value.
func (r Ratio) Percent() string {
	if !r.Valid() {
		return NoFigure
	}
	return fmt.Sprintf("%.1f%%", r.Fraction()*100)
}

// NoFigure is what a figure without a value shows.
const NoFigure = "—"

// NeedFigures (需求统计) are the dashboard's counts for one set of needs:
// one community, one category, or everything in view. The rates are defined
// by their denominators:
//
//   - 响应率 (ResponseRate) = needs responded to (accepted, declined or
//     merged) by their respond deadline ÷ needs that owe a response at now:
//     those responded to, in time or late, plus those whose respond deadline
//     has passed without one. A need still inside its respond time limit
//     and not yet answered is in neither count.
//   - 解决率 (ResolutionRate) = needs reported done (ResolvedAt set: waiting
//     for the rating, or closed after it) ÷ needs filed, except those
//     declined or merged, which nobody was to resolve. A need sent back by
//     its filer no longer counts as resolved.
//   - 满意率 (SatisfactionRate) = needs rated 4 or 5 ÷ needs rated (1 to 5);
//     needs closed unrated are in neither count.
//   - Overdue = open needs that, at now, have missed a deadline they still
//     owe (NeedClock.Overdue).
//   - Whistles: how many were blown for these needs, how many of them had
//     every called department report by the deadline, and the average of
//     the street's ratings of those rated.
type NeedFigures struct {
	Filed            int // every need filed in the period
	Counted          int // Filed less declined and merged: 解决率's denominator
	DueResponse      int // 响应率's denominator
	RespondedInTime  int
	Resolved         int
	ResolvedInTime   int
	Rated            int
	Satisfied        int
	Overdue          int
	Whistles         int
	WhistlesInTime   int
	WhistlesRated    int
	WhistleRatingSum int
}

// Add counts one need at now.
func (f *NeedFigures) Add(r NeedStatRow, now time.Time) {
	c := r.Clock()
	f.Filed++
	if r.Status != NeedDeclined && r.Status != NeedMerged {
		f.Counted++
		if r.ResolvedAt != nil {
			f.Resolved++
			if c.ResolvedInTime() {
				f.ResolvedInTime++
			}
		}
	}
	if r.RespondedAt != nil || now.After(c.RespondBy()) {
		f.DueResponse++
		if c.RespondedInTime() {
			f.RespondedInTime++
		}
	}
	if ValidRating(r.Rating) {
		f.Rated++
		if Satisfied(r.Rating) {
			f.Satisfied++
		}
	}
	if c.Overdue(r.Status, now) {
		f.Overdue++
	}
}

// AddWhistle counts one whistle.
func (f *NeedFigures) AddWhistle(w WhistleStatRow) {
	f.Whistles++
	if w.InTime() {
		f.WhistlesInTime++
	}
	if ValidRating(w.Rating) {
		f.WhistlesRated++
		f.WhistleRatingSum += w.Rating
	}
}

// ResponseRate is 响应率 (see NeedFigures).
func (f NeedFigures) ResponseRate() Ratio { return Ratio{f.RespondedInTime, f.DueResponse} }

// ResolutionRate is 解决率 (see NeedFigures).
func (f NeedFigures) ResolutionRate() Ratio { return Ratio{f.Resolved, f.Counted} }

// SatisfactionRate is 满意率 (see NeedFigures).
func (f NeedFigures) SatisfactionRate() Ratio { return Ratio{f.Satisfied, f.Rated} }

// WhistleInTimeRate is the share of whistles whose every called department
// reported in time.
func (f NeedFigures) WhistleInTimeRate() Ratio { return Ratio{f.WhistlesInTime, f.Whistles} }

// WhistleRating shows the average rating of the rated whistles with one
// decimal, "4.5", or "—" when none is rated.
func (f NeedFigures) WhistleRating() string {
	if f.WhistlesRated == 0 {
		return NoFigure
	}
	return fmt.Sprintf("%.1f", float64(f.WhistleRatingSum)/float64(f.WhistlesRated))
}

// NeedTally adds needs and whistles up in total, per community and per
// category, at one instant.
type NeedTally struct {
	Now         time.Time
	Total       NeedFigures
	ByCommunity map[uint64]*NeedFigures
	ByCategory  map[uint64]*NeedFigures
}

// NewNeedTally starts an empty tally at now.
func NewNeedTally(now time.Time) *NeedTally {
	return &NeedTally{Now: now, ByCommunity: map[uint64]*NeedFigures{}, ByCategory: map[uint64]*NeedFigures{}}
}

func figuresFor(m map[uint64]*NeedFigures, id uint64) *NeedFigures {
	f := m[id]
	if f == nil {
		f = &NeedFigures{}
		m[id] = f
	}
	return f
}

// Add counts one need.
func (t *NeedTally) Add(r NeedStatRow) {
	t.Total.Add(r, t.Now)
	figuresFor(t.ByCommunity, r.CommunityID).Add(r, t.Now)
	figuresFor(t.ByCategory, r.CategoryID).Add(r, t.Now)
}

// AddWhistle counts one whistle.
func (t *NeedTally) AddWhistle(w WhistleStatRow) {
	t.Total.AddWhistle(w)
	figuresFor(t.ByCommunity, w.CommunityID).AddWhistle(w)
	figuresFor(t.ByCategory, w.CategoryID).AddWhistle(w)
}

// TallyNeeds adds up needs and whistles at now.
func TallyNeeds(rows []NeedStatRow, whistles []WhistleStatRow, now time.Time) *NeedTally {
	t := NewNeedTally(now)
	for _, r := range rows {
		t.Add(r)
	}
	for _, w := range whistles {
		t.AddWhistle(w)
	}
	return t
}
