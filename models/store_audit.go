package models

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Audit describes one action for the trail.
type Audit struct {
	ActorID    *uint64
	Action     string
	ObjectType string
	ObjectID   uint64
	PlaceID    *uint64
	Result     string
	Detail     string
}

// Record inserts an audit entry. Called inside a Store transaction it
// commits or rolls back with the change it describes.
func (s *Store) Record(ctx context.Context, a Audit) error {
	if a.Result == "" {
		a.Result = ResultOK
	}
	objectID := ""
	if a.ObjectID != 0 {
		objectID = strconv.FormatUint(a.ObjectID, 10)
	}
	e := AuditEntry{
		At: s.Now(), ActorID: a.ActorID, Action: a.Action, ObjectType: a.ObjectType, ObjectID: objectID,
		PlaceID: a.PlaceID, Result: a.Result, Detail: truncate(a.Detail, 1000),
	}
	return s.conn(ctx).Create(&e).Error
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// SealAudit gives unsealed entries their chain positions, oldest first, at
// most batch of them, and returns how many it sealed. New entries wait in
// audit_pending (a trigger puts each there as it is inserted); they are
// sealed in the order the sealer sees them committed, not by id, so a
// transaction that commits late is chained late instead of being skipped.
// A seal is a row of its own in audit_seals: the entry itself is never
// updated. Only one sealer works at a time (an advisory lock on
// PostgreSQL, the single writer on SQLite).
//
// The sealer runs beside every request, so a batch costs few round trips:
// the queue's head leaves the queue in the statement that reads it (and
// comes back if the transaction fails), the entries are scanned by hand,
// and on PostgreSQL the seals go in as three array parameters.
func (s *Store) SealAudit(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = 500
	}
	sealed := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ctx := context.WithValue(ctx, txKey{}, tx)
		pg := tx.Dialector.Name() == "postgres"
		if pg {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", 0x61756474).Error; err != nil { // "audt"
				return err
			}
		}
		seq, prev, err := s.AuditHead(ctx)
		if err != nil {
			return err
		}
		next := seq + 1
		if seq == 0 {
			prev = chainGenesis
		}
		var queued []uint64
		if err := tx.Raw("DELETE FROM audit_pending WHERE entry_id IN (SELECT entry_id FROM audit_pending ORDER BY entry_id LIMIT ?) RETURNING entry_id", batch).Scan(&queued).Error; err != nil {
			return err
		}
		if len(queued) == 0 {
			return nil
		}
		slices.Sort(queued)
		pending, err := s.unsealedEntries(ctx, queued)
		if err != nil {
			return err
		}
		if len(pending) < len(queued) {
			if err := s.recordLost(ctx, tx, queued); err != nil {
				return err
			}
		}
		if len(pending) == 0 {
			return nil
		}
		seqs, ids, hashes := make([]int64, len(pending)), make([]int64, len(pending)), make([]string, len(pending))
		for i, e := range pending {
			prev = ChainHash(prev, next, e)
			seqs[i], ids[i], hashes[i] = next, int64(e.ID), prev
			next++
		}
		sealed = len(pending)
		if pg {
			_, err := tx.Statement.ConnPool.ExecContext(ctx, "INSERT INTO audit_seals (seq, entry_id, hash) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])", seqs, ids, hashes)
			return err
		}
		args := make([]any, 0, 3*len(pending))
		for i := range seqs {
			args = append(args, seqs[i], ids[i], hashes[i])
		}
		return tx.Exec("INSERT INTO audit_seals (seq, entry_id, hash) VALUES "+valueRows(len(pending), 3), args...).Error
	})
	if err != nil {
		return 0, err
	}
	return sealed, nil
}

