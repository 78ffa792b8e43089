package migrations

import "gorm.io/gorm"

// Frozen copy of the column step 24 adds to councils.

// m24Council is the column step 24 adds: whether a council's quorum is more
// than its share (过半数: more than half) rather than at least it.
type m24Council struct {
	QuorumOver bool `gorm:"not null;default:false"`
}

func (m24Council) TableName() string { return "councils" }

// m0024 adds the column; every council so far keeps its "at least" quorum.
func m0024(tx *gorm.DB) error {
	return tx.Migrator().AddColumn(&m24Council{}, "QuorumOver")
}
