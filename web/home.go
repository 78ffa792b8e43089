package web

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/skip2/go-qrcode"

	"yishi/models"
	"yishi/views"
	"yishi/views/site"
)

func (s *Server) healthz(c echo.Context) error { return c.String(http.StatusOK, "ok") }

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(rctx(c), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("not ready", "err", err.Error())
		return c.String(http.StatusServiceUnavailable, "database unavailable")
	}
	return c.String(http.StatusOK, "ok")
}

// noticeCards turns notices into list cards for the request's locale.
func (s *Server) noticeCards(c echo.Context, ns []models.Notice) []site.NoticeCard {
	vctx := views.WithEnv(rctx(c), env(c))
	now := s.store.Now()
	out := make([]site.NoticeCard, 0, len(ns))
	for _, n := range ns {
		card := site.NoticeCard{ID: n.ID, Title: n.Title, PlaceName: n.Place.Name, ObjectionOpen: n.AcceptsObjections(now)}
		if n.PublishedAt != nil {
			card.PublishedAt = views.FormatDate(vctx, *n.PublishedAt)
		}
		out = append(out, card)
	}
	return out
}

// home shows a signed-in resident what is open for them now; a visitor, the
// latest notices.
func (s *Server) home(c echo.Context) error {
	p := me(c)
	var d site.HomeData
	if p == nil {
		ns, _, err := s.store.PublishedNotices(rctx(c), models.NoticeQuery{PerPage: 5})
		if err != nil {
			return err
		}
		d.Notices = s.noticeCards(c, ns)
		return s.render(c, http.StatusOK, site.Home(d))
	}
	hh, pending, err := s.store.Residency(rctx(c), p.Account.ID)
	if err != nil {
		return err
	}
	d.PendingRequest = pending
	if hh != nil {
		if d.Household, err = s.store.PlaceLabel(rctx(c), *hh); err != nil {
			return err
		}
		ns, _, err := s.store.PublishedNotices(rctx(c), models.NoticeQuery{Affecting: hh.ID, OpenForObjections: true, PerPage: 10})
		if err != nil {
			return err
		}
		d.Notices = s.noticeCards(c, ns)
		if _, d.NeedsFiled, err = s.store.ListNeeds(rctx(c), p, models.NeedFilter{Scope: models.NeedsMine, PerPage: 1}); err != nil {
			return err
		}
		if _, d.NeedsToRate, err = s.store.ListNeeds(rctx(c), p, models.NeedFilter{Scope: models.NeedsMine, Status: models.NeedDone, PerPage: 1}); err != nil {
			return err
		}
	}
	// The ballots open to this person (a verified resident, a
	// representative or council member may be on a roll).
	d.Voter = hh != nil || p.Has(models.RoleRepresentative) || p.Has(models.RoleCouncilMember)
	open, err := s.store.OpenBallotsFor(rctx(c), p)
	if err != nil {
		return err
	}
	vctx := views.WithEnv(rctx(c), env(c))
	for _, b := range open {
		d.Ballots = append(d.Ballots, site.BallotLink{ID: b.ID, Title: b.Title, Place: b.Place.Name, Closes: views.FormatTime(vctx, b.ClosesAt)})
	}
	return s.render(c, http.StatusOK, site.Home(d))
}

