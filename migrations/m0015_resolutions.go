package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 15.

type m15Resolution struct {
	ID           uint64  `gorm:"primaryKey"`
	CouncilID    uint64  `gorm:"not null;index"`
	MeetingID    uint64  `gorm:"not null;index"`
	MotionID     uint64  `gorm:"not null;uniqueIndex"`
	TopicID      *uint64 `gorm:"index"`
	Text         string  `gorm:"size:500;not null"`
	Status       string  `gorm:"size:16;not null;index"`
	OwnerID      *uint64 `gorm:"index"`
	DueAt        *time.Time
	Percent      int     `gorm:"not null"`
	Result       string  `gorm:"type:text;not null"`
	Reason       string  `gorm:"size:500;not null"`
	ProjectID    *uint64 `gorm:"index"`
	BallotID     *uint64 `gorm:"index"`
	LastChasedAt *time.Time
	AssignedAt   *time.Time
	ClosedAt     *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m15Resolution) TableName() string { return "resolutions" }

type m15ResolutionUpdate struct {
	ID           uint64 `gorm:"primaryKey"`
	ResolutionID uint64 `gorm:"not null;index"`
	AuthorID     *uint64
	Action       string `gorm:"size:16;not null"`
	FromStatus   string `gorm:"size:16;not null"`
	ToStatus     string `gorm:"size:16;not null"`
	Note         string `gorm:"type:text;not null"`
	Percent      *int
	CreatedAt    time.Time
}

func (m15ResolutionUpdate) TableName() string { return "resolution_updates" }

type m15ResolutionRating struct {
	ID           uint64 `gorm:"primaryKey"`
	ResolutionID uint64 `gorm:"not null;uniqueIndex:ux_resolution_ratings,priority:1"`
	AccountID    uint64 `gorm:"not null;uniqueIndex:ux_resolution_ratings,priority:2;index"`
	Stars        int    `gorm:"not null"`
	CreatedAt    time.Time
}

func (m15ResolutionRating) TableName() string { return "resolution_ratings" }

func m0015(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m15Resolution{}, &m15ResolutionUpdate{}, &m15ResolutionRating{})
}
