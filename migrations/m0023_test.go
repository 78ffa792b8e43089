package migrations_test

import (
	"context"
	"testing"

	"yishi/migrations"
	"yishi/models/modeltest"
)

// Step 23 creates the table of meetings' records at their close, keyed by
// the meeting: one record each.
func TestStep23KeepsOneRecordPerMeeting(t *testing.T) {
	ctx := context.Background()
	for _, d := range modeltest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			db := modeltest.OpenDB(t, d)
			if _, err := migrations.UpTo(ctx, db, 22); err != nil {
				t.Fatal(err)
			}
			if db.Migrator().HasTable("meeting_records") {
				t.Fatal("meeting_records before step 23")
			}
			if _, err := migrations.Up(ctx, db); err != nil {
				t.Fatal(err)
			}
			insert := `INSERT INTO meeting_records (meeting_id, record, created_at) VALUES (1, '{}', CURRENT_TIMESTAMP)`
			if err := db.Exec(insert).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(insert).Error; err == nil {
				t.Fatal("a second record of one meeting was kept")
			}
		})
	}
}