func (s *Server) profileData(c echo.Context) (site.ProfileData, error) {
	p := me(c)
	var d site.ProfileData
	for _, g := range p.Grants {
		label, err := s.store.PlaceLabel(rctx(c), g.Place)
		if err != nil {
			return d, err
		}
		d.Roles = append(d.Roles, site.RoleLine{Role: g.Role, Place: label})
	}
	hh, pending, err := s.store.Residency(rctx(c), p.Account.ID)
	if err != nil {
		return d, err
	}
	d.Pending = pending
	if hh != nil {
		if d.Household, err = s.store.PlaceLabel(rctx(c), *hh); err != nil {
			return d, err
		}
	} else if last, err := s.store.LatestRegistration(rctx(c), p.Account.ID); err != nil {
		return d, err
	} else if last != nil && last.Status == models.RegistrationRejected {
		d.Rejected = last.Reason
	}
	if d.Receipts, err = s.store.MyReceipts(rctx(c), p); err != nil {
		return d, err
	}
	if d.Devices, err = s.store.Devices(rctx(c), p.Account.ID); err != nil {
		return d, err
	}
	if ck, err := c.Cookie(cookieDevice); err == nil && ck.Value != "" {
		d.Current = models.DeviceIDOf(ck.Value)
	}
	if d.SecondFactor, err = s.secondFactorData(c, p); err != nil {
		return d, err
	}
	return d, nil
}

// secondFactorData is the profile's part on the authenticator app: offered
// as models.Principal.OffersSecondFactor says, and to any account that has
// one on or waiting.
func (s *Server) secondFactorData(c echo.Context, p *models.Principal) (site.SecondFactorData, error) {
	on, secret, err := s.store.SecondFactorState(rctx(c), p.Account.ID)
	if err != nil {
		return site.SecondFactorData{}, err
	}
	d := site.SecondFactorData{On: on, Secret: secret, Offered: on || secret != "" || p.OffersSecondFactor()}
	if secret != "" {
		png, err := qrcode.Encode(models.TOTPURI(secret, p.Account.Phone), qrcode.Medium, 240)
		if err != nil {
			return d, err
		}
		d.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
	}
	return d, nil
}

// beginSecondFactor gives the account a new secret for its app; the
// profile then shows it with its QR code, waiting for the first code.
func (s *Server) beginSecondFactor(c echo.Context) error {
	if _, err := s.store.BeginSecondFactor(rctx(c), me(c).Account.ID); err != nil {
		if errors.Is(err, models.ErrSecondFactorOn) {
			flash(c, "error", "err.second_factor_on")
			return redirect(c, "/profile")
		}
		return err
	}
	return redirect(c, "/profile#second-factor")
}

// enableSecondFactor switches the waiting secret on with the app's first
// code; disableSecondFactor switches it off with a current one.
func (s *Server) enableSecondFactor(c echo.Context) error {
	return s.switchSecondFactor(c, s.store.EnableSecondFactor, "profile.second_factor_on")
}

func (s *Server) disableSecondFactor(c echo.Context) error {
	return s.switchSecondFactor(c, s.store.DisableSecondFactor, "profile.second_factor_off")
}

func (s *Server) switchSecondFactor(c echo.Context, change func(context.Context, uint64, string) error, done string) error {
	p := me(c)
	err := change(rctx(c), p.Account.ID, c.FormValue("code"))
	var fe models.FieldErrors
	switch {
	case errors.As(err, &fe):
		d, err := s.profileData(c)
		if err != nil {
			return err
		}
		d.SecondFactor.Errors = fe
		return s.render(c, http.StatusUnprocessableEntity, site.Profile(d))
	case errors.Is(err, models.ErrSecondFactorOff):
		flash(c, "error", "err.second_factor_off")
	case err != nil:
		return err
	default:
		flash(c, "ok", done)
	}
	return redirect(c, "/profile")
}

// forgetDevice forgets one of the account's known devices, and this
// browser's device cookie when it is this one. A device already forgotten
// (the form sent twice) is as the resident wanted it.
func (s *Server) forgetDevice(c echo.Context) error {
	id := c.FormValue("device")
	if err := s.store.ForgetDevice(rctx(c), me(c).Account.ID, id); err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	if ck, err := c.Cookie(cookieDevice); err == nil && ck.Value != "" && models.DeviceIDOf(ck.Value) == id {
		s.setCookie(c, cookieDevice, "", -1)
	}
	flash(c, "ok", "profile.device_forgotten")
	return redirect(c, "/profile")
}

