package models

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// SecondFactor is an account's authenticator app (两步验证): a TOTP secret
// (RFC 6238: HMAC-SHA1, 30-second steps, six digits) that the app shows
// codes for. Staff accounts may switch one on (等保 2.0); from then a sign-in
// needs a current code after the password. EnabledAt is nil while the
// secret waits for its first code, which proves the app holds it. LastStep
// is the time step of the last code accepted: a code is taken once.
// MaxFailedLogins wrong codes in a row lock the factor for LockoutDuration,
// as wrong passwords lock an account: a password is not a licence to guess
// codes.
type SecondFactor struct {
	AccountID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Secret      string
	EnabledAt   *time.Time
	LastStep    int64
	Failures    int
	LockedUntil *time.Time
	CreatedAt   time.Time
}

// SignInChallenge is a sign-in whose password was right and which waits for
// the second factor's code (登录验证), known by its cookie token's hash, for
// ChallengeTTL at most.
type SignInChallenge struct {
	ID        string `gorm:"primaryKey"`
	AccountID uint64
	CreatedAt time.Time
}

const (
	// ChallengeTTL is how long a sign-in waits for its code.
	ChallengeTTL = 5 * time.Minute
	// totpStep is the period of a code; codes of the step before and
	// after are taken too, for a phone's clock a little off.
	totpStep = 30
)

// Errors of the second factor.
var (
	ErrCodeWrong        = &Error{Code: "err.code_wrong"}
	ErrChallengeExpired = &Error{Code: "err.challenge_expired"}
	ErrSecondFactorOn   = &Error{Code: "err.second_factor_on"}
	ErrSecondFactorOff  = &Error{Code: "err.second_factor_off"}
)

// totpEncoding is the base32 of authenticator apps: no padding.
var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTP is the six-digit code of secret (base32) for the time step step.
func TOTP(secret string, step int64) (string, error) {
	key, err := totpEncoding.DecodeString(strings.ToUpper(secret))
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	code := strconv.FormatUint(uint64(n%1_000_000), 10)
	return strings.Repeat("0", 6-len(code)) + code, nil
}

// TOTPStep is the time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpStep }

// TOTPURI is the otpauth address an authenticator app reads from a QR code.
func TOTPURI(secret, phone string) string {
	q := url.Values{"secret": {secret}, "issuer": {"Yishi"}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + url.PathEscape("Yishi:"+phone) + "?" + q.Encode()
}

// typedCode is a code as typed with its spaces taken out ("123 456").
func typedCode(code string) string { return strings.Join(strings.Fields(code), "") }

// codeStep is the step, within one of now's, whose code is code (as
// typed) and which is later than after; false when there is none.
func codeStep(secret, code string, now time.Time, after int64) (int64, bool) {
	code = typedCode(code)
	if len(code) != 6 {
		return 0, false
	}
	at := TOTPStep(now)
	for _, step := range []int64{at - 1, at, at + 1} {
		if step <= after {
			continue
		}
		want, err := TOTP(secret, step)
		if err == nil && hmac.Equal([]byte(want), []byte(code)) {
			return step, true
		}
	}
	return 0, false
}

// OffersSecondFactor reports whether p is offered two-step sign-in: an
// account holding a role beyond resident (staff, conveners, council
// members, representatives), whose password opens more than its own
// affairs.
func (p *Principal) OffersSecondFactor() bool {
	for _, g := range p.Grants {
		if g.Role != RoleResident {
			return true
		}
	}
	return false
}

// SecondFactorState is whether an account's second factor is on, and the
// secret of one waiting for its first code ("" when none waits).
func (s *Store) SecondFactorState(ctx context.Context, account uint64) (on bool, pending string, err error) {
	var fs []SecondFactor
	if err := s.conn(ctx).Where("account_id = ?", account).Limit(1).Find(&fs).Error; err != nil || len(fs) == 0 {
		return false, "", err
	}
	if fs[0].EnabledAt != nil {
		return true, "", nil
	}
	return false, fs[0].Secret, nil
}

// BeginSecondFactor gives an account whose second factor is off a new
// secret for its app, replacing one that waited; ErrSecondFactorOn when it
// is on.
func (s *Store) BeginSecondFactor(ctx context.Context, account uint64) (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	secret := totpEncoding.EncodeToString(b)
	err := s.InTx(ctx, func(ctx context.Context) error {
		on, _, err := s.SecondFactorState(ctx, account)
		if err != nil {
			return err
		}
		if on {
			return ErrSecondFactorOn
		}
		db := s.conn(ctx)
		if err := db.Where("account_id = ?", account).Delete(&SecondFactor{}).Error; err != nil {
			return err
		}
		return db.Create(&SecondFactor{AccountID: account, Secret: secret, CreatedAt: s.Now()}).Error
	})
	return secret, err
}

// EnableSecondFactor switches on the secret that waits, once code shows
// the app holds it: FieldErrors on code when it does not,
// ErrSecondFactorOff when no secret waits. It is audited.
func (s *Store) EnableSecondFactor(ctx context.Context, account uint64, code string) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		var f SecondFactor
		db := s.conn(ctx)
		if err := db.Clauses(lockingClause(db)...).Where("account_id = ? AND enabled_at IS NULL", account).First(&f).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrSecondFactorOff
			}
			return err
		}
		now := s.Now()
		step, ok := codeStep(f.Secret, code, now, 0)
		if !ok {
			return FieldErrors{"code": ErrCodeWrong.Code}
		}
		if err := s.conn(ctx).Model(&SecondFactor{}).Where("account_id = ?", account).
			Updates(map[string]any{"enabled_at": now, "last_step": step}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: &account, Action: "account.second_factor_on", ObjectType: "account", ObjectID: account})
	})
}

