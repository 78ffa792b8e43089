package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 1.

type m1Place struct {
	ID        uint64  `gorm:"primaryKey"`
	ParentID  *uint64 `gorm:"index"`
	Kind      string  `gorm:"size:16;not null"`
	Name      string  `gorm:"size:100;not null"`
	Path      string  `gorm:"size:255;not null;index"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (m1Place) TableName() string { return "places" }

type m1Account struct {
	ID           uint64 `gorm:"primaryKey"`
	Phone        string `gorm:"size:20;not null;uniqueIndex"`
	Name         string `gorm:"size:60;not null"`
	PasswordHash string `gorm:"size:200;not null"`
	Locale       string `gorm:"size:10;not null"`
	LargeText    bool   `gorm:"not null"`
	HighContrast bool   `gorm:"not null"`
	FailedLogins int    `gorm:"not null"`
	LockedUntil  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (m1Account) TableName() string { return "accounts" }

type m1RoleGrant struct {
	ID          uint64 `gorm:"primaryKey"`
	AccountID   uint64 `gorm:"not null;uniqueIndex:ux_role_grants,priority:1"`
	Role        string `gorm:"size:32;not null;uniqueIndex:ux_role_grants,priority:2"`
	PlaceID     uint64 `gorm:"not null;uniqueIndex:ux_role_grants,priority:3;index"`
	GrantedByID *uint64
	CreatedAt   time.Time
}

func (m1RoleGrant) TableName() string { return "role_grants" }

type m1Resident struct {
	ID          uint64  `gorm:"primaryKey"`
	HouseholdID uint64  `gorm:"not null;index"`
	Name        string  `gorm:"size:60;not null"`
	Phone       string  `gorm:"size:20;not null;index"`
	BirthYear   int     `gorm:"not null"`
	IsHead      bool    `gorm:"not null"`
	AccountID   *uint64 `gorm:"uniqueIndex"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (m1Resident) TableName() string { return "residents" }

type m1Registration struct {
	ID          uint64 `gorm:"primaryKey"`
	AccountID   uint64 `gorm:"not null;index"`
	HouseholdID uint64 `gorm:"not null;index"`
	Name        string `gorm:"size:60;not null"`
	Status      string `gorm:"size:16;not null;index"`
	Reason      string `gorm:"size:500;not null"`
	DecidedByID *uint64
	DecidedAt   *time.Time
	CreatedAt   time.Time
}

func (m1Registration) TableName() string { return "registrations" }

type m1InviteCode struct {
	ID          uint64    `gorm:"primaryKey"`
	HouseholdID uint64    `gorm:"not null;index"`
	CodeHash    string    `gorm:"size:64;not null;uniqueIndex"`
	Hint        string    `gorm:"size:4;not null"`
	ExpiresAt   time.Time `gorm:"not null"`
	UsedByID    *uint64
	UsedAt      *time.Time
	CreatedByID uint64 `gorm:"not null"`
	CreatedAt   time.Time
}

func (m1InviteCode) TableName() string { return "invite_codes" }

type m1Session struct {
	ID         string    `gorm:"primaryKey;size:64"`
	AccountID  uint64    `gorm:"not null;index"`
	CreatedAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null"`
	RevokedAt  *time.Time
}

func (m1Session) TableName() string { return "sessions" }

type m1Notice struct {
	ID              uint64 `gorm:"primaryKey"`
	PlaceID         uint64 `gorm:"not null;index"`
	Title           string `gorm:"size:400;not null"`
	Body            string `gorm:"type:text;not null"`
	Status          string `gorm:"size:16;not null;index"`
	AuthorID        uint64 `gorm:"not null"`
	PublishedAt     *time.Time
	PeriodDays      int `gorm:"not null"`
	PeriodEndsAt    *time.Time
	AllowObjections bool   `gorm:"not null"`
	SourceType      string `gorm:"size:32;not null;index:ix_notices_source,priority:1"`
	SourceID        uint64 `gorm:"not null;index:ix_notices_source,priority:2"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (m1Notice) TableName() string { return "notices" }

type m1Objection struct {
	ID           uint64 `gorm:"primaryKey"`
	NoticeID     uint64 `gorm:"not null;index"`
	AccountID    uint64 `gorm:"not null;index"`
	Reason       string `gorm:"type:text;not null"`
	Answer       string `gorm:"type:text;not null"`
	AnsweredByID *uint64
	AnsweredAt   *time.Time
	CreatedAt    time.Time
}

func (m1Objection) TableName() string { return "objections" }

type m1AuditEntry struct {
	ID         uint64    `gorm:"primaryKey"`
	At         time.Time `gorm:"not null;index"`
	ActorID    *uint64   `gorm:"index"`
	Action     string    `gorm:"size:64;not null;index"`
	ObjectType string    `gorm:"size:32;not null"`
	ObjectID   string    `gorm:"size:64;not null"`
	PlaceID    *uint64   `gorm:"index"`
	Result     string    `gorm:"size:16;not null"`
	Detail     string    `gorm:"size:1000;not null"`
	Seq        *int64    `gorm:"uniqueIndex"`
	Hash       string    `gorm:"size:64;not null"`
}

func (m1AuditEntry) TableName() string { return "audit_entries" }

func m0001(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(
		&m1Place{}, &m1Account{}, &m1RoleGrant{}, &m1Resident{}, &m1Registration{},
		&m1InviteCode{}, &m1Session{}, &m1Notice{}, &m1Objection{}, &m1AuditEntry{},
	); err != nil {
		return err
	}
	// At most one pending registration per account.
	return tx.Exec(`CREATE UNIQUE INDEX ux_registrations_pending ON registrations (account_id) WHERE status = 'pending'`).Error
}
