package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"yishi/migrations"
	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// binary is the yishi command built once for the whole test run, so the
// tests see real exit codes, standard error and signals.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "yishi-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "yishi")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build yishi:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := modeltest.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one finished run of the command.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs the command with its own environment; env entries are added to a
// minimal environment without YISHI_DATABASE_URL unless env sets it.
type cli struct {
	t     *testing.T
	dir   string
	env   []string
	stdin string
}

func newCLI(t *testing.T) *cli { return &cli{t: t, dir: t.TempDir()} }

func (c *cli) run(args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = c.dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + c.dir}, c.env...)
	cmd.Stdin = strings.NewReader(c.stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		c.t.Fatalf("yishi %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// ok runs the command and fails the test unless it exits 0.
func (c *cli) ok(args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("yishi %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// fails runs the command and fails the test unless it exits non-zero with
// every one of wants on standard error.
func (c *cli) fails(wants []string, args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code == 0 {
		c.t.Fatalf("yishi %s: exit 0, want failure\nstdout: %s", strings.Join(args, " "), r.stdout)
	}
	for _, w := range wants {
		if !strings.Contains(r.stderr, w) {
			c.t.Fatalf("yishi %s: exit %d, stderr %q does not say %q", strings.Join(args, " "), r.code, r.stderr, w)
		}
	}
	return r
}

// forEachDB runs fn on a fresh, empty database of every dialect the tests
// have: a SQLite file, and a PostgreSQL schema of its own when
// YISHI_TEST_POSTGRES_URL is set.
func forEachDB(t *testing.T, fn func(t *testing.T, url string)) {
	for _, d := range modeltest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			url := filepath.Join(t.TempDir(), "yishi.db")
			if d == "postgres" {
				url = modeltest.PostgresURL(t)
			}
			fn(t, url)
		})
	}
}

// openDB opens url directly, for checking and tampering behind the
// command's back.
func openDB(t *testing.T, url string) *gorm.DB {
	t.Helper()
	db, err := models.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeDB(db) })
	return db
}

func TestMigrateUpAndStatus(t *testing.T) {
	forEachDB(t, func(t *testing.T, url string) {
		c := newCLI(t)
		st := c.ok("migrate", "status", "--db", url)
		if !regexp.MustCompile(`(?m)^0001  pending `).MatchString(st.stdout) {
			t.Fatalf("status of an empty database:\n%s", st.stdout)
		}
		up := c.ok("migrate", "up", "--db", url)
		want := fmt.Sprintf("applied %d migration(s); schema at version %d", len(regexp.MustCompile(`(?m)^\d{4}  pending `).FindAllString(st.stdout, -1)), migrations.Latest())
		if !strings.Contains(up.stdout, want) {
			t.Fatalf("migrate up said %q, want %q", up.stdout, want)
		}
		// Flags may also come before the subcommand; nothing is left to do.
		again := c.ok("migrate", "--db", url, "up")
		if !strings.Contains(again.stdout, "applied 0 migration(s)") {
			t.Fatalf("second migrate up said %q", again.stdout)
		}
		st = c.ok("migrate", "--db", url, "status")
		if strings.Contains(st.stdout, "pending") || !regexp.MustCompile(`(?m)^0001  applied \d{4}-\d\d-\d\d `).MatchString(st.stdout) {
			t.Fatalf("status after up:\n%s", st.stdout)
		}
		cur, err := migrations.Current(context.Background(), openDB(t, url))
		if err != nil || cur != migrations.Latest() {
			t.Fatalf("schema at %d (%v), want %d", cur, err, migrations.Latest())
		}
		c.fails([]string{`unknown subcommand "sideways"`}, "migrate", "sideways", "--db", url)
		c.fails([]string{"unexpected argument extra"}, "migrate", "up", "extra", "--db", url)
	})
}

