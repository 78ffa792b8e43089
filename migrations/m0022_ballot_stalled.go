package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copy of the columns step 22 adds to ballots.

// m22Ballot is the columns step 22 adds to ballots: when a ballot was
// found due with candidates that did not suit its method, and the council
// resolution it was started from (both NULL for every other).
type m22Ballot struct {
	StalledAt    *time.Time
	ResolutionID *uint64 `gorm:"index"`
}

func (m22Ballot) TableName() string { return "ballots" }

// m0022 adds the columns and fills in the resolution of every ballot a
// resolution names: until now the link was kept on the resolution's side
// only, and a resolution names only its latest ballot.
func m0022(tx *gorm.DB) error {
	for _, col := range []string{"StalledAt", "ResolutionID"} {
		if err := tx.Migrator().AddColumn(&m22Ballot{}, col); err != nil {
			return err
		}
	}
	if err := tx.Migrator().CreateIndex(&m22Ballot{}, "ResolutionID"); err != nil {
		return err
	}
	return tx.Exec(`UPDATE ballots SET resolution_id = (SELECT MIN(r.id) FROM resolutions r WHERE r.ballot_id = ballots.id)
		WHERE EXISTS (SELECT 1 FROM resolutions r WHERE r.ballot_id = ballots.id)`).Error
}