// unsealedEntries loads the entries of ids, in id order, that still exist
// and bear no seal: an entry put back in the queue by hand after sealing
// keeps its seal.
func (s *Store) unsealedEntries(ctx context.Context, ids []uint64) ([]AuditEntry, error) {
	in, arg := s.anyOfIDs("e.id", ids)
	rows, err := s.hotRows(ctx, "SELECT e.id, e.at, e.actor_id, e.action, e.object_type, e.object_id, e.place_id, e.result, e.detail FROM audit_entries e WHERE "+in+
		" AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.entry_id = e.id) ORDER BY e.id", arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]AuditEntry, 0, len(ids))
	for rows.Next() {
		var e AuditEntry
		var actor, place sql.NullInt64
		if err := rows.Scan(&e.ID, &e.At, &actor, &e.Action, &e.ObjectType, &e.ObjectID, &place, &e.Result, &e.Detail); err != nil {
			return nil, err
		}
		if actor.Valid {
			v := uint64(actor.Int64)
			e.ActorID = &v
		}
		if place.Valid {
			v := uint64(place.Int64)
			e.PlaceID = &v
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// actionAuditLost is the action of the entry the sealer writes for a queued
// entry that was deleted before it could be sealed (recordLost spells it
// out, as every audit action is, for the console's name check).
const actionAuditLost = "audit.lost"

// recordLost writes an audit.lost entry for each of the queued ids that no
// longer exists: an entry deleted between its commit and its seal would
// otherwise leave no trace in the chain. The app never deletes entries, and
// an entry rolled back takes its queue row with it, so such a loss is
// tampering; VerifyAudit reports it. The new entries are queued and sealed
// like any other.
func (s *Store) recordLost(ctx context.Context, tx *gorm.DB, queued []uint64) error {
	in, arg := s.anyOfIDs("id", queued)
	var present []uint64
	if err := tx.Raw("SELECT id FROM audit_entries WHERE "+in, arg).Scan(&present).Error; err != nil {
		return err
	}
	there := make(map[uint64]bool, len(present))
	for _, id := range present {
		there[id] = true
	}
	for _, id := range queued {
		if there[id] {
			continue // sealed before, and put back by hand
		}
		lost := AuditEntry{At: s.Now(), Action: "audit.lost", ObjectType: "audit_entry", ObjectID: strconv.FormatUint(id, 10),
			Result: ResultFailed, Detail: "entry " + strconv.FormatUint(id, 10) + " was deleted before it was sealed"}
		if err := tx.Create(&lost).Error; err != nil {
			return err
		}
	}
	return nil
}

// RunSealer seals the trail every interval until ctx ends.
func (s *Store) RunSealer(ctx context.Context, interval time.Duration, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for {
				n, err := s.SealAudit(ctx, 500)
				if err != nil {
					if onErr != nil && ctx.Err() == nil {
						onErr(err)
					}
					break
				}
				if n < 500 {
					break
				}
			}
		}
	}
}

// AuditHead is the newest seal: its chain position and hash (0 and "" when
// nothing is sealed yet). Kept outside the database (the server logs it),
// it is a witness that `yishi audit verify --head` checks the trail
// against later: the chain alone cannot show that its newest entries were
// cut off the end together with their seals. The sealer reads it in its
// transaction to chain on from it.
func (s *Store) AuditHead(ctx context.Context) (seq int64, hash string, err error) {
	var head []struct {
		Seq  int64
		Hash string
	}
	if err := s.conn(ctx).Raw("SELECT seq, hash FROM audit_seals ORDER BY seq DESC LIMIT 1").Scan(&head).Error; err != nil || len(head) == 0 {
		return 0, "", err
	}
	return head[0].Seq, head[0].Hash, nil
}

// AuditSealAt returns the hash sealed at chain position seq, or ErrNotFound
// when the chain holds no such position.
func (s *Store) AuditSealAt(ctx context.Context, seq int64) (string, error) {
	var hash []string
	if err := s.db.WithContext(ctx).Raw("SELECT hash FROM audit_seals WHERE seq = ?", seq).Scan(&hash).Error; err != nil {
		return "", err
	}
	if len(hash) == 0 {
		return "", ErrNotFound
	}
	return hash[0], nil
}

