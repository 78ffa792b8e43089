package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

var bg = context.Background()

func demoServer(t *testing.T, s *models.Store) *webtest.Server {
	t.Helper()
	return webtest.Start(t, s)
}

func TestLoginReachesHomeAndLogoutEndsSession(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		home := c.Login("13800000004", demo.Password)
		if got := home.Text(`[data-testid="home-greeting"]`); !strings.Contains(got, "陈阿姨") {
			t.Fatalf("greeting %q", got)
		}
		if !home.Has(`[data-testid="home-household"]`) {
			t.Fatal("verified resident should see their household")
		}
		if home.Has(`[data-testid="nav-console"]`) {
			t.Fatal("a resident must not see the console link")
		}
		out := c.Logout()
		if !strings.HasSuffix(out.URL.Path, "/login") {
			t.Fatalf("after logout at %s", out.URL)
		}
		if p := c.Get("/profile"); !strings.HasSuffix(p.URL.Path, "/login") {
			t.Fatalf("profile after logout reached %s", p.URL)
		}
	})
}

func TestWrongPasswordLocksAfterFive(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		for i := 1; i <= 5; i++ {
			p := c.Get("/login")
			p = c.Submit(p, `form[data-testid="login-form"]`, map[string]string{"phone": "13800000005", "password": "wrong-password"})
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("attempt %d: status %d", i, p.Status)
			}
			msg := p.Text(`[data-testid="login-error"]`)
			if i < 5 && !strings.Contains(msg, "不正确") {
				t.Fatalf("attempt %d: %q", i, msg)
			}
			if i == 5 && !strings.Contains(msg, "锁定") {
				t.Fatalf("fifth failure should lock: %q", msg)
			}
		}
		// The right password is refused while locked.
		p := c.Get("/login")
		p = c.Submit(p, `form[data-testid="login-form"]`, map[string]string{"phone": "13800000005", "password": demo.Password})
		if !strings.Contains(p.Text(`[data-testid="login-error"]`), "锁定") {
			t.Fatalf("locked account signed in: %q", p.Text(`[data-testid="login-error"]`))
		}
		// After 15 minutes it works again.
		clock.Advance(models.LockoutDuration + 1)
		c.Login("13800000005", demo.Password)
	})
}

func TestUnsafeRequestsNeedCSRF(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		c.Get("/login") // obtains the CSRF cookie
		p := c.Post("/login", url.Values{"phone": {"13800000004"}, "password": {demo.Password}})
		if p.Status != http.StatusForbidden {
			t.Fatalf("post without token: status %d", p.Status)
		}
		if !strings.Contains(p.Text(`[data-testid="error-message"]`), "页面已过期") {
			t.Fatalf("message %q", p.Text(`[data-testid="error-message"]`))
		}
		// The header htmx sends is accepted too.
		tok := c.Get("/login").CSRF()
		c.Header.Set("X-CSRF-Token", tok)
		p = c.Post("/login", url.Values{"phone": {"13800000004"}, "password": {demo.Password}})
		if p.Status != http.StatusOK || !p.Has(`[data-testid="home-greeting"]`) {
			t.Fatalf("post with header token: status %d", p.Status)
		}
	})
}

// TestForeignCSRFCookieIsReplaced: a CSRF cookie not of the site's own
// shape is no token. An unsafe request that echoes it is refused, even
// with a matching form field, and the next page hands out a fresh token.
func TestForeignCSRFCookieIsReplaced(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		u, _ := url.Parse(srv.URL)
		for _, foreign := range []string{
			strings.Repeat("a", 32),            // long enough once, but not the site's length
			strings.Repeat("a", 42) + ".",      // the right length, a character base64url lacks
			`"/><b>` + strings.Repeat("x", 37), // markup
			strings.Repeat("A", 43) + "A",      // one too many
		} {
			c := srv.Client()
			c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "yishi_csrf", Value: foreign, Path: "/"}})
			p := c.Post("/login", url.Values{"_csrf": {foreign}, "phone": {"13800000004"}, "password": {demo.Password}})
			if p.Status != http.StatusForbidden {
				t.Fatalf("post echoing the cookie %q: status %d", foreign, p.Status)
			}
			tok := c.Get("/login").CSRF()
			if tok == foreign || len(tok) != 43 {
				t.Fatalf("page token after cookie %q: %q", foreign, tok)
			}
			var ck string
			for _, k := range c.HTTP.Jar.Cookies(u) {
				if k.Name == "yishi_csrf" {
					ck = k.Value
				}
			}
			if ck != tok {
				t.Fatalf("cookie %q was not replaced by the page's token %q", ck, tok)
			}
			if p := c.Post("/login", url.Values{"_csrf": {tok}, "phone": {"13800000004"}, "password": {demo.Password}}); p.Status != http.StatusOK || !p.Has(`[data-testid="home-greeting"]`) {
				t.Fatalf("sign-in with the fresh token: status %d", p.Status)
			}
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		p := srv.Client().Get("/")
		csp := p.Header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP allows inline: %q", csp)
		}
		for key, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
			"X-Frame-Options": "DENY", "Cross-Origin-Opener-Policy": "same-origin"} {
			if got := p.Header.Values(key); len(got) != 1 || got[0] != want {
				t.Errorf("%s: %q, want %q", key, got, want)
			}
		}
		// The values are shared between responses: a second answer carries
		// them unchanged.
		if again := srv.Client().Get("/notices"); again.Header.Get("X-Frame-Options") != "DENY" || again.Header.Get("Content-Security-Policy") != csp {
			t.Errorf("second answer's headers %v", again.Header)
		}
		if p.Doc.Find("script:not([src])").Length() > 0 {
			t.Error("inline script on the home page")
		}
	})
}

