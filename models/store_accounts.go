package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// CreateAccount registers a new account after validating in.
func (s *Store) CreateAccount(ctx context.Context, in AccountInput, actorID *uint64) (Account, error) {
	if err := in.Validate().Err(); err != nil {
		return Account{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return Account{}, err
	}
	a := Account{Phone: in.Phone, Name: in.Name, PasswordHash: hash, Locale: ""}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Create(&a).Error; err != nil {
			if isDuplicate(err) {
				return FieldErrors{"phone": ErrPhoneTaken.Code}
			}
			return err
		}
		if actorID == nil {
			actorID = &a.ID
		}
		return s.Record(ctx, Audit{ActorID: actorID, Action: "account.create", ObjectType: "account", ObjectID: a.ID})
	})
	return a, err
}

// AccountByID loads one account.
func (s *Store) AccountByID(ctx context.Context, id uint64) (Account, error) {
	var a Account
	err := s.conn(ctx).First(&a, id).Error
	return a, notFound(err)
}

// AccountByPhone loads one account by its login phone.
func (s *Store) AccountByPhone(ctx context.Context, phone string) (Account, error) {
	var a Account
	err := s.conn(ctx).Where("phone = ?", NormalizePhone(phone)).First(&a).Error
	return a, notFound(err)
}

// SetPassword replaces an account's password.
func (s *Store) SetPassword(ctx context.Context, accountID uint64, pw string, actorID *uint64) error {
	a, err := s.AccountByID(ctx, accountID)
	if err != nil {
		return err
	}
	if code := ValidatePassword(pw, a.Phone); code != "" {
		return FieldErrors{"password": code}
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return err
	}
	return s.storePassword(ctx, accountID, hash, actorID)
}

// storePassword stores a new password's hash, clears the lockout, ends
// the account's sessions, forgets its known devices and audits the change.
func (s *Store) storePassword(ctx context.Context, accountID uint64, hash string, actorID *uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		res := s.conn(ctx).Model(&Account{}).Where("id = ?", accountID).
			Updates(map[string]any{"password_hash": hash, "failed_logins": 0, "locked_until": nil, "updated_at": s.Now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		// A new password ends every other session.
		if err := s.conn(ctx).Model(&Session{}).Where("account_id = ? AND revoked_at IS NULL", accountID).
			Update("revoked_at", s.Now()).Error; err != nil {
			return err
		}
		// and forgets every known device: a lost phone may be why.
		if err := s.conn(ctx).Where("account_id = ?", accountID).Delete(&SignInDevice{}).Error; err != nil {
			return err
		}
		// A sign-in waiting for its code proved the old password.
		if err := s.conn(ctx).Where("account_id = ?", accountID).Delete(&SignInChallenge{}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorID, Action: "account.password", ObjectType: "account", ObjectID: accountID})
	})
}

