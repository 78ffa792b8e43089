package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views/components"
	"yishi/views/needs"
	"yishi/views/site"
)

const needsPerPage = 10

// needActionRoutes are the steps posted to /needs/:id/<step>.
var needActionRoutes = []models.NeedAction{
	models.NeedActAccept, models.NeedActDecline, models.NeedActMerge, models.NeedActDispatch, models.NeedActTake,
	models.NeedActReturn, models.NeedActRecall, models.NeedActProgress, models.NeedActComplete, models.NeedActRate, models.NeedActSendBack,
	models.NeedActEscalate, models.NeedActChase,
}

// needActionPath is the address segment of a step: send_back → send-back.
func needActionPath(a models.NeedAction) string { return needs.ActionPath(a) }

func formID(c echo.Context, name string) uint64 {
	id, _ := strconv.ParseUint(strings.TrimSpace(c.FormValue(name)), 10, 64)
	return id
}

// needsList shows a resident's needs in tabs: their own, the public needs of
// their community, and those dispatched to a taker they act for.
func (s *Server) needsList(c echo.Context) error {
	p := me(c)
	d := needs.ListData{Tab: c.QueryParam("tab"), Page: pageParam(c), PerPage: needsPerPage, Now: s.store.Now()}
	var err error
	if d.ActsForTaker, err = s.store.ActsForTaker(rctx(c), p.Account.ID); err != nil {
		return err
	}
	scope := models.NeedsMine
	switch d.Tab {
	case "public":
		scope = models.NeedsPublic
	case "dispatched":
		if !d.ActsForTaker {
			return models.ErrNotFound
		}
		scope = models.NeedsDispatched
	default:
		d.Tab = "mine"
	}
	if _, pending, err := s.store.Residency(rctx(c), p.Account.ID); err != nil {
		return err
	} else {
		d.CanFile = p.Has(models.RoleResident)
		d.Pending = pending
	}
	d.Needs, d.Total, err = s.store.ListNeeds(rctx(c), p, models.NeedFilter{Scope: scope, Page: d.Page, PerPage: d.PerPage})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, needs.List(d))
}

// needForm builds the filing form for a verified resident: the active
// categories and the places of their community, their building first.
func (s *Server) needForm(c echo.Context, in models.NeedInput, fe models.FieldErrors) (needs.FormData, error) {
	p := me(c)
	d := needs.FormData{In: in, Errors: fe}
	hh, _, err := s.store.Residency(rctx(c), p.Account.ID)
	if err != nil {
		return d, err
	}
	if hh == nil {
		return d, models.ErrNotResident
	}
	if d.Categories, err = s.store.NeedCategories(rctx(c), true); err != nil {
		return d, err
	}
	places, err := s.store.NeedPlaces(rctx(c), p)
	if err != nil {
		return d, err
	}
	com := places[0]
	names := map[uint64]string{com.ID: com.Name}
	for i, pl := range places {
		label := pl.Name
		if i > 0 && pl.ParentID != nil && names[*pl.ParentID] != "" && *pl.ParentID != com.ID {
			label = names[*pl.ParentID] + " / " + pl.Name
		}
		names[pl.ID] = label
		d.Places = append(d.Places, components.Option{Value: strconv.FormatUint(pl.ID, 10), Label: label})
		if pl.Kind == models.KindBuilding && pl.Contains(*hh) && in.PlaceID == 0 {
			d.In.PlaceID = pl.ID
		}
	}
	if d.In.PlaceID == 0 {
		d.In.PlaceID = com.ID
	}
	return d, nil
}

// notResident refuses filing to someone who is not a verified resident,
// saying why.
func (s *Server) notResident(c echo.Context) error {
	return s.render(c, http.StatusForbidden, site.ErrorPage(http.StatusForbidden, "err.not_resident"))
}

func (s *Server) needNew(c echo.Context) error {
	d, err := s.needForm(c, models.NeedInput{}, nil)
	if errors.Is(err, models.ErrNotResident) {
		return s.notResident(c)
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, needs.New(d))
}

// needFile files a need from the multipart form, photos included; on bad
// input it shows the form again with what was typed and files nothing.
func (s *Server) needFile(c echo.Context) error {
	if hh, _, err := s.store.Residency(rctx(c), me(c).Account.ID); err != nil {
		return err
	} else if hh == nil {
		return s.notResident(c)
	}
	in := models.NeedInput{
		CategoryID:  formID(c, "category_id"),
		PlaceID:     formID(c, "place_id"),
		Description: c.FormValue("description"),
		Public:      c.FormValue("visibility") != "staff",
	}
	photos, fe, err := readPhotos(c, models.MaxNeedPhotos)
	if err != nil {
		return err
	}
	if len(fe) == 0 {
		n, err := s.store.FileNeed(rctx(c), me(c), in, photos)
		if err == nil {
			flash(c, "ok", "needs.filed")
			return redirect(c, "/needs/"+strconv.FormatUint(n.ID, 10))
		}
		if !errors.As(err, &fe) {
			return err
		}
	} else {
		// Report the other fields' problems too.
		for k, v := range in.Validate() {
			fe.Add(k, v)
		}
	}
	d, err := s.needForm(c, in, fe)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, needs.New(d))
}

