package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views"
	"yishi/views/components"
	"yishi/views/site"
)

// residentsID reads a numeric path parameter; anything else is a 404.
func residentsID(c echo.Context, name string) (uint64, error) {
	id, err := strconv.ParseUint(c.Param(name), 10, 64)
	if err != nil || id == 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// residentsPage reads the page query parameter (1 when absent or bad).
func residentsPage(c echo.Context) int {
	n, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func step(p models.Place) site.PlaceStep {
	return site.PlaceStep{ID: p.ID, Name: p.Name, Kind: p.Kind}
}

// --- Verification (入户认证) -------------------------------------------------

// verifyData builds the verification page for the place chosen so far (at).
func (s *Server) verifyData(c echo.Context, at uint64) (site.VerifyData, error) {
	ctx, p := rctx(c), me(c)
	d := site.VerifyData{Name: p.Account.Name}
	hh, pending, err := s.store.Residency(ctx, p.Account.ID)
	if err != nil {
		return d, err
	}
	if hh != nil {
		d.Verified, err = s.store.PlaceLabel(ctx, *hh)
		return d, err
	}
	last, err := s.store.LatestRegistration(ctx, p.Account.ID)
	if err != nil {
		return d, err
	}
	if pending && last != nil && last.Status == models.RegistrationPending {
		pl, err := s.store.PlaceByID(ctx, last.HouseholdID)
		if err != nil {
			return d, err
		}
		d.Pending, err = s.store.PlaceLabel(ctx, pl)
		return d, err
	}
	if last != nil && last.Status == models.RegistrationRejected {
		d.Rejected = last.Reason
	}
	var children []models.Place
	kind := models.PlaceKind("")
	if at != 0 {
		pl, err := s.store.PlaceByID(ctx, at)
		if errors.Is(err, models.ErrNotFound) {
			at = 0
		} else if err != nil {
			return d, err
		} else {
			anc, err := s.store.Ancestors(ctx, pl)
			if err != nil {
				return d, err
			}
			for _, a := range append(anc, pl) {
				if a.ParentID != nil { // the street is implied
					d.Trail = append(d.Trail, step(a))
				}
			}
			kind = pl.Kind
			if pl.Kind == models.KindHousehold {
				st := step(pl)
				d.Household = &st
				d.AtID = pl.ID
				return d, nil
			}
			if children, err = s.store.Children(ctx, pl.ID); err != nil {
				return d, err
			}
		}
	}
	if at == 0 {
		roots, err := s.store.Roots(ctx)
		if err != nil {
			return d, err
		}
		for _, r := range roots {
			cs, err := s.store.Children(ctx, r.ID)
			if err != nil {
				return d, err
			}
			children = append(children, cs...)
		}
	}
	d.AtID = at
	switch kind {
	case "", models.KindStreet, models.KindTownship:
		d.ChoiceKey = "verify.choose_community"
	case models.KindCommunity, models.KindVillage:
		d.ChoiceKey = "verify.choose_compound"
	case models.KindCompound, models.KindGroup:
		d.ChoiceKey = "verify.choose_building"
	default:
		d.ChoiceKey = "verify.choose_household"
	}
	for _, ch := range children {
		d.Choices = append(d.Choices, components.Option{Value: strconv.FormatUint(ch.ID, 10), Label: ch.Name})
	}
	return d, nil
}

func (s *Server) verifyPage(c echo.Context) error {
	at, _ := strconv.ParseUint(c.QueryParam("at"), 10, 64)
	d, err := s.verifyData(c, at)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, site.Verify(d))
}

func (s *Server) requestVerification(c echo.Context) error {
	hhID, _ := strconv.ParseUint(c.FormValue("household"), 10, 64)
	name := c.FormValue("name")
	_, err := s.store.RequestVerification(rctx(c), me(c), hhID, name)
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		d, derr := s.verifyData(c, hhID)
		if derr != nil {
			return derr
		}
		d.Name, d.Errors = name, fe
		if d.Household == nil {
			d.Errors = models.FieldErrors{"household": "err.invalid_choice"}
		}
		return s.render(c, http.StatusUnprocessableEntity, site.Verify(d))
	}
	if err != nil {
		return err
	}
	flash(c, "ok", "verify.requested")
	return redirect(c, "/profile")
}

