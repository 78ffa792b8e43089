package models

import (
	"testing"
	"time"
)

func TestNeedFigures(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	at := func(h float64) *time.Time { v := now.Add(time.Duration(h * float64(time.Hour))); return &v }
	// need filed hoursAgo hours before now with a 24 h response and a 7 day
	// resolution limit.
	need := func(hoursAgo float64, st NeedStatus) NeedStatRow {
		filed := now.Add(-time.Duration(hoursAgo * float64(time.Hour)))
		return NeedStatRow{CommunityID: 1, CategoryID: 1, Status: st, FiledAt: filed, RespondBy: filed.Add(24 * time.Hour), ResolveBy: filed.Add(7 * 24 * time.Hour)}
	}
	with := func(r NeedStatRow, f func(*NeedStatRow)) NeedStatRow { f(&r); return r }
	cases := []struct {
		name                               string
		rows                               []NeedStatRow
		want                               NeedFigures
		response, resolution, satisfaction string
	}{
		{name: "nothing", rows: nil, response: "—", resolution: "—", satisfaction: "—"},
		{
			name: "fresh need owes nothing yet",
			rows: []NeedStatRow{need(1, NeedSubmitted)},
			want: NeedFigures{Filed: 1, Counted: 1}, response: "—", resolution: "0.0%", satisfaction: "—",
		},
		{
			name: "unanswered past the respond deadline is due and overdue",
			rows: []NeedStatRow{need(30, NeedSubmitted)},
			want: NeedFigures{Filed: 1, Counted: 1, DueResponse: 1, Overdue: 1}, response: "0.0%", resolution: "0.0%", satisfaction: "—",
		},
		{
			name: "answered in time before the deadline counts at once",
			rows: []NeedStatRow{with(need(2, NeedAccepted), func(r *NeedStatRow) { r.RespondedAt = at(-1) })},
			want: NeedFigures{Filed: 1, Counted: 1, DueResponse: 1, RespondedInTime: 1}, response: "100.0%", resolution: "0.0%", satisfaction: "—",
		},
		{
			name: "answered late",
			rows: []NeedStatRow{with(need(48, NeedAccepted), func(r *NeedStatRow) { r.RespondedAt = at(-20) })},
			want: NeedFigures{Filed: 1, Counted: 1, DueResponse: 1}, response: "0.0%", resolution: "0.0%", satisfaction: "—",
		},
		{
			name: "declined and merged leave the resolution denominator",
			rows: []NeedStatRow{
				with(need(10, NeedDeclined), func(r *NeedStatRow) { r.RespondedAt = at(-9) }),
				with(need(10, NeedMerged), func(r *NeedStatRow) { r.RespondedAt = at(-9) }),
				with(need(10, NeedDone), func(r *NeedStatRow) { r.RespondedAt, r.ResolvedAt = at(-9), at(-1) }),
			},
			want:     NeedFigures{Filed: 3, Counted: 1, DueResponse: 3, RespondedInTime: 3, Resolved: 1, ResolvedInTime: 1},
			response: "100.0%", resolution: "100.0%", satisfaction: "—",
		},
		{
			name: "ratings: 4 and 5 satisfy, unrated closed needs are not counted",
			rows: []NeedStatRow{
				with(need(100, NeedClosed), func(r *NeedStatRow) { r.RespondedAt, r.ResolvedAt, r.Rating = at(-99), at(-50), 5 }),
				with(need(100, NeedClosed), func(r *NeedStatRow) { r.RespondedAt, r.ResolvedAt, r.Rating = at(-99), at(-50), 4 }),
				with(need(100, NeedClosed), func(r *NeedStatRow) { r.RespondedAt, r.ResolvedAt, r.Rating = at(-99), at(-50), 2 }),
				with(need(100, NeedClosed), func(r *NeedStatRow) { r.RespondedAt, r.ResolvedAt = at(-99), at(-50) }),
			},
			want:     NeedFigures{Filed: 4, Counted: 4, DueResponse: 4, RespondedInTime: 4, Resolved: 4, ResolvedInTime: 4, Rated: 3, Satisfied: 2},
			response: "100.0%", resolution: "100.0%", satisfaction: "66.7%",
		},
		{
			name: "resolved late still counts as resolved; open past the resolve deadline is overdue",
			rows: []NeedStatRow{
				with(need(200, NeedDone), func(r *NeedStatRow) { r.RespondedAt, r.ResolvedAt = at(-199), at(-1) }),
				with(need(200, NeedInProgress), func(r *NeedStatRow) { r.RespondedAt = at(-199) }),
			},
			want:     NeedFigures{Filed: 2, Counted: 2, DueResponse: 2, RespondedInTime: 2, Resolved: 1, Overdue: 1},
			response: "100.0%", resolution: "50.0%", satisfaction: "—",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tally := TallyNeeds(c.rows, nil, now)
			if tally.Total != c.want {
				t.Fatalf("figures %+v, want %+v", tally.Total, c.want)
			}
			got := []string{tally.Total.ResponseRate().Percent(), tally.Total.ResolutionRate().Percent(), tally.Total.SatisfactionRate().Percent()}
			want := []string{c.response, c.resolution, c.satisfaction}
			if got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
				t.Fatalf("rates %v, want %v", got, want)
			}
			if len(c.rows) > 0 && *tally.ByCommunity[1] != c.want {
				t.Fatalf("community figures %+v differ from the total", *tally.ByCommunity[1])
			}
		})
	}
}

