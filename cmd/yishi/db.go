package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

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
	sub := "up"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	dbURL := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return exitError{2, err.Error()}
	}
	db, err := models.Open(*dbURL)
	if err != nil {
		return err
	}
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
	return exitError{2, "migrate: unknown subcommand " + sub + " (up, status)"}
}

func cmdAudit(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return exitError{2, "audit: verify or seal"}
	}
	sub := args[0]
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	dbURL := dbFlag(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return exitError{2, err.Error()}
	}
	store, err := openStore(ctx, *dbURL, false)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "seal":
		total := 0
		for {
			n, err := store.SealAudit(ctx, 1000)
			if err != nil {
				return err
			}
			total += n
			if n == 0 {
				break
			}
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
		fmt.Fprintf(stdout, "audit trail intact: %d sealed entries verified, %d not yet sealed\n", checked, unsealed)
		return nil
	}
	return exitError{2, "audit: unknown subcommand " + sub + " (verify, seal)"}
}

func reasonText(r string) string {
	switch r {
	case "hash":
		return "the entry was edited, or an entry before it was replaced"
	case "gap":
		return "an entry is missing (deleted) or the order was changed"
	default:
		return "entries were reordered"
	}
}