func (s *Server) redeemInvite(c echo.Context) error {
	code := c.FormValue("code")
	_, err := s.store.RedeemInvite(rctx(c), me(c), code)
	status := http.StatusUnprocessableEntity
	switch {
	case err == nil:
		flash(c, "ok", "verify.redeemed")
		return redirect(c, "/")
	case errors.Is(err, models.ErrInviteTooMany):
		status = http.StatusTooManyRequests
	case errors.Is(err, models.ErrInviteInvalid):
	default:
		return err
	}
	d, derr := s.verifyData(c, 0)
	if derr != nil {
		return derr
	}
	var de *models.Error
	errors.As(err, &de)
	d.Code, d.InviteErrors = code, models.FieldErrors{"code": de.Code}
	return s.render(c, status, site.Verify(d))
}

// --- Verification requests in the console ----------------------------------

func (s *Server) registrationLine(c echo.Context, r models.RegistrationRow) site.RegistrationLine {
	vctx := views.WithEnv(rctx(c), env(c))
	return site.RegistrationLine{
		ID: r.ID, Name: r.Name, Account: r.AccountName, Phone: models.MaskPhone(r.AccountPhone), Household: r.HouseholdLabel,
		Created: views.FormatTime(vctx, r.CreatedAt), Status: r.Status, Reason: r.Reason,
	}
}

func (s *Server) registrations(c echo.Context) error {
	q := models.RegistrationQuery{Page: residentsPage(c), PerPage: 20}
	rows, total, err := s.store.Registrations(rctx(c), me(c), q)
	if err != nil {
		return err
	}
	lines := make([]site.RegistrationLine, len(rows))
	for i, r := range rows {
		lines[i] = s.registrationLine(c, r)
	}
	return s.render(c, http.StatusOK, site.Registrations(lines, q.Page, q.PerPage, total))
}

func (s *Server) registration(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	r, err := s.store.Registration(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, site.Registration(s.registrationLine(c, r), "", nil))
}

func (s *Server) approveRegistration(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.ApproveRegistration(rctx(c), me(c), id); err != nil {
		return err
	}
	flash(c, "ok", "regs.approved")
	return redirect(c, "/console/registrations")
}

func (s *Server) rejectRegistration(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	err = s.store.RejectRegistration(rctx(c), me(c), id, reason)
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		r, rerr := s.store.Registration(rctx(c), me(c), id)
		if rerr != nil {
			return rerr
		}
		return s.render(c, http.StatusUnprocessableEntity, site.Registration(s.registrationLine(c, r), reason, fe))
	}
	if err != nil {
		return err
	}
	flash(c, "ok", "regs.rejected")
	return redirect(c, "/console/registrations")
}

// --- The roster ---------------------------------------------------------------

// residentsScope returns the place named by the place query parameter, or
// the principal's first scope.
func (s *Server) residentsScope(c echo.Context) (models.Place, error) {
	p := me(c)
	if id, err := strconv.ParseUint(c.QueryParam("place"), 10, 64); err == nil && id != 0 {
		pl, err := s.store.PlaceByID(rctx(c), id)
		if err != nil {
			return pl, err
		}
		if !p.Can(models.PermManageResidents, pl) {
			return pl, models.ErrForbidden
		}
		return pl, nil
	}
	scopes := p.Scopes(models.PermManageResidents)
	if len(scopes) == 0 {
		return models.Place{}, models.ErrForbidden
	}
	return scopes[0], nil
}

// residentsTrail is the place's ancestors that the principal manages.
func (s *Server) residentsTrail(c echo.Context, pl models.Place) ([]site.PlaceStep, error) {
	anc, err := s.store.Ancestors(rctx(c), pl)
	if err != nil {
		return nil, err
	}
	var out []site.PlaceStep
	for _, a := range anc {
		if me(c).Can(models.PermManageResidents, a) {
			out = append(out, step(a))
		}
	}
	return out, nil
}