func TestRefusesNewerSchema(t *testing.T) {
	forEachDB(t, func(t *testing.T, url string) {
		c := newCLI(t)
		c.ok("demo", "--db", url)
		future := migrations.Latest() + 1
		if err := openDB(t, url).Exec("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
			future, "from a newer yishi", time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}
		want := []string{"database schema is newer than this binary", fmt.Sprintf("database at %d, binary knows %d", future, migrations.Latest())}
		r := c.fails(want, "serve", "--addr", "127.0.0.1:0", "--db", url)
		if strings.Contains(r.stdout, "listening") {
			t.Fatalf("serve listened on a newer schema: %s", r.stdout)
		}
		c.fails(want, "serve", "--addr", "127.0.0.1:0", "--demo", "--db", url)
		c.fails(want, "migrate", "up", "--db", url)
		c.fails(want, "migrate", "status", "--db", url)
		c.fails(want, "demo", "--db", url)
		c.fails(want, "audit", "verify", "--db", url)
		c.fails(want, "user", "passwd", "--phone", "13800000004", "--password", "another-password", "--db", url)
		c.fails(want, "user", "add", "--phone", "13912345678", "--name", "新用户", "--password", "another-password", "--db", url)
	})
}

func TestUserAddAndPasswd(t *testing.T) {
	forEachDB(t, func(t *testing.T, url string) {
		c := newCLI(t)
		// An unmigrated database is refused with advice, not half-used.
		c.fails([]string{"run yishi migrate up"}, "user", "add", "--db", url, "--phone", "13912345678", "--name", "王芳", "--password", "long-enough-1")
		c.ok("migrate", "up", "--db", url)

		c.fails([]string{"phone: not an 11-digit mobile number"}, "user", "add", "--db", url, "--phone", "12345", "--name", "王芳", "--password", "long-enough-1")
		c.fails([]string{"password: at least 8 characters"}, "user", "add", "--db", url, "--phone", "13912345678", "--name", "王芳", "--password", "short")
		c.fails([]string{"name: required"}, "user", "add", "--db", url, "--phone", "13912345678", "--password", "long-enough-1")
		c.fails([]string{"--role needs --place"}, "user", "add", "--db", url, "--phone", "13912345678", "--name", "王芳", "--password", "long-enough-1", "--role", "admin")
		c.fails([]string{"give a subcommand: add, passwd or second-factor-off"}, "user", "--db", url)
		var n int64
		db := openDB(t, url)
		if err := db.Model(&models.Account{}).Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("bad input left %d accounts (%v)", n, err)
		}

		// The password may come on standard input, so it stays out of the
		// process list and shell history.
		c.stdin = "first-password\n"
		r := c.ok("user", "add", "--db", url, "--phone", "13912345678", "--name", "王芳")
		if !regexp.MustCompile(`account \d+ created for 13912345678`).MatchString(r.stdout) {
			t.Fatalf("user add said %q", r.stdout)
		}
		c.stdin = ""
		c.fails([]string{"phone: already registered"}, "user", "add", "--db", url, "--phone", "13912345678", "--name", "王芳", "--password", "long-enough-1")

		checkPassword := func(pw string) bool {
			t.Helper()
			acct, err := models.NewStore(db, nil).AccountByPhone(context.Background(), "13912345678")
			if err != nil {
				t.Fatal(err)
			}
			return models.CheckPassword(acct.PasswordHash, pw)
		}
		if !checkPassword("first-password") {
			t.Fatal("the password read from standard input does not sign in")
		}

		c.fails([]string{"password: at least 8 characters"}, "user", "passwd", "--db", url, "--phone", "13912345678", "--password", "short")
		if !checkPassword("first-password") {
			t.Fatal("a refused passwd changed the password")
		}
		c.fails([]string{"no account with that phone"}, "user", "passwd", "--db", url, "--phone", "13900000000", "--password", "second-password")
		r = c.ok("user", "--db", url, "passwd", "--phone", "13912345678", "--password", "second-password")
		if !strings.Contains(r.stdout, "password changed for 13912345678") {
			t.Fatalf("user passwd said %q", r.stdout)
		}
		if checkPassword("first-password") || !checkPassword("second-password") {
			t.Fatal("user passwd did not replace the password")
		}

		// The only admin's lost phone: two-step sign-in is switched off from
		// the command line, and audited.
		c.fails([]string{"two-step sign-in is not on for 13912345678"}, "user", "second-factor-off", "--db", url, "--phone", "13912345678")
		st := models.NewStore(db, nil)
		acct, err := st.AccountByPhone(context.Background(), "13912345678")
		if err != nil {
			t.Fatal(err)
		}
		secret, err := st.BeginSecondFactor(context.Background(), acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, _ := models.TOTP(secret, models.TOTPStep(time.Now()))
		if err := st.EnableSecondFactor(context.Background(), acct.ID, first); err != nil {
			t.Fatal(err)
		}
		r = c.ok("user", "second-factor-off", "--db", url, "--phone", "13912345678")
		if !strings.Contains(r.stdout, "two-step sign-in switched off for 13912345678") {
			t.Fatalf("user second-factor-off said %q", r.stdout)
		}
		if on, _, err := st.SecondFactorState(context.Background(), acct.ID); err != nil || on {
			t.Fatalf("after second-factor-off: on=%v %v", on, err)
		}
		var resets int64
		db.Model(&models.AuditEntry{}).Where("action = ? AND actor_id IS NULL", "account.second_factor_reset").Count(&resets)
		if resets != 1 {
			t.Fatalf("%d resets from the command line audited, want 1", resets)
		}

		// A role is granted at a place; the grant is audited and sealed.
		c.ok("demo", "--db", url)
		var com models.Place
		if err := db.Where("kind = ? AND name = ?", models.KindCommunity, demo.CommunityNames[0]).First(&com).Error; err != nil {
			t.Fatal(err)
		}
		c.ok("user", "add", "--db", url, "--phone", "13912345679", "--name", "李静", "--password", "long-enough-1", "--role", string(models.RoleCommunityStaff), "--place", fmt.Sprint(com.ID))
		var grants int64
		db.Table("role_grants g").Joins("JOIN accounts a ON a.id = g.account_id").
			Where("a.phone = ? AND g.role = ? AND g.place_id = ?", "13912345679", models.RoleCommunityStaff, com.ID).Count(&grants)
		if grants != 1 {
			t.Fatalf("role grants for the new staff member: %d", grants)
		}
		var unsealed int64
		db.Raw("SELECT COUNT(*) FROM audit_entries e WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.entry_id = e.id)").Scan(&unsealed)
		if unsealed != 0 {
			t.Fatalf("%d audit entries left unsealed by the commands", unsealed)
		}
		c.ok("audit", "verify", "--db", url)
	})
}

