package web_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web"
	"yishi/web/webtest"
)

// TestSignInLimitPerAddress: an address that fails to sign in
// MaxFailedSignIns times within SignInWindow, on any accounts, is refused
// even the right password until the window has passed; other addresses
// are not. Behind a trusted proxy the client is the last address the
// proxy appended (what a client wrote before it is not believed), and an
// IPv6 client is its /64.
func TestSignInLimitPerAddress(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		from := behindProxy(t, s)
		// A burst of guesses at once, a different phone each: no account's
		// lockout stops it, and attempts under way count against the
		// limit, so no more than it are tried.
		burst := web.MaxFailedSignIns + 10
		statuses := make([]int, burst)
		clients := make([]*webtest.Client, burst)
		pages := make([]*webtest.Page, burst)
		for i := range burst {
			clients[i] = from("2001:db8::1")
			pages[i] = clients[i].Get("/login")
		}
		var wg sync.WaitGroup
		for i := range burst {
			wg.Go(func() {
				statuses[i] = clients[i].Submit(pages[i], `form[data-testid="login-form"]`, map[string]string{"phone": fmt.Sprintf("1390000%04d", i), "password": "123456"}).Status
			})
		}
		wg.Wait()
		tried, refused := 0, 0
		for _, st := range statuses {
			switch st {
			case http.StatusUnprocessableEntity:
				tried++
			case http.StatusTooManyRequests:
				refused++
			}
		}
		if tried != web.MaxFailedSignIns || refused != burst-web.MaxFailedSignIns {
			t.Fatalf("a burst of %d guesses: %d tried, %d refused", burst, tried, refused)
		}
		prober := clients[0]
		throttled := func(p *webtest.Page) bool {
			msg := p.Text(`[data-testid="login-error"]`)
			return p.Status == http.StatusTooManyRequests && (strings.Contains(msg, "登录失败次数过多") || strings.Contains(msg, "Too many failed sign-ins")) &&
				!p.Has(`[data-testid="home-greeting"]`)
		}
		// The same /64, and a client that wrote another address in front
		// of the one the proxy appended, are the same prober.
		for _, xff := range []string{"2001:db8::1", "2001:db8::ffff", "198.51.100.9, 2001:db8::2"} {
			if p := submitSignIn(t, from(xff), "13800000004", demo.Password); !throttled(p) {
				t.Fatalf("from %s after %d failures: %d %q", xff, web.MaxFailedSignIns, p.Status, p.Text(`[data-testid="login-error"]`))
			}
		}
		// Neighbours on other networks sign in as usual.
		for _, xff := range []string{"2001:db8:0:1::1", "203.0.113.8", "2001:db8::1, 203.0.113.9"} {
			if p := submitSignIn(t, from(xff), "13800000004", demo.Password); p.Status != http.StatusOK || !p.Has(`[data-testid="home-greeting"]`) {
				t.Fatalf("from %s: %d %q", xff, p.Status, p.Text(`[data-testid="login-error"]`))
			}
		}
		clock.Advance(web.SignInWindow)
		if p := submitSignIn(t, prober, "13800000004", demo.Password); p.Status != http.StatusOK || !p.Has(`[data-testid="home-greeting"]`) {
			t.Fatalf("after the window: %d %q", p.Status, p.Text(`[data-testid="login-error"]`))
		}

		// Without trusted proxies the header is not believed, and the
		// log says once that a proxy may be missing from the list.
		logs := &webtest.LogBuffer{}
		direct := webtest.StartWith(t, s, web.Config{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
		for range 2 {
			c := direct.Client()
			c.Header.Set("X-Forwarded-For", "203.0.113.10")
			c.Login("13800000004", demo.Password)
		}
		if n := strings.Count(logs.String(), "trusted-proxies"); n != 1 {
			t.Fatalf("%d warnings of an untrusted X-Forwarded-For:\n%s", n, logs.String())
		}
	})
}