// DisableSecondFactor is the owner switching the second factor off with a
// current code from the app: FieldErrors on code when it is wrong or the
// factor is locked by wrong codes (which count as at sign-in). It is
// audited.
func (s *Store) DisableSecondFactor(ctx context.Context, account uint64, code string) error {
	var result error
	err := s.InTx(ctx, func(ctx context.Context) error {
		var f SecondFactor
		db := s.conn(ctx)
		if err := db.Clauses(lockingClause(db)...).Where("account_id = ? AND enabled_at IS NOT NULL", account).First(&f).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrSecondFactorOff
			}
			return err
		}
		if _, err := s.checkCode(ctx, f, code); err != nil {
			key := ErrCodeWrong.Code
			if errors.Is(err, ErrAccountLocked) {
				key = "err.second_factor_locked"
			} else if !errors.Is(err, ErrCodeWrong) {
				return err
			}
			result = FieldErrors{"code": key}
			return nil
		}
		if err := s.conn(ctx).Where("account_id = ?", account).Delete(&SecondFactor{}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: &account, Action: "account.second_factor_off", ObjectType: "account", ObjectID: account})
	})
	if err != nil {
		return err
	}
	return result
}

// checkCode takes code for the enabled factor f, read under lock within a
// transaction: the step it is of, or ErrCodeWrong (counted, and locking
// the factor at MaxFailedLogins in a row, unless it is the code last
// taken) or ErrAccountLocked with the time the lock ends. The caller
// commits either way, so that the count stands.
func (s *Store) checkCode(ctx context.Context, f SecondFactor, code string) (int64, error) {
	now := s.Now()
	if f.LockedUntil != nil && now.Before(*f.LockedUntil) {
		return 0, ErrAccountLocked.With(*f.LockedUntil)
	}
	db := s.conn(ctx).Model(&SecondFactor{}).Where("account_id = ?", f.AccountID)
	step, ok := codeStep(f.Secret, code, now, f.LastStep)
	if ok {
		return step, db.Updates(map[string]any{"last_step": step, "failures": 0, "locked_until": nil}).Error
	}
	// The code last taken, sent again (a form sent twice), is refused
	// without counting: it guesses nothing.
	if last, err := TOTP(f.Secret, f.LastStep); err == nil && f.LastStep > 0 && hmac.Equal([]byte(last), []byte(typedCode(code))) {
		return 0, ErrCodeWrong
	}
	if f.Failures+1 < MaxFailedLogins {
		if err := db.Updates(map[string]any{"failures": f.Failures + 1, "locked_until": nil}).Error; err != nil {
			return 0, err
		}
		return 0, ErrCodeWrong
	}
	until := now.Add(LockoutDuration)
	if err := db.Updates(map[string]any{"failures": 0, "locked_until": until}).Error; err != nil {
		return 0, err
	}
	return 0, ErrAccountLocked.With(until)
}

