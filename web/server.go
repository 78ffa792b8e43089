// Package web is Yishi's HTTP layer on echo: the route table, the middleware
// (security headers, sessions, CSRF, locale, access), rendering of templ
// components, and one file of handlers per area. Handlers bind and check
// form input, call one models method and render; rules live in models.
package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/static"
	"yishi/views"
	"yishi/web/live"
)

// Config is what the HTTP layer needs to know about its deployment.
type Config struct {
	// SecureCookies marks cookies Secure; also set per request behind TLS.
	SecureCookies bool
	// TZ is the zone times are shown in (Asia/Shanghai by default).
	TZ *time.Location
	// BaseURL is the public address, used in QR codes and printed links
	// ("https://yishi.example.gov.cn"); empty means the request's host.
	BaseURL string
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Live wakes the projectors when a meeting in session changes; nil
	// means an in-process hub (enough for SQLite's single process; on
	// PostgreSQL, give a hub that Listens so other processes hear too).
	Live *live.Hub
	// Done, when closed, ends the live streams (the server is shutting
	// down); nil means they end only with their clients or time limit.
	Done <-chan struct{}
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (ParseTrustedProxies); empty means the peer is the client.
	// The limit on failed sign-ins counts per client address.
	TrustedProxies []netip.Prefix
}

// Server holds what handlers share.
type Server struct {
	cfg   Config
	store *models.Store
	log   *slog.Logger
	// bodies caches rendered candidates of open ballots (candidateBodies).
	bodies sync.Map // bodiesKey → bodiesEntry
	live   *live.Hub
	// signIns counts failed sign-ins per client address (throttle.go).
	signIns addrLimiter
	// untrustedXFF logs, once, an X-Forwarded-For from a peer that is not
	// a trusted proxy.
	untrustedXFF sync.Once
}

// New builds the echo instance with every route and middleware.
func New(cfg Config, store *models.Store) *echo.Echo {
	if cfg.TZ == nil {
		cfg.TZ = views.E(context.Background()).TZ
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Live == nil {
		cfg.Live = live.New(cfg.Logger)
	}
	s := &Server{cfg: cfg, store: store, log: cfg.Logger, live: cfg.Live}
	store.OnMeetingChange(cfg.Live.Changed)
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	s.routes(e)
	return e
}

// Context keys in echo.Context.
const (
	ctxPrincipal = "yishi.principal"
	ctxEnv       = "yishi.env"
)

// me returns the signed-in principal or nil.
func me(c echo.Context) *models.Principal {
	p, _ := c.Get(ctxPrincipal).(*models.Principal)
	return p
}

// env returns the request's view environment.
func env(c echo.Context) *views.Env {
	if e, ok := c.Get(ctxEnv).(*views.Env); ok {
		return e
	}
	e := &views.Env{Locale: "zh-CN", TZ: views.E(context.Background()).TZ, Asset: static.URL, Path: c.Request().URL.RequestURI(), Back: returnPath(c, "")}
	c.Set(ctxEnv, e)
	return e
}

// isHTMX reports a request htmx made that wants a partial (a history
// restore wants the whole page).
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-History-Restore-Request") != "true"
}

// render writes a component into a buffer first, so that a failure can still
// become a proper error page, then sends it.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	buf := renderBufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledRender {
			buf.Reset()
			renderBufs.Put(buf)
		}
	}()
	ctx := views.WithEnv(c.Request().Context(), env(c))
	if err := comp.Render(ctx, buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Add("Vary", "HX-Request")
	// With its length known, the page goes out in one piece rather than
	// in chunks.
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	// The response copies the bytes before HTMLBlob returns.
	return c.HTMLBlob(status, buf.Bytes())
}

// renderBufs holds the buffers pages are rendered into: a page is tens of
// kilobytes, and growing a fresh buffer to that size for every request
// cost a tenth of the rendering.
var renderBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledRender: a buffer grown past this (a long list, an export) is
// left to the collector rather than kept.
const maxPooledRender = 1 << 20

// flash sets a one-time message for the next page; key is a catalog key.
func flash(c echo.Context, kind, key string) {
	c.SetCookie(&http.Cookie{Name: cookieFlash, Value: kind + ":" + key, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// redirect answers a form post: 303 to url, or HX-Redirect for htmx.
func redirect(c echo.Context, url string) error {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", url)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, url)
}

// ctx is the request's context for models calls.
func rctx(c echo.Context) context.Context { return c.Request().Context() }
