package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 13.

// m13Meeting is only the columns step 13 adds to meetings.
type m13Meeting struct {
	AttendanceCode string `gorm:"size:6;not null;default:''"`
	OpenedAt       *time.Time
	ClosedAt       *time.Time
}

func (m13Meeting) TableName() string { return "meetings" }

type m13Attendance struct {
	ID         uint64 `gorm:"primaryKey"`
	MeetingID  uint64 `gorm:"not null;uniqueIndex:ux_attendances,priority:1"`
	AccountID  uint64 `gorm:"not null;uniqueIndex:ux_attendances,priority:2;index"`
	Method     string `gorm:"size:8;not null"`
	MarkedByID *uint64
	CreatedAt  time.Time
}

func (m13Attendance) TableName() string { return "attendances" }

type m13Motion struct {
	ID           uint64 `gorm:"primaryKey"`
	MeetingID    uint64 `gorm:"not null;index"`
	AgendaItemID uint64 `gorm:"not null;index"`
	Text         string `gorm:"size:500;not null"`
	Status       string `gorm:"size:12;not null"`
	For          int    `gorm:"column:votes_for;not null"`
	Against      int    `gorm:"column:votes_against;not null"`
	Abstain      int    `gorm:"column:votes_abstain;not null"`
	ByHands      bool   `gorm:"not null"`
	HandsByID    *uint64
	Members      int    `gorm:"not null"`
	Present      int    `gorm:"not null"`
	Outcome      string `gorm:"size:12;not null"`
	CreatedByID  uint64 `gorm:"not null"`
	OpenedAt     *time.Time
	ClosedAt     *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m13Motion) TableName() string { return "motions" }

type m13MotionVote struct {
	ID        uint64 `gorm:"primaryKey"`
	MotionID  uint64 `gorm:"not null;uniqueIndex:ux_motion_votes,priority:1"`
	AccountID uint64 `gorm:"not null;uniqueIndex:ux_motion_votes,priority:2;index"`
	Choice    string `gorm:"size:8;not null"`
	CreatedAt time.Time
}

func (m13MotionVote) TableName() string { return "motion_votes" }

func m0013(tx *gorm.DB) error {
	for _, col := range []string{"AttendanceCode", "OpenedAt", "ClosedAt"} {
		if err := tx.Migrator().AddColumn(&m13Meeting{}, col); err != nil {
			return err
		}
	}
	return tx.Migrator().CreateTable(&m13Attendance{}, &m13Motion{}, &m13MotionVote{})
}