// ResetSecondFactor is staff who may unlock the account switching its
// second factor off, for someone whose phone is lost: the next sign-in
// needs the password alone. ErrSecondFactorOff when it is not on; audited
// at the account's home.
func (s *Store) ResetSecondFactor(ctx context.Context, p *Principal, account uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		place, err := s.accountHome(ctx, account)
		if err != nil {
			return err
		}
		if !mayActOnAccount(p, PermUnlockAccounts, place) {
			return ErrForbidden
		}
		audit := Audit{ActorID: &p.Account.ID}
		if place.ID != 0 {
			audit.PlaceID = &place.ID
		}
		return s.resetSecondFactor(ctx, account, audit)
	})
}

// resetSecondFactor switches the account's second factor off for someone
// other than its owner and records audit (its actor, place and detail) as
// account.second_factor_reset; ErrSecondFactorOff when it is not on.
func (s *Store) resetSecondFactor(ctx context.Context, account uint64, audit Audit) error {
	res := s.conn(ctx).Where("account_id = ? AND enabled_at IS NOT NULL", account).Delete(&SecondFactor{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrSecondFactorOff
	}
	audit.Action, audit.ObjectType, audit.ObjectID = "account.second_factor_reset", "account", account
	return s.Record(ctx, audit)
}

// ResetSecondFactorAsSystem switches an account's second factor off from
// the command line (yishi user second-factor-off), for one whose owner
// lost their phone and whom no staff member can reach in the site, such as
// the only admin. ErrSecondFactorOff when it is not on; audited with no
// actor.
func (s *Store) ResetSecondFactorAsSystem(ctx context.Context, account uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		return s.resetSecondFactor(ctx, account, Audit{Detail: "from the command line"})
	})
}

// startChallenge opens the wait for the code of an account whose password
// was just right (SignIn), in place of any earlier one, and returns the
// cookie's token.
func (s *Store) startChallenge(ctx context.Context, account uint64) (string, error) {
	tok := newToken(32)
	db := s.conn(ctx)
	if err := db.Where("account_id = ?", account).Delete(&SignInChallenge{}).Error; err != nil {
		return "", err
	}
	return tok, db.Create(&SignInChallenge{ID: hashToken(tok), AccountID: account, CreatedAt: s.Now()}).Error
}

// AnswerChallenge checks the code given for the sign-in of challenge token
// tok. A right code ends the challenge and returns the account, whose
// session may start. A wrong one is ErrCodeWrong and the challenge waits
// on; one that locks the factor (checkCode), or a code while it is locked,
// is ErrAccountLocked with the time the lock ends, and a challenge older
// than ChallengeTTL or unknown is ErrChallengeExpired: the password is
// asked again. Each answer is audited.
func (s *Store) AnswerChallenge(ctx context.Context, tok, code string) (Account, error) {
	var out Account
	var result error
	err := s.InTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		var chs []SignInChallenge
		if err := db.Where("id = ? AND created_at > ?", hashToken(tok), s.Now().Add(-ChallengeTTL)).Limit(1).Find(&chs).Error; err != nil {
			return err
		}
		if len(chs) == 0 {
			result = ErrChallengeExpired
			return nil
		}
		ch := chs[0]
		audit := Audit{ActorID: &ch.AccountID, Action: "auth.second_factor", ObjectType: "account", ObjectID: ch.AccountID}
		var fs []SecondFactor
		// Locked, so that answers sent at once take a code once and count
		// each wrong one.
		if err := db.Clauses(lockingClause(db)...).Where("account_id = ? AND enabled_at IS NOT NULL", ch.AccountID).Limit(1).Find(&fs).Error; err != nil {
			return err
		}
		// A factor switched off by staff meanwhile asks nothing more: the
		// password was right.
		if len(fs) == 1 {
			if _, err := s.checkCode(ctx, fs[0], code); err != nil {
				switch {
				case errors.Is(err, ErrCodeWrong):
					audit.Result, audit.Detail = ResultFailed, "wrong code"
				case errors.Is(err, ErrAccountLocked):
					audit.Result, audit.Detail = ResultDenied, "locked"
					if err := db.Where("id = ?", ch.ID).Delete(&SignInChallenge{}).Error; err != nil {
						return err
					}
				default:
					return err
				}
				result = err
				return s.Record(ctx, audit)
			}
		}
		if err := db.Where("id = ?", ch.ID).Delete(&SignInChallenge{}).Error; err != nil {
			return err
		}
		a, err := s.AccountByID(ctx, ch.AccountID)
		if err != nil {
			return err
		}
		out = a
		return s.Record(ctx, audit)
	})
	if err != nil {
		return Account{}, err
	}
	return out, result
}
