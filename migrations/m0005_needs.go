package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 5.

type m5NeedCategory struct {
	ID             uint64 `gorm:"primaryKey"`
	Code           string `gorm:"size:32;not null;uniqueIndex"`
	NameZh         string `gorm:"size:60;not null"`
	NameEn         string `gorm:"size:60;not null"`
	Urgency        string `gorm:"size:16;not null"`
	RespondMinutes int    `gorm:"not null"`
	ResolveMinutes int    `gorm:"not null"`
	Active         bool   `gorm:"not null"`
	Sort           int    `gorm:"not null"`
}

func (m5NeedCategory) TableName() string { return "need_categories" }

type m5Taker struct {
	ID        uint64  `gorm:"primaryKey"`
	Kind      string  `gorm:"size:16;not null;index"`
	Name      string  `gorm:"size:100;not null"`
	PlaceID   uint64  `gorm:"not null;index"`
	AccountID *uint64 `gorm:"index"`
	Active    bool    `gorm:"not null"`
	CreatedAt time.Time
}

func (m5Taker) TableName() string { return "takers" }

type m5Need struct {
	ID            uint64    `gorm:"primaryKey"`
	FilerID       uint64    `gorm:"not null;index"`
	PlaceID       uint64    `gorm:"not null;index"`
	CategoryID    uint64    `gorm:"not null;index"`
	Description   string    `gorm:"type:text;not null"`
	Public        bool      `gorm:"not null"`
	Status        string    `gorm:"size:16;not null;index"`
	Level         string    `gorm:"size:16;not null"`
	TakerID       *uint64   `gorm:"index"`
	MergedIntoID  *uint64   `gorm:"index"`
	Reason        string    `gorm:"size:500;not null"`
	RespondBy     time.Time `gorm:"not null"`
	ResolveBy     time.Time `gorm:"not null;index"`
	RespondedAt   *time.Time
	ResolvedAt    *time.Time
	DoneAt        *time.Time
	ClosedAt      *time.Time
	Rating        int    `gorm:"not null"`
	RatingComment string `gorm:"size:500;not null"`
	Supporters    int    `gorm:"not null"`
	LastChasedAt  *time.Time
	CreatedAt     time.Time `gorm:"index"`
	UpdatedAt     time.Time
}

func (m5Need) TableName() string { return "needs" }

type m5NeedPhoto struct {
	ID          uint64 `gorm:"primaryKey"`
	NeedID      uint64 `gorm:"not null;index"`
	ContentType string `gorm:"size:32;not null"`
	Data        []byte `gorm:"not null"`
	Width       int    `gorm:"not null"`
	Height      int    `gorm:"not null"`
	CreatedAt   time.Time
}

func (m5NeedPhoto) TableName() string { return "need_photos" }

type m5NeedSupport struct {
	NeedID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	AccountID uint64 `gorm:"primaryKey;autoIncrement:false;index"`
	CreatedAt time.Time
}

func (m5NeedSupport) TableName() string { return "need_supports" }

type m5NeedEvent struct {
	ID         uint64    `gorm:"primaryKey"`
	NeedID     uint64    `gorm:"not null;index"`
	At         time.Time `gorm:"not null"`
	ActorID    *uint64
	Action     string `gorm:"size:16;not null"`
	FromStatus string `gorm:"size:16;not null"`
	ToStatus   string `gorm:"size:16;not null"`
	Note       string `gorm:"size:1000;not null"`
	TakerID    *uint64
}

func (m5NeedEvent) TableName() string { return "need_events" }

type m5Whistle struct {
	ID            uint64    `gorm:"primaryKey"`
	NeedID        uint64    `gorm:"not null;index"`
	BlownByID     uint64    `gorm:"not null"`
	BlownAt       time.Time `gorm:"not null"`
	ReportBy      time.Time `gorm:"not null"`
	Note          string    `gorm:"size:1000;not null"`
	Rating        int       `gorm:"not null"`
	RatingComment string    `gorm:"size:500;not null"`
	RatedByID     *uint64
	RatedAt       *time.Time
}

func (m5Whistle) TableName() string { return "whistles" }

type m5WhistleCall struct {
	ID         uint64 `gorm:"primaryKey"`
	WhistleID  uint64 `gorm:"not null;uniqueIndex:ux_whistle_calls,priority:1"`
	TakerID    uint64 `gorm:"not null;uniqueIndex:ux_whistle_calls,priority:2;index"`
	ReportedAt *time.Time
	Note       string `gorm:"size:1000;not null"`
}

func (m5WhistleCall) TableName() string { return "whistle_calls" }

func m0005(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(
		&m5NeedCategory{}, &m5Taker{}, &m5Need{}, &m5NeedPhoto{}, &m5NeedSupport{},
		&m5NeedEvent{}, &m5Whistle{}, &m5WhistleCall{},
	); err != nil {
		return err
	}
	// The categories every street starts with; staff change their limits.
	cats := []m5NeedCategory{
		{Code: "safety", NameZh: "安全隐患", NameEn: "Safety hazard", Urgency: "urgent"},
		{Code: "repair", NameZh: "设施维修", NameEn: "Repairs", Urgency: "general"},
		{Code: "environment", NameZh: "环境卫生", NameEn: "Cleanliness", Urgency: "general"},
		{Code: "elderly", NameZh: "养老助残", NameEn: "Elderly and disabled care", Urgency: "general"},
		{Code: "neighbours", NameZh: "邻里纠纷", NameEn: "Neighbour disputes", Urgency: "general"},
		{Code: "renovation", NameZh: "改造提升", NameEn: "Improvements", Urgency: "complex"},
		{Code: "other", NameZh: "其他", NameEn: "Other", Urgency: "general"},
	}
	limits := map[string][2]int{"urgent": {120, 24 * 60}, "general": {24 * 60, 7 * 24 * 60}, "complex": {24 * 60, 15 * 24 * 60}}
	for i := range cats {
		l := limits[cats[i].Urgency]
		cats[i].RespondMinutes, cats[i].ResolveMinutes = l[0], l[1]
		cats[i].Active, cats[i].Sort = true, i+1
	}
	return tx.Create(&cats).Error
}