// signOutElsewhere ends the account's sessions on every other browser and
// forgets every other device, once the resident confirms.
func (s *Server) signOutElsewhere(c echo.Context) error {
	if !confirmed(c) {
		d, err := s.profileData(c)
		if err != nil {
			return err
		}
		d.Elsewhere = models.FieldErrors{}
		d.Elsewhere.Add("confirm", "err.confirm_required")
		return s.render(c, http.StatusUnprocessableEntity, site.Profile(d))
	}
	var session, device string
	if ck, err := c.Cookie(cookieSession); err == nil {
		session = ck.Value
	}
	if ck, err := c.Cookie(cookieDevice); err == nil {
		device = ck.Value
	}
	if _, err := s.store.SignOutElsewhere(rctx(c), me(c).Account.ID, session, device); err != nil {
		return err
	}
	flash(c, "ok", "profile.signed_out_elsewhere")
	return redirect(c, "/profile")
}

func (s *Server) profile(c echo.Context) error {
	d, err := s.profileData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, site.Profile(d))
}

func (s *Server) changePassword(c echo.Context) error {
	p := me(c)
	err := s.store.ChangeOwnPassword(rctx(c), p.Account.ID, c.FormValue("current"), c.FormValue("password"), c.FormValue("confirm"))
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		if err != nil {
			return err
		}
		// The change ended every session and forgot every known device,
		// this browser's included: it starts afresh as both.
		if err := s.startSession(c, p.Account.ID); err != nil {
			return err
		}
		tok, err := s.store.RememberDevice(rctx(c), p.Account.ID, models.DeviceAgent(c.Request().UserAgent()))
		if err != nil {
			return err
		}
		s.setDeviceCookie(c, tok)
		flash(c, "ok", "profile.password_saved")
		return redirect(c, "/profile")
	}
	d, err := s.profileData(c)
	if err != nil {
		return err
	}
	d.Errors = fe
	return s.render(c, http.StatusUnprocessableEntity, site.Profile(d))
}

// console is the staff front page: the places one manages and the work areas.
func (s *Server) console(c echo.Context) error {
	p := me(c)
	var scopes []string
	for _, pl := range p.Scopes(models.PermConsole) {
		label, err := s.store.PlaceLabel(rctx(c), pl)
		if err != nil {
			return err
		}
		scopes = append(scopes, label)
	}
	var links []site.ConsoleLink
	for _, l := range consoleAreas {
		if p.CanAnywhere(l.perm) {
			links = append(links, site.ConsoleLink{Href: l.href, Key: l.key, TestID: l.testID})
		}
	}
	return s.render(c, http.StatusOK, site.Console(scopes, links))
}

// consoleAreas are the console's work areas, each behind a permission.
var consoleAreas = []struct {
	href, key, testID string
	perm              models.Permission
}{
	{"/console/notices", "notices.console_title", "console-notices", models.PermPublishNotices},
	{"/console/places", "console.places", "area-places", models.PermManagePlaces},
	{"/console/roles", "console.roles", "area-roles", models.PermGrantRoles},
	{"/console/accounts", "console.accounts", "area-accounts", models.PermUnlockAccounts},
	{"/console/audit", "console.audit", "area-audit", models.PermViewAudit},
	{"/console/registrations", "console.registrations", "tile-registrations", models.PermManageResidents},
	{"/console/residents", "console.residents", "tile-residents", models.PermManageResidents},
	{"/console/needs", "console.needs", "console-needs", models.PermHandleNeeds},
	{"/console/takers", "console.takers", "console-takers", models.PermHandleNeeds},
	{"/console/dashboard", "dash.title", "tile-dashboard", models.PermHandleNeeds},
	{"/console/resources", "resources.console_title", "tile-resources", models.PermManageProjects},
	{"/projects", "projects.console_title", "tile-projects", models.PermManageProjects},
	{"/console/ballots", "ballots.console_title", "tile-ballots", models.PermManageBallots},
	{"/console/candidates", "ballots.candidates_console", "tile-candidates", models.PermManageBallots},
}
