package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// Store persists the domain. Its methods load what a rule needs, apply the
// rule and write, in one transaction when they write. A method called with a
// context that already carries a transaction joins it.
type Store struct {
	db      *gorm.DB
	now     func() time.Time
	frozen  frozenCache
	votes   batcher[*voteRequest] // group commit of votes (vote_batch.go)
	resume  batcher[*resumeCall]  // session look-ups (ResumeSessionUnread)
	states  batcher[*stateCall]   // voters' states on ballot pages (voterState)
	receipt func() string         // draws receipt codes: NewReceipt
	// checkHash compares a password with an encoded hash: CheckPassword.
	checkHash func(encoded, pw string) bool
	// meetingHook hears of committed changes to meetings in session
	// (OnMeetingChange).
	meetingHook atomic.Pointer[func(meetingID uint64)]
}

// Open connects to url: a postgres:// or postgresql:// URL means PostgreSQL,
// anything else is the path of an embedded SQLite file.
func Open(url string) (*gorm.DB, error) {
	cfg := &gorm.Config{TranslateError: true, Logger: logger.Discard, NowFunc: func() time.Time { return time.Now().UTC() }}
	if IsPostgresURL(url) {
		db, err := gorm.Open(postgres.Open(url), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		// As many idle connections as open ones: under a burst, a pool
		// that closes what it cannot keep idle opens them again at once,
		// each with a new server process and a password handshake.
		// Unused ones still go after five minutes.
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(32)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		return db, nil
	}
	if url == "" {
		url = "yishi.db"
	}
	dsn := url
	if !strings.Contains(dsn, "?") {
		// WAL lets readers run beside the one writer; busy_timeout makes
		// concurrent writers wait instead of failing at once.
		dsn += "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	}
	db, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", url, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	// SQLite has one writer; a small pool keeps lock waits short.
	sqlDB.SetMaxOpenConns(4)
	return db, nil
}

// IsPostgresURL reports whether url names a PostgreSQL database.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// NewStore wraps db. now supplies the time for every rule; nil means the
// wall clock.
func NewStore(db *gorm.DB, now func() time.Time) *Store {
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	st := &Store{db: db, now: now, receipt: NewReceipt, checkHash: CheckPassword}
	// Votes and session look-ups open a second lane only once voteSpill
	// or resumeSpill calls wait behind the running batch. With one lane,
	// the calls queued behind a running batch had nothing to do, and in
	// bench votes 15–20% of the two cores stood idle (vmstat). A second
	// lane for any queued call filled that time but halved the batches, so
	// each call paid more of a batch's fixed cost (a round trip, starting
	// the executor, for votes a commit), and nothing was gained. A lane
	// that opens only when many wait keeps batches large. In interleaved
	// runs against one lane, the vote spill raised votes/s in each of seven
	// pairs (by 6–30%); the session spill on top raised votes/s in three
	// pairs (1–9%) and pages/s in three (5–13%). Idle time fell to about
	// 7%, and p99 fell with it.
	//
	// The ballot page's voter states run one batch at a time: a spilling
	// second lane lowered pages/s there and raised p99.
	st.votes.max, st.votes.lanes, st.votes.spill = maxVoteBatch, 2, voteSpill
	st.resume.max, st.resume.lanes, st.resume.spill = maxResumeBatch, 2, resumeSpill
	st.states.max, st.states.lanes = maxStateBatch, 1
	return st
}

// DB returns the underlying handle (for migrations, health checks and tests).
func (s *Store) DB() *gorm.DB { return s.db }

// Now is the store's clock, in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

type txKey struct{}

// inTx reports whether ctx carries a Store transaction.
func inTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

// conn returns the transaction carried by ctx, or the pool.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return s.db.WithContext(ctx)
}

// InTx runs fn in a transaction carried by the context it passes; if ctx
// already carries one, fn joins it.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if inTx(ctx) {
		return fn(ctx)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}

// notFound maps gorm's not-found to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// isDuplicate reports a unique-constraint violation on either dialect.
func isDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

// Tx returns the handle for ctx: its transaction if it carries one, else the
// pool. For bulk loaders (the demo) that write many rows of their own.
func (s *Store) Tx(ctx context.Context) *gorm.DB { return s.conn(ctx) }

// moveRow writes set to row id of model's table (a meeting, minutes, a
// notice, a topic, a motion, a resolution) while it is still in status
// from, or answers ErrConflict when another step moved it first. It stamps
// updated_at with now unless set does.
func (s *Store) moveRow(ctx context.Context, model any, id uint64, from any, set map[string]any) error {
	if _, ok := set["updated_at"]; !ok {
		set["updated_at"] = s.Now()
	}
	res := s.conn(ctx).Model(model).Where("id = ? AND status = ?", id, from).Updates(set)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrConflict
	}
	return nil
}

// lockingClause locks the rows a query reads until the transaction ends,
// on PostgreSQL; SQLite has a single writer and needs none.
func lockingClause(tx *gorm.DB) []clause.Expression {
	if tx.Dialector.Name() == "postgres" {
		return []clause.Expression{clause.Locking{Strength: "UPDATE"}}
	}
	return nil
}
