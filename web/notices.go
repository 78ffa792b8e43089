package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"yishi/models"
	"yishi/views"
	"yishi/views/components"
	"yishi/views/notices"
)

// noticesPerPage is the length of a page of the bulletin and the console list.
const noticesPerPage = 20

// placeLabels names each place by the places above it that are in the same
// list ("幸福社区 / 阳光小区"), leaving out the street when it is the top.
func placeLabels(places []models.Place) map[uint64]string {
	byID := make(map[uint64]models.Place, len(places))
	for _, p := range places {
		byID[p.ID] = p
	}
	out := make(map[uint64]string, len(places))
	for _, p := range places {
		var parts []string
		for _, id := range p.AncestorIDs() {
			if a, ok := byID[id]; ok {
				if a.ParentID == nil && a.ID != p.ID {
					continue // the street is implied below it
				}
				parts = append(parts, a.Name)
			}
		}
		out[p.ID] = strings.Join(parts, " / ")
	}
	return out
}

// labelIn names pl by labels (from placeLabels): its own label, or for a
// place below the labelled ones (a building under the bulletin's
// communities) the nearest labelled place's label and then its name, so
// "1号楼" reads "幸福社区 / 1号楼".
func labelIn(labels map[uint64]string, pl models.Place) string {
	if l, ok := labels[pl.ID]; ok && l != "" {
		return l
	}
	ids := pl.AncestorIDs()
	for i := len(ids) - 2; i >= 0; i-- {
		if l, ok := labels[ids[i]]; ok && l != "" {
			return l + " / " + pl.Name
		}
	}
	return pl.Name
}

// placeOptions turns places into select options, labelled by placeLabels.
func placeOptions(places []models.Place, first *components.Option) []components.Option {
	labels := placeLabels(places)
	out := make([]components.Option, 0, len(places)+1)
	if first != nil {
		out = append(out, *first)
	}
	for _, p := range places {
		out = append(out, components.Option{Value: strconv.FormatUint(p.ID, 10), Label: labels[p.ID]})
	}
	return out
}

// bulletin is the public bulletin, filtered by place. The place is looked
// up itself, so one the bounded list leaves out still filters (and is added
// to the list); one that does not exist, or cannot hold notices, shows a
// message and no notices rather than all of them.
func (s *Server) bulletin(c echo.Context) error {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	places, err := s.store.BulletinPlaces(ctx)
	if err != nil {
		return err
	}
	all := &components.Option{Value: "", Label: views.T(vctx, "common.all")}
	var chosen *models.Place
	if raw := c.QueryParam("place"); raw != "" {
		id, _ := strconv.ParseUint(raw, 10, 64) // not a number: 0, no place
		pl, err := s.store.BulletinPlace(ctx, id)
		switch {
		case errors.Is(err, models.ErrNotFound):
			return s.render(c, http.StatusNotFound, notices.Bulletin(notices.BulletinData{Unknown: true, Places: placeOptions(places, all)}))
		case err != nil:
			return err
		}
		chosen = &pl
	}
	listed := chosen == nil || slices.ContainsFunc(places, func(p models.Place) bool { return p.ID == chosen.ID })
	if !listed {
		at := slices.IndexFunc(places, func(p models.Place) bool { return p.Path > chosen.Path })
		if at < 0 {
			at = len(places)
		}
		places = slices.Insert(places, at, *chosen)
	}
	labels := placeLabels(places)
	d := notices.BulletinData{
		Places:  placeOptions(places, all),
		Page:    pageParam(c),
		PerPage: noticesPerPage,
		Base:    "/notices?",
	}
	var placeID uint64
	if chosen != nil {
		placeID = chosen.ID
		d.Place = strconv.FormatUint(placeID, 10)
		d.Base = "/notices?place=" + d.Place + "&"
		if !listed {
			// The list may lack the places above it: name it by them all.
			anc, err := s.store.Ancestors(ctx, *chosen)
			if err != nil {
				return err
			}
			labels[placeID] = placeLabels(append(anc, *chosen))[placeID]
			for i := range d.Places {
				if d.Places[i].Value == d.Place {
					d.Places[i].Label = labels[placeID]
				}
			}
		}
	}
	ns, total, err := s.store.PublishedNotices(ctx, models.NoticeQuery{Within: placeID, Page: d.Page, PerPage: noticesPerPage})
	if err != nil {
		return err
	}
	d.Total = total
	now := s.store.Now()
	for _, n := range ns {
		card := notices.Card{ID: n.ID, Title: n.Title, Place: labelIn(labels, n.Place), Withdrawn: n.Status == models.NoticeWithdrawn, ObjectionOpen: n.AcceptsObjections(now)}
		if n.PublishedAt != nil {
			card.PublishedAt = views.FormatDate(vctx, *n.PublishedAt)
		}
		if n.InPeriod(now) {
			card.PeriodEnds = views.FormatTime(vctx, *n.PeriodEndsAt)
		}
		d.Notices = append(d.Notices, card)
	}
	return s.render(c, http.StatusOK, notices.Bulletin(d))
}