// needDetail gathers everything the need's page shows to the viewer.
func (s *Server) needDetail(c echo.Context, id uint64) (needs.DetailData, error) {
	p := me(c)
	var d needs.DetailData
	var err error
	if d.Need, err = s.store.NeedByID(rctx(c), p, id); err != nil {
		return d, err
	}
	d.Now = s.store.Now()
	d.Viewer = p.Account.ID
	if d.Projects, err = s.store.ProjectsForNeed(rctx(c), id); err != nil {
		return d, err
	}
	if d.Topics, err = s.store.TopicsForNeed(rctx(c), id); err != nil {
		return d, err
	}
	if d.TopicOpen, err = s.store.MaySeeTopics(rctx(c), p, d.Topics); err != nil {
		return d, err
	}
	if m := d.Need.MergedIntoID; m != nil {
		if d.MergedOpen, err = s.mayOpen(c, "need", *m); err != nil {
			return d, err
		}
	}
	if d.PlaceLabel, err = s.store.PlaceLabel(rctx(c), d.Need.Place); err != nil {
		return d, err
	}
	seen := map[models.NeedAction]bool{}
	for _, r := range d.Need.Roles {
		for _, a := range models.NeedActionsFor(d.Need.Status, r) {
			if !seen[a] && a != models.NeedActAutoClose {
				seen[a] = true
				d.Actions = append(d.Actions, a)
			}
		}
	}
	if seen[models.NeedActDispatch] {
		if d.Takers, err = s.store.TakersFor(rctx(c), d.Need.Place); err != nil {
			return d, err
		}
	}
	if seen[models.NeedActEscalate] {
		next, ok := d.Need.Level.Next()
		if !ok {
			delete(seen, models.NeedActEscalate)
			d.Actions = without(d.Actions, models.NeedActEscalate)
		} else {
			d.NextLevel = next
			if next == models.NeedLevelStreet {
				all, err := s.store.TakersFor(rctx(c), d.Need.Place)
				if err != nil {
					return d, err
				}
				for _, t := range all {
					if t.Kind == models.TakerDepartment || t.Kind == models.TakerUnit {
						d.Callable = append(d.Callable, t)
					}
				}
			}
		}
	}
	if seen[models.NeedActMerge] {
		open, _, err := s.store.ListNeeds(rctx(c), p, models.NeedFilter{Scope: models.NeedsStaff, PlaceID: d.Need.Place.AncestorIDs()[min(1, len(d.Need.Place.AncestorIDs())-1)], PerPage: 100})
		if err != nil {
			return d, err
		}
		for _, n := range open {
			if n.ID != d.Need.ID && n.TakesMerges() {
				d.MergeTargets = append(d.MergeTargets, n)
			}
		}
	}
	d.CanSupport = d.Need.MaySupport(p.Account.ID)
	d.CanRateWhistle = d.Need.MayRateWhistles()
	return d, nil
}

func without(list []models.NeedAction, a models.NeedAction) []models.NeedAction {
	var out []models.NeedAction
	for _, x := range list {
		if x != a {
			out = append(out, x)
		}
	}
	return out
}

func (s *Server) needShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.needDetail(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, needs.Detail(d))
}

// needPhoto serves a need's photo to those who may see the need, never to
// shared caches.
func (s *Server) needPhoto(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	pid, err := idParam(c, "pid")
	if err != nil {
		return err
	}
	ph, err := s.store.NeedPhotoFor(rctx(c), me(c), id, pid)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=3600")
	return c.Blob(http.StatusOK, ph.ContentType, ph.Data)
}

// finalNeedActions need a ticked confirmation box, which works without
// JavaScript.
var finalNeedActions = map[models.NeedAction]bool{
	models.NeedActDecline: true, models.NeedActMerge: true, models.NeedActComplete: true, models.NeedActRate: true,
}

// needAction handles one step on a need: only someone playing a part that
// takes this action gets past the check; bad input shows the page again
// with the form's errors and changes nothing.
func (s *Server) needAction(a models.NeedAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := me(c)
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		d, err := s.store.NeedByID(rctx(c), p, id)
		if err != nil {
			return err
		}
		allowed := false
		for _, r := range d.Roles {
			allowed = allowed || a.TakenBy(r)
		}
		if !allowed {
			return models.ErrForbidden
		}
		fe := models.FieldErrors{}
		if finalNeedActions[a] && c.FormValue("confirm") != "on" {
			fe.Add("confirm", "err.confirm_required")
		}
		if len(fe) == 0 {
			err = s.doNeedAction(c, p, id, a)
			if err == nil {
				flash(c, "ok", "needs.did."+string(a))
				return redirect(c, "/needs/"+strconv.FormatUint(id, 10))
			}
			if !errors.As(err, &fe) {
				return err
			}
		}
		return s.needRerender(c, id, string(a), fe)
	}
}

