package models_test

import (
	"errors"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// TestKnownDeviceOutlastsStrangersLock: a stranger who tries wrong
// passwords on a resident's phone number locks the account for strangers
// only; the resident's browser, known from an earlier sign-in, still signs
// in, and each sign-in gives it a new token in place of the old one.
func TestKnownDeviceOutlastsStrangersLock(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		phone := f.resident.Phone
		_, dev, err := s.SignIn(bg, phone, "password-1", "")
		if err != nil || dev == "" {
			t.Fatalf("first sign-in: %q %v", dev, err)
		}
		if ok, err := s.DeviceKnown(bg, dev, phone); err != nil || !ok {
			t.Fatalf("the device after signing in: known=%v %v", ok, err)
		}
		for range models.MaxFailedLogins {
			s.SignIn(bg, phone, "wrong", "")
		}
		if _, _, err := s.SignIn(bg, phone, "password-1", ""); !errors.Is(err, models.ErrAccountLocked) {
			t.Fatalf("a stranger with the right password while locked: %v", err)
		}
		acct, next, err := s.SignIn(bg, phone, "password-1", dev)
		if err != nil || acct.ID != f.resident.ID || next == "" || next == dev {
			t.Fatalf("the known device while strangers are locked out: %d %q %v", acct.ID, next, err)
		}
		// The old token is spent: it is a stranger now.
		if ok, _ := s.DeviceKnown(bg, dev, phone); ok {
			t.Fatal("the replaced token is still known")
		}
		if _, _, err := s.SignIn(bg, phone, "password-1", dev); !errors.Is(err, models.ErrAccountLocked) {
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
		_, dev, err := s.SignIn(bg, phone, "password-1", "")
		if err != nil {
			t.Fatal(err)
		}
		for i := range models.MaxFailedLogins {
			_, _, err := s.SignIn(bg, phone, "wrong", dev)
			want := models.ErrBadCredentials
			if i == models.MaxFailedLogins-1 {
				want = models.ErrAccountLocked
			}
			if !errors.Is(err, want) {
				t.Fatalf("wrong password %d from the device: %v, want %v", i+1, err, want)
			}
		}
		if _, _, err := s.SignIn(bg, phone, "password-1", dev); !errors.Is(err, models.ErrAccountLocked) {
			t.Fatalf("the locked device with the right password: %v", err)
		}
		a, err := s.AccountByID(bg, f.resident.ID)
		if err != nil || a.FailedLogins != 0 || a.Locked(clock.Now()) {
			t.Fatalf("the account after the device's failures: %d failures, locked until %v (%v)", a.FailedLogins, a.LockedUntil, err)
		}
		if _, dev, err = s.SignIn(bg, phone, "password-1", ""); err != nil {
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
			_, dev, err := s.SignIn(bg, f.resident.Phone, "password-1", "")
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
			_, dev, err := s.SignIn(bg, phone, pw, "")
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
		fresh, err := s.RememberDevice(bg, f.resident.ID)
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
