// Package migrations holds Yishi's schema as an ordered, append-only list of
// steps. Each step creates or changes tables through its own frozen copy of
// the structs it needs, so later changes to models never rewrite history.
// Steps run in one transaction each (on PostgreSQL under an advisory lock,
// so several `yishi serve` processes starting together apply them once).
package migrations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Step is one migration.
type Step struct {
	Version     int
	Description string
	Up          func(tx *gorm.DB) error
}

// steps is the whole history, in order. Append only.
var steps = []Step{
	{1, "places, people, roles, sessions, notices, objections, audit trail", m0001},
	{2, "notices: withdrawal time and reason; one open objection per resident and notice", m0002},
	{3, "roster imports; index for counting failed invitation codes", m0003},
	{4, "sibling places have distinct names", m0004},
	{5, "needs, categories, takers, photos, supports, timeline, whistles", m0005},
	{6, "notifications inbox and outbound delivery outbox", m0006},
	{8, "resources: providers, offers and the places they serve", m0008},
	{9, "projects: needs, matched offers, open-call applications, milestones, progress, acceptance, ratings, timeline", m0009},
	{10, "ballots: candidates, photos, definitions, frozen rolls, amendments, participation, secret votes, paper votes, results, boards", m0010},
	{11, "councils: members and rules, topics and co-signatures, meetings, agenda items, pre-meeting research", m0011},
	{12, "site secrets; an index of unsealed audit entries; drop the audit index on actor alone", m0012},
	{13, "meetings in session: attendance code, attendances, motions and members' votes (one per member and motion)", m0013},
	{14, "minutes of meetings: a snapshot of the closed meeting, the secretary's texts, sign-off and publication, amendments with their reasons", m0014},
	{15, "resolutions of adopted motions: owner, due date, progress timeline, chasing, residents' ratings (one each), spawned project or ballot", m0015},
	{16, "village matters decided by a chain of steps (四议两公开): chains and their steps, matters, one record per matter and step", m0016},
	{17, "meetings postponed or cancelled: the time first announced and the reason", m0017},
	{18, "audit seals in a table of their own, entries queued for the sealer by a trigger and never updated", m0018},
	{19, "when each ballot's result was counted, so that no vote is written after the count", m0019},
	{20, "service-station sessions fenced to one ballot's kiosk", m0020},
	{21, "service stations: the staff PIN, the one-time check form and the hand-over to the resident voting; no more site secrets", m0021},
	{22, "ballots: when one was found due with candidates unfit for its method (from then it opens only by staff's hand), and the resolution it was started from", m0022},
	{23, "meetings: the record of each as it stood at its close (members, rules, attendance, agenda, motions), which its minutes start from", m0023},
	{24, "councils: a quorum of more than a share (过半数) beside those of at least one", m0024},
	{25, "sign-in devices: browsers known from an earlier sign-in, whose wrong passwords count on their own", m0025},
	{26, "sign-in devices: the kind of browser and system each one is, for its owner", m0026},
	{27, "second factors: authenticator apps (TOTP) for accounts that switch them on, and sign-ins waiting for their code", m0027},
}

// Latest is the schema version this binary writes.
func Latest() int { return steps[len(steps)-1].Version }

// ErrSchemaTooNew means the database was migrated by a newer Yishi.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// schemaMigration records an applied step.
type schemaMigration struct {
	Version     int    `gorm:"primaryKey;autoIncrement:false"`
	Description string `gorm:"size:200;not null"`
	AppliedAt   time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// Status is one step and whether it is applied.
type Status struct {
	Version     int
	Description string
	AppliedAt   *time.Time
}

// Current returns the highest applied version (0 for an empty database).
func Current(ctx context.Context, db *gorm.DB) (int, error) {
	db = db.WithContext(ctx)
	if !db.Migrator().HasTable(&schemaMigration{}) {
		return 0, nil
	}
	var v *int
	if err := db.Model(&schemaMigration{}).Select("MAX(version)").Scan(&v).Error; err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

// List reports every known step and when it was applied.
func List(ctx context.Context, db *gorm.DB) ([]Status, error) {
	applied := map[int]time.Time{}
	if db.WithContext(ctx).Migrator().HasTable(&schemaMigration{}) {
		var rows []schemaMigration
		if err := db.WithContext(ctx).Order("version").Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			applied[r.Version] = r.AppliedAt
		}
	}
	out := make([]Status, 0, len(steps))
	for _, s := range steps {
		st := Status{Version: s.Version, Description: s.Description}
		if t, ok := applied[s.Version]; ok {
			t := t
			st.AppliedAt = &t
		}
		out = append(out, st)
	}
	return out, nil
}

// Check returns ErrSchemaTooNew when the database is ahead of this binary.
func Check(ctx context.Context, db *gorm.DB) error {
	cur, err := Current(ctx, db)
	if err != nil {
		return err
	}
	if cur > Latest() {
		return fmt.Errorf("%w: database at %d, binary knows %d", ErrSchemaTooNew, cur, Latest())
	}
	return nil
}

// Up applies every pending step and returns how many it applied.
func Up(ctx context.Context, db *gorm.DB) (int, error) {
	return upTo(ctx, db, Latest())
}

// upTo applies the pending steps up to version last.
func upTo(ctx context.Context, db *gorm.DB, last int) (int, error) {
	db = db.WithContext(ctx)
	if db.Dialector.Name() == "postgres" {
		// One migrator at a time across processes; the lock is held by this
		// connection, so pin one.
		conn, err := db.DB()
		if err != nil {
			return 0, err
		}
		c, err := conn.Conn(ctx)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		const lockKey = 0x79697368 // "yish"
		if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
			return 0, err
		}
		defer c.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", lockKey) //nolint:errcheck
	}
	if err := db.Migrator().AutoMigrate(&schemaMigration{}); err != nil {
		return 0, err
	}
	cur, err := Current(ctx, db)
	if err != nil {
		return 0, err
	}
	if cur > Latest() {
		return 0, fmt.Errorf("%w: database at %d, binary knows %d", ErrSchemaTooNew, cur, Latest())
	}
	n := 0
	for _, s := range steps {
		if s.Version <= cur || s.Version > last {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := s.Up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{Version: s.Version, Description: s.Description, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return n, fmt.Errorf("migration %d (%s): %w", s.Version, s.Description, err)
		}
		n++
	}
	return n, nil
}