// VerifyAudit walks the sealed chain and returns how many entries it checked,
// how many are still unsealed, and the first problem found.
func (s *Store) VerifyAudit(ctx context.Context) (checked, unsealed int64, problem *ChainProblem, err error) {
	db := s.db.WithContext(ctx)
	prev, next := chainGenesis, int64(1)
	const page = 1000
	for {
		// An entry deleted from under its seal drops out of the join: the
		// walk finds a gap in the positions there.
		var rows []AuditEntry
		if err = db.Raw("SELECT e.*, s.seq, s.hash FROM audit_seals s JOIN audit_entries e ON e.id = s.entry_id WHERE s.seq >= ? ORDER BY s.seq LIMIT ?", next, page).Scan(&rows).Error; err != nil {
			return
		}
		if len(rows) == 0 {
			break
		}
		var last string
		last, problem = VerifyChain(prev, next, rows)
		if problem != nil {
			checked += problem.Seq - next
			return
		}
		checked += int64(len(rows))
		prev, next = last, next+int64(len(rows))
	}
	// A seal the walk did not reach: its entry is gone (the walk stopped at
	// its position), or its position was set below 1 or past the end.
	var total int64
	if err = db.Table("audit_seals").Count(&total).Error; err != nil {
		return
	}
	if total != checked {
		var stray []struct {
			Seq     int64
			EntryID uint64
		}
		if err = db.Raw("SELECT seq, entry_id FROM audit_seals WHERE seq < 1 OR seq >= ? ORDER BY seq LIMIT 1", next).Scan(&stray).Error; err != nil {
			return
		}
		problem = &ChainProblem{Seq: next, Reason: "order"}
		if len(stray) == 1 {
			problem.EntryID = stray[0].EntryID
			if stray[0].Seq == next {
				problem.Reason = "gap"
			}
		}
		return
	}
	// The chain holds, but the sealer may have found an entry deleted
	// before its seal.
	var lost []struct {
		ObjectID string
		Seq      *int64
	}
	if err = db.Raw("SELECT e.object_id, s.seq FROM audit_entries e LEFT JOIN audit_seals s ON s.entry_id = e.id WHERE e.action = ? ORDER BY e.id LIMIT 1", actionAuditLost).Scan(&lost).Error; err != nil {
		return
	}
	if len(lost) == 1 {
		problem = &ChainProblem{Reason: "lost"}
		problem.EntryID, _ = strconv.ParseUint(lost[0].ObjectID, 10, 64)
		if lost[0].Seq != nil {
			problem.Seq = *lost[0].Seq
		}
		return
	}
	err = db.Raw("SELECT COUNT(*) FROM audit_entries e WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.entry_id = e.id)").Scan(&unsealed).Error
	return
}

// AuditFilter narrows the audit trail listing.
type AuditFilter struct {
	PlaceIDs   []uint64  // entries at any of these places' subtrees; nil = no narrowing
	Unplaced   bool      // also entries filed at no place (unknown-phone sign-ins, accounts without a home) or at a place since deleted
	Action     string    // exact action, "place.create"
	ActorPhone string    // the actor's login phone, exact
	From, To   time.Time // At >= From and At < To; zero = open
	Page       int
	PerPage    int
}

// AuditRow is an entry as the console shows it.
type AuditRow struct {
	AuditEntry
	ActorName  string
	ActorPhone string
	PlaceName  string
}

