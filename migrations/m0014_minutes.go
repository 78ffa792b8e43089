package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 14.

type m14Minutes struct {
	ID            uint64 `gorm:"primaryKey"`
	MeetingID     uint64 `gorm:"not null;uniqueIndex:ux_minutes_meeting"`
	Status        string `gorm:"size:12;not null"`
	Snapshot      string `gorm:"type:text;not null"`
	Summary       string `gorm:"type:text;not null"`
	Notes         string `gorm:"type:text;not null"`
	ReturnReason  string `gorm:"size:500;not null;default:''"`
	CreatedByID   uint64 `gorm:"not null"`
	FinalisedByID *uint64
	FinalisedAt   *time.Time
	SignedByID    *uint64
	SignedAt      *time.Time
	PublishedByID *uint64
	PublishedAt   *time.Time
	NoticeID      *uint64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (m14Minutes) TableName() string { return "minutes" }

type m14MinutesAmendment struct {
	ID        uint64 `gorm:"primaryKey"`
	MinutesID uint64 `gorm:"not null;index"`
	AuthorID  uint64 `gorm:"not null"`
	Reason    string `gorm:"size:500;not null"`
	Changes   string `gorm:"type:text;not null"`
	NoticeID  *uint64
	CreatedAt time.Time
}

func (m14MinutesAmendment) TableName() string { return "minutes_amendments" }

func m0014(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m14Minutes{}, &m14MinutesAmendment{})
}
