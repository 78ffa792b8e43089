package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views"
	"yishi/views/components"
	"yishi/views/console"
)

// Staff console: the place tree, roles, accounts and the audit trail.

const (
	childrenPerPage = 50
	auditPerPage    = 50
)

// scopeLinks labels the places a principal holds perm at, linking each to
// prefix+id.
func (s *Server) scopeLinks(c echo.Context, places []models.Place, prefix string) ([]console.ScopeLink, error) {
	out := make([]console.ScopeLink, 0, len(places))
	for _, pl := range places {
		label, err := s.store.PlaceLabel(rctx(c), pl)
		if err != nil {
			return nil, err
		}
		out = append(out, console.ScopeLink{Href: prefix + strconv.FormatUint(pl.ID, 10), Label: label, Kind: pl.Kind})
	}
	return out, nil
}

// crumbs builds a breadcrumb down to pl, linking the steps where the
// principal holds perm.
func crumbs(p *models.Principal, perm models.Permission, ancestors []models.Place, pl models.Place, prefix string) []console.Crumb {
	out := make([]console.Crumb, 0, len(ancestors)+1)
	for _, a := range ancestors {
		cr := console.Crumb{Name: a.Name}
		if p.Can(perm, a) {
			cr.Href = prefix + strconv.FormatUint(a.ID, 10)
		}
		out = append(out, cr)
	}
	return append(out, console.Crumb{Name: pl.Name})
}

// --- Places -----------------------------------------------------------------

func (s *Server) placesIndexData(c echo.Context) (console.PlacesIndexData, error) {
	p := me(c)
	scopes, err := s.scopeLinks(c, p.Scopes(models.PermManagePlaces), "/console/places/")
	if err != nil {
		return console.PlacesIndexData{}, err
	}
	return console.PlacesIndexData{Scopes: scopes, CanRoot: p.Has(models.RoleAdmin)}, nil
}

func (s *Server) consolePlaces(c echo.Context) error {
	d, err := s.placesIndexData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, console.PlacesIndex(d))
}

// consoleAddRoot adds a street or township (an administrator's job).
func (s *Server) consoleAddRoot(c echo.Context) error {
	in := models.PlaceInput{Kind: models.PlaceKind(c.FormValue("kind")), Name: c.FormValue("name")}
	pl, err := s.store.CreatePlace(rctx(c), me(c), in)
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		d, derr := s.placesIndexData(c)
		if derr != nil {
			return derr
		}
		d.RootKind, d.RootName, d.Errors = string(in.Kind), in.Name, fe
		return s.render(c, http.StatusUnprocessableEntity, console.PlacesIndex(d))
	}
	if err != nil {
		return err
	}
	flash(c, "ok", "console.place_added")
	return redirect(c, "/console/places/"+strconv.FormatUint(pl.ID, 10))
}

// placeData loads the place page for the path's :id.
func (s *Server) placeData(c echo.Context) (console.PlaceData, error) {
	var d console.PlaceData
	id, err := idParam(c, "id")
	if err != nil {
		return d, err
	}
	p := me(c)
	page := pageParam(c)
	pg, err := s.store.ManagedPlace(rctx(c), p, id, page, childrenPerPage)
	if err != nil {
		return d, err
	}
	label, err := s.store.PlaceLabel(rctx(c), pg.Place)
	if err != nil {
		return d, err
	}
	d = console.PlaceData{
		Place: pg.Place, Label: label,
		Crumbs: append([]console.Crumb{{Name: views.T(views.WithEnv(rctx(c), env(c)), "console.places"), Href: "/console/places"}},
			crumbs(p, models.PermManagePlaces, pg.Ancestors, pg.Place, "/console/places/")...),
		Page: page, PerPage: childrenPerPage, Total: pg.Total, AddKinds: pg.AddKinds, CanEdit: pg.CanEdit, NewName: pg.Place.Name,
		CanRoles: p.Can(models.PermGrantRoles, pg.Place), CanAudit: p.Can(models.PermViewAudit, pg.Place),
	}
	for _, ch := range pg.Children {
		d.Rows = append(d.Rows, console.PlaceRow{ID: ch.ID, Name: ch.Name, Kind: ch.Kind, Below: pg.Below[ch.ID], Residents: pg.Residents[ch.ID]})
	}
	return d, nil
}

