package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"yishi/models"
	"yishi/views"
	"yishi/views/components"
	"yishi/views/dashboard"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// dashboardQuery reads the dashboard's filters: from and to (dates in the
// deployment's zone, both days included; the last 30 days by default),
// place (a community within the principal's scope) and category.
func (s *Server) dashboardQuery(c echo.Context) (dashboard.Data, models.StatsFilter, error) {
	tz := env(c).TZ
	today := s.store.Now().In(tz)
	d := dashboard.Data{
		From: c.QueryParam("from"), To: c.QueryParam("to"), PlaceID: c.QueryParam("place"), CategoryID: c.QueryParam("category"),
		Errors: models.FieldErrors{},
	}
	if d.To == "" {
		d.To = today.Format(time.DateOnly)
	}
	if d.From == "" {
		d.From = today.AddDate(0, 0, -29).Format(time.DateOnly)
	}
	var f models.StatsFilter
	from, errFrom := time.ParseInLocation(time.DateOnly, d.From, tz)
	to, errTo := time.ParseInLocation(time.DateOnly, d.To, tz)
	switch {
	case errFrom != nil:
		d.Errors.Add("from", "dash.err_date")
	case errTo != nil:
		d.Errors.Add("to", "dash.err_date")
	case to.Before(from):
		d.Errors.Add("to", "dash.err_range")
	case to.Sub(from) > 366*24*time.Hour:
		d.Errors.Add("to", "dash.err_too_long")
	default:
		f.From, f.To = from, to.AddDate(0, 0, 1)
	}
	ctx, p := rctx(c), me(c)
	d.Places = []components.Option{{Value: "", Label: views.T(views.WithEnv(ctx, env(c)), "dash.all_communities")}}
	for _, sc := range p.Scopes(models.PermHandleNeeds) {
		coms := []models.Place{sc}
		if sc.Kind == models.KindStreet || sc.Kind == models.KindTownship {
			var err error
			if coms, err = s.store.PlacesOfKind(ctx, sc, models.KindCommunity, models.KindVillage); err != nil {
				return d, f, err
			}
		}
		for _, pl := range coms {
			d.Places = append(d.Places, components.Option{Value: strconv.FormatUint(pl.ID, 10), Label: pl.Name})
		}
	}
	// A place outside the list is left to the store: someone else's is
	// forbidden, a smaller place of one's own is counted.
	if d.PlaceID != "" {
		id, err := strconv.ParseUint(d.PlaceID, 10, 64)
		if err != nil || id == 0 {
			d.Errors.Add("place", "err.invalid_choice")
		}
		f.PlaceID = id
	}
	cats, err := s.store.NeedCategories(ctx, false)
	if err != nil {
		return d, f, err
	}
	d.Categories = []components.Option{{Value: "", Label: views.T(views.WithEnv(ctx, env(c)), "dash.all_categories")}}
	validCat := d.CategoryID == ""
	for _, cat := range cats {
		id := strconv.FormatUint(cat.ID, 10)
		d.Categories = append(d.Categories, components.Option{Value: id, Label: cat.Name(env(c).Locale)})
		if id == d.CategoryID {
			validCat, f.CategoryID = true, cat.ID
		}
	}
	if !validCat {
		d.Errors.Add("category", "err.invalid_choice")
	}
	q := url.Values{"from": {d.From}, "to": {d.To}}
	nq := url.Values{}
	if d.PlaceID != "" {
		q.Set("place", d.PlaceID)
		nq.Set("place", d.PlaceID)
	}
	if d.CategoryID != "" {
		q.Set("category", d.CategoryID)
		nq.Set("category", d.CategoryID)
	}
	d.Query, d.NeedsQuery = q.Encode(), nq.Encode()
	return d, f, nil
}

