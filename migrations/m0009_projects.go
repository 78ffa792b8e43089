package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 9.

type m9Project struct {
	ID           uint64  `gorm:"primaryKey"`
	Title        string  `gorm:"size:120;not null"`
	Summary      string  `gorm:"type:text;not null"`
	PlaceID      uint64  `gorm:"not null;index"`
	OwnerID      uint64  `gorm:"not null;index"`
	UndertakerID *uint64 `gorm:"index"`
	BudgetFen    int64   `gorm:"not null"`
	WantKinds    string  `gorm:"size:100;not null"`
	StartOn      *time.Time
	EndOn        *time.Time
	Status       string  `gorm:"size:24;not null;index"`
	Percent      int     `gorm:"not null"`
	SourceType   string  `gorm:"size:32;not null;index:ix_projects_source,priority:1"`
	SourceID     *uint64 `gorm:"index:ix_projects_source,priority:2"`
	AcceptedAt   *time.Time
	ClosedAt     *time.Time
	CreatedAt    time.Time `gorm:"index"`
	UpdatedAt    time.Time
}

func (m9Project) TableName() string { return "projects" }

type m9ProjectNeed struct {
	ProjectID uint64 `gorm:"primaryKey;autoIncrement:false"`
	NeedID    uint64 `gorm:"primaryKey;autoIncrement:false;index"`
}

func (m9ProjectNeed) TableName() string { return "project_needs" }

type m9ProjectOffer struct {
	ProjectID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	OfferID     uint64 `gorm:"primaryKey;autoIncrement:false;index"`
	Amount      int64  `gorm:"not null"`
	Note        string `gorm:"size:500;not null"`
	MatchedByID *uint64
	CreatedAt   time.Time
}

func (m9ProjectOffer) TableName() string { return "project_offers" }

type m9ProjectApplication struct {
	ID          uint64 `gorm:"primaryKey"`
	ProjectID   uint64 `gorm:"not null;uniqueIndex:ux_project_applications,priority:1"`
	ProviderID  uint64 `gorm:"not null;uniqueIndex:ux_project_applications,priority:2;index"`
	Note        string `gorm:"type:text;not null"`
	ApplicantID uint64 `gorm:"not null"`
	CreatedAt   time.Time
}

func (m9ProjectApplication) TableName() string { return "project_applications" }

type m9ProjectMilestone struct {
	ID        uint64    `gorm:"primaryKey"`
	ProjectID uint64    `gorm:"not null;index"`
	Title     string    `gorm:"size:120;not null"`
	DueOn     time.Time `gorm:"not null"`
	DoneAt    *time.Time
	CreatedAt time.Time
}

func (m9ProjectMilestone) TableName() string { return "project_milestones" }

type m9ProjectUpdate struct {
	ID        uint64 `gorm:"primaryKey"`
	ProjectID uint64 `gorm:"not null;index"`
	AuthorID  uint64 `gorm:"not null"`
	Note      string `gorm:"type:text;not null"`
	Percent   int    `gorm:"not null"`
	CreatedAt time.Time
}

func (m9ProjectUpdate) TableName() string { return "project_updates" }

type m9ProjectPhoto struct {
	ID          uint64 `gorm:"primaryKey"`
	ProjectID   uint64 `gorm:"not null;index"`
	UpdateID    uint64 `gorm:"not null;index"`
	ContentType string `gorm:"size:32;not null"`
	Data        []byte `gorm:"not null"`
	Width       int    `gorm:"not null"`
	Height      int    `gorm:"not null"`
	CreatedAt   time.Time
}

func (m9ProjectPhoto) TableName() string { return "project_photos" }

type m9ProjectAcceptance struct {
	ID        uint64    `gorm:"primaryKey"`
	ProjectID uint64    `gorm:"not null;index"`
	Accepted  bool      `gorm:"not null"`
	Checked   string    `gorm:"size:1000;not null"`
	Note      string    `gorm:"type:text;not null"`
	ByID      uint64    `gorm:"not null"`
	At        time.Time `gorm:"not null"`
}

func (m9ProjectAcceptance) TableName() string { return "project_acceptances" }

type m9ProjectRating struct {
	ProjectID uint64 `gorm:"primaryKey;autoIncrement:false"`
	AccountID uint64 `gorm:"primaryKey;autoIncrement:false;index"`
	Rating    int    `gorm:"not null"`
	Comment   string `gorm:"size:500;not null"`
	CreatedAt time.Time
}

func (m9ProjectRating) TableName() string { return "project_ratings" }

type m9ProjectEvent struct {
	ID         uint64    `gorm:"primaryKey"`
	ProjectID  uint64    `gorm:"not null;index"`
	At         time.Time `gorm:"not null"`
	ActorID    *uint64
	Action     string `gorm:"size:24;not null"`
	FromStatus string `gorm:"size:24;not null"`
	ToStatus   string `gorm:"size:24;not null"`
	Note       string `gorm:"size:1000;not null"`
}

func (m9ProjectEvent) TableName() string { return "project_events" }

func m0009(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(
		&m9Project{}, &m9ProjectNeed{}, &m9ProjectOffer{}, &m9ProjectApplication{}, &m9ProjectMilestone{},
		&m9ProjectUpdate{}, &m9ProjectPhoto{}, &m9ProjectAcceptance{}, &m9ProjectRating{}, &m9ProjectEvent{},
	)
}
