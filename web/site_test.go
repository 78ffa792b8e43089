package web_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

func TestRegisterValidatesAndSignsIn(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		form := c.Get("/register")
		bad := c.Submit(form, `form[data-testid="register-form"]`, map[string]string{"phone": "1380000", "name": "新居民", "password": "short", "confirm": "short"})
		if bad.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad input: status %d", bad.Status)
		}
		if !bad.Has(`[data-testid="error-phone"]`) || !bad.Has(`[data-testid="error-password"]`) {
			t.Fatal("field errors missing")
		}
		if v, _ := bad.Doc.Find(`input[name="name"]`).Attr("value"); v != "新居民" {
			t.Fatalf("typed name lost: %q", v)
		}
		if _, err := s.AccountByPhone(bg, "1380000"); err == nil {
			t.Fatal("bad input created an account")
		}
		// A password a guesser tries first is refused with what to do.
		weak := c.Submit(form, `form[data-testid="register-form"]`, map[string]string{"phone": "13912345678", "name": "新居民", "password": "12345678", "confirm": "12345678"})
		if msg := weak.Text(`[data-testid="error-password"]`); weak.Status != http.StatusUnprocessableEntity || !strings.Contains(msg, "太容易被猜到") {
			t.Fatalf("a weak password: %d %q", weak.Status, msg)
		}
		taken := c.Submit(form, `form[data-testid="register-form"]`, map[string]string{"phone": "13800000004", "name": "冒名", "password": "password-9", "confirm": "password-9"})
		if !strings.Contains(taken.Text(`[data-testid="error-phone"]`), "已注册") {
			t.Fatalf("taken phone: %q", taken.Text(`[data-testid="error-phone"]`))
		}
		c.Submit(form, `form[data-testid="register-form"]`, map[string]string{"phone": "139 1234 5678", "name": "新居民", "password": "password-9", "confirm": "password-9"})
		acct, err := s.AccountByPhone(bg, "13912345678")
		if err != nil || acct.Name != "新居民" {
			t.Fatalf("account: %+v %v", acct, err)
		}
		prof := c.Get("/profile")
		if prof.Status != http.StatusOK || prof.Text(`[data-testid="profile-phone"]`) != "13912345678" {
			t.Fatalf("not signed in after registering: %d %q", prof.Status, prof.Text(`[data-testid="profile-phone"]`))
		}
		home := c.Get("/")
		if !home.Has(`[data-testid="home-unverified"]`) {
			t.Fatal("an unverified account should be told to get verified")
		}
	})
}

func TestIdleSessionExpires(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		c.Login("13800000004", demo.Password)
		clock.Advance(29 * time.Minute)
		if p := c.Get("/profile"); p.Status != http.StatusOK || !strings.HasSuffix(p.URL.Path, "/profile") {
			t.Fatalf("session ended early: %s", p.URL)
		}
		clock.Advance(models.SessionIdle)
		p := c.Get("/profile")
		if !strings.HasSuffix(p.URL.Path, "/login") {
			t.Fatalf("idle session still valid: %s", p.URL)
		}
		if !strings.Contains(p.Text(`[data-testid="login-error"]`), "过期") {
			t.Fatalf("expiry not explained: %q", p.Text(`[data-testid="login-error"]`))
		}
	})
}

func TestLanguageAndDisplayPreferences(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		home := c.Get("/")
		if lang, _ := home.Doc.Find("html").Attr("lang"); lang != "zh-CN" {
			t.Fatalf("default lang %q", lang)
		}
		// Accept-Language picks English for a visitor.
		en := srv.Client()
		en.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		if p := en.Get("/login"); p.Text("h1") != "Sign in" {
			t.Fatalf("English login heading %q", p.Text("h1"))
		}
		// The switch wins over Accept-Language and persists.
		p := c.Submit(home, `form[action="/prefs"]`, map[string]string{"lang": "en"})
		if lang, _ := p.Doc.Find("html").Attr("lang"); lang != "en" {
			t.Fatalf("after switch lang %q", lang)
		}
		p = c.Submit(p, `form[action="/prefs"]`, map[string]string{"large_text": "on"})
		if class, _ := p.Doc.Find("html").Attr("class"); !strings.Contains(class, "large-text") {
			t.Fatalf("large text not on: %q", class)
		}
		if class, _ := c.Get("/notices").Doc.Find("html").Attr("class"); !strings.Contains(class, "large-text") {
			t.Fatal("large text did not persist")
		}
		// Signed in, the account's own choice is stored and follows it to a new browser.
		c.Login("13800000005", demo.Password)
		p = c.Get("/profile")
		c.Submit(p, `form[action="/prefs"]`, map[string]string{"high_contrast": "on", "lang": "en"})
		other := srv.Client()
		other.Header.Set("Accept-Language", "zh-CN")
		home2 := other.Login("13800000005", demo.Password)
		class, _ := home2.Doc.Find("html").Attr("class")
		lang, _ := home2.Doc.Find("html").Attr("lang")
		if !strings.Contains(class, "high-contrast") || lang != "en" {
			t.Fatalf("account preferences not applied: class %q lang %q", class, lang)
		}
	})
}

