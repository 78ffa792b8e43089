package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copy of the column step 19 adds to ballots.

// m19Ballot is the column step 19 adds to ballots: when its result was
// counted. Writers of votes check it under a share lock on the ballot's
// row, and the count sets it under an exclusive one, so no vote is written
// after the count that leaves it out.
type m19Ballot struct {
	TalliedAt *time.Time
}

func (m19Ballot) TableName() string { return "ballots" }

func m0019(tx *gorm.DB) error {
	if err := tx.Migrator().AddColumn(&m19Ballot{}, "TalliedAt"); err != nil {
		return err
	}
	// Ballots counted before this step were counted at or after closing.
	return tx.Exec(`UPDATE ballots SET tallied_at = closes_at WHERE id IN (SELECT ballot_id FROM ballot_results)`).Error
}
