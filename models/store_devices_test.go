package models_test

import (
	"errors"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// unpack is SignIn's answer as the account, the device token and the error.
func unpack(in models.SignedIn, err error) (models.Account, string, error) {
	return in.Account, in.Device, err
}

// TestKnownDeviceOutlastsStrangersLock: a stranger who tries wrong
// passwords on a resident's phone number locks the account for strangers
// only; the resident's browser, known from an earlier sign-in, still signs
// in, and each sign-in gives it a new token in place of the old one.
func TestKnownDeviceOutlastsStrangersLock(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		phone := f.resident.Phone
		_, dev, err := unpack(s.SignIn(bg, phone, "password-1", "", ""))
		if err != nil || dev == "" {
			t.Fatalf("first sign-in: %q %v", dev, err)
		}
		if ok, err := s.DeviceKnown(bg, dev, phone); err != nil || !ok {
			t.Fatalf("the device after signing in: known=%v %v", ok, err)
		}
		for range models.MaxFailedLogins {
			s.SignIn(bg, phone, "wrong", "", "")
		}
		if _, _, err := unpack(s.SignIn(bg, phone, "password-1", "", "")); !errors.Is(err, models.ErrAccountLocked) {
			t.Fatalf("a stranger with the right password while locked: %v", err)
		}
		acct, next, err := unpack(s.SignIn(bg, phone, "password-1", dev, ""))
		if err != nil || acct.ID != f.resident.ID || next == "" || next == dev {
			t.Fatalf("the known device while strangers are locked out: %d %q %v", acct.ID, next, err)
		}
		// The old token is spent: it is a stranger now.
		if ok, _ := s.DeviceKnown(bg, dev, phone); ok {
			t.Fatal("the replaced token is still known")
		}
		if _, _, err := unpack(s.SignIn(bg, phone, "password-1", dev, "")); !errors.Is(err, models.ErrAccountLocked) {
			t.Fatalf("the replaced token while strangers are locked out: %v", err)
		}
		// The strangers' lock is as they left it.
		a, err := s.AccountByID(bg, f.resident.ID)
		if err != nil || !a.Locked(clock.Now()) {
			t.Fatalf("the account's lock after the device signed in: %v %v", a.LockedUntil, err)
		}
		var known int64
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND result = ? AND detail = ?", "auth.login", models.ResultOK, "(known device)").Count(&known)
		if known != 1 {
			t.Fatalf("%d sign-ins audited as from a known device, want 1", known)
		}
	})
}

// TestKnownDeviceCountsItsOwnFailures: wrong passwords from a known device
// lock that device, not the account, and a device is known only for its
// own account and for DeviceTTL after its last use.
func TestKnownDeviceCountsItsOwnFailures(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		phone := f.resident.Phone
		_, dev, err := unpack(s.SignIn(bg, phone, "password-1", "", ""))
		if err != nil {
			t.Fatal(err)
		}
		for i := range models.MaxFailedLogins {
			_, _, err := unpack(s.SignIn(bg, phone, "wrong", dev, ""))
			want := models.ErrBadCredentials
			if i == models.MaxFailedLogins-1 {
				want = models.ErrAccountLocked
			}
			if !errors.Is(err, want) {
				t.Fatalf("wrong password %d from the device: %v, want %v", i+1, err, want)
			}
		}
		if _, _, err := unpack(s.SignIn(bg, phone, "password-1", dev, "")); !errors.Is(err, models.ErrAccountLocked) {
			t.Fatalf("the locked device with the right password: %v", err)
		}
		a, err := s.AccountByID(bg, f.resident.ID)
		if err != nil || a.FailedLogins != 0 || a.Locked(clock.Now()) {
			t.Fatalf("the account after the device's failures: %d failures, locked until %v (%v)", a.FailedLogins, a.LockedUntil, err)
		}
		if _, dev, err = unpack(s.SignIn(bg, phone, "password-1", "", "")); err != nil {
			t.Fatalf("a stranger's sign-in while the device is locked: %v", err)
		}
		// Another account's device is nobody's here.
		if ok, _ := s.DeviceKnown(bg, dev, f.staff1.Account.Phone); ok {
			t.Fatal("the resident's device is known for a staff member's phone")
		}
		clock.Advance(models.DeviceTTL)
		if ok, _ := s.DeviceKnown(bg, dev, phone); ok {
			t.Fatal("a device unused for DeviceTTL is still known")
		}
		if _, err := s.PurgeSessions(bg); err != nil {
			t.Fatal(err)
		}
		var left int64
		s.Tx(bg).Model(&models.SignInDevice{}).Count(&left)
		if left != 0 {
			t.Fatalf("%d devices left after the purge", left)
		}
	})
}