func residentLine(r models.Resident, household string) site.ResidentLine {
	return site.ResidentLine{ID: r.ID, HouseholdID: r.HouseholdID, Name: r.Name, Phone: models.MaskPhone(r.Phone), Household: household,
		BirthYear: r.BirthYear, IsHead: r.IsHead, Verified: r.AccountID != nil}
}

func (s *Server) residents(c echo.Context) error {
	pl, err := s.residentsScope(c)
	if err != nil {
		return err
	}
	if pl.Kind == models.KindHousehold {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/residents/households/%d", pl.ID))
	}
	q := models.RosterQuery{PlaceID: pl.ID, Search: strings.TrimSpace(c.QueryParam("q")), Page: residentsPage(c), PerPage: 20}
	rows, total, err := s.store.Roster(rctx(c), me(c), q)
	if err != nil {
		return err
	}
	d := site.ResidentsData{Place: step(pl), Search: q.Search, Page: q.Page, PerPage: q.PerPage, Total: total}
	d.PagerURL = fmt.Sprintf("/console/residents?place=%d&q=%s&", pl.ID, url.QueryEscape(q.Search))
	for _, sc := range me(c).Scopes(models.PermManageResidents) {
		d.Scopes = append(d.Scopes, step(sc))
	}
	if d.Trail, err = s.residentsTrail(c, pl); err != nil {
		return err
	}
	children, err := s.store.Children(rctx(c), pl.ID)
	if err != nil {
		return err
	}
	for _, ch := range children {
		d.Children = append(d.Children, step(ch))
	}
	for _, r := range rows {
		d.Rows = append(d.Rows, residentLine(r.Resident, r.HouseholdLabel))
	}
	return s.render(c, http.StatusOK, site.Residents(d))
}

func (s *Server) householdData(c echo.Context, id uint64) (site.HouseholdData, error) {
	ctx, p := rctx(c), me(c)
	hh, rs, err := s.store.HouseholdRoster(ctx, p, id)
	if err != nil {
		return site.HouseholdData{}, err
	}
	d := site.HouseholdData{ID: hh.ID}
	if d.Label, err = s.store.PlaceLabel(ctx, hh); err != nil {
		return d, err
	}
	if d.Trail, err = s.residentsTrail(c, hh); err != nil {
		return d, err
	}
	for _, r := range rs {
		d.Residents = append(d.Residents, residentLine(r, d.Label))
	}
	invites, err := s.store.HouseholdInvites(ctx, p, hh.ID)
	if err != nil {
		return d, err
	}
	vctx := views.WithEnv(ctx, env(c))
	now := s.store.Now()
	for _, inv := range invites {
		state := "residents.invite_open"
		switch {
		case inv.UsedByID != nil:
			state = "residents.invite_used"
		case !models.InviteUsable(inv, now):
			state = "residents.invite_expired"
		}
		d.Invites = append(d.Invites, site.InviteLine{Hint: inv.Hint, Created: views.FormatTime(vctx, inv.CreatedAt), Expires: views.FormatDate(vctx, inv.ExpiresAt), State: state})
	}
	return d, nil
}

func (s *Server) household(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.householdData(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, site.Household(d))
}

// residentForm reads the add and edit forms.
func residentForm(c echo.Context) (site.ResidentForm, models.ResidentInput, models.FieldErrors) {
	f := site.ResidentForm{Name: c.FormValue("name"), Phone: c.FormValue("phone"), BirthYear: strings.TrimSpace(c.FormValue("birth_year")), IsHead: c.FormValue("is_head") == "on"}
	in := models.ResidentInput{Name: f.Name, Phone: f.Phone, IsHead: f.IsHead}
	fe := models.FieldErrors{}
	if f.BirthYear != "" {
		y, err := strconv.Atoi(f.BirthYear)
		if err != nil {
			fe.Add("birth_year", "err.number_invalid")
		}
		in.BirthYear = y
	}
	return f, in, fe
}

