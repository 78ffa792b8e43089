// Command yishi is the whole Yishi application: the web server and the
// commands that administer its database.
//
//	yishi serve   [--addr :8080] [--db URL] [--demo] [--secure-cookies] [--base-url URL] [--tz Asia/Shanghai] [--cost-caps service=50000,...]
//	              [--sms-url TEMPLATE [--sms-method GET|POST] [--sms-user U] [--sms-token-header H] [--sms-timeout 10s]]
//	yishi migrate [up|status] [--db URL]
//	yishi demo    [--db URL]
//	yishi user add    --phone N --name NAME [--role ROLE --place ID] [--password PW] [--db URL]
//	yishi user passwd --phone N [--password PW] [--db URL]
//	yishi user second-factor-off --phone N [--db URL]
//	yishi audit verify [--db URL] [--head SEQ:HASH]
//	yishi audit seal   [--db URL]
//	yishi recount FILE
//	yishi bench votes [--db URL] [--duration 15s] [--clients 64] [--voters N]
//	yishi bench pages [--db URL] [--duration 15s] [--clients 64]
//
// --db is a path to an embedded SQLite file (default yishi.db) or a
// postgres:// URL; YISHI_DATABASE_URL is used when --db is not given. Flags
// may come before or after a subcommand (migrate --db x status). A password
// not given with --password is read from standard input. Commands that write
// seal the audit trail before they exit, so `audit verify` covers their work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
)

func main() {
	tuneGC()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, log); err != nil {
		if errors.Is(err, errHelp) {
			return
		}
		var ee exitError
		if errors.As(err, &ee) {
			fmt.Fprintln(os.Stderr, "yishi:", ee.msg)
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "yishi:", err)
		os.Exit(1)
	}
}

// tuneGC collects garbage less often than Go's default unless GOGC or
// GOMEMLIMIT say otherwise: a page or a vote allocates a little, the live
// heap is small, and at the default the collector took a tenth of the CPU
// of a street voting at once. A soft limit of 512 MiB makes it collect
// sooner again on a small machine.
func tuneGC() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(400)
		debug.SetMemoryLimit(512 << 20)
	}
}

// exitError ends the program with a specific exit code.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

const usage = `usage: yishi <command> [flags]

commands:
  serve          run the web server (applies pending migrations first)
  migrate        up | status
  demo           load the demo street (idempotent)
  user           add | passwd | second-factor-off
  audit          verify | seal
  recount        check a downloaded ballot board.json offline
  bench          votes | pages: load-test the ballot in an empty database
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return exitError{2, "no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stdout, log)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout)
	case "demo":
		return cmdDemo(ctx, rest, stdout)
	case "user":
		return cmdUser(ctx, rest, stdin, stdout)
	case "audit":
		return cmdAudit(ctx, rest, stdout)
	case "recount":
		return cmdRecount(rest, stdout)
	case "bench":
		return cmdBench(ctx, rest, stdout, log)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stdout, usage)
	return exitError{2, "unknown command " + cmd}
}

// parseArgs parses fs from args, taking the subcommand (if the command has
// any) from the first argument that is not a flag, wherever it stands. It
// returns def when no subcommand is given and refuses stray arguments.
func parseArgs(fs *flag.FlagSet, args []string, withSub bool, def string) (string, error) {
	sub := ""
	if withSub && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", errHelp
		}
		return "", exitError{2, fs.Name() + ": " + err.Error()}
	}
	if withSub && sub == "" && fs.NArg() > 0 {
		sub = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", errHelp
			}
			return "", exitError{2, fs.Name() + ": " + err.Error()}
		}
	}
	if fs.NArg() > 0 {
		return "", exitError{2, fs.Name() + ": unexpected argument " + fs.Arg(0)}
	}
	if sub == "" {
		sub = def
	}
	return sub, nil
}

// errHelp ends a command after its flags' help was printed.
var errHelp = errors.New("help requested")