// ListAudit pages through the trail, newest first, within the scopes given
// (nil scopes = everywhere; entries at no place, or at a place that no
// longer exists, only then or with f.Unplaced).
func (s *Store) ListAudit(ctx context.Context, scopes []Place, f AuditFilter) ([]AuditRow, int64, error) {
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	q := s.conn(ctx).Table("audit_entries AS e").
		Joins("LEFT JOIN accounts a ON a.id = e.actor_id").
		Joins("LEFT JOIN places p ON p.id = e.place_id")
	if scopes != nil {
		if len(scopes) == 0 && !f.Unplaced {
			return nil, 0, nil
		}
		q = q.Where(s.underAny(ctx, scopes, f.Unplaced))
	}
	if f.PlaceIDs != nil {
		var within []Place
		if len(f.PlaceIDs) > 0 {
			if err := s.conn(ctx).Where("id IN ?", f.PlaceIDs).Find(&within).Error; err != nil {
				return nil, 0, err
			}
		}
		if len(within) == 0 {
			return nil, 0, nil
		}
		q = q.Where(s.underAny(ctx, within, false))
	}
	if f.Action != "" {
		q = q.Where("e.action = ?", f.Action)
	}
	if f.ActorPhone != "" {
		q = q.Where("a.phone = ?", NormalizePhone(f.ActorPhone))
	}
	if !f.From.IsZero() {
		q = q.Where("e.at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("e.at < ?", f.To.UTC())
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []AuditRow
	err := q.Select("e.*, a.name AS actor_name, a.phone AS actor_phone, p.name AS place_name").
		Order("e.id DESC").Offset((f.Page - 1) * f.PerPage).Limit(f.PerPage).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list audit: %w", err)
	}
	return rows, total, nil
}

// underAny is the condition "the entry's place lies in one of places' subtrees"
// (or, with unplaced, "the entry has no place": none was filed, or the one
// filed has been deleted since, so no subtree holds it any more).
func (s *Store) underAny(ctx context.Context, places []Place, unplaced bool) *gorm.DB {
	cond := s.conn(ctx).Session(&gorm.Session{NewDB: true})
	first := true
	or := func(expr string, args ...any) {
		if first {
			cond = cond.Where(expr, args...)
			first = false
		} else {
			cond = cond.Or(expr, args...)
		}
	}
	for _, sc := range places {
		or("p.path LIKE ?", sc.Path+"%")
	}
	if unplaced {
		or("p.id IS NULL")
	}
	return cond
}

// AuditTrail is the trail as the principal may read it: entries at the
// places where it holds PermViewAudit, narrowed to placeID's subtree when
// placeID is not 0 (ErrForbidden outside its places). Entries filed at no
// place, or at a place deleted since (whose subtree nobody can tell any
// more), are an administrator's only.
func (s *Store) AuditTrail(ctx context.Context, p *Principal, placeID uint64, f AuditFilter) ([]AuditRow, int64, error) {
	if !p.CanAnywhere(PermViewAudit) {
		return nil, 0, ErrForbidden
	}
	scopes := p.Scopes(PermViewAudit)
	f.Unplaced = false
	if placeID != 0 {
		pl, err := s.PlaceByID(ctx, placeID)
		if err != nil {
			return nil, 0, err
		}
		if !p.Can(PermViewAudit, pl) {
			return nil, 0, ErrForbidden
		}
		scopes = []Place{pl}
	} else if p.Has(RoleAdmin) {
		f.Unplaced = true
	}
	return s.ListAudit(ctx, scopes, f)
}

// AuditActions lists the actions the trail holds, for the console's filter.
//
// A DISTINCT would read the whole trail, which every vote of every ballot
// adds to, on each visit to the console. The recursive query instead steps
// from one action to the next through the action index: a probe per
// distinct action, however long the trail.
func (s *Store) AuditActions(ctx context.Context) ([]string, error) {
	var out []string
	err := s.conn(ctx).Raw(`WITH RECURSIVE actions(action) AS (
			SELECT MIN(action) FROM audit_entries
			UNION ALL
			SELECT (SELECT MIN(e.action) FROM audit_entries e WHERE e.action > a.action) FROM actions a WHERE a.action IS NOT NULL
		)
		SELECT action FROM actions WHERE action IS NOT NULL`).Scan(&out).Error
	return out, err
}