// ChangeOwnPassword is a signed-in account replacing its password: the
// current one must match the stored hash, the new one must be valid and
// confirmed. A refusal is FieldErrors on current, password or confirm and
// changes nothing else; success is SetPassword, which ends every session
// and forgets every known device.
//
// The current password is checked under the sign-in lockout rule
// (EvaluateLogin): a wrong one counts towards the lock, a right one clears
// the count, and while the account is locked no check is made at all
// (err.password_locked). A session alone, on a phone left unlocked, thus
// cannot guess the password without limit. Each refused check is audited,
// never with a password.
func (s *Store) ChangeOwnPassword(ctx context.Context, accountID uint64, current, pw, confirm string) error {
	fe := FieldErrors{}
	a, err := s.AccountByID(ctx, accountID)
	if err != nil {
		return err
	}
	if code := ValidatePassword(pw, a.Phone); code != "" {
		fe.Add("password", code)
	} else if pw != confirm {
		fe.Add("confirm", "err.password_mismatch")
	}
	// The new password is hashed, and the current one checked, outside
	// any transaction (see passwordAttempt).
	var hash string
	if len(fe) == 0 {
		var err error
		if hash, err = HashPassword(pw); err != nil {
			return err
		}
	}
	found, err := s.passwordAttempt(ctx, "id = ?", accountID, current, "", func(ctx context.Context, at passwordTry) error {
		o, lockedNow := at.Outcome, at.LockedNow
		switch {
		case o.OK:
			if len(fe) > 0 {
				return nil
			}
			return s.storePassword(ctx, accountID, hash, &accountID)
		case o.Err == ErrAccountLocked:
			fe.Add("current", "err.password_locked")
			detail := "locked"
			if lockedNow {
				detail = "locked after wrong current passwords"
			}
			return s.Record(ctx, Audit{ActorID: &accountID, Action: "account.password", ObjectType: "account", ObjectID: accountID, Result: ResultDenied, Detail: detail})
		default:
			fe.Add("current", "err.password_wrong")
			return s.Record(ctx, Audit{ActorID: &accountID, Action: "account.password", ObjectType: "account", ObjectID: accountID, Result: ResultFailed, Detail: "wrong current password"})
		}
	})
	if err == nil && !found {
		err = ErrNotFound
	}
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// maxPasswordChecks bounds how often passwordAttempt compares a password
// again because the account changed while it compared.
const maxPasswordChecks = 3

// passwordAttempt is one attempt of pw on the account that cond and arg
// select, under the sign-in lockout rule (EvaluateLogin), with no
// transaction open while the password is hashed: argon2id takes tens of
// milliseconds, and SQLite begins every transaction as a writer
// (_txlock=immediate), so a hash inside one would hold up every write of
// the site (on PostgreSQL, every write of the account's row).
//
// It reads the account and compares pw with its hash outside any
// transaction (not at all while the account is locked). Then, in one short
// transaction, it reads the row again under lock and applies the rule to
// that fresh row, so attempts made at the same time each count; it stores
// the count of failures and the lock that result, and calls record, which
// writes in the same transaction, with the row, the outcome and whether
// this attempt set the lock. Should the row have changed in between in a
// way the comparison depends on (a new password hash, or a lock that has
// ended), nothing is written and the comparison is made again; after
// maxPasswordChecks the attempt counts as wrong, pw having matched no
// current hash. found is false, with nothing written, when no account
// matches.
//
// When device is the cookie token of one of the account's known devices
// (SignInDevice), the count and the lock are the device's, read and
// written under lock in the same way; a device forgotten in between makes
// the attempt start again as from a stranger.
func (s *Store) passwordAttempt(ctx context.Context, cond string, arg any, pw, device string, record func(ctx context.Context, at passwordTry) error) (found bool, err error) {
	for try := 1; ; try++ {
		var a Account
		if err := s.conn(ctx).Where(cond, arg).Limit(1).Find(&a).Error; err != nil || a.ID == 0 {
			return false, err
		}
		dev, err := s.knownDevice(ctx, device, a.ID)
		if err != nil {
			return true, err
		}
		checked, ok := "", false // the hash pw was compared with, and whether it matched
		if !counted(a, dev).Locked(s.Now()) {
			checked, ok = a.PasswordHash, s.checkHash(a.PasswordHash, pw)
		}
		stale := false
		err = s.InTx(ctx, func(ctx context.Context) error {
			db := s.conn(ctx)
			var a Account
			if err := db.Clauses(lockingClause(db)...).Where(cond, arg).First(&a).Error; err != nil {
				return notFound(err)
			}
			if dev != nil {
				var fresh []SignInDevice
				if err := db.Clauses(lockingClause(db)...).Where("id = ? AND account_id = ?", dev.ID, a.ID).Limit(1).Find(&fresh).Error; err != nil {
					return err
				}
				if len(fresh) == 0 { // forgotten meanwhile: try again as a stranger
					stale = true
					return nil
				}
				dev = &fresh[0]
			}
			now := s.Now()
			c := counted(a, dev)
			locked := c.Locked(now)
			if !locked && a.PasswordHash != checked {
				if try < maxPasswordChecks {
					stale = true
					return nil
				}
				ok = false
			}
			o := EvaluateLogin(c, !locked && ok, now)
			counts := map[string]any{"failed_logins": o.FailedLogins, "locked_until": o.LockedUntil}
			var err error
			if dev != nil {
				err = db.Model(&SignInDevice{}).Where("id = ?", dev.ID).Updates(counts).Error
			} else {
				err = db.Model(&Account{}).Where("id = ?", a.ID).Updates(counts).Error
			}
			if err != nil {
				return err
			}
			at := passwordTry{Account: a, Outcome: o, LockedNow: o.Err == ErrAccountLocked && !locked}
			if dev != nil {
				at.Device = dev.ID
			}
			return record(ctx, at)
		})
		if err != nil || !stale {
			return true, err
		}
	}
}

// passwordTry is what passwordAttempt hands its record function: the account
// as read under lock, the outcome, whether this attempt set the lock, and
// the known device the attempt counted on ("" when it counted on the
// account).
type passwordTry struct {
	Account   Account
	Outcome   LoginOutcome
	LockedNow bool
	Device    string
}

// counted is a with the count of failures and the lock an attempt from dev
// is judged by: the device's own when it is known, the account's otherwise.
func counted(a Account, dev *SignInDevice) Account {
	if dev != nil {
		a.FailedLogins, a.LockedUntil = dev.FailedLogins, dev.LockedUntil
	}
	return a
}

// knownDevice is the device behind the cookie token tok if it is one of
// account's and was used within DeviceTTL; nil otherwise.
func (s *Store) knownDevice(ctx context.Context, tok string, account uint64) (*SignInDevice, error) {
	q, ok := s.liveDevice(ctx, tok)
	if !ok {
		return nil, nil
	}
	var ds []SignInDevice
	if err := q.Where("sign_in_devices.account_id = ?", account).Limit(1).Find(&ds).Error; err != nil || len(ds) == 0 {
		return nil, err
	}
	return &ds[0], nil
}

// DeviceKnown reports whether the cookie token tok is a known device of the
// account with this phone (see SignInDevice).
func (s *Store) DeviceKnown(ctx context.Context, tok, phone string) (bool, error) {
	q, ok := s.liveDevice(ctx, tok)
	if !ok {
		return false, nil
	}
	var n int64
	err := q.Joins("JOIN accounts a ON a.id = sign_in_devices.account_id").
		Where("a.phone = ?", NormalizePhone(phone)).Count(&n).Error
	return n > 0, err
}

// liveDevice selects the device of cookie token tok if it was used within
// DeviceTTL; false, with no query to run, for a token no sign-in could
// have issued (none, or too long).
func (s *Store) liveDevice(ctx context.Context, tok string) (*gorm.DB, bool) {
	if tok == "" || len(tok) > 100 {
		return nil, false
	}
	return s.conn(ctx).Model(&SignInDevice{}).Where("sign_in_devices.id = ? AND sign_in_devices.last_used_at > ?", hashToken(tok), s.Now().Add(-DeviceTTL)), true
}

// RememberDevice makes the browser of an account that has just proven its
// password (changing it) a known device of the kind agent (DeviceAgent),
// and returns the cookie's token.
func (s *Store) RememberDevice(ctx context.Context, account uint64, agent string) (string, error) {
	var tok string
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		tok, err = s.rememberDevice(ctx, account, "", agent)
		return err
	})
	return tok, err
}

