package models_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// stuck is how long a test's password check waits for what it waits on
// before giving up. It only ends a wait that would otherwise never end (a
// write blocked behind the check); a test that passes never comes near it.
// It is longer than SQLite's busy_timeout, so a blocked SQLite write fails
// first.
const stuck = 15 * time.Second

// TestPasswordCheckHoldsNoWriteLock: while a password is being hashed (a
// sign-in with a wrong password, a sign-in of an unknown phone, the current
// password on the profile), another request may write, the account's own
// row included; the attempt still counts afterwards.
func TestPasswordCheckHoldsNoWriteLock(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		attempts := []struct {
			name string
			try  func() error
			want error
		}{
			{"wrong password", func() error { _, err := s.Authenticate(bg, f.resident.Phone, "wrong"); return err }, models.ErrBadCredentials},
			{"unknown phone", func() error { _, err := s.Authenticate(bg, "13111111111", "wrong"); return err }, models.ErrBadCredentials},
			{"wrong current password", func() error {
				err := s.ChangeOwnPassword(bg, f.resident.ID, "wrong", "new-password-9", "new-password-9")
				var fe models.FieldErrors
				if errors.As(err, &fe) && fe["current"] == "err.password_wrong" {
					return models.ErrBadCredentials
				}
				return err
			}, models.ErrBadCredentials},
		}
		for i, a := range attempts {
			hashing, written := make(chan struct{}), make(chan struct{})
			var once sync.Once
			var gaveUp atomic.Bool
			s.SetPasswordCheck(func(encoded, pw string) bool {
				once.Do(func() {
					close(hashing)
					select {
					case <-written:
					case <-time.After(stuck):
						gaveUp.Store(true)
					}
				})
				return models.CheckPassword(encoded, pw)
			})
			done := make(chan error, 1)
			go func() { done <- a.try() }()
			<-hashing
			// A write of the account's own row, as another request would.
			err := s.SetPreferences(bg, f.resident.ID, "en", i%2 == 0, false)
			close(written)
			if got := <-done; !errors.Is(got, a.want) {
				t.Fatalf("%s: %v", a.name, got)
			}
			if err != nil || gaveUp.Load() {
				t.Fatalf("%s: a write waited for the password check (%v)", a.name, err)
			}
		}
		acct, err := s.AccountByID(bg, f.resident.ID)
		if err != nil {
			t.Fatal(err)
		}
		if acct.FailedLogins != 2 || acct.Locale != "en" || !acct.LargeText {
			t.Fatalf("after two wrong passwords and the writes beside them: %d failures, locale %q, large text %v", acct.FailedLogins, acct.Locale, acct.LargeText)
		}
	})
}

// TestConcurrentWrongPasswordsLockOnce: many wrong passwords for one
// account, all hashed at the same time (each check waits until every one
// has started, which also shows no check holds a lock the others need),
// count one by one: the first four are refused as wrong, the fifth locks,
// the rest find the account locked. The lock holds against the right
// password and runs out as usual.
func TestConcurrentWrongPasswordsLockOnce(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		const n = 12
		var started atomic.Int32
		all := make(chan struct{})
		var gaveUp atomic.Bool
		s.SetPasswordCheck(func(encoded, pw string) bool {
			if k := started.Add(1); k == n {
				close(all)
			} else if k < n {
				select {
				case <-all:
				case <-time.After(stuck):
					gaveUp.Store(true)
				}
			}
			return models.CheckPassword(encoded, pw)
		})
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { _, errs[i] = s.Authenticate(context.Background(), f.resident.Phone, "wrong") })
		}
		wg.Wait()
		if gaveUp.Load() {
			t.Fatal("the password checks did not run at the same time")
		}
		bad, locked := 0, 0
		for _, err := range errs {
			switch {
			case errors.Is(err, models.ErrBadCredentials):
				bad++
			case errors.Is(err, models.ErrAccountLocked):
				locked++
			default:
				t.Fatalf("attempt: %v", err)
			}
		}
		if bad != models.MaxFailedLogins-1 || locked != n-bad {
			t.Fatalf("%d refused as wrong, %d as locked", bad, locked)
		}
		acct, err := s.AccountByID(bg, f.resident.ID)
		if err != nil {
			t.Fatal(err)
		}
		if acct.FailedLogins != models.MaxFailedLogins || acct.LockedUntil == nil || !acct.LockedUntil.Equal(clock.Now().Add(models.LockoutDuration)) {
			t.Fatalf("account after the burst: %d failures, locked until %v", acct.FailedLogins, acct.LockedUntil)
		}
		var lockedNow, denied int64
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND detail = ?", "auth.login", "locked after failures").Count(&lockedNow)
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND result = ?", "auth.login", models.ResultDenied).Count(&denied)
		if lockedNow != 1 || denied != int64(locked) {
			t.Fatalf("audit: %d locking entries, %d denied", lockedNow, denied)
		}

		s.SetPasswordCheck(models.CheckPassword)
		if _, err := s.Authenticate(bg, f.resident.Phone, "password-1"); !errors.Is(err, models.ErrAccountLocked) {
			t.Fatalf("right password while locked: %v", err)
		}
		clock.Advance(models.LockoutDuration)
		if _, err := s.Authenticate(bg, f.resident.Phone, "password-1"); err != nil {
			t.Fatalf("after the lock ran out: %v", err)
		}
	})
}

// TestPasswordChangedDuringCheck: a password changed while a sign-in
// compares with the old hash is compared again with the new one, so the
// old password no longer signs in and the new one does.
func TestPasswordChangedDuringCheck(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		for _, c := range []struct {
			pw, newPW string
			want      error
		}{
			{"password-1", "password-2", models.ErrBadCredentials}, // the old one, right when compared
			{"password-3", "password-3", nil},                      // the new one, wrong when compared
		} {
			var once sync.Once
			s.SetPasswordCheck(func(encoded, pw string) bool {
				ok := models.CheckPassword(encoded, pw)
				once.Do(func() {
					if err := s.SetPassword(bg, f.resident.ID, c.newPW, nil); err != nil {
						t.Error(err)
					}
				})
				return ok
			})
			if _, err := s.Authenticate(bg, f.resident.Phone, c.pw); !errors.Is(err, c.want) {
				t.Fatalf("sign-in with %s while it became %s: %v", c.pw, c.newPW, err)
			}
		}
		acct, err := s.AccountByID(bg, f.resident.ID)
		if err != nil || acct.FailedLogins != 0 {
			t.Fatalf("failures after the last sign-in: %d (%v)", acct.FailedLogins, err)
		}
	})
}
