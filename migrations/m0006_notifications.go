package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the structs as they were at version 6.

type m6Notification struct {
	ID          uint64    `gorm:"primaryKey"`
	AccountID   uint64    `gorm:"not null;index:ix_notifications_inbox,priority:1"`
	Kind        string    `gorm:"size:32;not null"`
	SubjectType string    `gorm:"size:32;not null"`
	SubjectID   uint64    `gorm:"not null"`
	Key         string    `gorm:"size:100;not null"`
	Args        string    `gorm:"size:1000;not null"`
	Link        string    `gorm:"size:300;not null"`
	CreatedAt   time.Time `gorm:"not null;index:ix_notifications_inbox,priority:2"`
	ReadAt      *time.Time
}

func (m6Notification) TableName() string { return "notifications" }

type m6Outbox struct {
	ID             uint64    `gorm:"primaryKey"`
	NotificationID uint64    `gorm:"not null;uniqueIndex:ux_outbox_channel,priority:1"`
	Channel        string    `gorm:"size:16;not null;uniqueIndex:ux_outbox_channel,priority:2"`
	Status         string    `gorm:"size:16;not null;index:ix_outbox_due,priority:1"`
	Attempts       int       `gorm:"not null"`
	NextAttemptAt  time.Time `gorm:"not null;index:ix_outbox_due,priority:2"`
	LastError      string    `gorm:"size:500;not null"`
	SentAt         *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (m6Outbox) TableName() string { return "outbox" }

func m0006(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(&m6Notification{}, &m6Outbox{}); err != nil {
		return err
	}
	// The unread badge counts on every page a signed-in person opens.
	return tx.Exec("CREATE INDEX ix_notifications_unread ON notifications (account_id) WHERE read_at IS NULL").Error
}
