package models_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// TestTOTPMatchesRFC6238: codes are those of RFC 6238's SHA-1 test
// vectors, cut to the six digits authenticator apps show.
func TestTOTPMatchesRFC6238(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	for _, c := range []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	} {
		got, err := models.TOTP(secret, models.TOTPStep(time.Unix(c.unix, 0)))
		if err != nil || got != c.want {
			t.Errorf("TOTP at %d = %q %v, want %q", c.unix, got, err, c.want)
		}
	}
	if _, err := models.TOTP("not base32!", 1); err == nil {
		t.Error("a secret that is not base32 gave a code")
	}
}

// code is the current code of secret at the clock's time.
func code(t *testing.T, secret string, clock *modeltest.Clock) string {
	t.Helper()
	c, err := models.TOTP(secret, models.TOTPStep(clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongCode is a code that is none of secret's around the clock's time.
func wrongCode(t *testing.T, secret string, clock *modeltest.Clock) string {
	t.Helper()
	step := models.TOTPStep(clock.Now())
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		taken := false
		for d := int64(-1); d <= 1; d++ {
			r, _ := models.TOTP(secret, step+d)
			taken = taken || r == c
		}
		if !taken {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

// TestSecondFactorSignIn: an account switches its second factor on only
// with a code that proves its app holds the secret; a sign-in then waits
// for a code, takes each code once and codes of the steps beside the
// current one; wrong codes lock the factor as wrong passwords lock an
// account; a challenge lasts ChallengeTTL; the owner switches it off with a
// code.
func TestSecondFactorSignIn(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		me := f.staff1.Account.ID
		secret, err := s.BeginSecondFactor(bg, me)
		if err != nil {
			t.Fatal(err)
		}
		if on, pending, err := s.SecondFactorState(bg, me); err != nil || on || pending != secret {
			t.Fatalf("state while waiting: on=%v pending=%q %v", on, pending, err)
		}
		var fe models.FieldErrors
		if err := s.EnableSecondFactor(bg, me, wrongCode(t, secret, clock)); !errors.As(err, &fe) || fe["code"] != "err.code_wrong" {
			t.Fatalf("switched on with a wrong code: %v", err)
		}
		if err := s.EnableSecondFactor(bg, me, code(t, secret, clock)); err != nil {
			t.Fatal(err)
		}
		if on, _, err := s.SecondFactorState(bg, me); err != nil || !on {
			t.Fatalf("after switching on: on=%v %v", on, err)
		}
		if _, err := s.BeginSecondFactor(bg, me); !errors.Is(err, models.ErrSecondFactorOn) {
			t.Fatalf("a new secret while on: %v", err)
		}

		// The password's sign-in waits for a code, and says so.
		if in, err := s.SignIn(bg, f.staff1.Account.Phone, "password-1", "", ""); err != nil || in.Challenge == "" {
			t.Fatalf("a right password with the factor on: challenge %q, %v", in.Challenge, err)
		}
		if in, err := s.SignIn(bg, f.staff2.Account.Phone, "password-1", "", ""); err != nil || in.Challenge != "" {
			t.Fatalf("a right password with no factor: challenge %q, %v", in.Challenge, err)
		}
		var awaited int64
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND actor_id = ? AND detail = ?", "auth.login", me, "password right, code awaited").Count(&awaited)
		if awaited != 1 {
			t.Fatalf("%d sign-ins audited as awaiting a code, want 1", awaited)
		}

		// The code that switched it on is spent.
		ch, err := s.StartChallenge(bg, me)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AnswerChallenge(bg, ch, code(t, secret, clock)); !errors.Is(err, models.ErrCodeWrong) {
			t.Fatalf("the code that switched it on, again: %v", err)
		}
		// The next step's code, as from a phone whose clock runs ahead.
		next, _ := models.TOTP(secret, models.TOTPStep(clock.Now())+1)
		if a, err := s.AnswerChallenge(bg, ch, next[:3]+" "+next[3:]); err != nil || a.ID != me {
			t.Fatalf("the next step's code: %d %v", a.ID, err)
		}
		if _, err := s.AnswerChallenge(bg, ch, next); !errors.Is(err, models.ErrChallengeExpired) {
			t.Fatalf("an answered challenge answered again: %v", err)
		}

		// Wrong codes in a row lock the factor, across challenges, as wrong
		// passwords lock an account; the lock ends the challenge.
		clock.Advance(2 * time.Minute)
		ch, _ = s.StartChallenge(bg, me)
		wrong := wrongCode(t, secret, clock)
		for i := 1; i < models.MaxFailedLogins; i++ {
			if i == 3 {
				ch, _ = s.StartChallenge(bg, me)
			}
			if _, err := s.AnswerChallenge(bg, ch, wrong); !errors.Is(err, models.ErrCodeWrong) {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		if _, err := s.AnswerChallenge(bg, ch, wrong); !errors.Is(err, models.ErrAccountLocked) {
			t.Fatalf("wrong code %d: %v", models.MaxFailedLogins, err)
		}
		if _, err := s.AnswerChallenge(bg, ch, code(t, secret, clock)); !errors.Is(err, models.ErrChallengeExpired) {
			t.Fatalf("the locked challenge answered: %v", err)
		}
		ch, _ = s.StartChallenge(bg, me)
		if _, err := s.AnswerChallenge(bg, ch, code(t, secret, clock)); !errors.Is(err, models.ErrAccountLocked) {
			t.Fatalf("the right code while locked: %v", err)
		}
		clock.Advance(models.LockoutDuration)
		ch, _ = s.StartChallenge(bg, me)
		if _, err := s.AnswerChallenge(bg, ch, code(t, secret, clock)); err != nil {
			t.Fatalf("the right code once the lock ended: %v", err)
		}
		// A challenge lasts ChallengeTTL.
		clock.Advance(time.Minute)
		ch, _ = s.StartChallenge(bg, me)
		clock.Advance(models.ChallengeTTL)
		if _, err := s.AnswerChallenge(bg, ch, code(t, secret, clock)); !errors.Is(err, models.ErrChallengeExpired) {
			t.Fatalf("a challenge after its time: %v", err)
		}
		var failed, denied int64
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND result = ?", "auth.second_factor", models.ResultFailed).Count(&failed)
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND result = ?", "auth.second_factor", models.ResultDenied).Count(&denied)
		// The code replayed, four wrong ones; the fifth, the right one locked.
		if failed != int64(models.MaxFailedLogins) || denied != 2 {
			t.Fatalf("audited %d wrong codes and %d refusals, want %d and 2", failed, denied, models.MaxFailedLogins)
		}

		// The owner switches it off with a code.
		if err := s.DisableSecondFactor(bg, me, wrong); !errors.As(err, &fe) {
			t.Fatalf("switched off with a wrong code: %v", err)
		}
		if err := s.DisableSecondFactor(bg, me, code(t, secret, clock)); err != nil {
			t.Fatal(err)
		}
		if on, _, _ := s.SecondFactorState(bg, me); on {
			t.Fatal("still on after switching it off")
		}
	})
}

// TestStaffResetSecondFactor: staff who may unlock an account switch off
// its second factor for someone who lost their phone; others may not.
func TestStaffResetSecondFactor(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		me := f.staff1.Account.ID
		if err := s.ResetSecondFactor(bg, f.admin, me); !errors.Is(err, models.ErrSecondFactorOff) {
			t.Fatalf("reset while off: %v", err)
		}
		secret, err := s.BeginSecondFactor(bg, me)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EnableSecondFactor(bg, me, code(t, secret, clock)); err != nil {
			t.Fatal(err)
		}
		if err := s.ResetSecondFactor(bg, f.staff2, me); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff of another community: %v", err)
		}
		if err := s.ResetSecondFactor(bg, f.admin, me); err != nil {
			t.Fatal(err)
		}
		if on, pending, _ := s.SecondFactorState(bg, me); on || pending != "" {
			t.Fatalf("after the reset: on=%v pending=%q", on, pending)
		}
		var n int64
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND actor_id = ?", "account.second_factor_reset", f.admin.Account.ID).Count(&n)
		if n != 1 {
			t.Fatalf("%d resets audited, want 1", n)
		}
	})
}

// TestSecondFactorCodeTakenOnceUnderConcurrency: the same right code sent
// many times at once for one sign-in (a form sent twice, or more) opens it
// once, and the copies do not count as wrong codes towards the lock.
func TestSecondFactorCodeTakenOnceUnderConcurrency(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		me := f.staff1.Account.ID
		secret, err := s.BeginSecondFactor(bg, me)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EnableSecondFactor(bg, me, code(t, secret, clock)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(30 * time.Second)
		ch, err := s.StartChallenge(bg, me)
		if err != nil {
			t.Fatal(err)
		}
		right := code(t, secret, clock)
		var wg sync.WaitGroup
		// Connections opened beforehand, so that the answers overlap
		// rather than queue for new ones.
		for range 32 {
			wg.Go(func() {
				if s.DB().Dialector.Name() == "postgres" {
					s.DB().Exec("SELECT pg_sleep(0.05)")
				}
			})
		}
		wg.Wait()
		var mu sync.Mutex
		opened := 0
		for range 32 {
			wg.Go(func() {
				_, err := s.AnswerChallenge(bg, ch, right)
				if err != nil && !errors.Is(err, models.ErrCodeWrong) && !errors.Is(err, models.ErrChallengeExpired) {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					opened++
				}
			})
		}
		wg.Wait()
		if opened != 1 {
			t.Fatalf("one code opened the sign-in %d times, want once", opened)
		}
		var sf models.SecondFactor
		if err := s.Tx(bg).Where("account_id = ?", me).First(&sf).Error; err != nil || sf.Failures != 0 || sf.LockedUntil != nil {
			t.Fatalf("after the copies: %d failures, locked until %v (%v)", sf.Failures, sf.LockedUntil, err)
		}
	})
}

// TestPurgeDropsStaleChallenges: the purge drops sign-ins that waited for
// their code longer than ChallengeTTL and keeps those still waiting.
func TestPurgeDropsStaleChallenges(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		if _, err := s.StartChallenge(bg, f.staff1.Account.ID); err != nil {
			t.Fatal(err)
		}
		clock.Advance(models.ChallengeTTL)
		if _, err := s.StartChallenge(bg, f.staff2.Account.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PurgeSessions(bg); err != nil {
			t.Fatal(err)
		}
		var left []models.SignInChallenge
		if err := s.Tx(bg).Find(&left).Error; err != nil {
			t.Fatal(err)
		}
		if len(left) != 1 || left[0].AccountID != f.staff2.Account.ID {
			t.Fatalf("challenges after the purge: %+v, want the one still waiting", left)
		}
	})
}

// TestOffersSecondFactor: two-step sign-in is offered to accounts holding a
// role beyond resident, not to residents alone or accounts without roles.
func TestOffersSecondFactor(t *testing.T) {
	for _, c := range []struct {
		roles []models.Role
		want  bool
	}{
		{nil, false},
		{[]models.Role{models.RoleResident}, false},
		{[]models.Role{models.RoleResident, models.RoleRepresentative}, true},
		{[]models.Role{models.RoleCouncilMember}, true},
		{[]models.Role{models.RoleConvener}, true},
		{[]models.Role{models.RoleCommunityStaff}, true},
		{[]models.Role{models.RoleAdmin}, true},
	} {
		p := &models.Principal{}
		for _, r := range c.roles {
			p.Grants = append(p.Grants, models.RoleGrant{Role: r})
		}
		if got := p.OffersSecondFactor(); got != c.want {
			t.Errorf("roles %v: offered %v, want %v", c.roles, got, c.want)
		}
	}
}