// Devices are an account's known devices (SignInDevice), the most recently
// used first.
func (s *Store) Devices(ctx context.Context, account uint64) ([]SignInDevice, error) {
	var ds []SignInDevice
	err := s.conn(ctx).Where("account_id = ? AND last_used_at > ?", account, s.Now().Add(-DeviceTTL)).
		Order("last_used_at DESC, id").Find(&ds).Error
	return ds, err
}

// ForgetDevice makes the device id (its token's hash, as Devices gives it)
// of the account a stranger again: its next sign-in counts against the
// account and the network address like anyone's. ErrNotFound when the
// account has no such device.
func (s *Store) ForgetDevice(ctx context.Context, account uint64, id string) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		res := s.conn(ctx).Where("account_id = ? AND id = ?", account, id).Delete(&SignInDevice{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return s.Record(ctx, Audit{ActorID: &account, Action: "account.forget_device", ObjectType: "account", ObjectID: account})
	})
}

// SignOutElsewhere ends every session of the account but the one of
// session token keep, as on a shared computer someone forgot to sign out
// of, and forgets every known device but the one of device token
// keepDevice ("" for none). It returns the sessions it ended.
func (s *Store) SignOutElsewhere(ctx context.Context, account uint64, keep, keepDevice string) (int64, error) {
	var ended int64
	err := s.InTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		others := func() *gorm.DB {
			return db.Model(&Session{}).Where("account_id = ? AND revoked_at IS NULL AND id <> ?", account, hashToken(keep))
		}
		if err := db.Where("session_id IN (?)", others().Select("id")).Delete(&KioskStation{}).Error; err != nil {
			return err
		}
		res := others().Update("revoked_at", s.Now())
		if res.Error != nil {
			return res.Error
		}
		ended = res.RowsAffected
		devices := db.Where("account_id = ?", account)
		if keepDevice != "" {
			devices = devices.Where("id <> ?", hashToken(keepDevice))
		}
		if err := devices.Delete(&SignInDevice{}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: &account, Action: "account.sign_out_elsewhere", ObjectType: "account", ObjectID: account,
			Detail: strconv.FormatInt(ended, 10) + " sessions ended"})
	})
	return ended, err
}

