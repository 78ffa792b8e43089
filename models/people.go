package models

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Resident is one person on a household's roster (居民 / 村民). Staff keep the
// roster; a resident may have no account (many elderly residents do not), and
// an account becomes a verified resident by being linked to one.
type Resident struct {
	ID          uint64 `gorm:"primaryKey"`
	HouseholdID uint64
	Name        string
	Phone       string
	BirthYear   int
	IsHead      bool
	AccountID   *uint64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Adult reports whether the resident is 18 or over in the year of now
// (a resident whose birth year is unknown counts as adult).
func (r Resident) Adult(now time.Time) bool {
	return r.BirthYear == 0 || now.Year()-r.BirthYear >= 18
}

// ResidentInput is one roster row as staff type or import it.
type ResidentInput struct {
	Name      string
	Phone     string
	BirthYear int
	IsHead    bool
}

// Validate checks a roster row; now bounds the birth year.
func (in *ResidentInput) Validate(now time.Time) FieldErrors {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = NormalizePhone(in.Phone)
	if in.Name == "" {
		fe.Add("name", "err.required")
	} else if utf8.RuneCountInString(in.Name) > 30 {
		fe.Add("name", "err.too_long")
	}
	if in.Phone != "" && !ValidPhone(in.Phone) {
		fe.Add("phone", "err.phone_invalid")
	}
	if in.BirthYear != 0 && (in.BirthYear < 1900 || in.BirthYear > now.Year()) {
		fe.Add("birth_year", "err.birth_year_invalid")
	}
	return fe
}

// RegistrationStatus is where a request to join a household stands.
type RegistrationStatus string

// Registration states.
const (
	RegistrationPending  RegistrationStatus = "pending"
	RegistrationApproved RegistrationStatus = "approved"
	RegistrationRejected RegistrationStatus = "rejected"
	// RegistrationWithdrawn: the applicant became a resident of another
	// household (with an invitation code) before staff decided; nobody
	// decided it.
	RegistrationWithdrawn RegistrationStatus = "withdrawn"
)

// Registration is an account's request to be verified as a resident of a
// household (入户认证申请), decided by community staff.
type Registration struct {
	ID          uint64 `gorm:"primaryKey"`
	AccountID   uint64
	HouseholdID uint64
	Name        string
	Status      RegistrationStatus
	Reason      string
	DecidedByID *uint64
	DecidedAt   *time.Time
	CreatedAt   time.Time

	Account   Account `gorm:"foreignKey:AccountID"`
	Household Place   `gorm:"foreignKey:HouseholdID"`
}

// InviteCode is a printed, single-use, expiring code (入户邀请码) that makes
// whoever enters it a verified resident of one household. Only its hash is
// stored; the code itself is shown once, to be printed.
type InviteCode struct {
	ID          uint64 `gorm:"primaryKey"`
	HouseholdID uint64
	CodeHash    string
	Hint        string // the last two characters, to tell printed slips apart
	ExpiresAt   time.Time
	UsedByID    *uint64
	UsedAt      *time.Time
	CreatedByID uint64
	CreatedAt   time.Time
}

// Invite codes use an alphabet without look-alike characters (no 0/O, 1/I/L).
const (
	inviteAlphabet  = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	InviteCodeLen   = 10
	InviteCodeValid = 30 * 24 * time.Hour
)

// NormalizeInviteCode upper-cases a typed code and drops spaces and dashes.
func NormalizeInviteCode(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
}

// InviteUsable reports whether an invite can still be used at now.
func InviteUsable(c InviteCode, now time.Time) bool {
	return c.UsedByID == nil && now.Before(c.ExpiresAt)
}