// counts is what the demo leaves in the database.
type counts struct {
	Streets, Communities, Compounds, Buildings, Households int64
	Residents, Accounts, Grants, Registrations, Notices    int64
	AuditEntries                                           int64
}

func countDemo(t *testing.T, db *gorm.DB) counts {
	t.Helper()
	var c counts
	kind := func(k models.PlaceKind, n *int64) {
		if err := db.Model(&models.Place{}).Where("kind = ?", k).Count(n).Error; err != nil {
			t.Fatal(err)
		}
	}
	kind(models.KindStreet, &c.Streets)
	kind(models.KindCommunity, &c.Communities)
	kind(models.KindCompound, &c.Compounds)
	kind(models.KindBuilding, &c.Buildings)
	kind(models.KindHousehold, &c.Households)
	for _, m := range []struct {
		model any
		n     *int64
	}{
		{&models.Resident{}, &c.Residents}, {&models.Account{}, &c.Accounts}, {&models.RoleGrant{}, &c.Grants},
		{&models.Registration{}, &c.Registrations}, {&models.Notice{}, &c.Notices}, {&models.AuditEntry{}, &c.AuditEntries},
	} {
		if err := db.Model(m.model).Count(m.n).Error; err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestDemoIsRealisticAndIdempotent(t *testing.T) {
	forEachDB(t, func(t *testing.T, url string) {
		c := newCLI(t)
		c.ok("demo", "--db", url)
		db := openDB(t, url)
		first := countDemo(t, db)
		c.ok("demo", "--db", url)
		if second := countDemo(t, db); second != first {
			t.Fatalf("the second demo load changed the database:\nfirst  %+v\nsecond %+v", first, second)
		}
		if first.Streets != 1 || first.Communities != 3 || first.Compounds < 3 || first.Buildings < 3 ||
			first.Households < 300 || first.Residents < 600 || first.Notices == 0 || first.Registrations < 3 {
			t.Fatalf("the demo is too small: %+v", first)
		}
		var names []string
		if err := db.Model(&models.Resident{}).Pluck("name", &names).Error; err != nil {
			t.Fatal(err)
		}
		han := regexp.MustCompile(`^\p{Han}{2,4}$`)
		distinct := map[string]bool{}
		for _, n := range names {
			if !han.MatchString(n) {
				t.Fatalf("resident name %q is not a Chinese name", n)
			}
			distinct[n] = true
		}
		if len(distinct) < len(names)/2 {
			t.Fatalf("only %d distinct names among %d residents", len(distinct), len(names))
		}
		// One sign-in per role, each with the demo password.
		store := models.NewStore(db, nil)
		for _, r := range models.Roles {
			var phones []string
			db.Table("role_grants g").Joins("JOIN accounts a ON a.id = g.account_id").Where("g.role = ?", r).Order("a.phone").Pluck("a.phone", &phones)
			if len(phones) == 0 {
				t.Fatalf("no demo account has the role %s", r)
			}
			if _, err := store.Authenticate(context.Background(), phones[0], demo.Password); err != nil {
				t.Fatalf("demo %s %s cannot sign in: %v", r, phones[0], err)
			}
		}
		// Every household has exactly one head (户代表).
		var multi int64
		db.Raw("SELECT COUNT(*) FROM (SELECT household_id FROM residents WHERE is_head GROUP BY household_id HAVING COUNT(*) > 1) x").Scan(&multi)
		if multi != 0 {
			t.Fatalf("%d households have more than one head", multi)
		}
		// The load is audited and sealed, and the chain verifies.
		var loads int64
		db.Raw("SELECT COUNT(*) FROM audit_entries e JOIN audit_seals s ON s.entry_id = e.id WHERE e.action = ?", "demo.load").Scan(&loads)
		if loads != 1 {
			t.Fatalf("%d sealed demo.load entries", loads)
		}
		c.ok("audit", "verify", "--db", url)
	})
}

func TestDemoRefusesTakenPhone(t *testing.T) {
	c := newCLI(t)
	url := filepath.Join(c.dir, "y.db")
	c.ok("migrate", "--db", url)
	c.ok("user", "add", "--db", url, "--phone", demo.Accounts[0].Phone, "--name", "真实用户", "--password", "long-enough-1")
	c.fails([]string{"cannot load the demo: phone number " + demo.Accounts[0].Phone + " is already registered"}, "demo", "--db", url)
	var places int64
	openDB(t, url).Model(&models.Place{}).Count(&places)
	if places != 0 {
		t.Fatalf("a refused demo load left %d places", places)
	}
}

func TestAuditVerify(t *testing.T) {
	forEachDB(t, func(t *testing.T, url string) {
		c := newCLI(t)
		c.ok("demo", "--db", url)
		for i := 0; i < 4; i++ {
			c.ok("user", "add", "--db", url, "--phone", fmt.Sprintf("1391234567%d", i), "--name", "测试用户", "--password", "long-enough-1")
		}
		r := c.ok("audit", "verify", "--db", url)
		if !regexp.MustCompile(`audit trail intact: \d+ sealed entries verified, 0 not yet sealed`).MatchString(r.stdout) {
			t.Fatalf("verify said %q", r.stdout)
		}
		db := openDB(t, url)
		var chain []models.AuditEntry
		if err := db.Raw("SELECT e.*, s.seq, s.hash FROM audit_entries e JOIN audit_seals s ON s.entry_id = e.id ORDER BY s.seq").Scan(&chain).Error; err != nil {
			t.Fatal(err)
		}
		if len(chain) < 5 {
			t.Fatalf("only %d audit entries to work with", len(chain))
		}
		// Each tampering is undone afterwards, so the next starts from a
		// whole chain; the restored chain must verify again.
		restore := func() {
			t.Helper()
			// Positions are unique: move every row out of the way first.
			if err := db.Exec("UPDATE audit_seals SET seq = -entry_id").Error; err != nil {
				t.Fatal(err)
			}
			for _, e := range chain {
				if err := db.Save(&e).Error; err != nil {
					t.Fatal(err)
				}
				if err := db.Exec("UPDATE audit_seals SET seq = ?, hash = ? WHERE entry_id = ?", *e.Seq, e.Hash, e.ID).Error; err != nil {
					t.Fatal(err)
				}
			}
			c.ok("audit", "verify", "--db", url)
		}
		broken := func(entry models.AuditEntry, reason string) {
			t.Helper()
			c.fails([]string{fmt.Sprintf("audit trail BROKEN at entry %d (chain position %d)", entry.ID, *entry.Seq), reason}, "audit", "verify", "--db", url)
		}

		// Edited: one field of a sealed entry changed.
		mid := chain[2]
		if err := db.Exec("UPDATE audit_entries SET detail = ? WHERE id = ?", "nothing happened", mid.ID).Error; err != nil {
			t.Fatal(err)
		}
		broken(mid, "edited")
		restore()

		// Deleted: the entry after the hole is the first that fails.
		if err := db.Exec("DELETE FROM audit_entries WHERE id = ?", chain[1].ID).Error; err != nil {
			t.Fatal(err)
		}
		r = c.fails([]string{fmt.Sprintf("audit trail BROKEN at entry %d", chain[2].ID), fmt.Sprintf("chain position %d", *chain[1].Seq), "missing"}, "audit", "verify", "--db", url)
		restore()

		// Reordered: two entries swap their chain positions.
		a, b := chain[2], chain[3]
		for _, q := range []struct {
			seq int64
			id  uint64
		}{{-1, a.ID}, {*a.Seq, b.ID}, {*b.Seq, a.ID}} {
			if err := db.Exec("UPDATE audit_seals SET seq = ? WHERE entry_id = ?", q.seq, q.id).Error; err != nil {
				t.Fatal(err)
			}
		}
		b.Seq = a.Seq
		broken(b, "moved")
		restore()

		// Reordered with their hashes too: still found.
		for _, q := range []struct {
			seq  int64
			hash string
			id   uint64
		}{{-1, "", a.ID}, {*chain[2].Seq, chain[2].Hash, chain[3].ID}, {*chain[3].Seq, chain[3].Hash, chain[2].ID}} {
			if err := db.Exec("UPDATE audit_seals SET seq = ?, hash = ? WHERE entry_id = ?", q.seq, q.hash, q.id).Error; err != nil {
				t.Fatal(err)
			}
		}
		broken(b, "moved")
		restore()

		// Deleted before its seal: the sealer records the loss.
		last := models.AuditEntry{At: time.Now().UTC(), Action: "test.write", ObjectType: "test", ObjectID: "1", Result: models.ResultOK}
		if err := db.Create(&last).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("DELETE FROM audit_entries WHERE id = ?", last.ID).Error; err != nil {
			t.Fatal(err)
		}
		c.ok("audit", "seal", "--db", url)
		c.fails([]string{fmt.Sprintf("audit trail BROKEN at entry %d", last.ID), "deleted before it was sealed"}, "audit", "verify", "--db", url)
	})
}

// TestAuditVerifyHead: the one tampering the chain cannot show by itself,
// its newest entries deleted together with their seals, shows against a
// head recorded earlier.
func TestAuditVerifyHead(t *testing.T) {
	forEachDB(t, func(t *testing.T, url string) {
		c := newCLI(t)
		c.ok("demo", "--db", url)
		r := c.ok("audit", "verify", "--db", url)
		m := regexp.MustCompile(`; head (\d+):([0-9a-f]{64})\n`).FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("verify names no head: %q", r.stdout)
		}
		head := m[1] + ":" + m[2]
		r = c.ok("audit", "verify", "--db", url, "--head", head)
		if !strings.Contains(r.stdout, "the recorded head "+m[1]+" is in the chain") {
			t.Fatalf("verify --head said %q", r.stdout)
		}
		// More work moves the head on; the recorded one still holds.
		c.ok("user", "add", "--db", url, "--phone", "13912345670", "--name", "测试用户", "--password", "long-enough-1")
		c.ok("audit", "verify", "--db", url, "--head", head)

		// Cut the end off: every entry from the recorded head on, with its
		// seal. The chain alone still verifies.
		db := openDB(t, url)
		if err := db.Exec("DELETE FROM audit_entries WHERE id IN (SELECT entry_id FROM audit_seals WHERE seq >= ?)", m[1]).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("DELETE FROM audit_seals WHERE seq >= ?", m[1]).Error; err != nil {
			t.Fatal(err)
		}
		c.ok("audit", "verify", "--db", url)
		c.fails([]string{"audit trail BROKEN", "recorded head at chain position " + m[1] + " is gone", "removed from its end"}, "audit", "verify", "--db", url, "--head", head)

		// A head whose hash the chain does not hold at that position.
		n, _ := strconv.Atoi(m[1])
		c.fails([]string{"audit trail BROKEN", "does not hold the recorded head's hash"}, "audit", "verify", "--db", url, "--head", strconv.Itoa(n-1)+":"+m[2])
		if r := c.fails([]string{"--head goes with verify"}, "audit", "seal", "--db", url, "--head", head); r.code != 2 {
			t.Errorf("seal --head: exit %d, want 2", r.code)
		}
		for _, bad := range []string{"12", "x:abc", "0:abc", "5:"} {
			if r := c.fails([]string{"--head takes SEQ:HASH"}, "audit", "verify", "--db", url, "--head", bad); r.code != 2 {
				t.Errorf("--head %q: exit %d, want 2", bad, r.code)
			}
		}
	})
}

func TestDatabaseFromFlagOrEnvironment(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		c := newCLI(t)
		c.ok("migrate", "up")
		if _, err := os.Stat(filepath.Join(c.dir, "yishi.db")); err != nil {
			t.Fatalf("no yishi.db in the working directory: %v", err)
		}
	})
	forEachDB(t, func(t *testing.T, url string) {
		c := newCLI(t)
		c.env = []string{"YISHI_DATABASE_URL=" + url}
		c.ok("migrate", "up")
		c.ok("demo")
		c.ok("user", "passwd", "--phone", "13800000004", "--password", "changed-by-env")
		c.ok("audit", "verify")
		acct, err := models.NewStore(openDB(t, url), nil).AccountByPhone(context.Background(), "13800000004")
		if err != nil || !models.CheckPassword(acct.PasswordHash, "changed-by-env") {
			t.Fatalf("YISHI_DATABASE_URL was not the database used (%v)", err)
		}
		if _, err := os.Stat(filepath.Join(c.dir, "yishi.db")); !os.IsNotExist(err) {
			t.Fatalf("a default yishi.db was made beside YISHI_DATABASE_URL: %v", err)
		}
		// --db wins over the environment, on every command.
		other := filepath.Join(t.TempDir(), "other.db")
		c.ok("migrate", "up", "--db", other)
		c.ok("demo", "--db", other)
		c.ok("user", "add", "--db", other, "--phone", "13912345678", "--name", "王芳", "--password", "long-enough-1")
		c.ok("audit", "seal", "--db", other)
		c.ok("audit", "verify", "--db", other)
		if _, err := models.NewStore(openDB(t, url), nil).AccountByPhone(context.Background(), "13912345678"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("--db was ignored in favour of YISHI_DATABASE_URL: %v", err)
		}
		if _, err := models.NewStore(openDB(t, other), nil).AccountByPhone(context.Background(), "13912345678"); err != nil {
			t.Fatalf("the account is not in the --db database: %v", err)
		}
	})
}

// TestServeRefusesBadCostCaps: a mistyped cost cap stops serve before it
// opens the database, with a message naming it.
func TestServeRefusesBadCostCaps(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(c.dir, "caps.db")
	c.fails([]string{`"food=100"`}, "serve", "--db", db, "--cost-caps", "food=100")
	c.fails([]string{`"works=abc"`}, "serve", "--db", db, "--cost-caps", "service=1000,works=abc")
}

// TestServeRefusesBadTrustedProxies: a mistyped proxy address stops serve
// before it opens the database, with a message naming it.
func TestServeRefusesBadTrustedProxies(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(c.dir, "proxies.db")
	c.fails([]string{"--trusted-proxies", `"nginx.local"`}, "serve", "--db", db, "--trusted-proxies", "127.0.0.1,nginx.local")
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatalf("serve opened the database before refusing: %v", err)
	}
}