// TestDisplaySwitchesAfterAFormError: a form shown again with its errors
// lives at an address that only takes a POST; the display switches on it
// return to the page the form was sent from (a same-site Referer), or
// without one to the nearest page above that address, never to a 404.
func TestDisplaySwitchesAfterAFormError(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		c.Login("13800000004", demo.Password)
		back := func(p *webtest.Page) string {
			t.Helper()
			v, _ := p.Doc.Find(`form[action="/prefs"] input[name="back"]`).Attr("value")
			return v
		}
		// Every switch must land on a page, large text on or off.
		large := "on"
		toggle := func(p *webtest.Page, want string) {
			t.Helper()
			got := c.Submit(p, `form[action="/prefs"]`, map[string]string{"large_text": large})
			class, _ := got.Doc.Find("html").Attr("class")
			if got.Status != http.StatusOK || got.URL.RequestURI() != want || strings.Contains(class, "large-text") != (large == "on") {
				t.Fatalf("large text %s from %s: status %d at %s, class %q; want %s", large, p.URL.Path, got.Status, got.URL.RequestURI(), class, want)
			}
			if large == "on" {
				large = "off"
			} else {
				large = "on"
			}
		}

		// A GET page returns to itself, query and all.
		list := c.Get("/notices?page=1")
		if b := back(list); b != "/notices?page=1" {
			t.Fatalf("a GET page returns to %q", b)
		}
		toggle(list, "/notices?page=1")

		// A wrong current password, sent from the profile page.
		profile := c.Get("/profile")
		wrong := map[string]string{"current": "not-my-password", "password": "new-password-1", "confirm": "new-password-1"}
		c.Header.Set("Referer", srv.URL+"/profile")
		bad := c.Submit(profile, `form[data-testid="password-form"]`, wrong)
		if bad.Status != http.StatusUnprocessableEntity || back(bad) != "/profile" {
			t.Fatalf("wrong password: %d, back %q", bad.Status, back(bad))
		}
		toggle(bad, "/profile")
		// Sent again from the error page itself, whose address is POST-only.
		c.Header.Set("Referer", srv.URL+"/profile/password")
		if again := c.Submit(bad, `form[data-testid="password-form"]`, wrong); back(again) != "/profile" {
			t.Fatalf("from the error page, back %q", back(again))
		}
		// With no Referer, or another site's, the nearest page above.
		for _, ref := range []string{"", "https://evil.example/notices"} {
			c.Header.Set("Referer", ref)
			if p := c.Submit(profile, `form[data-testid="password-form"]`, wrong); back(p) != "/profile" {
				t.Fatalf("Referer %q: back %q", ref, back(p))
			}
		}

		// A refused objection, sent from the notice's page.
		n := noticeByTitle(t, s, elevatorTitle)
		notice := c.Get(path(n.ID, ""))
		for _, ref := range []string{srv.URL + path(n.ID, ""), ""} {
			c.Header.Set("Referer", ref)
			refused := c.Submit(notice, `form[data-testid="objection-form"]`, map[string]string{"reason": " "})
			if refused.Status != http.StatusUnprocessableEntity || back(refused) != path(n.ID, "") {
				t.Fatalf("Referer %q: refused objection %d, back %q", ref, refused.Status, back(refused))
			}
			toggle(refused, path(n.ID, ""))
		}
		c.Header.Del("Referer")
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		other := srv.Client()
		c.Login("13800000004", demo.Password)
		other.Login("13800000004", demo.Password)
		p := c.Get("/profile")
		bad := c.Submit(p, `form[data-testid="password-form"]`, map[string]string{"current": "nope-nope", "password": "new-password-1", "confirm": "new-password-1"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-current"]`) {
			t.Fatalf("wrong current password: %d", bad.Status)
		}
		ok := c.Submit(p, `form[data-testid="password-form"]`, map[string]string{"current": demo.Password, "password": "new-password-1", "confirm": "new-password-1"})
		if ok.Status != http.StatusOK || !ok.Has(`[data-testid="flash"]`) {
			t.Fatalf("change: %d", ok.Status)
		}
		// This browser stays signed in; the other one is signed out.
		if p := c.Get("/profile"); !strings.HasSuffix(p.URL.Path, "/profile") {
			t.Fatal("changing the password signed this browser out")
		}
		if p := other.Get("/profile"); !strings.HasSuffix(p.URL.Path, "/login") {
			t.Fatal("other session survived the password change")
		}
		// The other browser is no longer a known device; this one is, under
		// a new token.
		if ok, err := s.DeviceKnown(bg, other.Cookie("yishi_device"), "13800000004"); err != nil || ok {
			t.Fatalf("the other browser is still a known device: %v", err)
		}
		if ok, err := s.DeviceKnown(bg, c.Cookie("yishi_device"), "13800000004"); err != nil || !ok {
			t.Fatalf("this browser is not a known device after the change: %v", err)
		}
		if _, err := s.Authenticate(bg, "13800000004", "new-password-1"); err != nil {
			t.Fatalf("new password: %v", err)
		}
	})
}

