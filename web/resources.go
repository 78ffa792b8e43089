package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views"
	"yishi/views/components"
	"yishi/views/resources"
)

// resourcesPerPage is the length of a page of offers.
const resourcesPerPage = 20

// offerKindOptions lists the offer kinds, with first (when given) on top.
func offerKindOptions(c echo.Context, first *components.Option) []components.Option {
	vctx := views.WithEnv(rctx(c), env(c))
	var out []components.Option
	if first != nil {
		out = append(out, *first)
	}
	for _, k := range models.OfferKinds {
		out = append(out, components.Option{Value: string(k), Label: views.T(vctx, "resources.kind."+string(k))})
	}
	return out
}

// offerCards turns offers into cards for the viewer, with each provider's
// contribution and its phone masked unless the viewer may see it.
func (s *Server) offerCards(c echo.Context, offers []models.Offer, labels map[uint64]string) ([]resources.OfferCard, error) {
	vctx := views.WithEnv(rctx(c), env(c))
	var ids []uint64
	for _, o := range offers {
		ids = append(ids, o.ProviderID)
	}
	contrib, err := s.store.Contributions(rctx(c), ids)
	if err != nil {
		return nil, err
	}
	out := make([]resources.OfferCard, 0, len(offers))
	for _, o := range offers {
		card := resources.OfferCard{ID: o.ID, Kind: o.Kind, Title: o.Title, Description: o.Description, Availability: o.Availability,
			Provider: o.Provider.Name, ProviderKind: o.Provider.Kind, Phone: o.Provider.PhoneFor(me(c)), Verified: o.Provider.Verified(),
			Status: o.Status, Public: o.Public, Contribution: contrib[o.ProviderID], MayWithdraw: o.MayWithdraw(me(c)), MayVerify: o.MayVerify(me(c))}
		if o.Capacity > 0 {
			card.Capacity = fmt.Sprintf("%d %s", o.Capacity, o.CapacityUnit)
		}
		if o.AvailableFrom != nil || o.AvailableUntil != nil {
			from, until := "", ""
			if o.AvailableFrom != nil {
				from = views.FormatDate(vctx, *o.AvailableFrom)
			}
			if o.AvailableUntil != nil {
				until = views.FormatDate(vctx, *o.AvailableUntil)
			}
			card.Window = from + " – " + until
		}
		var names []string
		for _, pl := range o.Places {
			if l := labels[pl.ID]; l != "" {
				names = append(names, l)
			} else {
				names = append(names, pl.Name)
			}
		}
		card.Places = strings.Join(names, views.T(vctx, "common.list_sep"))
		out = append(out, card)
	}
	return out, nil
}

// resourcesList is the public list of verified offers, filtered by kind
// and place.
func (s *Server) resourcesList(c echo.Context) error {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	places, err := s.store.BulletinPlaces(ctx)
	if err != nil {
		return err
	}
	labels := placeLabels(places)
	all := &components.Option{Value: "", Label: views.T(vctx, "common.all")}
	d := resources.ListData{Kinds: offerKindOptions(c, all), Places: placeOptions(places, all), Page: pageParam(c), PerPage: resourcesPerPage}
	q, filters := offerQuery(c, labels)
	q.Page, q.PerPage = d.Page, resourcesPerPage
	if q.Kind != "" {
		d.Kind = string(q.Kind)
	}
	if q.PlaceID != 0 {
		d.Place = strconv.FormatUint(q.PlaceID, 10)
	}
	d.Base = "/resources?" + filters
	d.Export = "/resources/export.xlsx?" + filters
	offers, total, err := s.store.PublicOffers(ctx, q)
	if err != nil {
		return err
	}
	d.Total = total
	if d.Offers, err = s.offerCards(c, offers, labels); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, resources.List(d))
}

// offerQuery reads the public list's filters (kind, place) and returns them
// with the query string that repeats them ("kind=venue&").
func offerQuery(c echo.Context, labels map[uint64]string) (models.OfferQuery, string) {
	var q models.OfferQuery
	filters := ""
	if k := models.OfferKind(c.QueryParam("kind")); k.Valid() {
		q.Kind = k
		filters += "kind=" + string(k) + "&"
	}
	var place string
	q.PlaceID, place = placeFilter(c, labels)
	return q, filters + place
}

// placeFilter reads ?place= when it names one of the listed places, and
// returns it with the query string that repeats it ("place=7&").
func placeFilter(c echo.Context, labels map[uint64]string) (uint64, string) {
	id, err := strconv.ParseUint(c.QueryParam("place"), 10, 64)
	if _, known := labels[id]; err != nil || !known {
		return 0, ""
	}
	return id, "place=" + strconv.FormatUint(id, 10) + "&"
}

