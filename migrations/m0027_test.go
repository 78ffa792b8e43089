package migrations_test

import (
	"context"
	"testing"

	"yishi/migrations"
	"yishi/models/modeltest"
)

// Step 27 creates the second factors off for everyone, one per account,
// and the challenges of sign-ins awaiting a code.
func TestStep27CreatesSecondFactorsOff(t *testing.T) {
	ctx := context.Background()
	for _, d := range modeltest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			db := modeltest.OpenDB(t, d)
			if _, err := migrations.UpTo(ctx, db, 26); err != nil {
				t.Fatal(err)
			}
			if db.Migrator().HasTable("second_factors") || db.Migrator().HasTable("sign_in_challenges") {
				t.Fatal("second factor tables before step 27")
			}
			if _, err := migrations.Up(ctx, db); err != nil {
				t.Fatal(err)
			}
			insert := `INSERT INTO second_factors (account_id, secret, created_at) VALUES (1, 'S', CURRENT_TIMESTAMP)`
			if err := db.Exec(insert).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(insert).Error; err == nil {
				t.Fatal("an account was given two second factors")
			}
			var off []bool
			if err := db.Raw(`SELECT enabled_at IS NULL FROM second_factors WHERE account_id = 1`).Scan(&off).Error; err != nil || len(off) != 1 || !off[0] {
				t.Fatalf("a new second factor is on: %v %v", off, err)
			}
			if err := db.Exec(`INSERT INTO sign_in_challenges (id, account_id, created_at) VALUES ('h', 1, CURRENT_TIMESTAMP)`).Error; err != nil {
				t.Fatal(err)
			}
			var failures int
			if err := db.Raw(`SELECT failures FROM second_factors WHERE account_id = 1`).Scan(&failures).Error; err != nil || failures != 0 {
				t.Fatalf("a new second factor's failures: %d %v", failures, err)
			}
		})
	}
}
