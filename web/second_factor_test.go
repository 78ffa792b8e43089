package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// TestSecondFactorSignIn: a convener switches on two-step sign-in from the
// profile (a QR code and key, confirmed by a first code); from then the
// password leads to a code page and only a right code signs in. When the
// phone is lost, community staff switch it off after confirming, and the
// password alone signs in again. Residents without a role are not offered
// it.
func TestSecondFactorSignIn(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		const phone = "13800000003"
		codeAt := func(secret string, step int64) string {
			t.Helper()
			c, err := models.TOTP(secret, step)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		wrong := func(secret string) string { return wrongTOTP(t, secret, clock.Now()) }

		resident := srv.Client()
		resident.Login("13800000004", demo.Password)
		if resident.Get("/profile").Has(`[data-testid="profile-second-factor"]`) {
			t.Fatal("a resident without a role is offered two-step sign-in")
		}

		c := srv.Client()
		c.Login(phone, demo.Password)
		profile := c.Get("/profile")
		pending := c.Submit(profile, `form[data-testid="second-factor-begin"]`, nil)
		secret := pending.Text(`[data-testid="second-factor-secret"]`)
		src, _ := pending.Doc.Find(`[data-testid="second-factor-qr"]`).Attr("src")
		if secret == "" || !strings.HasPrefix(src, "data:image/png;base64,") {
			t.Fatalf("the waiting secret: %q, QR %.40q", secret, src)
		}
		bad := c.Submit(pending, `form[data-testid="second-factor-enable"]`, map[string]string{"code": wrong(secret)})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-code"]`) {
			t.Fatalf("switching on with a wrong code: %d", bad.Status)
		}
		on := c.Submit(bad, `form[data-testid="second-factor-enable"]`, map[string]string{"code": codeAt(secret, models.TOTPStep(clock.Now()))})
		if on.Status != http.StatusOK || !on.Has(`[data-testid="second-factor-on"]`) {
			t.Fatalf("after switching on: %d", on.Status)
		}

		// The password alone no longer signs in.
		c.Logout()
		login := c.Get("/login?next=/councils")
		asked := c.Submit(login, `form[data-testid="login-form"]`, map[string]string{"phone": phone, "password": demo.Password})
		if asked.Status != http.StatusOK || !asked.Has(`form[data-testid="login-code-form"]`) || c.Cookie("yishi_session") != "" {
			t.Fatalf("after the password: %d, code form %v, session %q", asked.Status, asked.Has(`form[data-testid="login-code-form"]`), c.Cookie("yishi_session"))
		}
		// A display switch on the code page comes back to it.
		back, _ := asked.Doc.Find(`form[action="/prefs"] input[name="back"]`).Attr("value")
		if back != "/login/code?next=%2Fcouncils" {
			t.Fatalf("the code page's switches return to %q", back)
		}
		larger := c.Submit(asked, `form[action="/prefs"]`, map[string]string{"large_text": "on"})
		if larger.URL.Path != "/login/code" || !larger.Has(`form[data-testid="login-code-form"]`) {
			t.Fatalf("after a display switch on the code page: at %s", larger.URL)
		}
		if p := srv.Client().Get("/login/code"); p.URL.Path != "/login" {
			t.Fatalf("the code page without a sign-in waiting: at %s", p.URL)
		}
		if p := c.Get("/profile"); p.URL.Path != "/login" {
			t.Fatalf("the profile before the code: at %s", p.URL)
		}
		clock.Advance(30 * time.Second)
		again := c.Submit(asked, `form[data-testid="login-code-form"]`, map[string]string{"code": wrong(secret)})
		if again.Status != http.StatusUnprocessableEntity || !strings.Contains(again.Text(`[data-testid="login-error"]`), "动态码不对") {
			t.Fatalf("a wrong code: %d %q", again.Status, again.Text(`[data-testid="login-error"]`))
		}
		in := c.Submit(again, `form[data-testid="login-code-form"]`, map[string]string{"code": codeAt(secret, models.TOTPStep(clock.Now()))})
		if in.Status != http.StatusOK || in.URL.Path != "/councils" || c.Cookie("yishi_challenge") != "" {
			t.Fatalf("the right code: %d at %s", in.Status, in.URL)
		}

		// Lost phone: staff switch it off, once they confirm.
		acct, err := s.AccountByPhone(bg, phone)
		if err != nil {
			t.Fatal(err)
		}
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		page := staff.Get("/console/accounts/" + strconv.FormatUint(acct.ID, 10))
		if st, _ := page.Doc.Find(`[data-testid="account-second-factor-state"]`).Attr("data-on"); st != "true" {
			t.Fatalf("the console shows two-step sign-in on=%q", st)
		}
		kept := staff.Submit(page, `form[data-testid="second-factor-reset"]`, nil)
		if st, _ := kept.Doc.Find(`[data-testid="account-second-factor-state"]`).Attr("data-on"); st != "true" {
			t.Fatal("switched off without confirming")
		}
		off := staff.Submit(kept, `form[data-testid="second-factor-reset"]`, map[string]string{"confirm": "on"})
		if st, _ := off.Doc.Find(`[data-testid="account-second-factor-state"]`).Attr("data-on"); st != "false" {
			t.Fatalf("after the reset: on=%q", st)
		}
		c.Logout()
		c.Login(phone, demo.Password)
		if c.Cookie("yishi_session") == "" {
			t.Fatal("the password alone does not sign in after the reset")
		}
	})
}

