package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/static"
	"yishi/views"
	"yishi/views/i18n"
)

// Cookie names.
const (
	cookieSession = "yishi_session"
	cookieCSRF    = "yishi_csrf"
	cookieFlash   = "yishi_flash"
	cookieLang    = "yishi_lang"
	cookiePrefs   = "yishi_prefs"
	// cookieDevice marks a browser as a known device of the account that
	// last signed in from it (models.SignInDevice).
	cookieDevice = "yishi_device"
	// cookieChallenge holds a sign-in whose password was right while it
	// waits for the second factor's code (models.SignInChallenge).
	cookieChallenge = "yishi_challenge"
)

// errCSRF is a missing or wrong CSRF token.
var errCSRF = errors.New("csrf token mismatch")

// securityHeaders sets the headers every response carries.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		for _, kv := range securityHeaderValues {
			h[kv.key] = kv.values
		}
		return next(c)
	}
}

// securityHeaderValues are the headers every answer carries, with their
// keys in canonical form and their values built once: they are shared by
// all responses, which only ever replace a header's values, never change
// them in place.
var securityHeaderValues = []struct {
	key    string
	values []string
}{
	{"Content-Security-Policy", []string{"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Referrer-Policy", []string{"same-origin"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
}

// requestLog writes one structured line per request, without query strings
// (they can carry search terms about people) or bodies.
func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req := c.Request()
		if strings.HasPrefix(req.URL.Path, "/static/") {
			return nil
		}
		attrs := []any{"method", req.Method, "path", req.URL.Path, "status", c.Response().Status, "ms", time.Since(start).Milliseconds()}
		if p := me(c); p != nil {
			attrs = append(attrs, "account", p.Account.ID)
		}
		s.log.Info("request", attrs...)
		return nil
	}
}

// serveStatic serves embedded files; hashed names are cached for a year.
func serveStatic(c echo.Context) error {
	name := strings.TrimPrefix(c.Param("*"), "/")
	file, immutable, ok := static.Resolve(name)
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	b, err := fs.ReadFile(static.FS, file)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if immutable {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "public, max-age=300")
	}
	ct := mime.TypeByExtension(path.Ext(file))
	if ct == "" {
		ct = "application/octet-stream"
	}
	return c.Blob(http.StatusOK, ct, b)
}

// secure reports whether cookies should be marked Secure for this request.
func (s *Server) secure(c echo.Context) bool {
	return s.cfg.SecureCookies || c.IsTLS() || c.Request().Header.Get("X-Forwarded-Proto") == "https"
}

func (s *Server) setCookie(c echo.Context, name, value string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(c), MaxAge: maxAge})
}

// session loads the principal behind the session cookie and builds the view
// environment (locale, preferences, CSRF token, flash).
func (s *Server) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var p *models.Principal
		var unread int64
		if ck, err := c.Cookie(cookieSession); err == nil && ck.Value != "" {
			pr, n, err := s.store.ResumeSessionUnread(rctx(c), ck.Value)
			switch {
			case err == nil:
				p, unread = pr, n
				c.Set(ctxPrincipal, p)
			case errors.Is(err, models.ErrSessionExpired) || errors.Is(err, models.ErrNotFound):
				s.setCookie(c, cookieSession, "", -1)
				c.Set("yishi.expired", true)
			default:
				return err
			}
		}
		e := &views.Env{TZ: s.cfg.TZ, Now: s.store.Now(), Asset: static.URL, Path: c.Request().URL.RequestURI(), Back: returnPath(c, s.cfg.BaseURL), Principal: p, BaseURL: s.cfg.BaseURL}
		// A service station's session is a staff account's, but the device
		// is the residents': its language and display switches live in the
		// device's cookies, not on the staff member's account.
		own := p
		if p != nil && p.KioskBallotID != 0 {
			own = nil
		}
		e.Locale = s.locale(c, own)
		if own != nil {
			e.LargeText, e.HighContrast = p.Account.LargeText, p.Account.HighContrast
			e.Unread = unread
		} else if ck, err := c.Cookie(cookiePrefs); err == nil {
			e.LargeText = strings.Contains(ck.Value, "lt")
			e.HighContrast = strings.Contains(ck.Value, "hc")
		}
		if ck, err := c.Cookie(cookieFlash); err == nil {
			if kind, key, ok := strings.Cut(ck.Value, ":"); ok && i18n.Has(key) && (kind == "ok" || kind == "error") {
				e.Flash, e.FlashKind = key, kind
			}
			s.setCookie(c, cookieFlash, "", -1)
		}
		c.Set(ctxEnv, e)
		if p != nil && p.KioskBallotID != 0 {
			// The station's device passes from resident to resident: no
			// page is kept for the next one to find with the back button.
			c.Response().Header().Set("Cache-Control", "no-store")
			if !kioskAllows(c.Request().URL.Path, p.KioskBallotID) {
				return redirect(c, kioskHome(p.KioskBallotID))
			}
		}
		return next(c)
	}
}