// TestChangePasswordLockout: wrong current passwords on the profile count
// towards the sign-in lockout, and the profile says the account is locked.
func TestChangePasswordLockout(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		c.Login("13800000004", demo.Password)
		p := c.Get("/profile")
		var last *webtest.Page
		for range models.MaxFailedLogins {
			last = c.Submit(p, `form[data-testid="password-form"]`, map[string]string{"current": "nope-nope", "password": "new-password-1", "confirm": "new-password-1"})
			if last.Status != http.StatusUnprocessableEntity {
				t.Fatalf("wrong current password: %d", last.Status)
			}
		}
		if got := last.Text(`[data-testid="error-current"]`); !strings.Contains(got, "已暂时锁定") {
			t.Fatalf("after %d wrong passwords the profile says %q", models.MaxFailedLogins, got)
		}
		right := c.Submit(p, `form[data-testid="password-form"]`, map[string]string{"current": demo.Password, "password": "new-password-1", "confirm": "new-password-1"})
		if right.Status != http.StatusUnprocessableEntity || !strings.Contains(right.Text(`[data-testid="error-current"]`), "已暂时锁定") {
			t.Fatalf("right password while locked: %d %q", right.Status, right.Text(`[data-testid="error-current"]`))
		}
		if _, err := s.Authenticate(bg, "13800000004", demo.Password); !errors.Is(err, models.ErrAccountLocked) {
			t.Fatalf("sign-in while locked: %v", err)
		}
	})
}

func TestErrorPagesAndProbes(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		p := c.Get("/no/such/page")
		if p.Status != http.StatusNotFound || !p.Has(`[data-testid="error-message"]`) {
			t.Fatalf("404 page: %d", p.Status)
		}
		for _, path := range []string{"/healthz", "/readyz"} {
			if p := c.Get(path); p.Status != http.StatusOK {
				t.Fatalf("%s: %d", path, p.Status)
			}
		}
		// A resident gets a friendly 403 on the console.
		c.Login("13800000004", demo.Password)
		if p := c.Get("/console"); p.Status != http.StatusForbidden || !p.Has(`[data-testid="error-message"]`) {
			t.Fatalf("console for resident: %d", p.Status)
		}
		// htmx requests get a short message header instead of a page.
		c.Header.Set("HX-Request", "true")
		if p := c.Get("/console"); p.Status != http.StatusForbidden || p.Header.Get("X-Yishi-Message") == "" || p.Has("html") && p.Has("header") {
			t.Fatalf("htmx error: %d %q", p.Status, p.Header.Get("X-Yishi-Message"))
		}
	})
}

func TestStaticFilesAreHashedAndCached(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		home := c.Get("/")
		href, _ := home.Doc.Find(`link[rel="stylesheet"]`).First().Attr("href")
		src, _ := home.Doc.Find(`script[src*="htmx"]`).First().Attr("src")
		for _, u := range []string{href, src} {
			if !strings.HasPrefix(u, "/static/") || strings.Count(u, ".") < 2 {
				t.Fatalf("asset URL not content-hashed: %q", u)
			}
			p := c.Get(u)
			if p.Status != http.StatusOK || !strings.Contains(p.Header.Get("Cache-Control"), "immutable") {
				t.Fatalf("%s: %d %q", u, p.Status, p.Header.Get("Cache-Control"))
			}
			if len(p.Body) < 100 {
				t.Fatalf("%s: body too small", u)
			}
		}
		if p := c.Get("/static/js/htmx.min.js"); p.Status != http.StatusOK || strings.Contains(p.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("unhashed name: %d %q", p.Status, p.Header.Get("Cache-Control"))
		}
		if p := c.Get("/static/../go.mod"); p.Status != http.StatusNotFound {
			t.Fatalf("path escape: %d", p.Status)
		}
	})
}