// dashboard shows the needs figures for a period, per community and per
// category. Wrong filters show the form with its errors and no figures.
func (s *Server) dashboard(c echo.Context) error {
	d, f, err := s.dashboardQuery(c)
	if err != nil {
		return err
	}
	if len(d.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, dashboard.Page(d))
	}
	st, err := s.store.NeedStats(rctx(c), me(c), f)
	if err != nil {
		return err
	}
	d.Stats = &st
	return s.render(c, http.StatusOK, dashboard.Page(d))
}

// dashboardExport downloads the dashboard's figures, per community and per
// category, for the same filters.
func (s *Server) dashboardExport(c echo.Context) error {
	d, f, err := s.dashboardQuery(c)
	if err != nil {
		return err
	}
	if len(d.Errors) > 0 {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	st, err := s.store.NeedStats(rctx(c), me(c), f)
	if err != nil {
		return err
	}
	ctx := views.WithEnv(rctx(c), env(c))
	t := func(k string) string { return views.T(ctx, k) }
	header := func(nameKey string) []string {
		return []string{t(nameKey), t("dash.filed"), t("dash.col_due"), t("dash.col_in_time"), t("dash.response_rate"),
			t("dash.col_counted"), t("dash.col_resolved"), t("dash.resolution_rate"), t("dash.col_rated"), t("dash.col_satisfied"),
			t("dash.satisfaction_rate"), t("dash.overdue"), t("dash.whistles"), t("dash.whistles_in_time"), t("dash.whistle_rating")}
	}
	line := func(name string, g models.NeedFigures) []any {
		return []any{name, g.Filed, g.DueResponse, g.RespondedInTime, g.ResponseRate().Percent(), g.Counted, g.Resolved,
			g.ResolutionRate().Percent(), g.Rated, g.Satisfied, g.SatisfactionRate().Percent(), g.Overdue, g.Whistles,
			g.WhistlesInTime, g.WhistleRating()}
	}
	sheets := []xlsxSheet{
		{Name: t("dash.sheet_communities"), Header: header("dash.name_community"), Rows: func(add func([]any) error) error {
			for _, l := range dashboard.CommunityLines(&st) {
				if err := add(line(l.Name, l.NeedFigures)); err != nil {
					return err
				}
			}
			return add(line(t("dash.total"), st.Total))
		}},
		{Name: t("dash.sheet_categories"), Header: header("dash.name_category"), Rows: func(add func([]any) error) error {
			for _, l := range dashboard.CategoryLines(ctx, &st) {
				if err := add(line(l.Name, l.NeedFigures)); err != nil {
					return err
				}
			}
			return add(line(t("dash.total"), st.Total))
		}},
	}
	var buf bytes.Buffer
	if err := writeXLSX(&buf, sheets); err != nil {
		return err
	}
	stem := strings.ReplaceAll(d.From, "-", "") + "-" + strings.ReplaceAll(d.To, "-", "")
	return sendDownload(c, xlsxType, t("dash.file_dashboard")+"-"+stem+".xlsx", "needs-dashboard-"+stem+".xlsx", buf.Bytes())
}

// needsFilterQuery reads the needs list's filters as the needs pages take
// them: status (a NeedStatus), category (an id), place (an id) and overdue
// ("1", "true" or "on").
func needsFilterQuery(c echo.Context) (models.NeedFilter, error) {
	f := models.NeedFilter{Scope: models.NeedsStaff, Status: models.NeedStatus(c.QueryParam("status"))}
	for name, dst := range map[string]*uint64{"category": &f.CategoryID, "place": &f.PlaceID} {
		if v := c.QueryParam(name); v != "" {
			id, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return f, echo.NewHTTPError(http.StatusBadRequest)
			}
			*dst = id
		}
	}
	switch c.QueryParam("overdue") {
	case "", "0", "false":
	case "1", "true", "on":
		f.Overdue = true
	default:
		return f, echo.NewHTTPError(http.StatusBadRequest)
	}
	return f, nil
}

