package migrations_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"yishi/migrations"
	"yishi/models/modeltest"
)

func TestUpIsIdempotentAndRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	for _, d := range modeltest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			db := modeltest.OpenDB(t, d)
			if cur, err := migrations.Current(ctx, db); err != nil || cur != 0 {
				t.Fatalf("empty database at %d: %v", cur, err)
			}
			n, err := migrations.Up(ctx, db)
			if err != nil || n != len(mustList(t, db)) {
				t.Fatalf("first up applied %d: %v", n, err)
			}
			if n, err := migrations.Up(ctx, db); err != nil || n != 0 {
				t.Fatalf("second up applied %d: %v", n, err)
			}
			for _, s := range mustList(t, db) {
				if s.AppliedAt == nil {
					t.Fatalf("step %d not recorded", s.Version)
				}
			}
			for _, table := range []string{"places", "accounts", "role_grants", "residents", "registrations", "invite_codes", "sessions", "notices", "objections", "audit_entries"} {
				if !db.Migrator().HasTable(table) {
					t.Errorf("table %s missing", table)
				}
			}
			if err := migrations.Check(ctx, db); err != nil {
				t.Fatal(err)
			}
			// A database migrated by a newer binary is refused.
			if err := db.Exec("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, 'from the future', CURRENT_TIMESTAMP)", migrations.Latest()+1).Error; err != nil {
				t.Fatal(err)
			}
			if err := migrations.Check(ctx, db); !errors.Is(err, migrations.ErrSchemaTooNew) {
				t.Fatalf("check: %v", err)
			}
			if _, err := migrations.Up(ctx, db); !errors.Is(err, migrations.ErrSchemaTooNew) {
				t.Fatalf("up: %v", err)
			}
		})
	}
}

func mustList(t *testing.T, db *gorm.DB) []migrations.Status {
	t.Helper()
	list, err := migrations.List(context.Background(), db)
	if err != nil || len(list) == 0 {
		t.Fatalf("list: %v", err)
	}
	return list
}