// kioskHome is the page a service station's session returns to.
func kioskHome(ballotID uint64) string {
	return "/console/ballots/" + strconv.FormatUint(ballotID, 10) + "/kiosk"
}

// kioskAllows is the fence of a service station's session (see
// models.StartKioskSession): the kiosk of its ballot, that ballot's budget
// meter, the display preferences (large text for the elderly at the
// station) and signing out. Anything else goes back to the kiosk.
func kioskAllows(path string, ballotID uint64) bool {
	home := kioskHome(ballotID)
	switch {
	case path == home, strings.HasPrefix(path, home+"/"):
		return true
	case path == "/ballots/"+strconv.FormatUint(ballotID, 10)+"/meter":
		return true
	case path == "/logout", path == "/prefs":
		return true
	}
	return false
}

// locale picks the account's language, then the switch's cookie, then
// Accept-Language, then Chinese.
func (s *Server) locale(c echo.Context, p *models.Principal) string {
	if p != nil {
		if l := i18n.Match(p.Account.Locale); l != "" {
			return l
		}
	}
	if ck, err := c.Cookie(cookieLang); err == nil {
		if l := i18n.Match(ck.Value); l != "" {
			return l
		}
	}
	if l := i18n.Match(c.Request().Header.Get("Accept-Language")); l != "" {
		return l
	}
	return i18n.ZH
}

// csrf checks the token of every unsafe request against the CSRF cookie,
// taking it from the _csrf form field or the X-CSRF-Token header htmx sends,
// and hands the token to the views.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// Only a token of the site's own shape is taken: any other value
		// (set by another site on a shared domain, or mangled) is treated as
		// none, so an unsafe request is refused and the next page replaces it.
		token := ""
		if ck, err := c.Cookie(cookieCSRF); err == nil && siteToken(ck.Value) {
			token = ck.Value
		}
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			sent := c.Request().Header.Get("X-CSRF-Token")
			if sent == "" {
				sent = c.FormValue("_csrf")
			}
			if token == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
				s.log.Warn("denied", "reason", "csrf", "method", c.Request().Method, "path", c.Request().URL.Path)
				return errCSRF
			}
		}
		if token == "" {
			token = s.newCSRF(c)
		}
		env(c).CSRF = token
		return next(c)
	}
}

// NewCSRFToken draws a CSRF token: 32 random bytes, URL-safe base64. The
// site gives one to every browser in the yishi_csrf cookie; load tests
// hand one to each synthetic browser they sign in.
func NewCSRFToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfTokenLen is the length of NewCSRFToken's tokens.
var csrfTokenLen = base64.RawURLEncoding.EncodedLen(32)

// siteToken reports whether v has the shape of a NewCSRFToken token: 43
// characters of URL-safe base64.
func siteToken(v string) bool {
	return len(v) == csrfTokenLen && views.URLSafe(v)
}

// newCSRF issues a fresh CSRF token cookie (at sign-in and sign-out too, so a
// token seen before sign-in is useless after it).
func (s *Server) newCSRF(c echo.Context) string {
	token := NewCSRFToken()
	s.setCookie(c, cookieCSRF, token, 0)
	env(c).CSRF = token
	return token
}

// requireLogin sends anonymous visitors to the sign-in page.
func requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if me(c) == nil {
			// To the sign-in page, and back afterwards: to the page asked
			// for, or, for a form sent after the session ended, to the
			// page it was sent from, with word that it was not saved.
			get := c.Request().Method == http.MethodGet
			next := c.Request().URL.RequestURI()
			if !get {
				next = env(c).Back
			}
			to := "/login?next=" + url.QueryEscape(next)
			if c.Get("yishi.expired") == true {
				to += "&expired=1"
			}
			if !get {
				to += "&unsent=1"
			}
			if isHTMX(c) {
				c.Response().Header().Set("HX-Redirect", to)
				return echo.NewHTTPError(http.StatusUnauthorized)
			}
			return c.Redirect(http.StatusSeeOther, to)
		}
		return next(c)
	}
}

