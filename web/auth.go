package web

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views"
	"yishi/views/i18n"
	"yishi/views/site"
)

func (s *Server) loginPage(c echo.Context) error {
	if me(c) != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	f := site.LoginForm{Next: safeNext(c.QueryParam("next"))}
	if c.Get("yishi.expired") == true || c.QueryParam("expired") == "1" {
		f.Error = "err.session_expired"
	}
	if c.QueryParam("unsent") == "1" {
		f.Error = "err.session_unsent"
	}
	return s.render(c, http.StatusOK, site.Login(f))
}

func (s *Server) login(c echo.Context) error {
	f := site.LoginForm{Phone: models.NormalizePhone(c.FormValue("phone")), Next: safeNext(c.FormValue("next"))}
	pw := c.FormValue("password")
	if f.Phone == "" || pw == "" {
		f.Error = "err.bad_credentials"
		return s.render(c, http.StatusUnprocessableEntity, site.Login(f))
	}
	// A browser this account signed in from before passes the limit on
	// its network address, which strangers' failures may have filled (a
	// mobile network puts many residents behind one address); its own
	// wrong passwords count on the device (models.SignInDevice).
	device := ""
	if ck, err := c.Cookie(cookieDevice); err == nil {
		device = ck.Value
	}
	knownDevice, err := s.store.DeviceKnown(rctx(c), device, f.Phone)
	if err != nil {
		return err
	}
	addr, known := s.signInAddr(c)
	failed := false
	if known && !knownDevice {
		until, ok := s.signIns.begin(addr, s.store.Now())
		if !ok {
			f.Error, f.Args = "err.signin_throttled", []any{views.FormatTime(views.WithEnv(rctx(c), env(c)), until)}
			s.log.Warn("login throttled", "addr", addr.String())
			return s.render(c, http.StatusTooManyRequests, site.Login(f))
		}
		defer func() { s.signIns.end(addr, s.store.Now(), failed) }()
	}
	in, err := s.store.SignIn(rctx(c), f.Phone, pw, device, models.DeviceAgent(c.Request().UserAgent()))
	if err != nil {
		switch {
		case errors.Is(err, models.ErrAccountLocked):
			f.Error, f.Args = "err.account_locked", lockedUntil(c, err)
		case errors.Is(err, models.ErrBadCredentials):
			f.Error = "err.bad_credentials"
		default:
			return err
		}
		failed = true
		s.log.Warn("login failed", "phone", models.MaskPhone(f.Phone), "reason", f.Error)
		return s.render(c, http.StatusUnprocessableEntity, site.Login(f))
	}
	s.setDeviceCookie(c, in.Device)
	if in.Challenge != "" {
		s.setCookie(c, cookieChallenge, in.Challenge, int(models.ChallengeTTL/time.Second))
		return s.renderLoginCode(c, http.StatusOK, site.LoginCodeForm{Next: f.Next})
	}
	if err := s.startSession(c, in.Account.ID); err != nil {
		return err
	}
	s.log.Info("login", "account", in.Account.ID)
	return redirect(c, f.Next)
}

// loginCodePage shows the code form again (after a display switch, say)
// while the browser holds a sign-in waiting for its code; else the
// password is asked.
func (s *Server) loginCodePage(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if ck, err := c.Cookie(cookieChallenge); err != nil || ck.Value == "" {
		return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
	}
	return s.renderLoginCode(c, http.StatusOK, site.LoginCodeForm{Next: next})
}

// renderLoginCode renders the code form, whose display switches come back
// to it rather than to the password.
func (s *Server) renderLoginCode(c echo.Context, status int, f site.LoginCodeForm) error {
	env(c).Back = "/login/code?next=" + url.QueryEscape(f.Next)
	return s.render(c, status, site.LoginCode(f))
}

// loginCode is the second step of signing in to an account with a second
// factor: the code from its app, for the sign-in the challenge cookie
// holds. A wrong code asks again; a lock or a challenge that ended sends
// the browser back to the password.
func (s *Server) loginCode(c echo.Context) error {
	f := site.LoginCodeForm{Next: safeNext(c.FormValue("next"))}
	tok := ""
	if ck, err := c.Cookie(cookieChallenge); err == nil {
		tok = ck.Value
	}
	acct, err := s.store.AnswerChallenge(rctx(c), tok, c.FormValue("code"))
	switch {
	case errors.Is(err, models.ErrCodeWrong):
		f.Error = "err.code_wrong"
		return s.renderLoginCode(c, http.StatusUnprocessableEntity, f)
	case errors.Is(err, models.ErrAccountLocked):
		s.setCookie(c, cookieChallenge, "", -1)
		s.log.Warn("login code locked")
		return s.render(c, http.StatusUnprocessableEntity, site.Login(site.LoginForm{Next: f.Next, Error: "err.code_locked", Args: lockedUntil(c, err)}))
	case errors.Is(err, models.ErrChallengeExpired):
		s.setCookie(c, cookieChallenge, "", -1)
		return s.render(c, http.StatusUnprocessableEntity, site.Login(site.LoginForm{Next: f.Next, Error: "err.challenge_expired"}))
	case err != nil:
		return err
	}
	s.setCookie(c, cookieChallenge, "", -1)
	if err := s.startSession(c, acct.ID); err != nil {
		return err
	}
	s.log.Info("login", "account", acct.ID, "second_factor", true)
	return redirect(c, f.Next)
}