// noticeDetail builds what a notice's pages show, for the signed-in
// principal (or a visitor).
func (s *Server) noticeDetail(c echo.Context, n models.Notice) (notices.Detail, error) {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	now := s.store.Now()
	p := me(c)
	label, err := s.store.PlaceLabel(ctx, n.Place)
	if err != nil {
		return notices.Detail{}, err
	}
	d := notices.Detail{
		ID: n.ID, Title: n.Title, Place: label, Body: n.Body, PeriodDays: n.PeriodDays,
		AllowObjections: n.AllowObjections, Withdrawn: n.Status == models.NoticeWithdrawn,
		WithdrawnAt: views.FormatTimePtr(vctx, n.WithdrawnAt), WithdrawReason: n.WithdrawReason,
		PublishedAt: views.FormatTimePtr(vctx, n.PublishedAt), PeriodEnds: views.FormatTimePtr(vctx, n.PeriodEndsAt),
		Manage: p.Can(models.PermPublishNotices, n.Place),
	}
	switch {
	case n.PeriodEndsAt == nil:
		d.PeriodState = "none"
	case n.PeriodEnded(now) || n.Status == models.NoticeWithdrawn:
		d.PeriodState = "ended"
	default:
		d.PeriodState = "running"
	}
	if n.Status == models.NoticeDraft {
		d.PeriodState = "none"
	}
	kind, id, err := s.store.NoticeOrigin(ctx, n)
	if err != nil {
		return d, err
	}
	if o, ok := origins[kind]; ok {
		open, err := s.mayOpen(c, kind, id)
		if err != nil {
			return d, err
		}
		if open {
			d.Origin, d.OriginKey = o.path+strconv.FormatUint(id, 10)+o.suffix, o.key
		}
	}
	d.ObjectionPage = pageParam(c)
	d.ObjectionBase = "/notices/" + strconv.FormatUint(n.ID, 10) + "?"
	rows, total, err := s.store.ObjectionsFor(ctx, n.ID, d.ObjectionPage)
	if err != nil {
		return d, err
	}
	d.ObjectionTotal = total
	for _, o := range rows {
		d.Objections = append(d.Objections, notices.ObjectionView{
			ID: o.ID, Who: models.MaskPhone(o.AccountPhone), At: views.FormatTime(vctx, o.CreatedAt),
			Reason: o.Reason, Answer: o.Answer, AnsweredAt: views.FormatTimePtr(vctx, o.AnsweredAt),
		})
	}
	if n.Status == models.NoticeDraft {
		return d, nil
	}
	d.Standing, err = s.objectionStanding(c, n)
	if p == nil {
		d.LoginNext = "/login?next=" + url.QueryEscape("/notices/"+strconv.FormatUint(n.ID, 10)+"#objections")
	}
	return d, err
}

