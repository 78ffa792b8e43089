package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"yishi/models/demo"
	"yishi/web"
)

func cmdServe(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", ":8080", "address to listen on")
	dbURL := dbFlag(fs)
	withDemo := fs.Bool("demo", false, "load the demo street before serving")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure (set when serving over TLS)")
	baseURL := fs.String("base-url", os.Getenv("YISHI_BASE_URL"), "public address for QR codes and printed links")
	tzName := fs.String("tz", "Asia/Shanghai", "time zone times are shown in")
	if _, err := parseArgs(fs, args, false, ""); err != nil {
		return err
	}
	tz, err := time.LoadLocation(*tzName)
	if err != nil {
		return exitError{2, "unknown time zone " + *tzName}
	}
	store, err := openStore(ctx, *dbURL, true)
	if err != nil {
		return err
	}
	defer store.Close()
	if *withDemo {
		if err := demo.Load(ctx, store); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	bg, cancelBG := context.WithCancel(context.Background())
	defer cancelBG()
	go store.RunSealer(bg, 2*time.Second, func(err error) { log.Error("audit sealer", "err", err.Error()) })
	go purgeSessions(bg, store.PurgeSessions, log)

	e := web.New(web.Config{SecureCookies: *secure, TZ: tz, BaseURL: *baseURL, Logger: log}, store)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	log.Info("serving", "addr", ln.Addr().String(), "db", dbKind(*dbURL), "demo", *withDemo)
	fmt.Fprintf(stdout, "yishi listening on http://%s\n", displayAddr(ln.Addr()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		log.Info("shutting down: finishing requests in flight")
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return err
		}
	}
	cancelBG()
	// Seal what the last requests wrote, so a clean stop leaves a whole chain.
	if _, err := store.SealAudit(context.Background(), 100000); err != nil {
		log.Error("final audit seal", "err", err.Error())
	}
	log.Info("stopped")
	return nil
}

func purgeSessions(ctx context.Context, purge func(context.Context) (int64, error), log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := purge(ctx); err != nil && ctx.Err() == nil {
				log.Error("purge sessions", "err", err.Error())
			}
		}
	}
}

func dbKind(url string) string {
	if len(url) > 8 && (url[:9] == "postgres:" || (len(url) > 10 && url[:11] == "postgresql:")) {
		return "postgres"
	}
	return "sqlite:" + url
}

func displayAddr(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}
