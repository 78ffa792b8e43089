package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copy of the table step 21 creates.

// m21KioskStation is a service station's state, one row per station
// session: the PIN staff set, the one-time value of the check form, and the
// hand-over to the resident now voting.
type m21KioskStation struct {
	SessionID   string `gorm:"primaryKey;size:64"`
	PINHash     string `gorm:"not null"`
	PINFailures int    `gorm:"not null;default:0"`
	CheckValue  string `gorm:"not null;default:''"`
	VoterID     *uint64
	HandOver    string `gorm:"not null;default:''"`
	ActiveAt    *time.Time
	UsedAt      *time.Time
}

func (m21KioskStation) TableName() string { return "kiosk_stations" }

// m0021 creates the stations' table and drops the site's secrets, whose
// one use, signing kiosk hand-overs, the stations replace.
func m0021(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(&m21KioskStation{}); err != nil {
		return err
	}
	return tx.Migrator().DropTable("site_secrets")
}
