package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"yishi/migrations"
	"yishi/models"
)

// dbFlag registers --db on fs.
func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("YISHI_DATABASE_URL")
	if def == "" {
		def = "yishi.db"
	}
	return fs.String("db", def, "SQLite file path or postgres:// URL (env YISHI_DATABASE_URL)")
}

// openStore opens the database, applies pending migrations when migrate is
// true, and refuses a schema newer than this binary either way.
func openStore(ctx context.Context, url string, migrate bool) (*models.Store, error) {
	db, err := models.Open(url)
	if err != nil {
		return nil, err
	}
	if migrate {
		if _, err := migrations.Up(ctx, db); err != nil {
			return nil, err
		}
	} else if err := migrations.Check(ctx, db); err != nil {
		return nil, err
	}
	cur, err := migrations.Current(ctx, db)
	if err != nil {
		return nil, err
	}
	if cur < migrations.Latest() {
		return nil, fmt.Errorf("database schema is at version %d, this binary needs %d: run yishi migrate up", cur, migrations.Latest())
	}
	return models.NewStore(db, nil), nil
}

func cmdMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	dbURL := dbFlag(fs)
	sub, err := parseArgs(fs, args, true, "up")
	if err != nil {
		return err
	}
	if sub != "up" && sub != "status" {
		return exitError{2, "migrate: unknown subcommand " + strconv.Quote(sub) + " (up, status)"}
	}
	db, err := models.Open(*dbURL)
	if err != nil {
		return err
	}
	defer closeDB(db)
	switch sub {
	case "up":
		n, err := migrations.Up(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s); schema at version %d\n", n, migrations.Latest())
		return nil
	case "status":
		list, err := migrations.List(ctx, db)
		if err != nil {
			return err
		}
		for _, s := range list {
			state := "pending"
			if s.AppliedAt != nil {
				state = "applied " + s.AppliedAt.Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(stdout, "%04d  %-9s  %s\n", s.Version, state, s.Description)
		}
		if err := migrations.Check(ctx, db); err != nil {
			return err
		}
		return nil
	}
	return nil
}

func cmdAudit(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	dbURL := dbFlag(fs)
	head := fs.String("head", "", "verify: a chain head recorded earlier, SEQ:HASH as `yishi serve` logs it; fail if the trail no longer holds it")
	sub, err := parseArgs(fs, args, true, "")
	if err != nil {
		return err
	}
	var wantSeq int64
	var wantHash string
	if *head != "" {
		seq, hash, ok := strings.Cut(*head, ":")
		n, err := strconv.ParseInt(seq, 10, 64)
		if !ok || err != nil || n < 1 || hash == "" {
			return exitError{2, "audit: --head takes SEQ:HASH, as `yishi serve` logs it (\"audit head\")"}
		}
		wantSeq, wantHash = n, hash
	}
	if sub == "" {
		return exitError{2, "audit: give a subcommand: verify or seal"}
	}
	if sub != "verify" && sub != "seal" {
		return exitError{2, "audit: unknown subcommand " + strconv.Quote(sub) + " (verify, seal)"}
	}
	if wantSeq != 0 && sub != "verify" {
		return exitError{2, "audit: --head goes with verify"}
	}
	store, err := openStore(ctx, *dbURL, false)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "seal":
		total, err := sealAll(ctx, store)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "sealed %d entries\n", total)
		return nil
	case "verify":
		checked, unsealed, problem, err := store.VerifyAudit(ctx)
		if err != nil {
			return err
		}
		if problem != nil {
			return exitError{1, fmt.Sprintf("audit trail BROKEN at entry %d (chain position %d): %s; %d entries before it verified", problem.EntryID, problem.Seq, reasonText(problem.Reason), checked)}
		}
		seq, hash, err := store.AuditHead(ctx)
		if err != nil {
			return err
		}
		if wantSeq != 0 {
			// The chain verifies from its start; only what the witness
			// recorded can show that its end was cut off.
			got, err := store.AuditSealAt(ctx, wantSeq)
			if errors.Is(err, models.ErrNotFound) {
				return exitError{1, fmt.Sprintf("audit trail BROKEN: the recorded head at chain position %d is gone, the chain now ends at %d: sealed entries were removed from its end", wantSeq, seq)}
			}
			if err != nil {
				return err
			}
			if got != wantHash {
				return exitError{1, fmt.Sprintf("audit trail BROKEN: chain position %d does not hold the recorded head's hash: the chain was rewritten from there", wantSeq)}
			}
		}
		fmt.Fprintf(stdout, "audit trail intact: %d sealed entries verified, %d not yet sealed; head %s\n", checked, unsealed, headText(seq, hash))
		if wantSeq != 0 {
			fmt.Fprintf(stdout, "the recorded head %d is in the chain\n", wantSeq)
		}
		return nil
	}
	return nil
}

// headText writes an audit chain head as --head reads it.
func headText(seq int64, hash string) string {
	if seq == 0 {
		return "none (nothing sealed)"
	}
	return strconv.FormatInt(seq, 10) + ":" + hash
}

// sealAll seals every unsealed audit entry and returns how many it sealed.
func sealAll(ctx context.Context, store *models.Store) (int, error) {
	total := 0
	for {
		n, err := store.SealAudit(ctx, 1000)
		if err != nil {
			return total, err
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}

// closeDB releases a handle opened without a Store.
func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}

func reasonText(r string) string {
	switch r {
	case "hash":
		return "the entry was edited or moved, or an entry before it was replaced"
	case "gap":
		return "an entry is missing (deleted) or the order was changed"
	case "lost":
		return "the entry was deleted before it was sealed (the sealer recorded the loss at this chain position)"
	default:
		return "entries were reordered"
	}
}