// origins are the pages of what notices publish, by the kind
// NoticeOrigin names, and the links' catalog keys.
var origins = map[string]struct{ path, suffix, key string }{
	"project": {"/projects/", "", "notices.origin_project"},
	"ballot":  {"/ballots/", "", "notices.origin_ballot"},
	"meeting": {"/meetings/", "", "notices.origin_meeting"},
	"minutes": {"/meetings/", "/minutes", "notices.origin_minutes"},
	"matter":  {"/matters/", "", "notices.origin_matter"},
}

// objectionStanding explains why the visitor may not object to n now, as a
// catalog key; "" means they may.
func (s *Server) objectionStanding(c echo.Context, n models.Notice) (string, error) {
	p := me(c)
	err := s.store.ObjectionStanding(rctx(c), p, n)
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, models.ErrObjectionsClosed):
		return closedKey(n), nil
	case p == nil:
		return "notices.object_sign_in", nil
	case errors.Is(err, models.ErrNotResidentHere):
		if _, ok := p.ResidentHousehold(); !ok {
			return "notices.object_not_verified", nil
		}
		return "notices.object_not_your_place", nil
	case errors.Is(err, models.ErrObjectionPending):
		return "notices.object_pending", nil
	}
	return "", err
}

// closedKey says why a notice takes no objections.
func closedKey(n models.Notice) string {
	switch {
	case n.Status == models.NoticeWithdrawn:
		return "notices.object_withdrawn"
	case !n.AllowObjections:
		return "notices.object_not_taken"
	}
	return "notices.object_period_over"
}

// showNotice is a notice's public page.
func (s *Server) showNotice(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := s.store.NoticeByID(rctx(c), id)
	if err != nil {
		return err
	}
	d, err := s.noticeDetail(c, n)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, notices.Show(d))
}

// noticeURL is the absolute address of a notice's public page: the
// configured base address, else the request's own.
func (s *Server) noticeURL(c echo.Context, id uint64) string {
	base := strings.TrimRight(s.cfg.BaseURL, "/")
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	return base + "/notices/" + strconv.FormatUint(id, 10)
}

// printNotice is a notice's A4 sheet.
func (s *Server) printNotice(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	n, err := s.store.NoticeByID(rctx(c), id)
	if err != nil {
		return err
	}
	d, err := s.noticeDetail(c, n)
	if err != nil {
		return err
	}
	pd := notices.PrintData{Detail: d, URL: s.noticeURL(c, id), QRSrc: "/notices/" + strconv.FormatUint(id, 10) + "/qr.png"}
	return s.render(c, http.StatusOK, notices.Print(pd))
}

// noticeQR is a PNG QR code of a notice's public address.
func (s *Server) noticeQR(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.store.NoticeByID(rctx(c), id); err != nil {
		return err
	}
	png, err := qrcode.Encode(s.noticeURL(c, id), qrcode.Medium, 320)
	if err != nil {
		return err
	}
	// The address never changes; a day's caching spares the printer's reloads.
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "image/png", png)
}

// fileObjection takes a resident's objection from the notice's page.
func (s *Server) fileObjection(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	_, err = s.store.FileObjection(rctx(c), me(c), id, reason)
	if err == nil {
		flash(c, "ok", "notices.objection_filed")
		return redirect(c, "/notices/"+strconv.FormatUint(id, 10)+"#objections")
	}
	var fe models.FieldErrors
	status := http.StatusUnprocessableEntity
	switch {
	case errors.As(err, &fe):
	case errors.Is(err, models.ErrNotResidentHere), errors.Is(err, models.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, models.ErrObjectionsClosed), errors.Is(err, models.ErrObjectionPending):
		status = http.StatusConflict
	default:
		return err
	}
	n, nerr := s.store.NoticeByID(rctx(c), id)
	if nerr != nil {
		return nerr
	}
	d, derr := s.noticeDetail(c, n)
	if derr != nil {
		return derr
	}
	if fe != nil {
		d.Reason, d.Errors = reason, fe
	} else {
		d.Refused = d.Standing
		if d.Refused == "" {
			d.Refused = "err.forbidden"
		}
	}
	return s.render(c, status, notices.Show(d))
}