// resourcesExport downloads the public resources list with its filters,
// every page of it; providers' phones are masked as on the page.
func (s *Server) resourcesExport(c echo.Context) error {
	ctx := rctx(c)
	places, err := s.store.BulletinPlaces(ctx)
	if err != nil {
		return err
	}
	labels := placeLabels(places)
	q, _ := offerQuery(c, labels)
	vctx := views.WithEnv(ctx, env(c))
	t := func(k string) string { return views.T(vctx, k) }
	header := []string{t("export.col_id"), t("resources.filter_kind"), t("export.col_title"), t("resources.provider"), t("export.col_provider_kind"),
		t("resources.capacity"), t("resources.availability"), t("export.col_window"), t("resources.places"), t("export.col_phone"),
		t("export.col_hours"), t("export.col_needs_taken"), t("export.col_projects")}
	var buf bytes.Buffer
	err = writeXLSX(&buf, []xlsxSheet{{Name: t("export.sheet_resources"), Header: header, Rows: func(add func([]any) error) error {
		for q.Page, q.PerPage = 1, 100; ; q.Page++ {
			offers, total, err := s.store.PublicOffers(ctx, q)
			if err != nil {
				return err
			}
			cards, err := s.offerCards(c, offers, labels)
			if err != nil {
				return err
			}
			for _, o := range cards {
				err := add([]any{o.ID, t("resources.kind." + string(o.Kind)), o.Title, o.Provider, t("resources.provider_kind." + string(o.ProviderKind)),
					o.Capacity, o.Availability, o.Window, o.Places, o.Phone, o.Contribution.Hours, o.Contribution.NeedsTaken, o.Contribution.Projects})
				if err != nil {
					return err
				}
			}
			if int64(q.Page*q.PerPage) >= total {
				return nil
			}
		}
	}}})
	if err != nil {
		return err
	}
	day := s.store.Now().In(env(c).TZ).Format("20060102")
	return sendDownload(c, xlsxType, t("export.file_resources")+"-"+day+".xlsx", "resources-"+day+".xlsx", buf.Bytes())
}

// newOfferData fills the registration form's choices.
func (s *Server) newOfferData(c echo.Context, d *resources.NewData) error {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	places, err := s.store.BulletinPlaces(ctx)
	if err != nil {
		return err
	}
	d.Places = placeOptions(places, nil)
	if d.ProviderPlace == "" {
		d.ProviderPlace = homeOption(me(c), places)
	}
	choose := &components.Option{Value: "", Label: views.T(vctx, "resources.choose")}
	d.OfferKinds = offerKindOptions(c, choose)
	d.ProviderKinds = []components.Option{*choose}
	for _, k := range models.ProviderKinds {
		d.ProviderKinds = append(d.ProviderKinds, components.Option{Value: string(k), Label: views.T(vctx, "resources.provider_kind."+string(k))})
	}
	mine, err := s.store.MyProviders(ctx, me(c))
	if err != nil {
		return err
	}
	if len(mine) > 0 {
		d.Providers = []components.Option{{Value: "0", Label: views.T(vctx, "resources.provider_new")}}
		for _, p := range mine {
			d.Providers = append(d.Providers, components.Option{Value: strconv.FormatUint(p.ID, 10), Label: p.Name})
		}
	}
	if d.Served == nil {
		d.Served = map[string]bool{}
	}
	return nil
}

// homeOption is the value of the option among places for the community
// or village (else the deepest place) that holds the place of p's first
// grant any of them holds: a resident's community, a staff member's own
// place. A form's place then starts at home rather than at the street; ""
// when none holds it.
func homeOption(p *models.Principal, places []models.Place) string {
	if p == nil {
		return ""
	}
	for _, g := range p.Grants {
		var best models.Place
		for _, pl := range places {
			if !pl.Contains(g.Place) {
				continue
			}
			if pl.Kind == models.KindCommunity || pl.Kind == models.KindVillage {
				return strconv.FormatUint(pl.ID, 10)
			}
			if len(pl.Path) > len(best.Path) {
				best = pl
			}
		}
		if best.ID != 0 {
			return strconv.FormatUint(best.ID, 10)
		}
	}
	return ""
}