// requirePerm lets through only principals holding perm somewhere; handlers
// then check the place itself.
func requirePerm(perm models.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !me(c).CanAnywhere(perm) {
				return models.ErrForbidden
			}
			return next(c)
		}
	}
}

// returnPath is the page a form on this response (the display switches)
// returns to. A GET renders a page that exists: its own address. Any other
// request may render a page at an address that only takes a POST (a form
// shown again with its errors), so it returns to the page the form was sent
// from, taken from a same-site Referer through safeNext, when a GET route
// serves it; else to the nearest address above it, or above the request's
// own path, that one serves; else to the home page.
func returnPath(c echo.Context, baseURL string) string {
	r := c.Request()
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	routes := getRoutes(c.Echo())
	from := r.URL.Path
	if ref, err := url.Parse(r.Referer()); err == nil && r.Referer() != "" && sameSite(ref, r.Host, baseURL) {
		next := safeNext(ref.RequestURI())
		if u, err := url.Parse(next); err == nil && next != "/" {
			if servesGET(routes, u.Path) {
				return next
			}
			from = u.Path
		}
	}
	for p := from; p != "" && p != "/"; p = p[:strings.LastIndexByte(p, '/')] {
		if servesGET(routes, p) {
			return safeNext(p)
		}
	}
	return "/"
}

// sameSite reports whether u is an address of this site: the request's
// host, or the public address's.
func sameSite(u *url.URL, host, baseURL string) bool {
	if u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	if u.Host == host {
		return true
	}
	b, err := url.Parse(baseURL)
	return err == nil && baseURL != "" && u.Host == b.Host
}

// getRoutesOf caches getRoutes per echo instance: its routes are all
// registered before it serves.
var getRoutesOf sync.Map // *echo.Echo → map[string][]string

// getRoutes returns e's GET route patterns by their first segment ("" for
// a pattern whose first segment is a parameter or wildcard), so that a
// look-up reads the few patterns that may match, not every route: the
// display switches ask on every form post, votes included.
func getRoutes(e *echo.Echo) map[string][]string {
	if v, ok := getRoutesOf.Load(e); ok {
		return v.(map[string][]string)
	}
	idx := map[string][]string{}
	for _, r := range e.Routes() {
		if r.Method == http.MethodGet {
			k := firstSegment(r.Path)
			if strings.ContainsAny(k, ":*") {
				k = ""
			}
			idx[k] = append(idx[k], r.Path)
		}
	}
	v, _ := getRoutesOf.LoadOrStore(e, idx)
	return v.(map[string][]string)
}

// firstSegment is path's first segment, without slashes.
func firstSegment(path string) string {
	path = strings.TrimPrefix(path, "/")
	if i := strings.IndexByte(path, '/'); i >= 0 {
		return path[:i]
	}
	return path
}

// servesGET reports whether a GET route of routes (getRoutes) serves path.
func servesGET(routes map[string][]string, path string) bool {
	for _, k := range []string{firstSegment(path), ""} {
		for _, pattern := range routes[k] {
			if routeMatches(pattern, path) {
				return true
			}
		}
	}
	return false
}

// routeMatches reports whether an echo route pattern ("/notices/:id",
// "/static/*") matches path: static parts exactly, a parameter one
// non-empty segment, a wildcard the rest.
func routeMatches(pattern, path string) bool {
	for {
		i := strings.IndexAny(pattern, ":*")
		if i < 0 {
			return pattern == path
		}
		if !strings.HasPrefix(path, pattern[:i]) {
			return false
		}
		pattern, path = pattern[i:], path[i:]
		if pattern[0] == '*' {
			return true
		}
		seg := strings.IndexByte(path, '/')
		if seg < 0 {
			seg = len(path)
		}
		if seg == 0 {
			return false
		}
		end := strings.IndexByte(pattern, '/')
		if end < 0 {
			end = len(pattern)
		}
		pattern, path = pattern[end:], path[seg:]
	}
}

// safeNext keeps a redirect taken from the request or a stored link (after
// sign-in, after switching preferences, a notification's link) on this site:
// it returns next when it is a same-site path and "/" otherwise. Browsers
// drop tabs and newlines from a URL and read a backslash as a slash, so
// "/\t/evil.com" or "/\\evil.com" would lead off the site; any control
// character or backslash is refused, next must start with one slash, and it
// must parse with neither scheme nor host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || !utf8.ValidString(next) {
		return "/"
	}
	for _, r := range next {
		if r == '\\' || unicode.IsControl(r) {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return next
}
