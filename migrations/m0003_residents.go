package migrations

import (
	"time"

	"gorm.io/gorm"
)

// m3RosterImport is the frozen shape of a roster import batch: the parsed
// rows of one uploaded file with their errors, kept until staff commit it.
type m3RosterImport struct {
	ID          uint64 `gorm:"primaryKey"`
	AccountID   uint64 `gorm:"not null;index"`
	ScopeID     uint64 `gorm:"not null;index"`
	FileName    string `gorm:"size:200;not null"`
	RowCount    int    `gorm:"not null"`
	ErrorCount  int    `gorm:"not null"`
	Rows        string `gorm:"type:text;not null"`
	CommittedAt *time.Time
	CreatedAt   time.Time
}

func (m3RosterImport) TableName() string { return "roster_imports" }

// m0003 adds roster imports and an index that lets the invite-guessing
// limit count an account's recent failed attempts quickly.
func m0003(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(&m3RosterImport{}); err != nil {
		return err
	}
	return tx.Exec(`CREATE INDEX ix_audit_actor_action_at ON audit_entries (actor_id, action, at)`).Error
}
