package migrations_test

import (
	"context"
	"testing"

	"yishi/migrations"
	"yishi/models/modeltest"
)

// Step 24 leaves every existing council's quorum as it was (at least its
// share) and lets a council ask for more than its share.
func TestStep24KeepsQuorumsAtLeastTheirShare(t *testing.T) {
	ctx := context.Background()
	for _, d := range modeltest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			db := modeltest.OpenDB(t, d)
			if _, err := migrations.UpTo(ctx, db, 23); err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(`INSERT INTO places (id, kind, name, path, created_at, updated_at) VALUES (1, 'community', '社区', '/1/', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(`INSERT INTO councils (id, place_id, kind, name, quorum_num, quorum_den, pass_rule, notice_days, created_at, updated_at)
				VALUES (1, 1, 'residents', '议事会', 2, 3, 'majority_members', 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`).Error; err != nil {
				t.Fatal(err)
			}
			if _, err := migrations.Up(ctx, db); err != nil {
				t.Fatal(err)
			}
			var over []bool
			if err := db.Raw(`SELECT quorum_over FROM councils WHERE id = 1`).Scan(&over).Error; err != nil {
				t.Fatal(err)
			}
			if len(over) != 1 || over[0] {
				t.Fatalf("existing council's quorum_over = %v, want false", over)
			}
			if err := db.Exec(`UPDATE councils SET quorum_over = ? WHERE id = 1`, true).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Raw(`SELECT quorum_over FROM councils WHERE id = 1`).Scan(&over).Error; err != nil || len(over) != 1 || !over[0] {
				t.Fatalf("quorum_over after setting it: %v %v", over, err)
			}
		})
	}
}
