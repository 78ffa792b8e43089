package migrations_test

import (
	"context"
	"testing"

	"yishi/migrations"
	"yishi/models/modeltest"
)

// Step 25 creates the table of known sign-in devices, one row per token
// hash, which nothing fills until the next sign-in.
func TestStep25KnowsEachDeviceOnce(t *testing.T) {
	ctx := context.Background()
	for _, d := range modeltest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			db := modeltest.OpenDB(t, d)
			if _, err := migrations.UpTo(ctx, db, 24); err != nil {
				t.Fatal(err)
			}
			if db.Migrator().HasTable("sign_in_devices") {
				t.Fatal("sign_in_devices before step 25")
			}
			if _, err := migrations.Up(ctx, db); err != nil {
				t.Fatal(err)
			}
			var n int64
			if err := db.Table("sign_in_devices").Count(&n).Error; err != nil || n != 0 {
				t.Fatalf("devices after the step: %d (%v)", n, err)
			}
			insert := `INSERT INTO sign_in_devices (id, account_id, created_at, last_used_at) VALUES ('h', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`
			if err := db.Exec(insert).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(insert).Error; err == nil {
				t.Fatal("one token hash was kept twice")
			}
			var failed int
			if err := db.Raw(`SELECT failed_logins FROM sign_in_devices WHERE id = 'h'`).Scan(&failed).Error; err != nil || failed != 0 {
				t.Fatalf("a new device's failures: %d (%v)", failed, err)
			}
		})
	}
}
