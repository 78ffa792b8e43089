// Package modeltest opens fresh, migrated stores for tests: an embedded
// SQLite file in a temporary folder, and, when YISHI_TEST_POSTGRES_URL is
// set, a PostgreSQL schema of its own that is dropped afterwards. With CI set
// to true a missing PostgreSQL URL fails the test instead of skipping it.
package modeltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"yishi/migrations"
	"yishi/models"
)

// PostgresEnv names the variable holding the PostgreSQL test URL.
const PostgresEnv = "YISHI_TEST_POSTGRES_URL"

// Clock is a settable clock for tests.
type Clock struct{ t time.Time }

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.t = t.UTC() }

// Start is the default test time: a Monday morning in Shanghai.
var Start = time.Date(2026, 11, 23, 1, 30, 0, 0, time.UTC)

// Dialects are the databases each store test runs on.
func Dialects(t testing.TB) []string {
	d := []string{"sqlite"}
	if os.Getenv(PostgresEnv) != "" {
		d = append(d, "postgres")
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: store tests must run on PostgreSQL in CI", PostgresEnv)
	}
	return d
}

// ForEach runs fn as a subtest on every dialect with a fresh store.
func ForEach(t *testing.T, fn func(t *testing.T, s *models.Store, clock *Clock)) {
	for _, d := range Dialects(t) {
		t.Run(d, func(t *testing.T) {
			clock := NewClock(Start)
			s := Open(t, d, clock.Now)
			fn(t, s, clock)
		})
	}
}

// Open returns a migrated store on dialect ("sqlite" or "postgres"), closed
// and removed when the test ends.
func Open(t testing.TB, dialect string, now func() time.Time) *models.Store {
	t.Helper()
	if tp := templateOf(t, dialect, "migrated", nil); tp != nil {
		return models.NewStore(tp.clone(t, dialect), now)
	}
	db := OpenDB(t, dialect)
	if _, err := migrations.Up(context.Background(), db); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	return models.NewStore(db, now)
}

// OpenDB returns an empty, unmigrated database on dialect.
func OpenDB(t testing.TB, dialect string) *gorm.DB {
	t.Helper()
	switch dialect {
	case "sqlite":
		db, err := models.Open(filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if sqlDB, err := db.DB(); err == nil {
				sqlDB.Close()
			}
		})
		return db
	case "postgres":
		return openPostgresSchema(t)
	}
	t.Fatalf("unknown dialect %q", dialect)
	return nil
}

// PostgresURL returns a URL for a fresh schema of its own, dropped when the
// test ends, or "" (after skipping or failing as CI demands) when none is
// configured.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set", PostgresEnv)
		}
		t.Skipf("%s is not set", PostgresEnv)
	}
	admin, err := models.Open(base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck
	schema := "t_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if sqlDB, err := admin.DB(); err == nil {
			sqlDB.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openPostgresSchema(t testing.TB) *gorm.DB {
	t.Helper()
	return OpenURL(t, PostgresURL(t))
}

// OpenURL opens the database at u (as from PostgresURL), closed when the
// test ends: a second handle on one database stands for a second process.
func OpenURL(t testing.TB, u string) *gorm.DB {
	t.Helper()
	db, err := models.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// IsPostgres reports whether s runs on PostgreSQL.
func IsPostgres(s *models.Store) bool { return strings.HasPrefix(s.DB().Dialector.Name(), "postgres") }