func TestSessionCookieAndLogging(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv, logs := webtest.StartLogged(t, s)
		c := srv.Client()
		before := sessionCookie(t, c, srv.URL)
		c.Login("13800000004", demo.Password)
		after := sessionCookie(t, c, srv.URL)
		if after == "" || after == before {
			t.Fatal("no new session id at sign-in")
		}
		if len(after) < 22 {
			t.Fatalf("session token too short: %d characters", len(after))
		}
		// The cookie's attributes, as sent.
		p := c.Get("/login")
		tok := p.CSRF()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(url.Values{"_csrf": {tok}, "phone": {"13800000005"}, "password": {demo.Password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		u, _ := url.Parse(srv.URL)
		for _, ck := range c.HTTP.Jar.Cookies(u) {
			req.AddCookie(ck)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var set string
		for _, h := range resp.Header.Values("Set-Cookie") {
			if strings.HasPrefix(h, "yishi_session=") && !strings.HasPrefix(h, "yishi_session=;") {
				set = h
			}
		}
		if !strings.Contains(set, "HttpOnly") || !strings.Contains(set, "SameSite=Lax") || strings.Contains(set, "Secure") {
			t.Fatalf("session cookie attributes: %q", set)
		}
		// Behind TLS (as a proxy reports it) the cookie is Secure.
		req2 := req.Clone(bg)
		p = c.Get("/login")
		req2.Body = io.NopCloser(strings.NewReader(url.Values{"_csrf": {p.CSRF()}, "phone": {"13800000005"}, "password": {demo.Password}}.Encode()))
		req2.Header.Set("X-Forwarded-Proto", "https")
		resp, err = http.DefaultTransport.RoundTrip(req2)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		secure := false
		for _, h := range resp.Header.Values("Set-Cookie") {
			secure = secure || strings.HasPrefix(h, "yishi_session=") && strings.Contains(h, "Secure")
		}
		if !secure {
			t.Fatal("cookie not Secure behind TLS")
		}
		// Failures and denials are logged, without secrets.
		c2 := srv.Client()
		lp := c2.Get("/login")
		c2.Submit(lp, `form[data-testid="login-form"]`, map[string]string{"phone": "13800000005", "password": "hunter2-secret"})
		c3 := srv.Client()
		c3.Login("13800000004", demo.Password)
		if p := c3.Get("/console"); p.Status != http.StatusForbidden { // a resident is denied
			t.Fatalf("console: %d", p.Status)
		}
		log := logs.String()
		if !strings.Contains(log, `"msg":"denied"`) || !strings.Contains(log, `"msg":"login failed"`) {
			t.Fatalf("denials not logged:\n%s", log)
		}
		for _, secret := range []string{"hunter2-secret", demo.Password, after, "13800000005"} {
			if strings.Contains(log, secret) {
				t.Fatalf("log contains a secret or a full phone %q", secret)
			}
		}
	})
}

func sessionCookie(t *testing.T, c *webtest.Client, base string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == "yishi_session" {
			return ck.Value
		}
	}
	return ""
}

// TestPagesCarryTheirLength: rendered pages say their length, so they go
// out whole rather than chunked, and the length is the body's.
func TestPagesCarryTheirLength(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		for _, path := range []string{"/", "/notices", "/login"} {
			p := srv.Client().Get(path)
			if p.Status != http.StatusOK || p.Header.Get("Content-Length") != strconv.Itoa(len(p.Body)) {
				t.Errorf("%s: %d, Content-Length %q for %d bytes", path, p.Status, p.Header.Get("Content-Length"), len(p.Body))
			}
		}
	})
}

// TestFormSentAfterSignOut: a form sent after the session ended leads to
// the sign-in page, which says it was not saved, and back to the page it
// came from; htmx is told where to go.
func TestFormSentAfterSignOut(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		c.Login("13800000004", demo.Password)
		profile := c.Get("/profile")
		clock.Advance(models.SessionIdle + time.Minute)
		sent := c.Submit(profile, `form[action="/profile/password"]`, map[string]string{"current": demo.Password, "password": "new-password-1", "confirm": "new-password-1"})
		if sent.URL.Path != "/login" || sent.URL.Query().Get("next") != "/profile" || !strings.Contains(sent.Text(`[data-testid="login-error"]`), "没有保存") {
			t.Fatalf("a form sent after sign-out: %d at %s, %q", sent.Status, sent.URL, sent.Text(`[data-testid="login-error"]`))
		}
		back := c.Submit(sent, `form[action="/login"]`, map[string]string{"phone": "13800000004", "password": demo.Password})
		if back.URL.Path != "/profile" {
			t.Fatalf("after signing in again: %s", back.URL)
		}
		if _, err := s.Authenticate(bg, "13800000004", demo.Password); err != nil {
			t.Fatalf("the unsent form changed the password: %v", err)
		}
		// htmx gets the same address in HX-Redirect.
		anon := srv.Client()
		anon.Get("/login")
		req := url.Values{"_csrf": {anon.Cookie("yishi_csrf")}}
		anon.Header.Set("HX-Request", "true")
		res := anon.Post("/profile/password", req)
		if loc := res.Header.Get("HX-Redirect"); res.Status != http.StatusUnauthorized || !strings.HasPrefix(loc, "/login?next=%2Fprofile") || !strings.Contains(loc, "unsent=1") {
			t.Fatalf("htmx after sign-out: %d %q", res.Status, loc)
		}
	})
}
