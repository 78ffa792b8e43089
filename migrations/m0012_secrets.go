package migrations

import (
	"time"

	"gorm.io/gorm"
)

// m12SiteSecret is a random key the site keeps for signing what must hold
// across restarts and processes (the kiosk's hand-over of the device).
type m12SiteSecret struct {
	Name      string    `gorm:"primaryKey;size:40"`
	Value     string    `gorm:"size:128;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

func (m12SiteSecret) TableName() string { return "site_secrets" }

func m0012(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(&m12SiteSecret{}); err != nil {
		return err
	}
	// The sealer looks for the entries not yet sealed, oldest first; without
	// an index of just those it walked past every sealed entry each time, a
	// cost that grew with the trail.
	if err := tx.Exec(`CREATE INDEX ix_audit_unsealed ON audit_entries (id) WHERE seq IS NULL`).Error; err != nil {
		return err
	}
	// Every vote writes an audit entry: an index that another already
	// covers (actor_id leads ix_audit_actor_action_at) only costs writes.
	return tx.Exec(`DROP INDEX IF EXISTS idx_audit_entries_actor_id`).Error
}
