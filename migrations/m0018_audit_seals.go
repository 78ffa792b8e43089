package migrations

import "gorm.io/gorm"

// Step 18 moves the chain positions and hashes of the audit trail out of
// audit_entries into a table of seals, and queues new entries for the
// sealer by a trigger. Sealing used to update every entry once: a second,
// full copy of the row with a new entry in each of the table's seven
// indexes, for every entry ever written. Now an entry is written once and
// never changed; sealing adds one narrow row.
func m0018(tx *gorm.DB) error {
	pg := tx.Dialector.Name() == "postgres"
	stmts := []string{
		`CREATE TABLE audit_seals (
			seq BIGINT NOT NULL PRIMARY KEY,
			entry_id BIGINT NOT NULL UNIQUE,
			hash VARCHAR(64) NOT NULL
		)`,
		`INSERT INTO audit_seals (seq, entry_id, hash) SELECT seq, id, hash FROM audit_entries WHERE seq IS NOT NULL`,
		`CREATE TABLE audit_pending (entry_id BIGINT NOT NULL PRIMARY KEY)`,
		`INSERT INTO audit_pending (entry_id) SELECT id FROM audit_entries WHERE seq IS NULL`,
		`DROP INDEX IF EXISTS ix_audit_unsealed`,
		`DROP INDEX IF EXISTS idx_audit_entries_seq`,
		`ALTER TABLE audit_entries DROP COLUMN seq`,
		`ALTER TABLE audit_entries DROP COLUMN hash`,
	}
	if pg {
		// A statement trigger: a multi-row insert queues its entries in one
		// statement.
		stmts = append(stmts,
			`CREATE FUNCTION audit_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				INSERT INTO audit_pending (entry_id) SELECT id FROM new_entries;
				RETURN NULL;
			END $$`,
			`CREATE TRIGGER audit_enqueue AFTER INSERT ON audit_entries
				REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_enqueue()`)
	} else {
		stmts = append(stmts, `CREATE TRIGGER audit_enqueue AFTER INSERT ON audit_entries
			BEGIN INSERT INTO audit_pending (entry_id) VALUES (NEW.id); END`)
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}
