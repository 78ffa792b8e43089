package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copy of the table step 23 creates.

// m23MeetingRecord is a meeting as it stood when it closed: its members,
// rules, attendance, agenda and motions, as the JSON its minutes start from.
type m23MeetingRecord struct {
	MeetingID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Record    string `gorm:"type:text;not null"`
	CreatedAt time.Time
}

func (m23MeetingRecord) TableName() string { return "meeting_records" }

// m0023 creates the table. Meetings closed before it have no record; their
// minutes, if not yet started, start from the meeting as it is then, as
// before.
func m0023(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m23MeetingRecord{})
}
