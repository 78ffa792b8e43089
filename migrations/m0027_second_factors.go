package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the tables step 27 creates.

// m27SecondFactor is an account's authenticator app: its TOTP secret, when
// it was switched on (NULL while it waits for its first code), the last
// time step a code was accepted for, which no later code may reuse, and
// the wrong codes in a row with the lock they lead to.
type m27SecondFactor struct {
	AccountID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Secret      string `gorm:"size:64;not null"`
	EnabledAt   *time.Time
	LastStep    int64 `gorm:"not null;default:0"`
	Failures    int   `gorm:"not null;default:0"`
	LockedUntil *time.Time
	CreatedAt   time.Time `gorm:"not null"`
}

func (m27SecondFactor) TableName() string { return "second_factors" }

// m27SignInChallenge is a sign-in whose password was right and whose code
// is still awaited, known by its cookie token's hash.
type m27SignInChallenge struct {
	ID        string    `gorm:"primaryKey;size:64"`
	AccountID uint64    `gorm:"not null;index"`
	CreatedAt time.Time `gorm:"not null"`
}

func (m27SignInChallenge) TableName() string { return "sign_in_challenges" }

// m0027 creates both tables; no account has a second factor yet.
func m0027(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m27SecondFactor{}, &m27SignInChallenge{})
}