func (s *Server) consolePlace(c echo.Context) error {
	d, err := s.placeData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, console.PlacePage(d))
}

func (s *Server) consoleAddChild(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := models.PlaceInput{ParentID: id, Kind: models.PlaceKind(c.FormValue("kind")), Name: c.FormValue("name")}
	_, err = s.store.CreatePlace(rctx(c), me(c), in)
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		d, derr := s.placeData(c)
		if derr != nil {
			return derr
		}
		d.AddKind, d.AddName, d.AddErrors = string(in.Kind), in.Name, fe
		return s.render(c, http.StatusUnprocessableEntity, console.PlacePage(d))
	}
	if err != nil {
		return err
	}
	flash(c, "ok", "console.place_added")
	return redirect(c, "/console/places/"+strconv.FormatUint(id, 10))
}

func (s *Server) consoleRenamePlace(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	name := c.FormValue("new_name")
	_, err = s.store.RenamePlace(rctx(c), me(c), id, name)
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		d, derr := s.placeData(c)
		if derr != nil {
			return derr
		}
		d.NewName = name
		d.RenameErrors = models.FieldErrors{}
		for k, v := range fe {
			if k == "name" {
				k = "new_name"
			}
			d.RenameErrors[k] = v
		}
		return s.render(c, http.StatusUnprocessableEntity, console.PlacePage(d))
	}
	if err != nil {
		return err
	}
	flash(c, "ok", "console.place_renamed")
	return redirect(c, "/console/places/"+strconv.FormatUint(id, 10))
}

// placeDeleteData loads the confirmation page; only who may delete sees it.
func (s *Server) placeDeleteData(c echo.Context) (console.PlaceDeleteData, error) {
	var d console.PlaceDeleteData
	id, err := idParam(c, "id")
	if err != nil {
		return d, err
	}
	pg, err := s.store.ManagedPlace(rctx(c), me(c), id, 1, 1)
	if errors.Is(err, models.ErrForbidden) || err == nil && !pg.CanEdit {
		return d, models.ErrForbidden
	}
	if err != nil {
		return d, err
	}
	label, err := s.store.PlaceLabel(rctx(c), pg.Place)
	if err != nil {
		return d, err
	}
	return console.PlaceDeleteData{Place: pg.Place, Label: label, Back: "/console/places/" + strconv.FormatUint(id, 10),
		Blocker: pg.Usage.DeleteBlocker(), Usage: pg.Usage.Summary()}, nil
}

func (s *Server) consoleDeletePlacePage(c echo.Context) error {
	d, err := s.placeDeleteData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, console.PlaceDelete(d))
}

func (s *Server) consoleDeletePlace(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	pl, err := s.store.PlaceByID(rctx(c), id)
	if err != nil {
		return err
	}
	err = s.store.DeletePlace(rctx(c), me(c), id)
	var de *models.Error
	if errors.Is(err, models.ErrPlaceNotEmpty) && errors.As(err, &de) {
		d, derr := s.placeDeleteData(c)
		if derr != nil {
			return derr
		}
		if len(de.Args) == 1 {
			if key, ok := de.Args[0].(string); ok {
				d.Blocker = key
			}
		}
		if d.Blocker == "" {
			d.Blocker = de.Code
		}
		return s.render(c, http.StatusConflict, console.PlaceDelete(d))
	}
	if err != nil {
		return err
	}
	flash(c, "ok", "console.place_deleted")
	if pl.ParentID != nil && me(c).Can(models.PermManagePlaces, models.Place{Path: parentPath(pl)}) {
		return redirect(c, "/console/places/"+strconv.FormatUint(*pl.ParentID, 10))
	}
	return redirect(c, "/console/places")
}

// parentPath is the path of pl's parent, cut from pl's own.
func parentPath(pl models.Place) string {
	trimmed := strings.TrimSuffix(pl.Path, "/")
	if i := strings.LastIndexByte(trimmed, '/'); i >= 0 {
		return trimmed[:i+1]
	}
	return ""
}

