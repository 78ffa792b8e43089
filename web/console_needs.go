package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views/components"
	"yishi/views/needs"
)

// scopePlaces are the places a staff member may filter or register takers
// at: their scopes and the communities and compounds inside them.
func (s *Server) scopePlaces(c echo.Context) ([]components.Option, error) {
	var places []models.Place
	seen := map[uint64]bool{}
	for _, sc := range me(c).Scopes(models.PermHandleNeeds) {
		inside, err := s.store.PlacesOfKind(rctx(c), sc, models.KindCommunity, models.KindVillage, models.KindCompound)
		if err != nil {
			return nil, err
		}
		for _, pl := range append([]models.Place{sc}, inside...) {
			if !seen[pl.ID] {
				seen[pl.ID] = true
				places = append(places, pl)
			}
		}
	}
	labels, err := s.store.PlaceLabels(rctx(c), places)
	if err != nil {
		return nil, err
	}
	out := make([]components.Option, 0, len(places))
	for _, pl := range places {
		out = append(out, components.Option{Value: strconv.FormatUint(pl.ID, 10), Label: labels[pl.ID]})
	}
	return out, nil
}

// consoleNeeds is the staff list of needs in their places, with filters.
func (s *Server) consoleNeeds(c echo.Context) error {
	p := me(c)
	f := models.NeedFilter{Scope: models.NeedsStaff, Status: models.NeedStatus(c.QueryParam("status")),
		CategoryID: parseID(c.QueryParam("category")), PlaceID: parseID(c.QueryParam("place")),
		Overdue: c.QueryParam("overdue") == "on", Page: pageParam(c), PerPage: 20}
	valid := f.Status == ""
	for _, st := range models.NeedStatuses {
		valid = valid || st == f.Status
	}
	if !valid {
		f.Status = ""
	}
	d := needs.ConsoleData{Filter: f, Now: s.store.Now()}
	var err error
	if d.Places, err = s.scopePlaces(c); err != nil {
		return err
	}
	if f.PlaceID != 0 {
		pl, err := s.store.PlaceByID(rctx(c), f.PlaceID)
		if err != nil || !p.Can(models.PermHandleNeeds, pl) {
			return models.ErrForbidden
		}
	}
	if d.Categories, err = s.store.NeedCategories(rctx(c), false); err != nil {
		return err
	}
	if d.Needs, d.Total, err = s.store.ListNeeds(rctx(c), p, f); err != nil {
		return err
	}
	if d.Counts, err = s.store.NeedCounts(rctx(c), p, models.NeedFilter{Scope: models.NeedsStaff, PlaceID: f.PlaceID, CategoryID: f.CategoryID}); err != nil {
		return err
	}
	over := f
	over.Overdue, over.Status, over.PerPage, over.Page = true, "", 1, 1
	if _, d.OverdueCount, err = s.store.ListNeeds(rctx(c), p, over); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, needs.ConsoleList(d))
}

func parseID(v string) uint64 {
	id, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	return id
}

func (s *Server) takersData(c echo.Context, f needs.TakerForm) (needs.TakersData, error) {
	d := needs.TakersData{Form: f}
	var err error
	if d.Takers, err = s.store.ListTakers(rctx(c), me(c)); err != nil {
		return d, err
	}
	d.Places, err = s.scopePlaces(c)
	return d, err
}

// consoleTakers lists the takers in the staff member's places, with a form
// to add one.
func (s *Server) consoleTakers(c echo.Context) error {
	d, err := s.takersData(c, needs.TakerForm{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, needs.Takers(d))
}

// createTaker registers a taker; the acting account is found by phone.
func (s *Server) createTaker(c echo.Context) error {
	f := needs.TakerForm{Kind: c.FormValue("kind"), Name: c.FormValue("name"), PlaceID: formID(c, "place_id"), Phone: models.NormalizePhone(c.FormValue("phone"))}
	in := models.TakerInput{Kind: models.TakerKind(f.Kind), Name: f.Name, PlaceID: f.PlaceID}
	fe := models.FieldErrors{}
	if f.Phone != "" {
		acct, err := s.store.AccountByPhone(rctx(c), f.Phone)
		if errors.Is(err, models.ErrNotFound) {
			fe.Add("phone", "err.account_not_found")
		} else if err != nil {
			return err
		} else {
			in.AccountID = &acct.ID
		}
	}
	if len(fe) == 0 {
		_, err := s.store.CreateTaker(rctx(c), me(c), in)
		if err == nil {
			flash(c, "ok", "takers.created")
			return redirect(c, "/console/takers")
		}
		if !errors.As(err, &fe) {
			return err
		}
	}
	d, err := s.takersData(c, f)
	if err != nil {
		return err
	}
	d.Errors = fe
	return s.render(c, http.StatusUnprocessableEntity, needs.Takers(d))
}

// consoleCategories shows the categories' time limits to those who may
// change them (admins).
func (s *Server) consoleCategories(c echo.Context) error {
	if !models.MaySetNeedLimits(me(c)) {
		return models.ErrForbidden
	}
	cats, err := s.store.NeedCategories(rctx(c), false)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, needs.Categories(needs.CategoriesData{Categories: cats}))
}

// setCategoryLimits changes one category's limits, given in whole hours.
func (s *Server) setCategoryLimits(c echo.Context) error {
	if !models.MaySetNeedLimits(me(c)) {
		return models.ErrForbidden
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	fe := models.FieldErrors{}
	hours := func(name string) time.Duration {
		n, err := strconv.Atoi(strings.TrimSpace(c.FormValue(name)))
		if err != nil {
			fe.Add(name, "err.number_invalid")
			return 0
		}
		return time.Duration(n) * time.Hour
	}
	l := models.TimeLimits{Respond: hours("respond_hours"), Resolve: hours("resolve_hours")}
	if len(fe) == 0 {
		err = s.store.SetCategoryLimits(rctx(c), me(c), id, l)
		if err == nil {
			flash(c, "ok", "categories.saved")
			return redirect(c, "/console/categories")
		}
		if !errors.As(err, &fe) {
			return err
		}
	}
	cats, err := s.store.NeedCategories(rctx(c), false)
	if err != nil {
		return err
	}
	found := false
	for _, cat := range cats {
		found = found || cat.ID == id
	}
	if !found {
		return models.ErrNotFound
	}
	return s.render(c, http.StatusUnprocessableEntity, needs.Categories(needs.CategoriesData{Categories: cats, ErrorFor: id, Errors: fe,
		Respond: c.FormValue("respond_hours"), Resolve: c.FormValue("resolve_hours")}))
}
