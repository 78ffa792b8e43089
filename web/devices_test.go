package web_test

import (
	"net/http"
	"testing"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// The User-Agents of a resident's phone (WeChat on Android) and of the
// community centre's computer (Edge on Windows).
const (
	wechatAndroid = "Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN"
	edgeWindows   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"
)

// TestProfileForgetsDevicesAndSignsOutElsewhere: a resident who signed in
// on a shared computer sees it on their phone's profile by its kind, beside
// the phone marked as this device; forgets it, which makes it a stranger;
// and, once they confirm, ends its sign-in while the phone stays signed in
// and known. Forgetting the phone itself drops its device cookie.
func TestProfileForgetsDevicesAndSignsOutElsewhere(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		const phone = "13800000004"
		pc := srv.Client()
		pc.Header.Set("User-Agent", edgeWindows)
		pc.Login(phone, demo.Password)
		mine := srv.Client()
		mine.Header.Set("User-Agent", wechatAndroid)
		mine.Login(phone, demo.Password)

		profile := mine.Get("/profile")
		if n := profile.Count(`[data-testid="device-line"]`); n != 2 {
			t.Fatalf("%d devices on the profile, want 2", n)
		}
		current := `li[data-testid="device-line"]:has([data-testid="device-current"])`
		other := `li[data-testid="device-line"]:not(:has([data-testid="device-current"]))`
		if got := profile.Text(current + ` [data-testid="device-name"]`); got != "微信 · 安卓手机" {
			t.Fatalf("this device is named %q", got)
		}
		if got := profile.Text(other + ` [data-testid="device-name"]`); got != "Edge 浏览器 · Windows 电脑" {
			t.Fatalf("the shared computer is named %q", got)
		}
		known := func(c interface{ Cookie(string) string }) bool {
			t.Helper()
			ok, err := s.DeviceKnown(bg, c.Cookie("yishi_device"), phone)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !known(pc) || !known(mine) {
			t.Fatal("a browser is not known after signing in")
		}

		forgot := mine.Submit(profile, other+` form[data-testid="forget-device"]`, nil)
		if forgot.Status != http.StatusOK || forgot.Count(`[data-testid="device-line"]`) != 1 || !forgot.Has(`[data-testid="device-current"]`) {
			t.Fatalf("after forgetting the computer: %d, %d devices", forgot.Status, forgot.Count(`[data-testid="device-line"]`))
		}
		if known(pc) || !known(mine) {
			t.Fatalf("after forgetting the computer: computer known=%v, phone known=%v", known(pc), known(mine))
		}

		// Signing out elsewhere needs the box ticked; nothing ends before.
		unconfirmed := mine.Submit(forgot, `form[data-testid="sign-out-elsewhere"]`, nil)
		if unconfirmed.Status != http.StatusUnprocessableEntity || !unconfirmed.Has(`form[data-testid="sign-out-elsewhere"] [data-testid="error-confirm"]`) {
			t.Fatalf("signing out elsewhere unconfirmed: %d", unconfirmed.Status)
		}
		if p := pc.Get("/profile"); p.URL.Path != "/profile" {
			t.Fatalf("the computer after an unconfirmed sign-out elsewhere: at %s", p.URL)
		}
		done := mine.Submit(unconfirmed, `form[data-testid="sign-out-elsewhere"]`, map[string]string{"confirm": "on"})
		if done.Status != http.StatusOK || done.URL.Path != "/profile" || !done.Has(`[data-testid="device-current"]`) {
			t.Fatalf("after signing out elsewhere: %d at %s", done.Status, done.URL)
		}
		if p := pc.Get("/profile"); p.URL.Path != "/login" {
			t.Fatalf("the computer after signing out elsewhere: at %s", p.URL)
		}
		if !known(mine) {
			t.Fatal("the phone is forgotten by its own sign-out elsewhere")
		}

		// Forgetting this device drops its cookie.
		gone := mine.Submit(done, current+` form[data-testid="forget-device"]`, nil)
		if gone.Status != http.StatusOK || mine.Cookie("yishi_device") != "" || gone.Has(`[data-testid="device-line"]`) {
			t.Fatalf("after forgetting this device: %d, cookie %q", gone.Status, mine.Cookie("yishi_device"))
		}
		if !gone.Has(`[data-testid="profile-devices"] [data-testid="empty"]`) {
			t.Fatal("no empty state once every device is forgotten")
		}
	})
}