// needsExport downloads the staff needs list with the list's filters, every
// page of it, filers' phones masked.
func (s *Server) needsExport(c echo.Context) error {
	f, err := needsFilterQuery(c)
	if err != nil {
		return err
	}
	ctx := views.WithEnv(rctx(c), env(c))
	t := func(k string) string { return views.T(ctx, k) }
	tm := func(at *time.Time) string { return views.FormatTimePtr(ctx, at) }
	header := []string{t("dash.col_id"), t("dash.col_filed_at"), t("dash.category"), t("dash.col_place"), t("dash.col_status"),
		t("dash.col_level"), t("dash.col_taker"), t("dash.col_respond_by"), t("dash.col_responded_at"), t("dash.col_resolve_by"),
		t("dash.col_resolved_at"), t("dash.col_rating"), t("dash.col_supporters"), t("dash.col_overdue"), t("dash.col_filer")}
	var buf bytes.Buffer
	err = writeXLSX(&buf, []xlsxSheet{{Name: t("dash.sheet_needs"), Header: header, Rows: func(add func([]any) error) error {
		return s.store.ExportNeeds(rctx(c), me(c), f, func(r models.NeedExportRow) error {
			rating, overdue := any(""), t("dash.no")
			if r.Rating > 0 {
				rating = r.Rating
			}
			if r.Overdue {
				overdue = t("dash.yes")
			}
			return add([]any{r.ID, tm(&r.FiledAt), r.Category.Name(env(c).Locale), r.Place, t("dash.status." + string(r.Status)),
				t("dash.level." + string(r.Level)), r.Taker, tm(&r.RespondBy), tm(r.RespondedAt), tm(&r.ResolveBy), tm(r.ResolvedAt),
				rating, r.Supporters, overdue, r.FilerPhone})
		})
	}}})
	if err != nil {
		return err
	}
	day := s.store.Now().In(env(c).TZ).Format("20060102")
	return sendDownload(c, xlsxType, t("dash.file_needs")+"-"+day+".xlsx", "needs-list-"+day+".xlsx", buf.Bytes())
}

// xlsxSheet is one sheet of a workbook: its name, header row and a
// function that adds its rows one by one.
type xlsxSheet struct {
	Name   string
	Header []string
	Rows   func(add func([]any) error) error
}

// writeXLSX streams sheets into an .xlsx workbook. Text that a spreadsheet
// would read as a formula is kept as text.
func writeXLSX(w io.Writer, sheets []xlsxSheet) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.Name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sh.Name)
		if err != nil {
			return err
		}
		if err := sw.SetColWidth(1, len(sh.Header), 16); err != nil {
			return err
		}
		n := 0
		add := func(cells []any) error {
			n++
			for i, v := range cells {
				if s, ok := v.(string); ok && s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
					cells[i] = "'" + s
				}
			}
			name, err := excelize.CoordinatesToCellName(1, n)
			if err != nil {
				return err
			}
			return sw.SetRow(name, cells)
		}
		head := make([]any, len(sh.Header))
		for i, h := range sh.Header {
			head[i] = h
		}
		if err := add(head); err != nil {
			return err
		}
		if err := sh.Rows(add); err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// sendDownload sends a file as an attachment named name, with an ASCII
// fallback for old browsers and the UTF-8 name in RFC 5987 form
// (filename*=UTF-8”...), so Chinese names survive.
func sendDownload(c echo.Context, ctype, name, ascii string, body []byte) error {
	h := c.Response().Header()
	h.Set("Content-Disposition", contentDisposition(name, ascii))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, ctype, body)
}

// contentDisposition builds an attachment header with both file names.
func contentDisposition(name, ascii string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiSafe(ascii), rfc5987(name))
}

// asciiSafe keeps printable ASCII other than quotes and backslashes.
func asciiSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// rfc5987 percent-encodes every byte that is not an attr-char.
func rfc5987(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte(attr, ch) >= 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}