// TestParseTrustedProxies reads addresses and networks, and refuses
// anything else.
func TestParseTrustedProxies(t *testing.T) {
	got, err := web.ParseTrustedProxies(" 127.0.0.1, 10.0.0.0/8,::1 ,, 192.168.1.7/24")
	want := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("192.168.1.0/24")}
	if err != nil || len(got) != len(want) {
		t.Fatalf("%v %v", got, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %v, want %v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"localhost", "10.0.0.0/33", "1.2.3"} {
		if _, err := web.ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestKnownDevicePassesStrangersLimits: on a mobile network's shared
// address, a stranger's failures fill the address's limit and lock a
// resident's account; a neighbour who never signed in from their browser
// is refused, but the resident's own browser, known from an earlier
// sign-in, signs in, and keeps a device cookie for the next time.
func TestKnownDevicePassesStrangersLimits(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		proxied := behindProxy(t, s)
		const shared = "100.64.0.7" // a carrier's shared address
		from := func() *webtest.Client { return proxied(shared) }
		signedIn := func(p *webtest.Page) bool { return p.Status == http.StatusOK && p.Has(`[data-testid="home-greeting"]`) }
		resident := from()
		if p := submitSignIn(t, resident, "13800000004", demo.Password); !signedIn(p) {
			t.Fatalf("first sign-in: %d", p.Status)
		}
		if resident.Cookie("yishi_device") == "" {
			t.Fatal("no device cookie after signing in")
		}
		resident.Logout()

		stranger := from()
		for range models.MaxFailedLogins {
			submitSignIn(t, stranger, "13800000004", "guess-123456")
		}
		for i := range web.MaxFailedSignIns - models.MaxFailedLogins {
			submitSignIn(t, stranger, fmt.Sprintf("1390000%04d", i), "guess-123456")
		}
		if p := submitSignIn(t, from(), "13800000005", demo.Password); p.Status != http.StatusTooManyRequests {
			t.Fatalf("a neighbour without a known device after the stranger's failures: %d", p.Status)
		}
		if p := submitSignIn(t, stranger, "13800000004", demo.Password); p.Status != http.StatusTooManyRequests {
			t.Fatalf("the stranger with the right password: %d", p.Status)
		}
		before := resident.Cookie("yishi_device")
		if p := submitSignIn(t, resident, "13800000004", demo.Password); !signedIn(p) {
			t.Fatalf("the resident's known browser: %d %q", p.Status, p.Text(`[data-testid="login-error"]`))
		}
		if after := resident.Cookie("yishi_device"); after == "" || after == before {
			t.Fatalf("device cookie after signing in again: %q (was %q)", after, before)
		}
		// The device is the resident's: it lets nobody else past.
		resident.Logout()
		if p := submitSignIn(t, resident, "13800000005", demo.Password); p.Status != http.StatusTooManyRequests {
			t.Fatalf("another phone from the resident's browser: %d", p.Status)
		}
		// The account stays locked for strangers elsewhere.
		if p := submitSignIn(t, proxied("203.0.113.77"), "13800000004", demo.Password); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a stranger elsewhere while the account is locked for strangers: %d", p.Status)
		}
	})
}

// behindProxy starts the site behind a trusted proxy on this machine and
// returns a maker of clients whose requests the proxy forwards from xff.
func behindProxy(t *testing.T, s *models.Store) func(xff string) *webtest.Client {
	t.Helper()
	proxies, err := web.ParseTrustedProxies("127.0.0.0/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	srv := webtest.StartWith(t, s, web.Config{TrustedProxies: proxies})
	return func(xff string) *webtest.Client {
		c := srv.Client()
		c.Header.Set("X-Forwarded-For", xff)
		return c
	}
}

// submitSignIn submits the sign-in form as c.
func submitSignIn(t *testing.T, c *webtest.Client, phone, pw string) *webtest.Page {
	t.Helper()
	return c.Submit(c.Get("/login"), `form[data-testid="login-form"]`, map[string]string{"phone": phone, "password": pw})
}
