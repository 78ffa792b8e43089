package migrations

import "gorm.io/gorm"

// Frozen copy of the column step 20 adds to sessions.

// m20Session is the column step 20 adds to sessions: the ballot a service
// station's session is fenced to (NULL for every other session).
type m20Session struct {
	KioskBallotID *uint64
}

func (m20Session) TableName() string { return "sessions" }

func m0020(tx *gorm.DB) error {
	return tx.Migrator().AddColumn(&m20Session{}, "KioskBallotID")
}