// rememberDevice replaces the device an account just signed in from (old,
// "" for a new one) by a fresh token of the kind agent, forgets the account's least recently
// used devices beyond maxDevices, and returns the token for the cookie. A
// new token at every sign-in means a copied cookie stops working once its
// owner signs in again.
func (s *Store) rememberDevice(ctx context.Context, account uint64, old, agent string) (string, error) {
	db := s.conn(ctx)
	if old != "" {
		if err := db.Where("id = ?", old).Delete(&SignInDevice{}).Error; err != nil {
			return "", err
		}
	}
	tok, now := newToken(32), s.Now()
	if err := db.Create(&SignInDevice{ID: hashToken(tok), AccountID: account, CreatedAt: now, LastUsedAt: now, Agent: agent}).Error; err != nil {
		return "", err
	}
	keep := db.Model(&SignInDevice{}).Select("id").Where("account_id = ?", account).Order("last_used_at DESC, id").Limit(maxDevices)
	if err := db.Where("account_id = ? AND id NOT IN (?)", account, keep).Delete(&SignInDevice{}).Error; err != nil {
		return "", err
	}
	return tok, nil
}

// SetPreferences stores an account's display preferences.
func (s *Store) SetPreferences(ctx context.Context, accountID uint64, locale string, largeText, highContrast bool) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Model(&Account{}).Where("id = ?", accountID).
			Updates(map[string]any{"locale": locale, "large_text": largeText, "high_contrast": highContrast, "updated_at": s.Now()}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: &accountID, Action: "account.preferences", ObjectType: "account", ObjectID: accountID})
	})
}

// Authenticate checks a phone and password under the lockout rule. On
// success it returns the account; otherwise ErrBadCredentials or
// ErrAccountLocked (carrying the unlock time). Every attempt is audited,
// never with the password. It is SignIn from a browser that is no known
// device, and makes it none.
func (s *Store) Authenticate(ctx context.Context, phone, pw string) (Account, error) {
	in, err := s.signIn(ctx, phone, pw, "", "", false)
	return in.Account, err
}

// SignedIn is what a right password gives the browser that sent it.
type SignedIn struct {
	Account Account
	// Device is the token of the device cookie to set, which replaces the
	// one the browser came with.
	Device string
	// Challenge, when the account's second factor is on, is the token of
	// the sign-in waiting for its code (AnswerChallenge); no session may
	// start before the code comes.
	Challenge string
}

// SignIn is Authenticate from the browser whose device cookie holds device
// ("" when it has none). When that is a known device of the account (see
// SignInDevice), the attempt is judged by the device's own count of
// failures, not the account's. agent is the browser's kind (DeviceAgent),
// which its owner sees in the list of devices.
func (s *Store) SignIn(ctx context.Context, phone, pw, device, agent string) (SignedIn, error) {
	return s.signIn(ctx, phone, pw, device, agent, true)
}