func (s *Server) addResident(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	f, in, fe := residentForm(c)
	if len(fe) == 0 {
		_, err = s.store.AddResident(rctx(c), me(c), id, in)
		if err == nil {
			flash(c, "ok", "residents.added")
			return redirect(c, fmt.Sprintf("/console/residents/households/%d", id))
		}
		if !errors.As(err, &fe) {
			return err
		}
	} else if _, _, err := s.store.HouseholdRoster(rctx(c), me(c), id); err != nil {
		return err // refuse before showing anything of a household one does not manage
	}
	d, err := s.householdData(c, id)
	if err != nil {
		return err
	}
	f.Errors = fe
	d.Form = f
	return s.render(c, http.StatusUnprocessableEntity, site.Household(d))
}

func (s *Server) editResident(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	r, hh, err := s.store.ResidentByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	label, err := s.store.PlaceLabel(rctx(c), hh)
	if err != nil {
		return err
	}
	f := site.ResidentForm{Name: r.Name, Phone: r.Phone, IsHead: r.IsHead}
	if r.BirthYear != 0 {
		f.BirthYear = strconv.Itoa(r.BirthYear)
	}
	return s.render(c, http.StatusOK, site.ResidentEdit(r.ID, hh.ID, label, f))
}

func (s *Server) updateResident(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	r, hh, err := s.store.ResidentByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	f, in, fe := residentForm(c)
	if len(fe) == 0 {
		_, err = s.store.UpdateResident(rctx(c), me(c), id, in)
		if err == nil {
			flash(c, "ok", "residents.saved")
			return redirect(c, fmt.Sprintf("/console/residents/households/%d", r.HouseholdID))
		}
		if !errors.As(err, &fe) {
			return err
		}
	}
	label, err := s.store.PlaceLabel(rctx(c), hh)
	if err != nil {
		return err
	}
	f.Errors = fe
	return s.render(c, http.StatusUnprocessableEntity, site.ResidentEdit(r.ID, hh.ID, label, f))
}

func (s *Server) removeResidentPage(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	r, hh, err := s.store.ResidentByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	label, err := s.store.PlaceLabel(rctx(c), hh)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, site.ResidentRemove(residentLine(r, label)))
}

func (s *Server) removeResident(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	r, _, err := s.store.ResidentByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	if err := s.store.RemoveResident(rctx(c), me(c), id); err != nil {
		return err
	}
	flash(c, "ok", "residents.removed")
	return redirect(c, fmt.Sprintf("/console/residents/households/%d", r.HouseholdID))
}

// createInvite makes a code and shows it once, on a printable slip. The
// response is not cached anywhere.
func (s *Server) createInvite(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	code, inv, err := s.store.CreateInvite(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	hh, err := s.store.PlaceByID(rctx(c), inv.HouseholdID)
	if err != nil {
		return err
	}
	label, err := s.store.PlaceLabel(rctx(c), hh)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	vctx := views.WithEnv(rctx(c), env(c))
	return s.render(c, http.StatusOK, site.InviteSlip(hh.ID, label, models.FormatInviteCode(code), views.FormatDate(vctx, inv.ExpiresAt)))
}

// --- Import and export --------------------------------------------------------

func (s *Server) importForm(c echo.Context, scopeID string, fe models.FieldErrors) (site.ImportForm, error) {
	f := site.ImportForm{ScopeID: scopeID, Errors: fe}
	for _, sc := range me(c).Scopes(models.PermManageResidents) {
		places := []models.Place{sc}
		if sc.Kind == models.KindStreet || sc.Kind == models.KindTownship {
			below, err := s.store.PlacesOfKind(rctx(c), sc, models.KindCommunity, models.KindVillage)
			if err != nil {
				return f, err
			}
			places = append(places, below...)
		}
		for _, pl := range places {
			label, err := s.store.PlaceLabel(rctx(c), pl)
			if err != nil {
				return f, err
			}
			f.Scopes = append(f.Scopes, components.Option{Value: strconv.FormatUint(pl.ID, 10), Label: label})
		}
	}
	return f, nil
}

func (s *Server) importPage(c echo.Context) error {
	f, err := s.importForm(c, "", nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, site.Import(f))
}

func (s *Server) uploadImport(c echo.Context) error {
	scope := c.FormValue("scope")
	fail := func(fe models.FieldErrors) error {
		f, err := s.importForm(c, scope, fe)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, site.Import(f))
	}
	scopeID, _ := strconv.ParseUint(scope, 10, 64)
	if scopeID == 0 {
		return fail(models.FieldErrors{"scope": "err.import_scope"})
	}
	pl, err := s.store.PlaceByID(rctx(c), scopeID)
	if errors.Is(err, models.ErrNotFound) {
		return fail(models.FieldErrors{"scope": "err.import_scope"})
	} else if err != nil {
		return err
	}
	if !me(c).Can(models.PermManageResidents, pl) {
		return models.ErrForbidden
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return fail(models.FieldErrors{"file": "err.required"})
	}
	if fh.Size > models.MaxImportBytes {
		return fail(models.FieldErrors{"file": "err.import_too_big"})
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	defer file.Close()
	rows, err := models.ReadRoster(fh.Filename, file, s.store.Now())
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		return fail(fe)
	}
	if err != nil {
		return err
	}
	imp, err := s.store.PreviewImport(rctx(c), me(c), scopeID, fh.Filename, rows)
	if errors.As(err, &fe) {
		return fail(fe)
	}
	if err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/console/residents/import/%d", imp.ID))
}