func TestNeedTallyGroupsAndWhistles(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	filed := now.Add(-time.Hour)
	row := func(com, cat uint64, rating int) NeedStatRow {
		return NeedStatRow{CommunityID: com, CategoryID: cat, Status: NeedClosed, FiledAt: filed, RespondBy: filed.Add(time.Hour * 2),
			ResolveBy: filed.Add(time.Hour * 24), RespondedAt: &filed, ResolvedAt: &filed, Rating: rating}
	}
	tally := TallyNeeds(
		[]NeedStatRow{row(1, 10, 5), row(1, 20, 1), row(2, 10, 4)},
		[]WhistleStatRow{
			{CommunityID: 1, CategoryID: 20, Rating: 5, Calls: 2, CallsInTime: 2},
			{CommunityID: 1, CategoryID: 20, Rating: 4, Calls: 2, CallsInTime: 1},
			{CommunityID: 2, CategoryID: 10, Calls: 1},
		}, now)
	if got := tally.ByCommunity[1].SatisfactionRate(); got != (Ratio{1, 2}) {
		t.Errorf("community 1 satisfaction %+v", got)
	}
	if got := tally.ByCategory[10].SatisfactionRate().Percent(); got != "100.0%" {
		t.Errorf("category 10 satisfaction %s", got)
	}
	if got := tally.ByCommunity[1].WhistleRating(); got != "4.5" {
		t.Errorf("community 1 whistle rating %s", got)
	}
	if got := tally.ByCommunity[1].WhistleInTimeRate().Percent(); got != "50.0%" {
		t.Errorf("community 1 whistles in time %s", got)
	}
	if got := tally.ByCommunity[2].WhistleRating(); got != "—" {
		t.Errorf("an unrated whistle gave rating %s", got)
	}
	if got := tally.Total.WhistleInTimeRate(); got != (Ratio{1, 3}) {
		t.Errorf("whistles in time %+v", got)
	}
	if (NeedFigures{}).WhistleRating() != "—" || (NeedFigures{}).WhistleInTimeRate().Percent() != "—" {
		t.Error("empty whistle figures must show —")
	}
}

func TestRatio(t *testing.T) {
	for _, c := range []struct {
		r    Ratio
		want string
		frac float64
	}{
		{Ratio{0, 0}, "—", 0}, {Ratio{1, 3}, "33.3%", 1.0 / 3}, {Ratio{2, 3}, "66.7%", 2.0 / 3}, {Ratio{3, 3}, "100.0%", 1}, {Ratio{0, 5}, "0.0%", 0},
	} {
		if got := c.r.Percent(); got != c.want || c.r.Fraction() != c.frac {
			t.Errorf("%+v: %s %v, want %s %v", c.r, got, c.r.Fraction(), c.want, c.frac)
		}
	}
}
