package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 8.

type m8Provider struct {
	ID           uint64  `gorm:"primaryKey"`
	Kind         string  `gorm:"size:16;not null;index"`
	Name         string  `gorm:"size:100;not null"`
	Phone        string  `gorm:"size:20;not null"`
	PlaceID      uint64  `gorm:"not null;index"`
	AccountID    *uint64 `gorm:"index"`
	TakerID      *uint64 `gorm:"index"`
	VerifiedAt   *time.Time
	VerifiedByID *uint64
	CreatedAt    time.Time
}

func (m8Provider) TableName() string { return "providers" }

type m8Offer struct {
	ID             uint64 `gorm:"primaryKey"`
	ProviderID     uint64 `gorm:"not null;index"`
	Kind           string `gorm:"size:16;not null;index"`
	Title          string `gorm:"size:100;not null"`
	Description    string `gorm:"type:text;not null"`
	Capacity       int64  `gorm:"not null"`
	CapacityUnit   string `gorm:"size:20;not null"`
	Availability   string `gorm:"size:200;not null"`
	AvailableFrom  *time.Time
	AvailableUntil *time.Time
	Public         bool   `gorm:"not null"`
	Status         string `gorm:"size:16;not null;index"`
	VerifiedAt     *time.Time
	VerifiedByID   *uint64
	WithdrawnAt    *time.Time
	CreatedAt      time.Time `gorm:"index"`
	UpdatedAt      time.Time
}

func (m8Offer) TableName() string { return "offers" }

type m8OfferPlace struct {
	OfferID uint64 `gorm:"primaryKey;autoIncrement:false"`
	PlaceID uint64 `gorm:"primaryKey;autoIncrement:false;index"`
}

func (m8OfferPlace) TableName() string { return "offer_places" }

func m0008(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&m8Provider{}, &m8Offer{}, &m8OfferPlace{})
}