// --- Roles ------------------------------------------------------------------

func (s *Server) consoleRoles(c echo.Context) error {
	scopes, err := s.scopeLinks(c, me(c).Scopes(models.PermGrantRoles), "/console/roles/")
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, console.RolesIndex(console.RolesIndexData{Scopes: scopes}))
}

// rolesData loads the grants at the path's :place and, with phone given,
// the account it finds.
func (s *Server) rolesData(c echo.Context, phone string) (console.RolesData, error) {
	var d console.RolesData
	id, err := idParam(c, "place")
	if err != nil {
		return d, err
	}
	p := me(c)
	pl, err := s.store.PlaceByID(rctx(c), id)
	if err != nil {
		return d, err
	}
	page := pageParam(c)
	grants, total, err := s.store.GrantsAt(rctx(c), p, pl, true, page)
	if err != nil {
		return d, err
	}
	anc, err := s.store.Ancestors(rctx(c), pl)
	if err != nil {
		return d, err
	}
	label, err := s.store.PlaceLabel(rctx(c), pl)
	if err != nil {
		return d, err
	}
	d = console.RolesData{Place: pl, Label: label, Grantable: p.GrantableRoles(pl),
		Page: page, PerPage: models.GrantsPerPage, Total: total, Base: "/console/roles/" + strconv.FormatUint(pl.ID, 10) + "?",
		Crumbs: append([]console.Crumb{{Name: views.T(views.WithEnv(rctx(c), env(c)), "console.roles"), Href: "/console/roles"}},
			crumbs(p, models.PermGrantRoles, anc, pl, "/console/roles/")...)}
	if pl.Kind != models.KindBuilding && pl.Kind != models.KindHousehold {
		children, err := s.store.Children(rctx(c), pl.ID)
		if err != nil {
			return d, err
		}
		for _, ch := range children {
			if ch.Kind != models.KindHousehold {
				d.Narrower = append(d.Narrower, console.ScopeLink{Href: "/console/roles/" + strconv.FormatUint(ch.ID, 10), Label: ch.Name, Kind: ch.Kind})
			}
		}
	}
	vctx := views.WithEnv(rctx(c), env(c))
	labels, err := placeLabelsOf(s, c, grants, func(g models.GrantRow) models.Place { return g.Place })
	if err != nil {
		return d, err
	}
	for _, g := range grants {
		d.Grants = append(d.Grants, console.GrantLine{ID: g.ID, Name: g.AccountName, Phone: models.MaskPhone(g.AccountPhone), Role: g.Role,
			Place: labels[g.PlaceID], At: views.FormatTime(vctx, g.CreatedAt), CanRevoke: p.CanRevoke(g.RoleGrant)})
	}
	d.Phone = strings.TrimSpace(phone)
	if d.Phone != "" {
		a, err := s.store.AccountForGrant(rctx(c), p, d.Phone)
		var fe models.FieldErrors
		switch {
		case errors.As(err, &fe):
			d.Errors = fe
		case errors.Is(err, models.ErrNotFound):
			d.NotFound = true
		case err != nil:
			return d, err
		default:
			d.Found = &a
		}
	}
	return d, nil
}