// TestDevicesPerAccountAreBounded: an account remembers its most recently
// used devices only.
func TestDevicesPerAccountAreBounded(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		var toks []string
		for range 12 {
			_, dev, err := unpack(s.SignIn(bg, f.resident.Phone, "password-1", "", ""))
			if err != nil {
				t.Fatal(err)
			}
			toks = append(toks, dev)
			clock.Advance(time.Second)
		}
		for i, tok := range toks {
			ok, err := s.DeviceKnown(bg, tok, f.resident.Phone)
			if err != nil || ok != (i >= 2) {
				t.Fatalf("device %d of 12: known=%v (%v)", i+1, ok, err)
			}
		}
	})
}

// TestNewPasswordForgetsDevices: a password changed by its owner or reset
// by staff forgets every device the account was known on (a lost phone may
// be why), and a device remembered afresh is known.
func TestNewPasswordForgetsDevices(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		phone := f.resident.Phone
		signIn := func(pw string) string {
			t.Helper()
			_, dev, err := unpack(s.SignIn(bg, phone, pw, "", ""))
			if err != nil {
				t.Fatal(err)
			}
			return dev
		}
		known := func(dev string) bool {
			t.Helper()
			ok, err := s.DeviceKnown(bg, dev, phone)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		lost := signIn("password-1")
		if err := s.ChangeOwnPassword(bg, f.resident.ID, "password-1", "new-password-7", "new-password-7"); err != nil {
			t.Fatal(err)
		}
		if known(lost) {
			t.Fatal("a device is still known after its owner changed the password")
		}
		fresh, err := s.RememberDevice(bg, f.resident.ID, "")
		if err != nil || !known(fresh) {
			t.Fatalf("the device remembered after the change: %v", err)
		}
		if err := s.SetPassword(bg, f.resident.ID, "reset-password-8", &f.staff1.Account.ID); err != nil {
			t.Fatal(err)
		}
		if known(fresh) {
			t.Fatal("a device is still known after staff reset the password")
		}
	})
}

