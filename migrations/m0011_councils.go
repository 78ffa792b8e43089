package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 11.

type m11Council struct {
	ID         uint64 `gorm:"primaryKey"`
	PlaceID    uint64 `gorm:"not null;index"`
	Kind       string `gorm:"size:24;not null"`
	Name       string `gorm:"size:60;not null"`
	QuorumNum  int    `gorm:"not null"`
	QuorumDen  int    `gorm:"not null"`
	PassRule   string `gorm:"size:24;not null"`
	NoticeDays int    `gorm:"not null"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (m11Council) TableName() string { return "councils" }

type m11CouncilMember struct {
	ID        uint64 `gorm:"primaryKey"`
	CouncilID uint64 `gorm:"not null;uniqueIndex:ux_council_members,priority:1"`
	AccountID uint64 `gorm:"not null;uniqueIndex:ux_council_members,priority:2;index"`
	Role      string `gorm:"size:16;not null"`
	CreatedAt time.Time
}

func (m11CouncilMember) TableName() string { return "council_members" }

type m11Topic struct {
	ID           uint64  `gorm:"primaryKey"`
	CouncilID    uint64  `gorm:"not null;index"`
	ProposerID   uint64  `gorm:"not null;index"`
	Title        string  `gorm:"size:80;not null"`
	Body         string  `gorm:"type:text;not null"`
	NeedID       *uint64 `gorm:"index"`
	Status       string  `gorm:"size:16;not null;index"`
	Reason       string  `gorm:"size:500;not null"`
	MergedIntoID *uint64 `gorm:"index"`
	Cosigners    int     `gorm:"not null"`
	DecidedAt    *time.Time
	CreatedAt    time.Time `gorm:"index"`
	UpdatedAt    time.Time
}

func (m11Topic) TableName() string { return "topics" }

type m11TopicCosign struct {
	TopicID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	AccountID uint64 `gorm:"primaryKey;autoIncrement:false;index"`
	CreatedAt time.Time
}

func (m11TopicCosign) TableName() string { return "topic_cosigns" }

type m11Meeting struct {
	ID          uint64    `gorm:"primaryKey"`
	CouncilID   uint64    `gorm:"not null;index"`
	Title       string    `gorm:"size:80;not null"`
	StartsAt    time.Time `gorm:"not null;index"`
	Location    string    `gorm:"size:120;not null"`
	OnlineURL   string    `gorm:"size:300;not null"`
	Status      string    `gorm:"size:16;not null;index"`
	NoticeID    *uint64
	AnnouncedAt *time.Time
	CreatedByID uint64 `gorm:"not null"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (m11Meeting) TableName() string { return "meetings" }

type m11AgendaItem struct {
	ID        uint64 `gorm:"primaryKey"`
	MeetingID uint64 `gorm:"not null;uniqueIndex:ux_agenda_items,priority:1"`
	TopicID   uint64 `gorm:"not null;uniqueIndex:ux_agenda_items,priority:2;index"`
	Position  int    `gorm:"not null"`
	Minutes   int    `gorm:"not null"`
	CreatedAt time.Time
}

func (m11AgendaItem) TableName() string { return "agenda_items" }

type m11Research struct {
	ID           uint64 `gorm:"primaryKey"`
	AgendaItemID uint64 `gorm:"not null;index"`
	AuthorID     uint64 `gorm:"not null"`
	Note         string `gorm:"type:text;not null"`
	CostFen      int64  `gorm:"not null"`
	Canvassed    int    `gorm:"not null"`
	FileName     string `gorm:"size:120;not null"`
	FileType     string `gorm:"size:100;not null"`
	FileData     []byte
	FileSize     int `gorm:"not null"`
	CreatedAt    time.Time
}

func (m11Research) TableName() string { return "researches" }

func m0011(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m11Council{}, &m11CouncilMember{}, &m11Topic{}, &m11TopicCosign{}, &m11Meeting{}, &m11AgendaItem{}, &m11Research{})
}
