package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// offSite are redirect targets that must not leave the site: browsers drop
// tabs and newlines from a URL and read a backslash as a slash, so each of
// these would lead to evil.com (or run script) if it were sent as Location.
var offSite = []string{
	"/\t/evil.com",
	"/\n/evil.com",
	"/\r\n/evil.com",
	"/\x00/evil.com",
	"/\x7f/evil.com",
	"/\\evil.com",
	"/ok\\..\\\\evil.com",
	"\\\\evil.com",
	"//evil.com",
	"///evil.com",
	"https://evil.com/",
	"http://evil.com",
	"HTTPS:evil.com",
	"javascript:alert(1)",
	"evil.com",
	" /profile",
	"\t/profile",
}

// onSite is a same-site path that is kept as it is, query string included.
const onSite = "/notices?page=2&kind=ballot"

// location sends one request with c's cookies straight to the transport,
// so nothing follows or parses the redirect, and returns the status and the
// Location header exactly as the server sent them.
func location(t *testing.T, c *webtest.Client, base, method, path string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range c.HTTP.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// TestRedirectsStayOnSite: every redirect built from a request or a stored
// link (after sign-in, when already signed in, after switching preferences,
// a notification's link) goes to a same-site path or to the home page.
func TestRedirectsStayOnSite(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		const phone = "13800000004"
		acct, err := s.AccountByPhone(bg, phone)
		if err != nil {
			t.Fatal(err)
		}
		signedIn := srv.Client()
		signedIn.Login(phone, demo.Password)

		check := func(target, want string) {
			t.Helper()
			expect := func(what string) func(int, string) {
				return func(status int, loc string) {
					t.Helper()
					if status != http.StatusSeeOther || loc != want {
						t.Errorf("%s %q: status %d, Location %q, want %q", what, target, status, loc, want)
					}
				}
			}
			q := url.QueryEscape(target)

			// Already signed in, /login sends one on at once.
			expect("GET /login signed in, next")(location(t, signedIn, srv.URL, http.MethodGet, "/login?next="+q, nil))

			// Signing in, through the form the login page renders.
			anon := srv.Client()
			form := anon.Get("/login?next=" + q)
			if _, vals := form.Form(`form[data-testid="login-form"]`); vals.Get("next") != want {
				t.Errorf("login form for next=%q carries next %q, want %q", target, vals.Get("next"), want)
			}
			expect("POST /login, next")(location(t, anon, srv.URL, http.MethodPost, "/login",
				url.Values{"_csrf": {form.CSRF()}, "phone": {phone}, "password": {demo.Password}, "next": {target}}))

			// Switching preferences goes back.
			prefs := srv.Client()
			tok := prefs.Get("/login").CSRF()
			expect("POST /prefs, back")(location(t, prefs, srv.URL, http.MethodPost, "/prefs",
				url.Values{"_csrf": {tok}, "large_text": {"on"}, "back": {target}}))

			// A notification leads to its link (PostgreSQL text holds no NUL,
			// so no stored link has one).
			if strings.ContainsRune(target, 0) {
				return
			}
			if err := s.Notify(bg, nil, []uint64{acct.ID}, models.Note{Kind: models.NotifyNeedChanged, SubjectType: "need", SubjectID: 1,
				Key: "notify.need_status.accepted", Args: []string{"1"}, Link: target}); err != nil {
				t.Fatal(err)
			}
			pg, err := s.Inbox(bg, &models.Principal{Account: acct}, 1, 1)
			if err != nil || len(pg.Items) != 1 || pg.Items[0].Link != target {
				t.Fatalf("newest notification: %v", err)
			}
			tok = signedIn.Get("/inbox").CSRF()
			expect("notification link")(location(t, signedIn, srv.URL, http.MethodPost,
				fmt.Sprintf("/inbox/%d/read", pg.Items[0].ID), url.Values{"_csrf": {tok}}))
		}

		check(onSite, onSite)
		check("/", "/")
		for _, target := range offSite {
			check(target, "/")
		}
	})
}