// TestDeviceAgent: a browser's kind is read from the User-Agents that
// residents' phones and staff's computers send, apps before the engines
// they name; nothing else of the header is kept.
func TestDeviceAgent(t *testing.T) {
	for _, c := range []struct{ ua, want string }{
		{"Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64", "android/wechat"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "iphone/safari"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/119.0.6045.169 Mobile/15E148 Safari/604.1", "iphone/chrome"},
		{"Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.12.0.302) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.2.311 Mobile Safari/537.36", "harmony/huawei"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0", "windows/edge"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "windows/chrome"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15", "mac/safari"},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0", "linux/firefox"},
		{"Mozilla/5.0 (Linux; U; Android 11; zh-CN; PEGM00 Build/RKQ1.200903.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 UCBrowser/15.5.0.1220 Mobile Safari/537.36", "android/uc"},
		{"Mozilla/5.0 (Linux; Android 10; V1934A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.141 Mobile Safari/537.36 VivoBrowser/13.6.10.0", "android/chrome"},
		{"curl/8.5.0", ""},
		{"", ""},
	} {
		if got := models.DeviceAgent(c.ua); got != c.want {
			t.Errorf("DeviceAgent(%.60q…) = %q, want %q", c.ua, got, c.want)
		}
	}
}

// TestOwnerListsAndForgetsDevices: an account sees its known devices with
// their kind, the most recently used first, and forgets one: that device
// is a stranger at its next sign-in. No account forgets another's device.
func TestOwnerListsAndForgetsDevices(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		phone := f.resident.Phone
		_, phoneDev, err := unpack(s.SignIn(bg, phone, "password-1", "", "android/wechat"))
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		_, pcDev, err := unpack(s.SignIn(bg, phone, "password-1", "", "windows/edge"))
		if err != nil {
			t.Fatal(err)
		}
		ds, err := s.Devices(bg, f.resident.ID)
		if err != nil || len(ds) != 2 || ds[0].Agent != "windows/edge" || ds[1].Agent != "android/wechat" {
			t.Fatalf("devices: %+v %v", ds, err)
		}
		if others, err := s.Devices(bg, f.staff1.Account.ID); err != nil || len(others) != 0 {
			t.Fatalf("another account's devices: %+v %v", others, err)
		}
		pc := ds[0].ID
		if err := s.ForgetDevice(bg, f.staff1.Account.ID, pc); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("another account forgetting the device: %v", err)
		}
		if ok, _ := s.DeviceKnown(bg, pcDev, phone); !ok {
			t.Fatal("another account's attempt forgot the device")
		}
		if err := s.ForgetDevice(bg, f.resident.ID, pc); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.DeviceKnown(bg, pcDev, phone); ok {
			t.Fatal("the forgotten device is still known")
		}
		if ok, _ := s.DeviceKnown(bg, phoneDev, phone); !ok {
			t.Fatal("forgetting one device forgot the other")
		}
		if err := s.ForgetDevice(bg, f.resident.ID, pc); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("forgetting it twice: %v", err)
		}
		var n int64
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND actor_id = ?", "account.forget_device", f.resident.ID).Count(&n)
		if n != 1 {
			t.Fatalf("%d forgettings audited, want 1", n)
		}
	})
}

// TestSignOutElsewhere: ending the account's other sessions leaves the
// browser that asked signed in and known, and every other session ended
// and device forgotten; another account's are untouched.
func TestSignOutElsewhere(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		phone := f.resident.Phone
		var sessions, devices []string
		for _, agent := range []string{"android/wechat", "windows/chrome", "iphone/safari"} {
			_, dev, err := unpack(s.SignIn(bg, phone, "password-1", "", agent))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := s.StartSession(bg, f.resident.ID)
			if err != nil {
				t.Fatal(err)
			}
			sessions, devices = append(sessions, tok), append(devices, dev)
		}
		staffTok, err := s.StartSession(bg, f.staff1.Account.ID)
		if err != nil {
			t.Fatal(err)
		}
		ended, err := s.SignOutElsewhere(bg, f.resident.ID, sessions[0], devices[0])
		if err != nil || ended != 2 {
			t.Fatalf("sessions ended: %d %v, want 2", ended, err)
		}
		for i, tok := range sessions {
			_, err := s.ResumeSession(bg, tok)
			if (err == nil) != (i == 0) {
				t.Fatalf("session %d after signing out elsewhere: %v", i, err)
			}
			ok, _ := s.DeviceKnown(bg, devices[i], phone)
			if ok != (i == 0) {
				t.Fatalf("device %d after signing out elsewhere: known=%v", i, ok)
			}
		}
		if _, err := s.ResumeSession(bg, staffTok); err != nil {
			t.Fatalf("another account's session: %v", err)
		}
		if ended, err := s.SignOutElsewhere(bg, f.resident.ID, sessions[0], ""); err != nil || ended != 0 {
			t.Fatalf("again with no device kept: %d %v", ended, err)
		}
		if ok, _ := s.DeviceKnown(bg, devices[0], phone); ok {
			t.Fatal("a device is still known after signing out elsewhere keeping none")
		}
	})
}
