// Command yishi is the whole Yishi application: the web server and the
// commands that administer its database.
//
//	yishi serve   [--addr :8080] [--db URL] [--demo] [--secure-cookies] [--base-url URL] [--tz Asia/Shanghai]
//	yishi migrate [up|status] [--db URL]
//	yishi demo    [--db URL]
//	yishi user add    --phone N --name NAME [--role ROLE --place ID] [--password PW]
//	yishi user passwd --phone N [--password PW]
//	yishi audit verify [--db URL]
//	yishi audit seal   [--db URL]
//
// --db is a path to an embedded SQLite file (default yishi.db) or a
// postgres:// URL; YISHI_DATABASE_URL is used when --db is not given. A
// password not given with --password is read from standard input.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, log); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			fmt.Fprintln(os.Stderr, "yishi:", ee.msg)
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "yishi:", err)
		os.Exit(1)
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
  user           add | passwd
  audit          verify | seal
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
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stdout, usage)
	return exitError{2, "unknown command " + cmd}
}