func (s *Store) signIn(ctx context.Context, phone, pw, device, agent string, remember bool) (SignedIn, error) {
	phone = NormalizePhone(phone)
	var out SignedIn
	var result error
	found, err := s.passwordAttempt(ctx, "phone = ?", phone, pw, device, func(ctx context.Context, at passwordTry) error {
		a, o := at.Account, at.Outcome
		// Sign-ins are filed at the account's home, so that staff of that
		// place see them in their trail.
		home, err := s.accountHome(ctx, a.ID)
		if err != nil {
			return err
		}
		var homeID *uint64
		if home.ID != 0 {
			homeID = &home.ID
		}
		known := ""
		if at.Device != "" {
			known = " (known device)"
		}
		switch {
		case o.OK:
			out.Account = a
			if remember {
				if out.Device, err = s.rememberDevice(ctx, a.ID, at.Device, agent); err != nil {
					return err
				}
			}
			// With a second factor on, the password opens only the step that
			// asks for its code (auth.second_factor records that one).
			detail := strings.TrimSpace(known)
			if on, _, err := s.SecondFactorState(ctx, a.ID); err != nil {
				return err
			} else if on {
				detail = strings.TrimSpace("password right, code awaited" + known)
				if out.Challenge, err = s.startChallenge(ctx, a.ID); err != nil {
					return err
				}
			}
			return s.Record(ctx, Audit{ActorID: &a.ID, Action: "auth.login", ObjectType: "account", ObjectID: a.ID, PlaceID: homeID, Detail: detail})
		case o.Err == ErrAccountLocked:
			result = ErrAccountLocked.With(*o.LockedUntil)
			detail := "locked"
			if at.LockedNow {
				detail = "locked after failures"
			}
			return s.Record(ctx, Audit{ActorID: &a.ID, Action: "auth.login", ObjectType: "account", ObjectID: a.ID, PlaceID: homeID, Result: ResultDenied, Detail: detail + known})
		default:
			result = o.Err
			return s.Record(ctx, Audit{ActorID: &a.ID, Action: "auth.login", ObjectType: "account", ObjectID: a.ID, PlaceID: homeID, Result: ResultFailed, Detail: "bad password" + known})
		}
	})
	if err == nil && !found {
		// An unknown phone costs a hash too, so that the time taken does
		// not tell which phones are registered.
		s.checkHash(dummyHash, pw)
		result = ErrBadCredentials
		err = s.Record(ctx, Audit{Action: "auth.login", ObjectType: "account", Result: ResultFailed, Detail: "unknown phone " + MaskPhone(phone)})
	}
	if err != nil {
		return SignedIn{}, err
	}
	if result != nil {
		return SignedIn{}, result
	}
	return out, nil
}

// Unlock clears a lockout (and the count of failed sign-ins) early. It
// needs PermUnlockAccounts at the account's home; an account with nothing
// to clear is ErrNotLocked.
func (s *Store) Unlock(ctx context.Context, p *Principal, accountID uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		place, err := s.accountHome(ctx, accountID)
		if err != nil {
			return err
		}
		if !mayActOnAccount(p, PermUnlockAccounts, place) {
			return ErrForbidden
		}
		a, err := s.AccountByID(ctx, accountID)
		if err != nil {
			return err
		}
		if a.FailedLogins == 0 && !a.Locked(s.Now()) {
			return ErrNotLocked
		}
		if err := s.conn(ctx).Model(&Account{}).Where("id = ?", accountID).
			Updates(map[string]any{"failed_logins": 0, "locked_until": nil}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: &p.Account.ID, Action: "account.unlock", ObjectType: "account", ObjectID: accountID, PlaceID: &place.ID})
	})
}

// accountHome is the place an account belongs to for staff purposes: its
// household if it is a resident, else the place of its first grant. An
// account with neither belongs to no place, and only an admin at a root can
// act on it.
func (s *Store) accountHome(ctx context.Context, accountID uint64) (Place, error) {
	var g RoleGrant
	err := s.conn(ctx).Preload("Place").Where("account_id = ?", accountID).
		Order("CASE WHEN role = 'resident' THEN 0 ELSE 1 END, id").First(&g).Error
	if err == nil {
		return g.Place, nil
	}
	if err != gorm.ErrRecordNotFound {
		return Place{}, err
	}
	if _, err := s.AccountByID(ctx, accountID); err != nil {
		return Place{}, err
	}
	var reg Registration
	if err := s.conn(ctx).Preload("Household").Where("account_id = ?", accountID).Order("id DESC").First(&reg).Error; err == nil {
		return reg.Household, nil
	}
	return Place{Path: "/"}, nil // contained only by nothing: no staff grant path is "/"
}

// mayActOnAccount reports whether p may do perm to an account whose home is
// home: at the home itself, or, for an account with no home, as an admin.
func mayActOnAccount(p *Principal, perm Permission, home Place) bool {
	if home.ID == 0 {
		return p.Has(RoleAdmin) && p.CanAnywhere(perm)
	}
	return p.Can(perm, home)
}