// lockedUntil is the argument of a lock's message (err.account_locked,
// err.code_locked): the time the lock err carries ends, as the viewer
// reads times ("" when err carries none).
func lockedUntil(c echo.Context, err error) []any {
	var de *models.Error
	if errors.As(err, &de) && len(de.Args) == 1 {
		if until, ok := de.Args[0].(time.Time); ok {
			return []any{views.FormatTime(views.WithEnv(rctx(c), env(c)), until)}
		}
	}
	return []any{""}
}

// setDeviceCookie marks this browser as a known device of the account
// that just proved its password, by the token the store issued.
func (s *Server) setDeviceCookie(c echo.Context, tok string) {
	s.setCookie(c, cookieDevice, tok, int(models.DeviceTTL/time.Second))
}

// signInAddr is the network a sign-in comes from, for the limit on failed
// sign-ins (throttle.go); false when the peer's address is unknown.
func (s *Server) signInAddr(c echo.Context) (netip.Prefix, bool) {
	a, forwarded := clientAddr(c.Request(), s.cfg.TrustedProxies)
	if forwarded {
		s.untrustedXFF.Do(func() {
			s.log.Warn("X-Forwarded-For from a peer that is not a trusted proxy: if it is this site's proxy, list it in --trusted-proxies, or every client counts as the proxy in the limit on failed sign-ins",
				"peer", a.String())
		})
	}
	if !a.IsValid() {
		return netip.Prefix{}, false
	}
	return throttleKey(a), true
}

// startSession ends any session the browser had, starts a new one (a new id
// at every sign-in) and issues a new CSRF token.
func (s *Server) startSession(c echo.Context, accountID uint64) error {
	if ck, err := c.Cookie(cookieSession); err == nil && ck.Value != "" {
		if err := s.store.EndSession(rctx(c), ck.Value); err != nil {
			return err
		}
	}
	tok, err := s.store.StartSession(rctx(c), accountID)
	if err != nil {
		return err
	}
	s.setCookie(c, cookieSession, tok, 0)
	s.newCSRF(c)
	return nil
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(cookieSession); err == nil {
		if err := s.store.EndSession(rctx(c), ck.Value); err != nil {
			return err
		}
	}
	s.setCookie(c, cookieSession, "", -1)
	s.newCSRF(c)
	flash(c, "ok", "login.signed_out")
	return redirect(c, "/login")
}

func (s *Server) registerPage(c echo.Context) error {
	if me(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/profile")
	}
	return s.render(c, http.StatusOK, site.Register(site.RegisterForm{}))
}

func (s *Server) register(c echo.Context) error {
	in := models.AccountInput{Phone: c.FormValue("phone"), Name: c.FormValue("name"), Password: c.FormValue("password"), Confirm: c.FormValue("confirm")}
	acct, err := s.store.CreateAccount(rctx(c), in, nil)
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		return s.render(c, http.StatusUnprocessableEntity, site.Register(site.RegisterForm{Phone: in.Phone, Name: in.Name, Errors: fe}))
	}
	if err != nil {
		return err
	}
	// Locale chosen before registering carries over to the account.
	if err := s.store.SetPreferences(rctx(c), acct.ID, env(c).Locale, env(c).LargeText, env(c).HighContrast); err != nil {
		return err
	}
	if err := s.startSession(c, acct.ID); err != nil {
		return err
	}
	flash(c, "ok", "register.done")
	return redirect(c, "/profile/verify")
}

// prefs stores the display and language switches: on the account when
// signed in, in cookies otherwise (and always on a service station).
func (s *Server) prefs(c echo.Context) error {
	e := env(c)
	lt, hc, lang := e.LargeText, e.HighContrast, e.Locale
	switch c.FormValue("large_text") {
	case "on":
		lt = true
	case "off":
		lt = false
	}
	switch c.FormValue("high_contrast") {
	case "on":
		hc = true
	case "off":
		hc = false
	}
	if l := c.FormValue("lang"); l == i18n.ZH || l == i18n.EN {
		lang = l
	}
	if p := me(c); p != nil && p.KioskBallotID == 0 { // a station's switches stay on the device (see session)
		if err := s.store.SetPreferences(rctx(c), p.Account.ID, lang, lt, hc); err != nil {
			return err
		}
	}
	v := ""
	if lt {
		v += "lt"
	}
	if hc {
		v += "hc"
	}
	const year = 365 * 24 * 3600
	s.setCookie(c, cookiePrefs, v, year)
	s.setCookie(c, cookieLang, lang, year)
	return redirect(c, safeNext(c.FormValue("back")))
}