func (s *Server) consoleRolesAt(c echo.Context) error {
	d, err := s.rolesData(c, c.QueryParam("phone"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(d.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, console.RolesPlace(d))
}

func (s *Server) consoleGrant(c echo.Context) error {
	id, err := idParam(c, "place")
	if err != nil {
		return err
	}
	accountID, _ := strconv.ParseUint(c.FormValue("account_id"), 10, 64)
	role := models.Role(c.FormValue("role"))
	_, err = s.store.GrantRole(rctx(c), me(c), accountID, role, id)
	var fe models.FieldErrors
	switch {
	case err == nil:
		flash(c, "ok", "console.granted")
		return redirect(c, "/console/roles/"+strconv.FormatUint(id, 10))
	case errors.As(err, &fe), errors.Is(err, models.ErrConflict), errors.Is(err, models.ErrNotFound):
		d, derr := s.rolesData(c, c.FormValue("phone"))
		if derr != nil {
			return derr
		}
		d.Role = string(role)
		status := http.StatusUnprocessableEntity
		switch {
		case len(fe) > 0:
			d.Errors = fe
		case errors.Is(err, models.ErrConflict):
			d.Error, status = "console.already_granted", http.StatusConflict
		default:
			d.Error = "console.account_not_found"
		}
		return s.render(c, status, console.RolesPlace(d))
	}
	return err
}

func (s *Server) revokeData(c echo.Context) (console.RevokeData, models.GrantRow, error) {
	id, err := idParam(c, "grant")
	if err != nil {
		return console.RevokeData{}, models.GrantRow{}, err
	}
	g, err := s.store.GrantForRevoke(rctx(c), me(c), id)
	if err != nil {
		return console.RevokeData{}, g, err
	}
	label, err := s.store.PlaceLabel(rctx(c), g.Place)
	if err != nil {
		return console.RevokeData{}, g, err
	}
	return console.RevokeData{ID: g.ID, Name: g.AccountName, Phone: models.MaskPhone(g.AccountPhone), Role: g.Role, Place: label,
		Back: "/console/roles/" + strconv.FormatUint(g.PlaceID, 10)}, g, nil
}

func (s *Server) consoleRevokePage(c echo.Context) error {
	d, _, err := s.revokeData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, console.RevokeConfirm(d))
}

func (s *Server) consoleRevoke(c echo.Context) error {
	_, g, err := s.revokeData(c)
	if err != nil {
		return err
	}
	if err := s.store.RevokeRole(rctx(c), me(c), g.ID); err != nil {
		return err
	}
	flash(c, "ok", "console.revoked")
	if me(c).Can(models.PermGrantRoles, g.Place) {
		return redirect(c, "/console/roles/"+strconv.FormatUint(g.PlaceID, 10))
	}
	return redirect(c, "/console/roles")
}

// --- Accounts ---------------------------------------------------------------

func (s *Server) consoleAccounts(c echo.Context) error {
	d := console.AccountsData{Phone: strings.TrimSpace(c.QueryParam("phone"))}
	if d.Phone == "" {
		return s.render(c, http.StatusOK, console.Accounts(d))
	}
	st, err := s.store.AccountStatusByPhone(rctx(c), me(c), d.Phone)
	var fe models.FieldErrors
	switch {
	case errors.As(err, &fe):
		d.Errors = fe
		return s.render(c, http.StatusUnprocessableEntity, console.Accounts(d))
	case errors.Is(err, models.ErrNotFound):
		d.NotFound = true
		return s.render(c, http.StatusOK, console.Accounts(d))
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/console/accounts/"+strconv.FormatUint(st.Account.ID, 10))
}

func (s *Server) consoleAccount(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	st, err := s.store.AccountStatusByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	d := console.AccountData{ID: st.Account.ID, Name: st.Account.Name, Phone: models.MaskPhone(st.Account.Phone), Failed: st.Account.FailedLogins}
	if st.Home.ID != 0 {
		if d.Home, err = s.store.PlaceLabel(rctx(c), st.Home); err != nil {
			return err
		}
	}
	if st.Account.Locked(s.store.Now()) {
		d.Locked = true
		d.LockedUntil = views.FormatTimePtr(views.WithEnv(rctx(c), env(c)), st.Account.LockedUntil)
	}
	if d.SecondFactor, _, err = s.store.SecondFactorState(rctx(c), id); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, console.Account(d))
}

// consoleResetSecondFactor switches off the second factor of an account
// whose owner lost their phone, once staff confirm they checked who asks.
func (s *Server) consoleResetSecondFactor(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	back := "/console/accounts/" + strconv.FormatUint(id, 10)
	if !confirmed(c) {
		flash(c, "error", "err.confirm_required")
		return redirect(c, back)
	}
	err = s.store.ResetSecondFactor(rctx(c), me(c), id)
	switch {
	case errors.Is(err, models.ErrSecondFactorOff):
		flash(c, "error", "err.second_factor_off")
	case err != nil:
		return err
	default:
		flash(c, "ok", "console.second_factor_reset")
	}
	return redirect(c, back)
}

func (s *Server) consoleUnlock(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	err = s.store.Unlock(rctx(c), me(c), id)
	switch {
	case errors.Is(err, models.ErrNotLocked):
		flash(c, "error", "err.not_locked")
	case err != nil:
		return err
	default:
		flash(c, "ok", "console.unlocked")
	}
	return redirect(c, "/console/accounts/"+strconv.FormatUint(id, 10))
}

// --- Audit trail ------------------------------------------------------------

func (s *Server) consoleAudit(c echo.Context) error {
	p := me(c)
	q := c.QueryParams()
	d := console.AuditData{
		Action: strings.TrimSpace(q.Get("action")), Actor: strings.TrimSpace(q.Get("actor")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), Place: strings.TrimSpace(q.Get("place")),
		Page: pageParam(c), PerPage: auditPerPage, TZName: s.cfg.TZ.String(),
	}
	from, to, fe := models.AuditRange(d.From, d.To, s.cfg.TZ)
	if d.Actor != "" && !models.ValidPhone(models.NormalizePhone(d.Actor)) {
		fe.Add("actor", "err.phone_invalid")
	}
	var placeID uint64
	if d.Place != "" && d.Place != "0" {
		n, err := strconv.ParseUint(d.Place, 10, 64)
		if err != nil {
			fe.Add("place", "err.invalid_choice")
		}
		placeID = n
	}
	var err error
	if d.Actions, err = s.store.AuditActions(rctx(c)); err != nil {
		return err
	}
	d.Places = []components.Option{{Value: "", Label: views.T(views.WithEnv(rctx(c), env(c)), "console.audit_all_places")}}
	for _, sc := range p.Scopes(models.PermViewAudit) {
		places, err := s.store.PlacesOfKind(rctx(c), sc, models.KindStreet, models.KindTownship, models.KindCommunity, models.KindVillage, models.KindCompound, models.KindGroup)
		if err != nil {
			return err
		}
		labels, err := s.store.PlaceLabels(rctx(c), places)
		if err != nil {
			return err
		}
		for _, pl := range places {
			d.Places = append(d.Places, components.Option{Value: strconv.FormatUint(pl.ID, 10), Label: labels[pl.ID]})
		}
	}
	if len(fe) > 0 {
		d.Errors = fe
		return s.render(c, http.StatusUnprocessableEntity, console.Audit(d))
	}
	rows, total, err := s.store.AuditTrail(rctx(c), p, placeID, models.AuditFilter{
		Action: d.Action, ActorPhone: d.Actor, From: from, To: to, Page: d.Page, PerPage: d.PerPage,
	})
	if err != nil {
		return err
	}
	d.Total = total
	vctx := views.WithEnv(rctx(c), env(c))
	for _, r := range rows {
		l := console.AuditLine{
			ID: r.ID, Local: r.At.In(s.cfg.TZ).Format("2006-01-02 15:04:05"), UTC: r.At.UTC().Format("2006-01-02 15:04:05"),
			ISO: r.At.UTC().Format("2006-01-02T15:04:05Z"), Action: r.Action, Place: r.PlaceName, Result: r.Result, Detail: r.Detail,
		}
		if r.PlaceID != nil && r.PlaceName == "" {
			l.Place = views.T(vctx, "console.audit_place_gone", *r.PlaceID)
		}
		if r.ActorID != nil {
			phone := models.MaskPhone(r.ActorPhone)
			if *r.ActorID == p.Account.ID {
				phone = r.ActorPhone // one's own number is no secret to oneself
			}
			l.Actor = r.ActorName + " " + phone
		}
		if r.ObjectType != "" {
			l.Object = views.T(vctx, "console.object", console.ObjectName(vctx, r.ObjectType), r.ObjectID)
		}
		d.Lines = append(d.Lines, l)
	}
	filters := url.Values{}
	for k, v := range map[string]string{"action": d.Action, "actor": d.Actor, "from": d.From, "to": d.To, "place": d.Place} {
		if v != "" {
			filters.Set(k, v)
		}
	}
	d.Base = "/console/audit?"
	if enc := filters.Encode(); enc != "" {
		d.Base += enc + "&"
	}
	return s.render(c, http.StatusOK, console.Audit(d))
}