func (s *Server) newOffer(c echo.Context) error {
	d := resources.NewData{Public: true, ProviderPhone: me(c).Account.Phone}
	if err := s.newOfferData(c, &d); err != nil {
		return err
	}
	if len(d.Providers) > 1 {
		d.ProviderID = d.Providers[1].Value
	}
	return s.render(c, http.StatusOK, resources.New(d))
}

// formDate reads a yyyy-mm-dd field as midnight in the deployment's zone,
// nil when empty; a bad value is recorded in fe.
func formDate(c echo.Context, name string, fe models.FieldErrors) *time.Time {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		return nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, env(c).TZ)
	if err != nil {
		fe.Add(name, "err.date_invalid")
		return nil
	}
	t = t.UTC()
	return &t
}

func (s *Server) createOffer(c echo.Context) error {
	fe := models.FieldErrors{}
	d := resources.NewData{
		ProviderID: c.FormValue("provider_id"), ProviderKind: c.FormValue("provider_kind"), ProviderName: c.FormValue("provider_name"),
		ProviderPhone: c.FormValue("provider_phone"), ProviderPlace: c.FormValue("provider_place"), Kind: c.FormValue("kind"),
		Title: c.FormValue("title"), Description: c.FormValue("description"), Capacity: c.FormValue("capacity"),
		CapacityUnit: c.FormValue("capacity_unit"), Availability: c.FormValue("availability"),
		From: c.FormValue("available_from"), Until: c.FormValue("available_until"), Public: c.FormValue("public") == "on",
		Served: map[string]bool{},
	}
	providerID, _ := strconv.ParseUint(d.ProviderID, 10, 64)
	placeID, _ := strconv.ParseUint(d.ProviderPlace, 10, 64)
	pin := models.ProviderInput{Kind: models.ProviderKind(d.ProviderKind), Name: d.ProviderName, Phone: d.ProviderPhone, PlaceID: placeID}
	in := models.OfferInput{Kind: models.OfferKind(d.Kind), Title: d.Title, Description: d.Description, CapacityUnit: d.CapacityUnit,
		Availability: d.Availability, Public: d.Public}
	if strings.TrimSpace(d.Capacity) != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(d.Capacity), 10, 64)
		if err != nil {
			fe.Add("capacity", "err.number_invalid")
		}
		in.Capacity = n
	}
	in.AvailableFrom = formDate(c, "available_from", fe)
	in.AvailableUntil = formDate(c, "available_until", fe)
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	for _, v := range form["places"] {
		if id, err := strconv.ParseUint(v, 10, 64); err == nil {
			in.PlaceIDs = append(in.PlaceIDs, id)
			d.Served[v] = true
		} else {
			fe.Add("places", "err.invalid_choice")
		}
	}
	if len(fe) == 0 {
		_, err := s.store.RegisterOffer(rctx(c), me(c), providerID, pin, in)
		if err == nil {
			flash(c, "ok", "resources.registered")
			return redirect(c, "/resources")
		}
		if !errors.As(err, &fe) {
			return err
		}
	} else {
		// Report every problem at once.
		for k, v := range in.Validate() {
			fe.Add(k, v)
		}
	}
	d.Errors = fe
	if err := s.newOfferData(c, &d); err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, resources.New(d))
}

// consoleResources is the verification queue: offers at staff's places,
// pending first.
func (s *Server) consoleResources(c echo.Context) error {
	ctx := rctx(c)
	d := resources.ConsoleData{Page: pageParam(c), PerPage: resourcesPerPage}
	offers, total, err := s.store.StaffOffers(ctx, me(c), models.OfferQuery{Page: d.Page, PerPage: resourcesPerPage})
	if err != nil {
		return err
	}
	places, err := s.store.BulletinPlaces(ctx)
	if err != nil {
		return err
	}
	d.Total = total
	if d.Offers, err = s.offerCards(c, offers, placeLabels(places)); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, resources.Console(d))
}

func (s *Server) verifyOffer(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.store.VerifyOffer(rctx(c), me(c), id); err != nil {
		return err
	}
	flash(c, "ok", "resources.verified")
	return redirect(c, "/console/resources")
}

func (s *Server) withdrawOffer(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "on" {
		// Nothing changes without the confirmation box ticked; who may
		// change the offer is checked first so outsiders learn nothing.
		if _, err := s.store.OfferForWithdrawal(rctx(c), me(c), id); err != nil {
			return err
		}
		flash(c, "error", "err.confirm_required")
		return redirect(c, "/console/resources")
	}
	if _, err := s.store.WithdrawOffer(rctx(c), me(c), id); err != nil {
		return err
	}
	flash(c, "ok", "resources.withdrawn")
	return redirect(c, "/console/resources")
}