// TestSecondFactorWrongCodesLock: five wrong codes in a row send the
// browser back to the password with the lock and its end, and the right
// code is refused until then.
func TestSecondFactorWrongCodesLock(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		const phone = "13800000003"
		acct, err := s.AccountByPhone(bg, phone)
		if err != nil {
			t.Fatal(err)
		}
		secret, err := s.BeginSecondFactor(bg, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		now, _ := models.TOTP(secret, models.TOTPStep(clock.Now()))
		if err := s.EnableSecondFactor(bg, acct.ID, now); err != nil {
			t.Fatal(err)
		}
		clock.Advance(30 * time.Second)
		step := models.TOTPStep(clock.Now())
		right, _ := models.TOTP(secret, step)
		wrong := wrongTOTP(t, secret, clock.Now())
		c := srv.Client()
		page := c.Submit(c.Get("/login"), `form[data-testid="login-form"]`, map[string]string{"phone": phone, "password": demo.Password})
		for range models.MaxFailedLogins {
			page = c.Submit(page, `form[data-testid="login-code-form"]`, map[string]string{"code": wrong})
		}
		msg := page.Text(`[data-testid="login-error"]`)
		if page.Status != http.StatusUnprocessableEntity || !page.Has(`form[data-testid="login-form"]`) || !strings.Contains(msg, "两步验证已锁定") || !strings.Contains(msg, "后再试") {
			t.Fatalf("after %d wrong codes: %d, %q", models.MaxFailedLogins, page.Status, msg)
		}
		page = c.Submit(page, `form[data-testid="login-form"]`, map[string]string{"phone": phone, "password": demo.Password})
		page = c.Submit(page, `form[data-testid="login-code-form"]`, map[string]string{"code": right})
		if c.Cookie("yishi_session") != "" || !strings.Contains(page.Text(`[data-testid="login-error"]`), "两步验证已锁定") {
			t.Fatalf("the right code while locked: %d %q", page.Status, page.Text(`[data-testid="login-error"]`))
		}
	})
}

// wrongTOTP is a code that is none of secret's around at.
func wrongTOTP(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	step := models.TOTPStep(at)
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		taken := false
		for d := int64(-1); d <= 1; d++ {
			r, err := models.TOTP(secret, step+d)
			if err != nil {
				t.Fatal(err)
			}
			taken = taken || r == c
		}
		if !taken {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}