// newToken returns n random bytes, URL-safe encoded.
func newToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// StartSession creates a session for an account and returns the cookie token
// (256 random bits).
func (s *Store) StartSession(ctx context.Context, accountID uint64) (string, error) {
	return s.newSession(ctx, Session{AccountID: accountID})
}

// newSession stores sess (its account, and for a station its ballot) under
// a fresh token and returns the token.
func (s *Store) newSession(ctx context.Context, sess Session) (string, error) {
	tok := newToken(32)
	now := s.Now()
	sess.ID, sess.CreatedAt, sess.LastSeenAt = hashToken(tok), now, now
	if err := s.conn(ctx).Create(&sess).Error; err != nil {
		return "", err
	}
	return tok, nil
}

// StartKioskSession turns a staff member's device into a service station
// for ballot id (服务站模式): a new session of the same account, fenced to
// that ballot's kiosk, replaces the one behind replacing (revoked), so the
// residents who then vote on the device cannot reach the staff member's
// console, roll or records. Signing out ends it; signing in again is
// needed for anything else. Only staff who manage ballots at the ballot's
// place, while it is open. pin (ValidKioskPIN) is what staff type with
// each check at the station (see KioskStation).
func (s *Store) StartKioskSession(ctx context.Context, p *Principal, id uint64, replacing, pin string) (string, error) {
	if p == nil || p.KioskBallotID != 0 {
		return "", ErrForbidden
	}
	if !ValidKioskPIN(pin) {
		return "", FieldErrors{"pin": "ballots.kiosk_pin_invalid"}
	}
	b, err := s.loadBallot(ctx, id, false)
	if err != nil {
		return "", err
	}
	if !p.Can(PermManageBallots, b.Place) {
		return "", ErrForbidden
	}
	if b.Status(s.Now()) != BallotOpen {
		return "", ErrBallotNotOpen
	}
	var tok string
	err = s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if tok, err = s.newSession(ctx, Session{AccountID: p.Account.ID, KioskBallotID: &b.ID}); err != nil {
			return err
		}
		id := hashToken(tok)
		if err := s.conn(ctx).Create(&KioskStation{SessionID: id, PINHash: kioskPINHash(id, pin)}).Error; err != nil {
			return err
		}
		if replacing != "" {
			if err := s.conn(ctx).Model(&Session{}).Where("id = ? AND account_id = ? AND revoked_at IS NULL", hashToken(replacing), p.Account.ID).
				Update("revoked_at", s.Now()).Error; err != nil {
				return err
			}
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.kiosk_start", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
			Detail: "service station started"})
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// EndSession revokes the session behind a cookie token.
func (s *Store) EndSession(ctx context.Context, tok string) error {
	if tok == "" {
		return nil
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		var sess Session
		if err := s.conn(ctx).Where("id = ?", hashToken(tok)).First(&sess).Error; err != nil {
			return nil // nothing to end
		}
		if err := s.conn(ctx).Model(&Session{}).Where("id = ?", sess.ID).Update("revoked_at", s.Now()).Error; err != nil {
			return err
		}
		if err := s.conn(ctx).Where("session_id = ?", sess.ID).Delete(&KioskStation{}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: &sess.AccountID, Action: "auth.logout", ObjectType: "account", ObjectID: sess.AccountID})
	})
}

// ResumeSession returns the principal behind a cookie token, touching the
// session at most once a minute. An unknown, revoked or expired session is
// ErrSessionExpired.
//
// The principal holds what serving a request needs: the account's ID,
// phone, name, locale and display preferences, and its grants (ID, role,
// place) with their places (parent, kind, name, path). It leaves out the
// password hash, the lock state and every timestamp: a request that needs
// them loads the account (AccountByID), and secrets do not ride along on
// every request.
func (s *Store) ResumeSession(ctx context.Context, tok string) (*Principal, error) {
	p, _, err := s.ResumeSessionUnread(ctx, tok)
	return p, err
}

