package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copy of the columns step 17 adds to meetings.

// m17Meeting is only the columns step 17 adds to meetings: when a meeting
// was first to start, once postponed, when it was cancelled, and why.
type m17Meeting struct {
	PostponedFrom *time.Time
	CancelledAt   *time.Time
	ChangeReason  string `gorm:"size:1200;not null;default:''"`
}

func (m17Meeting) TableName() string { return "meetings" }

func m0017(tx *gorm.DB) error {
	for _, col := range []string{"PostponedFrom", "CancelledAt", "ChangeReason"} {
		if err := tx.Migrator().AddColumn(&m17Meeting{}, col); err != nil {
			return err
		}
	}
	return nil
}
