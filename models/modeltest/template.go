package modeltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"yishi/migrations"
	"yishi/models"
)

// Loader fills a freshly migrated store, such as demo.Load.
type Loader func(ctx context.Context, s *models.Store) error

// templates are databases migrated (and loaded) once per test process and
// copied for every test that asks for one: a file copy on SQLite, CREATE
// DATABASE … TEMPLATE on PostgreSQL. They exist only under Main, which
// removes them when the tests end.
var templates struct {
	sync.Mutex
	on   bool
	dir  string
	byID map[string]*template
}

type template struct {
	once sync.Once
	err  error
	path string // SQLite file
	db   string // PostgreSQL database name
}

// Main runs the package's tests with template databases, removes them
// and exits. Call it from TestMain.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain with work of its own: it returns the exit
// code instead of exiting.
func Run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "yishi-templates")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	templates.Lock()
	templates.on, templates.dir, templates.byID = true, dir, map[string]*template{}
	templates.Unlock()
	defer os.RemoveAll(dir)
	defer dropTemplates()
	return m.Run()
}

// templateOf returns the template of dialect filled by load under name,
// building it on first use, or nil when templates are off or PostgreSQL
// refuses to create databases (then tests build their own stores).
func templateOf(t testing.TB, dialect, name string, load Loader) *template {
	templates.Lock()
	if !templates.on {
		templates.Unlock()
		return nil
	}
	key := dialect + "/" + name
	tp := templates.byID[key]
	if tp == nil {
		tp = &template{}
		templates.byID[key] = tp
	}
	templates.Unlock()
	tp.once.Do(func() { tp.err = tp.build(dialect, name, load) })
	if tp.err == errNoCreateDB {
		return nil
	}
	if tp.err != nil {
		t.Fatalf("template %s: %v", key, tp.err)
	}
	return tp
}

var errNoCreateDB = fmt.Errorf("the PostgreSQL role may not create databases")

// fill migrates db and runs load on it at the default test time.
func fill(db *gorm.DB, load Loader) error {
	ctx := context.Background()
	if _, err := migrations.Up(ctx, db); err != nil {
		return err
	}
	if load != nil {
		return load(ctx, models.NewStore(db, func() time.Time { return Start }))
	}
	return nil
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}

func (tp *template) build(dialect, name string, load Loader) error {
	switch dialect {
	case "sqlite":
		work := filepath.Join(templates.dir, name+"-work.db")
		db, err := models.Open(work)
		if err != nil {
			return err
		}
		defer closeDB(db)
		if err := fill(db, load); err != nil {
			return err
		}
		// VACUUM INTO writes one self-contained file, with nothing left
		// in the write-ahead log.
		tp.path = filepath.Join(templates.dir, name+".db")
		return db.Exec("VACUUM INTO ?", tp.path).Error
	case "postgres":
		admin, err := pgAdmin()
		if err != nil {
			return err
		}
		tp.db = fmt.Sprintf("yishi_tpl_%d_%s", os.Getpid(), name)
		if err := admin.Exec("CREATE DATABASE " + tp.db).Error; err != nil {
			if strings.Contains(err.Error(), "permission denied") {
				return errNoCreateDB
			}
			return err
		}
		db, err := models.Open(databaseURL(tp.db))
		if err != nil {
			return err
		}
		err = fill(db, load)
		// A template must have no connections while it is copied.
		closeDB(db)
		return err
	}
	return fmt.Errorf("unknown dialect %q", dialect)
}

var admin struct {
	once sync.Once
	db   *gorm.DB
	err  error
}

// pgAdmin is the process's connection to the configured test database,
// used to create and drop databases.
func pgAdmin() (*gorm.DB, error) {
	admin.once.Do(func() { admin.db, admin.err = models.Open(os.Getenv(PostgresEnv)) })
	return admin.db, admin.err
}

// databaseURL is the configured test URL pointed at database name.
func databaseURL(name string) string {
	u, err := url.Parse(os.Getenv(PostgresEnv))
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// clone opens a private copy of the template, removed when the test ends.
func (tp *template) clone(t testing.TB, dialect string) *gorm.DB {
	t.Helper()
	if dialect == "sqlite" {
		path := filepath.Join(t.TempDir(), "test.db")
		if err := copyFile(tp.path, path); err != nil {
			t.Fatal(err)
		}
		db, err := models.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeDB(db) })
		return db
	}
	a, err := pgAdmin()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck
	name := "t_" + hex.EncodeToString(b)
	if err := a.Exec("CREATE DATABASE " + name + " TEMPLATE " + tp.db).Error; err != nil {
		t.Fatalf("copy template: %v", err)
	}
	t.Cleanup(func() { a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
	// Registered after the drop, so it runs first.
	return OpenURL(t, databaseURL(name))
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func dropTemplates() {
	templates.Lock()
	defer templates.Unlock()
	for _, tp := range templates.byID {
		if tp.db != "" && admin.db != nil {
			admin.db.Exec("DROP DATABASE IF EXISTS " + tp.db + " WITH (FORCE)")
		}
	}
	if admin.db != nil {
		closeDB(admin.db)
	}
}

// OpenLoaded returns a migrated store on dialect filled by load, as if
// load had run at Start; name identifies what load puts in, for reuse.
func OpenLoaded(t testing.TB, dialect, name string, load Loader, now func() time.Time) *models.Store {
	t.Helper()
	if tp := templateOf(t, dialect, name, load); tp != nil {
		return models.NewStore(tp.clone(t, dialect), now)
	}
	s := Open(t, dialect, now)
	if load != nil {
		if err := load(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// ForEachLoaded is ForEach on stores filled by load (see OpenLoaded).
func ForEachLoaded(t *testing.T, name string, load Loader, fn func(t *testing.T, s *models.Store, clock *Clock)) {
	for _, d := range Dialects(t) {
		t.Run(d, func(t *testing.T) {
			clock := NewClock(Start)
			fn(t, OpenLoaded(t, d, name, load, clock.Now), clock)
		})
	}
}