// ResumeSessionUnread is ResumeSession that also counts the account's
// unread notifications (the badge every page shows) in the same query.
func (s *Store) ResumeSessionUnread(ctx context.Context, tok string) (*Principal, int64, error) {
	if tok == "" || len(tok) > 100 {
		return nil, 0, ErrSessionExpired
	}
	// Every request comes this way: under load, the look-ups of concurrent
	// requests share one query (see batcher).
	c := &resumeCall{id: hashToken(tok)}
	batched(ctx, &s.resume, c, s.resumeSessions)
	return c.p, c.unread, c.err
}

// maxResumeBatch bounds the sessions looked up in one query.
const maxResumeBatch = 128

// resumeSpill is how many look-ups must wait behind a running one before
// a second starts beside it (see NewStore); one lane gathers about 9 at
// full load here.
const resumeSpill = 24

// resumeCall is one session look-up of ResumeSessionUnread.
type resumeCall struct {
	id     string // the token's hash
	p      *Principal
	unread int64
	err    error
}

// resumeSessions looks up a batch of sessions in one round trip: each with
// its account and unread count, a row per grant with the grant's place (one
// row with empty grant columns when there is none). The query serves other
// requests than the one that runs it, so that one's going away does not
// cancel it; it has a time limit of its own.
func (s *Store) resumeSessions(ctx context.Context, batch []*resumeCall) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	ids := make([]string, 0, len(batch))
	for _, c := range batch {
		ids = append(ids, c.id)
	}
	// Scanned by hand, column by column: every request pays for this.
	inIDs, idsArg := s.anyOf("s.id", ids)
	rows, err := s.hotRows(ctx, `SELECT s.id, s.account_id, s.created_at, s.last_seen_at, s.revoked_at, s.kiosk_ballot_id,
		(SELECT COUNT(*) FROM notifications n WHERE n.account_id = s.account_id AND n.read_at IS NULL),
		a.phone, a.name, a.locale, a.large_text, a.high_contrast,
		g.id, g.role, g.place_id, gp.parent_id, gp.kind, gp.name, gp.path
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		LEFT JOIN role_grants g ON g.account_id = s.account_id LEFT JOIN places gp ON gp.id = g.place_id
		WHERE `+inIDs+` ORDER BY s.id, g.id`, idsArg)
	fail := func(err error) {
		for _, c := range batch {
			c.err = err
		}
	}
	if err != nil {
		fail(err)
		return
	}
	defer rows.Close()
	found := map[string]*Principal{}
	unread := map[string]int64{}
	var sessions []Session
	for rows.Next() {
		var (
			sess Session
			n    int64
			acct Account
			g    grantRow
			gp   placeCols
		)
		if err := rows.Scan(&sess.ID, &sess.AccountID, &sess.CreatedAt, &sess.LastSeenAt, &sess.RevokedAt, &sess.KioskBallotID, &n,
			&acct.Phone, &acct.Name, &acct.Locale, &acct.LargeText, &acct.HighContrast,
			&g.ID, &g.Role, &g.PlaceID, &gp.ParentID, &gp.Kind, &gp.Name, &gp.Path); err != nil {
			fail(err)
			return
		}
		acct.ID = sess.AccountID
		p := found[sess.ID]
		if p == nil {
			p = &Principal{Account: acct}
			if sess.KioskBallotID != nil {
				p.KioskBallotID = *sess.KioskBallotID
			}
			found[sess.ID], unread[sess.ID] = p, n
			sessions = append(sessions, sess)
		}
		if g.ID.Valid {
			p.Grants = append(p.Grants, RoleGrant{ID: uint64(g.ID.Int64), AccountID: p.Account.ID, Role: Role(g.Role.String),
				PlaceID: uint64(g.PlaceID.Int64), Place: Place{ID: uint64(g.PlaceID.Int64), ParentID: gp.ParentID,
					Kind: PlaceKind(gp.Kind.String), Name: gp.Name.String, Path: gp.Path.String}})
		}
	}
	if err := rows.Err(); err != nil {
		fail(err)
		return
	}
	now := s.Now()
	valid := map[string]bool{}
	var touch []string
	for _, sess := range sessions {
		if SessionValid(sess, now) {
			valid[sess.ID] = true
			if now.Sub(sess.LastSeenAt) >= SessionTouchEvery {
				touch = append(touch, sess.ID)
			}
		}
	}
	if len(touch) > 0 {
		if err := s.conn(ctx).Model(&Session{}).Where("id IN ?", touch).Update("last_seen_at", now).Error; err != nil {
			fail(err)
			return
		}
	}
	for _, c := range batch {
		if !valid[c.id] {
			c.err = ErrSessionExpired
			continue
		}
		// Each caller gets a principal of its own (the same session may be
		// in the batch twice).
		p := *found[c.id]
		p.Grants = append([]RoleGrant(nil), p.Grants...)
		c.p, c.unread = &p, unread[c.id]
	}
}

