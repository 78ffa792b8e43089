package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 16.

type m16Procedure struct {
	ID          uint64 `gorm:"primaryKey"`
	PlaceID     uint64 `gorm:"not null;index"`
	Name        string `gorm:"size:60;not null"`
	CreatedByID uint64 `gorm:"not null"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (m16Procedure) TableName() string { return "procedures" }

type m16ProcedureStep struct {
	ID          uint64 `gorm:"primaryKey"`
	ProcedureID uint64 `gorm:"not null;uniqueIndex:ux_procedure_steps,priority:1"`
	Position    int    `gorm:"not null;uniqueIndex:ux_procedure_steps,priority:2"`
	Name        string `gorm:"size:30;not null"`
	Kind        string `gorm:"size:16;not null"`
	CouncilKind string `gorm:"size:24;not null"`
}

func (m16ProcedureStep) TableName() string { return "procedure_steps" }

type m16Matter struct {
	ID          uint64  `gorm:"primaryKey"`
	PlaceID     uint64  `gorm:"not null;index"`
	ProcedureID *uint64 `gorm:"index"`
	Title       string  `gorm:"size:80;not null"`
	Description string  `gorm:"type:text;not null"`
	Source      string  `gorm:"size:16;not null"`
	Status      string  `gorm:"size:16;not null;index"`
	Done        int     `gorm:"not null"`
	CreatedByID uint64  `gorm:"not null"`
	EndedAt     *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time `gorm:"index"`
}

func (m16Matter) TableName() string { return "matters" }

// m16MatterStep is one recorded step; (matter, position) is unique, so a
// step is recorded once however many recorders race for it.
type m16MatterStep struct {
	ID           uint64    `gorm:"primaryKey"`
	MatterID     uint64    `gorm:"not null;uniqueIndex:ux_matter_steps,priority:1"`
	Position     int       `gorm:"not null;uniqueIndex:ux_matter_steps,priority:2"`
	Name         string    `gorm:"size:30;not null"`
	Kind         string    `gorm:"size:16;not null"`
	HeldOn       time.Time `gorm:"not null"`
	Form         string    `gorm:"size:100;not null"`
	Expected     int       `gorm:"not null"`
	Actual       int       `gorm:"not null"`
	Text         string    `gorm:"type:text;not null"`
	Result       string    `gorm:"size:12;not null"`
	Signatures   string    `gorm:"type:text;not null"`
	MeetingID    *uint64   `gorm:"index"`
	PeriodDays   int       `gorm:"not null"`
	Remarks      string    `gorm:"type:text;not null"`
	NoticeID     *uint64
	RecordedByID uint64 `gorm:"not null"`
	CreatedAt    time.Time
}

func (m16MatterStep) TableName() string { return "matter_steps" }

func m0016(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m16Procedure{}, &m16ProcedureStep{}, &m16Matter{}, &m16MatterStep{})
}
