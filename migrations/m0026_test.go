package migrations_test

import (
	"context"
	"testing"

	"yishi/migrations"
	"yishi/models/modeltest"
)

// Step 26 keeps every known device and gives it no stated kind until its
// next sign-in.
func TestStep26KeepsKnownDevices(t *testing.T) {
	ctx := context.Background()
	for _, d := range modeltest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			db := modeltest.OpenDB(t, d)
			if _, err := migrations.UpTo(ctx, db, 25); err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(`INSERT INTO sign_in_devices (id, account_id, created_at, last_used_at) VALUES ('h', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`).Error; err != nil {
				t.Fatal(err)
			}
			if _, err := migrations.Up(ctx, db); err != nil {
				t.Fatal(err)
			}
			var agents []string
			if err := db.Raw(`SELECT agent FROM sign_in_devices WHERE id = 'h'`).Scan(&agents).Error; err != nil {
				t.Fatal(err)
			}
			if len(agents) != 1 || agents[0] != "" {
				t.Fatalf("the known device after the step: %q, want one of no kind", agents)
			}
			if err := db.Exec(`UPDATE sign_in_devices SET agent = 'android/wechat' WHERE id = 'h'`).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Raw(`SELECT agent FROM sign_in_devices WHERE id = 'h'`).Scan(&agents).Error; err != nil || len(agents) != 1 || agents[0] != "android/wechat" {
				t.Fatalf("agent after setting it: %q %v", agents, err)
			}
		})
	}
}