// grantRow and placeCols are a grant and its place as the outer joins of
// ResumeSessionUnread return them: every column may be NULL.
type grantRow struct {
	ID      sql.NullInt64
	Role    sql.NullString
	PlaceID sql.NullInt64
}

type placeCols struct {
	ParentID *uint64
	Kind     sql.NullString
	Name     sql.NullString
	Path     sql.NullString
}

// grantsOf loads an account's grants with their places, in one query.
func (s *Store) grantsOf(ctx context.Context, accountID uint64) ([]RoleGrant, error) {
	var grants []RoleGrant
	err := s.conn(ctx).Joins("Place").Where("role_grants.account_id = ?", accountID).Order("role_grants.id").Find(&grants).Error
	return grants, err
}

// LoadPrincipal loads an account with its grants and their places.
func (s *Store) LoadPrincipal(ctx context.Context, accountID uint64) (*Principal, error) {
	a, err := s.AccountByID(ctx, accountID)
	if err != nil {
		return nil, err
	}
	grants, err := s.grantsOf(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return &Principal{Account: a, Grants: grants}, nil
}

// PurgeSessions deletes sessions that can no longer be used (they hold no
// audit value: sign-ins and sign-outs are in the trail), forgets
// devices unused for DeviceTTL and drops sign-ins that waited for their
// code longer than ChallengeTTL. It returns the sessions deleted.
func (s *Store) PurgeSessions(ctx context.Context) (int64, error) {
	now := s.Now()
	res := s.conn(ctx).Where("revoked_at IS NOT NULL OR last_seen_at < ? OR created_at < ?",
		now.Add(-SessionIdle), now.Add(-SessionAbsolute)).Delete(&Session{})
	if res.Error != nil {
		return 0, res.Error
	}
	// Devices no longer known go too.
	if err := s.conn(ctx).Where("last_used_at <= ?", now.Add(-DeviceTTL)).Delete(&SignInDevice{}).Error; err != nil {
		return 0, err
	}
	// So do sign-ins that waited for their code too long.
	if err := s.conn(ctx).Where("created_at <= ?", now.Add(-ChallengeTTL)).Delete(&SignInChallenge{}).Error; err != nil {
		return 0, err
	}
	return res.RowsAffected, nil
}

// AccountSearch finds accounts by phone or name for the console, limited to
// those the principal may manage (residents of its places and holders of
// grants there).
func (s *Store) AccountSearch(ctx context.Context, p *Principal, q string, limit int) ([]Account, error) {
	scopes := p.Scopes(PermGrantRoles)
	if len(scopes) == 0 {
		return nil, nil
	}
	q = strings.TrimSpace(q)
	if limit <= 0 {
		limit = 20
	}
	db := s.conn(ctx)
	inScope := db.Table("role_grants g").Select("g.account_id").Joins("JOIN places pl ON pl.id = g.place_id")
	regScope := db.Table("registrations r").Select("r.account_id").Joins("JOIN places pl ON pl.id = r.household_id")
	for i, sc := range scopes {
		if i == 0 {
			inScope = inScope.Where("pl.path LIKE ?", sc.Path+"%")
			regScope = regScope.Where("pl.path LIKE ?", sc.Path+"%")
		} else {
			inScope = inScope.Or("pl.path LIKE ?", sc.Path+"%")
			regScope = regScope.Or("pl.path LIKE ?", sc.Path+"%")
		}
	}
	query := db.Model(&Account{}).Where("id IN (?) OR id IN (?)", inScope, regScope)
	if q != "" {
		query = query.Where("phone LIKE ? OR name LIKE ?", "%"+NormalizePhone(q)+"%", "%"+q+"%")
	}
	var out []Account
	err := query.Order("id").Limit(limit).Find(&out).Error
	return out, err
}
