package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 2.

// m2Notice adds what a withdrawal records to notices.
type m2Notice struct {
	WithdrawnAt    *time.Time
	WithdrawReason string `gorm:"size:500;not null;default:''"`
}

func (m2Notice) TableName() string { return "notices" }

func m0002(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, col := range []string{"WithdrawnAt", "WithdrawReason"} {
		if err := m.AddColumn(&m2Notice{}, col); err != nil {
			return err
		}
	}
	// A resident has at most one unanswered objection per notice; the store
	// checks first, and this index is the backstop under concurrent posts.
	return tx.Exec(`CREATE UNIQUE INDEX ux_objections_open ON objections (notice_id, account_id) WHERE answered_at IS NULL`).Error
}
