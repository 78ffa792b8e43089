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

// ValidatePassword checks a new password of the account with phone: its
// length, and that it is not one of the first a guesser tries
// (WeakPassword).
func ValidatePassword(pw, phone string) string {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength {
		return "err.password_too_short"
	}
	if n > MaxPasswordLength {
		return "err.too_long"
	}
	if WeakPassword(pw, phone) {
		return "err.password_weak"
	}
	return ""
}

// commonPasswords are passwords of eight or more characters that lead the
// lists leaked from Chinese sites, in lower case; the repeated and
// sequential ones WeakPassword finds by rule are left out.
var commonPasswords = map[string]bool{
	"password": true, "password1": true, "passw0rd": true, "iloveyou": true, "woaini1314": true, "woaini520": true,
	"5201314520": true, "520131400": true, "1314520520": true, "qwertyuiop": true, "1qaz2wsx": true, "1qaz2wsx3edc": true,
	"qq123456": true, "a12345678": true, "a123456789": true, "123456789a": true, "abc12345": true, "abc123456": true,
	"123123123": true, "11223344": true, "1234qwer": true, "qwer1234": true, "zxcvbnm123": true, "asdfghjkl": true,
	"147258369": true, "1q2w3e4r": true, "q1w2e3r4": true, "admin123": true, "admin888": true, "123qweasd": true,
	"qweasdzxc": true, "112233445566": true, "12341234": true, "aa123456": true, "zz123456": true, "wang1234": true,
	"yishi123": true, "yishi2026": true,
}

// WeakPassword reports a password a guesser tries first: a common one,
// one character repeated (88888888), a run up or down the digits or the
// alphabet (12345678, 87654321, abcdefgh), or the account's phone number,
// whole or its last eight digits.
func WeakPassword(pw, phone string) bool {
	low := strings.ToLower(pw)
	if commonPasswords[low] {
		return true
	}
	rs := []rune(low)
	same, up, down := true, true, true
	for i := 1; i < len(rs); i++ {
		same = same && rs[i] == rs[0]
		up = up && rs[i] == rs[i-1]+1
		down = down && rs[i] == rs[i-1]-1
	}
	if same || up || down {
		return true
	}
	phone = NormalizePhone(phone)
	return phone != "" && (pw == phone || len(phone) >= 8 && pw == phone[len(phone)-8:])
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
	if code := ValidatePassword(in.Password, in.Phone); code != "" {
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
