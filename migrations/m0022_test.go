package migrations_test

import (
	"context"
	"testing"
	"time"

	"yishi/migrations"
	"yishi/models/modeltest"
)

// Step 22 gives every ballot a resolution names the link back to it, and
// leaves the others without one.
func TestStep22LinksBallotsToTheirResolutions(t *testing.T) {
	ctx := context.Background()
	for _, d := range modeltest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			db := modeltest.OpenDB(t, d)
			if _, err := migrations.UpTo(ctx, db, 21); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			for _, id := range []int{1, 2} {
				if err := db.Exec(`INSERT INTO ballots (id, place_id, title, description, electorate, method, min_choices, max_choices, budget_fen, rank_k, seats,
					opens_at, closes_at, turnout_pct, secret, fingerprint, electorate_size, amendments, created_by_id, created_at, updated_at)
					VALUES (?, 1, 'b', '', 'residents', 'single', 1, 1, 0, 0, 1, ?, ?, 0, false, '', 0, 0, 1, ?, ?)`, id, now, now, now, now).Error; err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Exec(`INSERT INTO resolutions (id, council_id, meeting_id, motion_id, text, status, percent, result, reason, ballot_id, created_at, updated_at)
				VALUES (7, 1, 1, 1, 'r', 'open', 0, '', '', 2, ?, ?)`, now, now).Error; err != nil {
				t.Fatal(err)
			}
			if _, err := migrations.Up(ctx, db); err != nil {
				t.Fatal(err)
			}
			var rows []struct {
				ID           uint64
				ResolutionID *uint64
				StalledAt    *time.Time
			}
			if err := db.Raw("SELECT id, resolution_id, stalled_at FROM ballots ORDER BY id").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].ResolutionID != nil || rows[1].ResolutionID == nil || *rows[1].ResolutionID != 7 ||
				rows[0].StalledAt != nil || rows[1].StalledAt != nil {
				t.Fatalf("ballots after step 22: %+v", rows)
			}
		})
	}
}