func (s *Server) importPreview(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	imp, rows, err := s.store.Import(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	scope, err := s.store.PlaceByID(rctx(c), imp.ScopeID)
	if err != nil {
		return err
	}
	d := site.ImportPreviewData{ID: imp.ID, FileName: imp.FileName, RowCount: imp.RowCount, ErrorCount: imp.ErrorCount,
		Committed: imp.CommittedAt != nil, OnlyErrors: c.QueryParam("errors") == "1", Page: residentsPage(c), PerPage: 50}
	if d.Scope, err = s.store.PlaceLabel(rctx(c), scope); err != nil {
		return err
	}
	if d.OnlyErrors {
		kept := rows[:0]
		for _, r := range rows {
			if len(r.Errors) > 0 {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	d.Total = int64(len(rows))
	start := min((d.Page-1)*d.PerPage, len(rows))
	end := min(start+d.PerPage, len(rows))
	for _, r := range rows[start:end] {
		d.Rows = append(d.Rows, site.ImportLine{Line: r.Line, Household: r.PathKey(), Name: r.Name, Phone: models.MaskPhone(r.Phone),
			BirthYear: r.BirthYear, IsHead: r.IsHead, Errors: r.Errors})
	}
	return s.render(c, http.StatusOK, site.ImportPreview(d))
}

func (s *Server) commitImport(c echo.Context) error {
	id, err := residentsID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.store.CommitImport(rctx(c), me(c), id); err != nil {
		return err
	}
	flash(c, "ok", "rimport.done")
	return redirect(c, fmt.Sprintf("/console/residents/import/%d", id))
}

// sendRoster writes roster rows as a CSV or .xlsx download.
func sendRoster(c echo.Context, name, format string, rows []models.RosterRow) error {
	var buf bytes.Buffer
	ctype := "text/csv; charset=utf-8"
	var err error
	if format == "xlsx" {
		ctype = xlsxType
		err = models.WriteRosterXLSX(&buf, rows)
	} else {
		err = models.WriteRosterCSV(&buf, rows)
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, ctype, buf.Bytes())
}

func (s *Server) rosterTemplate(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return sendRoster(c, "roster-template", format, models.TemplateRows)
	}
}

// rosterExport downloads the roster of a place the principal manages, with
// phone numbers in full: staff who manage residents keep them anyway, and
// the page that links here says to keep the file safe.
func (s *Server) rosterExport(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		pl, err := s.residentsScope(c)
		if err != nil {
			return err
		}
		rows, err := s.store.RosterExport(rctx(c), me(c), pl.ID)
		if err != nil {
			return err
		}
		return sendRoster(c, fmt.Sprintf("roster-%d-%s", pl.ID, s.store.Now().Format("20060102")), format, rows)
	}
}
