package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copy of the table step 25 creates.

// m25SignInDevice is a browser an account has signed in from, known by the
// hash of its cookie's token, with its own count of wrong passwords.
type m25SignInDevice struct {
	ID           string `gorm:"primaryKey;size:64"`
	AccountID    uint64 `gorm:"not null;index"`
	FailedLogins int    `gorm:"not null;default:0"`
	LockedUntil  *time.Time
	CreatedAt    time.Time `gorm:"not null"`
	LastUsedAt   time.Time `gorm:"not null"`
}

func (m25SignInDevice) TableName() string { return "sign_in_devices" }

// m0025 creates the table; no device is known until its next sign-in.
func m0025(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m25SignInDevice{})
}
