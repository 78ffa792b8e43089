package migrations_test

import (
	"context"
	"testing"
	"time"

	"yishi/migrations"
	"yishi/models/modeltest"
)

// Step 18 carries the seals of a trail over to audit_seals, queues the
// entries not yet sealed, and from then on queues every new entry.
func TestStep18MovesSealsAndQueuesEntries(t *testing.T) {
	ctx := context.Background()
	for _, d := range modeltest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			db := modeltest.OpenDB(t, d)
			if _, err := migrations.UpTo(ctx, db, 17); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			for i, sealed := range []bool{true, true, false} {
				seq, hash := any(nil), ""
				if sealed {
					seq, hash = int64(i+1), "h"+string(rune('a'+i))
				}
				if err := db.Exec("INSERT INTO audit_entries (id, at, action, object_type, object_id, result, detail, seq, hash) VALUES (?, ?, 'test.write', 'test', '', 'ok', '', ?, ?)",
					i+1, now, seq, hash).Error; err != nil {
					t.Fatal(err)
				}
			}
			if _, err := migrations.Up(ctx, db); err != nil {
				t.Fatal(err)
			}
			var seals []struct {
				Seq     int64
				EntryID uint64
				Hash    string
			}
			if err := db.Raw("SELECT seq, entry_id, hash FROM audit_seals ORDER BY seq").Scan(&seals).Error; err != nil {
				t.Fatal(err)
			}
			if len(seals) != 2 || seals[0].EntryID != 1 || seals[1].Seq != 2 || seals[1].Hash != "hb" {
				t.Fatalf("seals carried over: %+v", seals)
			}
			if db.Migrator().HasColumn("audit_entries", "seq") || db.Migrator().HasColumn("audit_entries", "hash") {
				t.Fatal("audit_entries still has its seal columns")
			}
			// The trigger queues a new entry, one per row of a multi-row insert.
			if err := db.Exec("INSERT INTO audit_entries (id, at, action, object_type, object_id, result, detail) VALUES (4, ?, 'test.write', 'test', '', 'ok', ''), (5, ?, 'test.write', 'test', '', 'ok', '')", now, now).Error; err != nil {
				t.Fatal(err)
			}
			var queued []uint64
			if err := db.Raw("SELECT entry_id FROM audit_pending ORDER BY entry_id").Scan(&queued).Error; err != nil {
				t.Fatal(err)
			}
			if len(queued) != 3 || queued[0] != 3 || queued[1] != 4 || queued[2] != 5 {
				t.Fatalf("queued for sealing: %v", queued)
			}
		})
	}
}