// needRerender shows the need's page again with the errors of one form and
// what was typed into it.
func (s *Server) needRerender(c echo.Context, id uint64, form string, fe models.FieldErrors) error {
	d, err := s.needDetail(c, id)
	if err != nil {
		return err
	}
	d.Form, d.Errors = form, fe
	d.Values = map[string]string{}
	for _, k := range []string{"reason", "note", "comment", "rating", "taker_id", "target_id"} {
		d.Values[k] = c.FormValue(k)
	}
	return s.render(c, http.StatusUnprocessableEntity, needs.Detail(d))
}

func (s *Server) doNeedAction(c echo.Context, p *models.Principal, id uint64, a models.NeedAction) error {
	ctx := rctx(c)
	var err error
	switch a {
	case models.NeedActAccept:
		_, err = s.store.AcceptNeed(ctx, p, id)
	case models.NeedActDecline:
		_, err = s.store.DeclineNeed(ctx, p, id, c.FormValue("reason"))
	case models.NeedActMerge:
		_, err = s.store.MergeNeed(ctx, p, id, formID(c, "target_id"))
	case models.NeedActDispatch:
		t := formID(c, "taker_id")
		if t == 0 {
			return models.FieldErrors{"taker_id": "err.required"}
		}
		_, err = s.store.DispatchNeed(ctx, p, id, t)
	case models.NeedActTake:
		_, err = s.store.TakeNeed(ctx, p, id)
	case models.NeedActReturn:
		_, err = s.store.ReturnNeed(ctx, p, id, c.FormValue("reason"))
	case models.NeedActRecall:
		_, err = s.store.RecallNeed(ctx, p, id, c.FormValue("reason"))
	case models.NeedActProgress:
		_, err = s.store.ProgressNeed(ctx, p, id, c.FormValue("note"))
	case models.NeedActComplete:
		_, err = s.store.CompleteNeed(ctx, p, id, c.FormValue("note"))
	case models.NeedActRate:
		r, convErr := strconv.Atoi(c.FormValue("rating"))
		if convErr != nil {
			r = 0
		}
		_, err = s.store.RateNeed(ctx, p, id, r, c.FormValue("comment"))
	case models.NeedActSendBack:
		_, err = s.store.SendBackNeed(ctx, p, id, c.FormValue("reason"))
	case models.NeedActEscalate:
		var calls []uint64
		if err := c.Request().ParseForm(); err != nil {
			return err
		}
		for _, v := range c.Request().Form["call"] {
			if n, err := strconv.ParseUint(v, 10, 64); err == nil {
				calls = append(calls, n)
			}
		}
		_, _, err = s.store.EscalateNeed(ctx, p, id, c.FormValue("note"), calls)
	case models.NeedActChase:
		_, err = s.store.ChaseNeed(ctx, p, id, c.FormValue("note"))
	default:
		return models.ErrNotFound
	}
	return err
}

// needSupport adds a neighbour's support to a public need.
func (s *Server) needSupport(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if hh, _, err := s.store.Residency(rctx(c), me(c).Account.ID); err != nil {
		return err
	} else if hh == nil {
		return s.notResident(c)
	}
	if err := s.store.SupportNeed(rctx(c), me(c), id); err != nil {
		return err
	}
	flash(c, "ok", "needs.supported")
	return redirect(c, "/needs/"+strconv.FormatUint(id, 10))
}

// needReport is a called department or unit reporting (报到) on a whistle.
func (s *Server) needReport(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.store.NeedByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	call := formID(c, "call_id")
	mine := false
	for _, mc := range d.MyCalls {
		mine = mine || mc.ID == call
	}
	if !mine {
		return models.ErrForbidden
	}
	if err := s.store.ReportWhistle(rctx(c), me(c), call, c.FormValue("note")); err != nil {
		var fe models.FieldErrors
		if errors.As(err, &fe) {
			return s.needRerender(c, id, "report", fe)
		}
		return err
	}
	flash(c, "ok", "needs.did.report")
	return redirect(c, "/needs/"+strconv.FormatUint(id, 10))
}

// needRateWhistle is the street rating a whistle (一哨一考核).
func (s *Server) needRateWhistle(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.store.NeedByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	wid := formID(c, "whistle_id")
	found := false
	for _, w := range d.Whistles {
		found = found || w.ID == wid
	}
	if !found {
		return models.ErrNotFound
	}
	r, _ := strconv.Atoi(c.FormValue("rating"))
	if err := s.store.RateWhistle(rctx(c), me(c), wid, r, c.FormValue("comment")); err != nil {
		var fe models.FieldErrors
		if errors.As(err, &fe) {
			return s.needRerender(c, id, "rate_whistle", fe)
		}
		return err
	}
	flash(c, "ok", "needs.whistle_rated")
	return redirect(c, "/needs/"+strconv.FormatUint(id, 10))
}
