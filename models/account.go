package models

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Account is a person's login (账号). The mainland mobile number is the login
// name; anywhere another person can see it, it is shown masked.
type Account struct {
	ID           uint64 `gorm:"primaryKey"`
	Phone        string
	Name         string
	PasswordHash string
	Locale       string
	LargeText    bool
	HighContrast bool
	FailedLogins int
	LockedUntil  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Locked reports whether the account is locked at now.
func (a Account) Locked(now time.Time) bool {
	return a.LockedUntil != nil && now.Before(*a.LockedUntil)
}

// Sign-in limits (等保 2.0 habits).
const (
	MaxFailedLogins   = 5
	LockoutDuration   = 15 * time.Minute
	MinPasswordLength = 8
	MaxPasswordLength = 128
)

var phonePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// NormalizePhone strips spaces, dashes and a +86 prefix.
func NormalizePhone(s string) string {
	s = strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "+86")
	return s
}

// ValidPhone reports whether s is an 11-digit mainland mobile number.
func ValidPhone(s string) bool { return phonePattern.MatchString(s) }

// MaskPhone shows a phone number as 138****1234.
func MaskPhone(s string) string {
	if len(s) != 11 {
		if len(s) <= 4 {
			return strings.Repeat("*", len(s))
		}
		return strings.Repeat("*", len(s)-4) + s[len(s)-4:]
	}
	return s[:3] + "****" + s[7:]
}

// MaskName shows a name with all but its first character hidden: 张**.
func MaskName(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(s)
	rest := utf8.RuneCountInString(s[size:])
	if rest == 0 {
		return string(r)
	}
	return string(r) + strings.Repeat("*", rest)
}

// ValidatePassword checks the length rule.
func ValidatePassword(pw string) string {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength {
		return "err.password_too_short"
	}
	if n > MaxPasswordLength {
		return "err.too_long"
	}
	return ""
}

// AccountInput is what registration and `yishi user add` submit.
type AccountInput struct {
	Phone    string
	Name     string
	Password string
	Confirm  string
}

// Validate checks an AccountInput; the phone is normalised in place.
func (in *AccountInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Phone = NormalizePhone(in.Phone)
	in.Name = strings.TrimSpace(in.Name)
	if in.Phone == "" {
		fe.Add("phone", "err.required")
	} else if !ValidPhone(in.Phone) {
		fe.Add("phone", "err.phone_invalid")
	}
	if in.Name == "" {
		fe.Add("name", "err.required")
	} else if utf8.RuneCountInString(in.Name) > 30 {
		fe.Add("name", "err.too_long")
	}
	if code := ValidatePassword(in.Password); code != "" {
		fe.Add("password", code)
	} else if in.Confirm != in.Password {
		fe.Add("confirm", "err.password_mismatch")
	}
	return fe
}

// LoginOutcome is what a sign-in attempt does to an account.
type LoginOutcome struct {
	OK           bool
	FailedLogins int
	LockedUntil  *time.Time
	Err          error
}

// EvaluateLogin applies the lockout rule: a locked account is refused even
// with the right password; the fifth failure in a row locks it for
// LockoutDuration; a success resets the count.
func EvaluateLogin(a Account, passwordOK bool, now time.Time) LoginOutcome {
	if a.Locked(now) {
		return LoginOutcome{FailedLogins: a.FailedLogins, LockedUntil: a.LockedUntil, Err: ErrAccountLocked}
	}
	if passwordOK {
		return LoginOutcome{OK: true}
	}
	failed := a.FailedLogins + 1
	if a.LockedUntil != nil { // a lock that has run out starts a new count
		failed = 1
	}
	if failed >= MaxFailedLogins {
		until := now.Add(LockoutDuration)
		return LoginOutcome{FailedLogins: failed, LockedUntil: &until, Err: ErrAccountLocked}
	}
	return LoginOutcome{FailedLogins: failed, Err: ErrBadCredentials}
}
