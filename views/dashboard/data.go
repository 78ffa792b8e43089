package dashboard

import (
	"context"
	"fmt"

	"yishi/models"
	"yishi/views"
	"yishi/views/charts"
	"yishi/views/components"
)

// Data is what the dashboard page shows.
type Data struct {
	From, To   string // the dates in the form, "2026-11-23"
	PlaceID    string
	CategoryID string
	Places     []components.Option
	Categories []components.Option
	Errors     models.FieldErrors
	Stats      *models.NeedStats // nil when the filters were wrong
	Query      string            // the filters as a query string, for the download links
	NeedsQuery string            // the place and category for the needs list download
}

// Line is one row of a figures table.
type Line struct {
	Name string
	models.NeedFigures
}

// CommunityLines are the table rows per community.
func CommunityLines(st *models.NeedStats) []Line {
	out := make([]Line, 0, len(st.Communities))
	for _, c := range st.Communities {
		out = append(out, Line{Name: c.Place.Name, NeedFigures: c.NeedFigures})
	}
	return out
}

// CategoryLines are the table rows per category, named in the request's locale.
func CategoryLines(ctx context.Context, st *models.NeedStats) []Line {
	out := make([]Line, 0, len(st.Categories))
	for _, c := range st.Categories {
		out = append(out, Line{Name: c.Category.Name(views.E(ctx).Locale), NeedFigures: c.NeedFigures})
	}
	return out
}

// Of shows a ratio's parts, "3 / 4".
func Of(r models.Ratio) string { return fmt.Sprintf("%d / %d", r.Num, r.Den) }

func rateBar(r models.Ratio) charts.Bar { return charts.Bar{Value: r.Fraction(), Text: r.Percent()} }

// RatesChart draws the three rates of every community.
func RatesChart(ctx context.Context, st *models.NeedStats) charts.Chart {
	c := charts.Chart{
		ID: "chart-rates", Title: views.T(ctx, "dash.chart_rates"), Desc: views.T(ctx, "dash.chart_rates_desc"), Max: 1,
		Series: []string{views.T(ctx, "dash.response_rate"), views.T(ctx, "dash.resolution_rate"), views.T(ctx, "dash.satisfaction_rate")},
	}
	for _, l := range CommunityLines(st) {
		c.Groups = append(c.Groups, charts.Group{Label: l.Name, Bars: []charts.Bar{
			rateBar(l.ResponseRate()), rateBar(l.ResolutionRate()), rateBar(l.SatisfactionRate()),
		}})
	}
	return c
}

// OverdueChart draws the overdue count of every category.
func OverdueChart(ctx context.Context, st *models.NeedStats) charts.Chart {
	c := charts.Chart{ID: "chart-overdue", Title: views.T(ctx, "dash.chart_overdue"), Desc: views.T(ctx, "dash.chart_overdue_desc"),
		Series: []string{views.T(ctx, "dash.overdue")}}
	for _, l := range CategoryLines(ctx, st) {
		c.Groups = append(c.Groups, charts.Group{Label: l.Name, Bars: []charts.Bar{{Value: float64(l.Overdue), Text: fmt.Sprint(l.Overdue)}}})
	}
	return c
}
