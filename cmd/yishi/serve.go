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
	"sync"
	"syscall"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/notify"
	"yishi/web"
	"yishi/web/live"
)

func cmdServe(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", ":8080", "address to listen on")
	dbURL := dbFlag(fs)
	withDemo := fs.Bool("demo", false, "load the demo street before serving")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure (set when serving over TLS)")
	baseURL := fs.String("base-url", os.Getenv("YISHI_BASE_URL"), "public address for QR codes and printed links")
	tzName := fs.String("tz", "Asia/Shanghai", "time zone times are shown in")
	proxies := fs.String("trusted-proxies", envOr("YISHI_TRUSTED_PROXIES", "127.0.0.0/8,::1"), "comma-separated addresses or networks of reverse proxies whose X-Forwarded-For names the client, for the limit on failed sign-ins per address (env YISHI_TRUSTED_PROXIES)")
	costCaps := fs.String("cost-caps", os.Getenv("YISHI_COST_CAPS"), "micro-project cost caps in yuan per kind, e.g. service=50000,goods=100000,works=200000")
	sms := smsFlags(fs)
	if _, err := parseArgs(fs, args, false, ""); err != nil {
		return err
	}
	tz, err := time.LoadLocation(*tzName)
	if err != nil {
		return exitError{2, "unknown time zone " + *tzName}
	}
	caps, err := models.ParseCostCaps(*costCaps, models.DefaultFeasibility)
	if err != nil {
		return exitError{2, err.Error()}
	}
	models.SetFeasibilityPolicy(caps)
	trustedProxies, err := web.ParseTrustedProxies(*proxies)
	if err != nil {
		return exitError{2, "--trusted-proxies: " + err.Error()}
	}
	channel, err := sms.channel(log)
	if err != nil {
		return exitError{2, err.Error()}
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
	go logAuditHead(bg, store, log, 10*time.Minute)
	var jobs sync.WaitGroup
	startJobs(bg, &jobs, store, &notify.Dispatcher{Store: store, Channels: map[string]notify.Channel{models.ChannelSMS: channel}, BaseURL: *baseURL, Log: log}, log)

	// The projectors' live tallies: on PostgreSQL every process listens, so
	// a vote through one wakes the projectors of all.
	hub := live.New(log)
	if models.IsPostgresURL(*dbURL) {
		go hub.Listen(bg, *dbURL, store.DB())
	}
	e := web.New(web.Config{SecureCookies: *secure, TZ: tz, BaseURL: *baseURL, Logger: log, Live: hub, Done: ctx.Done(), TrustedProxies: trustedProxies}, store)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	log.Info("serving", "addr", ln.Addr().String(), "db", dbKind(*dbURL), "demo", *withDemo, "sms", channel.Name())
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
	jobs.Wait()
	// Seal what the last requests wrote, so a clean stop leaves a whole chain.
	if _, err := store.SealAudit(context.Background(), 100000); err != nil {
		log.Error("final audit seal", "err", err.Error())
	}
	logHead(context.Background(), store, log, -1)
	log.Info("stopped")
	return nil
}

// logAuditHead writes the audit chain's head to the log at the start and
// then every interval when it has moved. The log is kept apart from the
// database, so a head in it that the database no longer holds shows that
// sealed entries were cut off the end (yishi audit verify --head).
func logAuditHead(ctx context.Context, store *models.Store, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	last := int64(-1)
	for {
		if seq := logHead(ctx, store, log, last); seq >= 0 {
			last = seq
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// logHead logs the audit chain's head as SEQ:HASH unless it is still at
// position last, and returns the position (-1 when it could not be read).
func logHead(ctx context.Context, store *models.Store, log *slog.Logger, last int64) int64 {
	seq, hash, err := store.AuditHead(ctx)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("audit head", "err", err.Error())
		}
		return -1
	}
	if seq > 0 && seq != last {
		log.Info("audit head", "head", headText(seq, hash))
	}
	return seq
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
	if models.IsPostgresURL(url) {
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

// smsConfig is the SMS gateway's configuration from flags or environment.
type smsConfig struct {
	url, method, user, password, token, tokenHeader *string
	timeout                                         *time.Duration
}

func smsFlags(fs *flag.FlagSet) smsConfig {
	return smsConfig{
		url:         fs.String("sms-url", os.Getenv("YISHI_SMS_URL"), "SMS gateway URL template with {phone} and {text}; empty writes messages to the log (env YISHI_SMS_URL)"),
		method:      fs.String("sms-method", envOr("YISHI_SMS_METHOD", "GET"), "GET, or POST to also send phone and text as a form (env YISHI_SMS_METHOD)"),
		user:        fs.String("sms-user", os.Getenv("YISHI_SMS_USER"), "SMS gateway user for HTTP basic auth (env YISHI_SMS_USER)"),
		password:    fs.String("sms-password", os.Getenv("YISHI_SMS_PASSWORD"), "SMS gateway password for HTTP basic auth; prefer the environment (env YISHI_SMS_PASSWORD)"),
		token:       fs.String("sms-token", os.Getenv("YISHI_SMS_TOKEN"), "SMS gateway API token; prefer the environment (env YISHI_SMS_TOKEN)"),
		tokenHeader: fs.String("sms-token-header", envOr("YISHI_SMS_TOKEN_HEADER", "Authorization"), "header carrying the token; Authorization sends \"Bearer <token>\" (env YISHI_SMS_TOKEN_HEADER)"),
		timeout:     fs.Duration("sms-timeout", 10*time.Second, "how long one SMS gateway request may take"),
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// channel is the configured SMS gateway, or the log when none is set.
func (c smsConfig) channel(log *slog.Logger) (notify.Channel, error) {
	if *c.url == "" {
		return notify.LogChannel{Log: log}, nil
	}
	g := &notify.SMSGateway{URLTemplate: *c.url, Method: *c.method, Username: *c.user, Password: *c.password,
		Token: *c.token, TokenHeader: *c.tokenHeader, Timeout: *c.timeout, HTTPClient: &http.Client{Timeout: *c.timeout + time.Second}}
	return g, g.Validate()
}

// Background job intervals.
const (
	deliverEvery     = 5 * time.Second
	needsEvery       = 5 * time.Minute
	resolutionsEvery = 5 * time.Minute
)

// startJobs runs the background work of a server until ctx ends: delivering
// the outbox, chasing overdue needs and resolutions (催办) and closing needs
// left unrated.
// Every process may run them: the outbox is claimed row by row and each need
// step locks its need.
func startJobs(ctx context.Context, wg *sync.WaitGroup, store *models.Store, d *notify.Dispatcher, log *slog.Logger) {
	wg.Add(3)
	go func() {
		defer wg.Done()
		d.Run(ctx, deliverEvery)
	}()
	go func() {
		defer wg.Done()
		notify.Every(ctx, needsEvery, func(ctx context.Context) error {
			chased, err := store.ChaseOverdue(ctx)
			if err != nil {
				return fmt.Errorf("chase overdue needs: %w", err)
			}
			closed, err := store.AutoCloseNeeds(ctx)
			if err != nil {
				return fmt.Errorf("close unrated needs: %w", err)
			}
			if len(chased) > 0 || closed > 0 {
				log.Info("needs", "chased", len(chased), "closed_unrated", closed)
			}
			return nil
		}, func(err error) { log.Error("needs job", "err", err.Error()) })
	}()
	// Overdue council resolutions are chased the same way (决议催办), on
	// their own: a failing needs job does not hold them up.
	go func() {
		defer wg.Done()
		notify.Every(ctx, resolutionsEvery, func(ctx context.Context) error {
			resolutions, err := store.ChaseResolutions(ctx)
			if err != nil {
				return fmt.Errorf("chase overdue resolutions: %w", err)
			}
			if len(resolutions) > 0 {
				log.Info("resolutions", "chased", len(resolutions))
			}
			return nil
		}, func(err error) { log.Error("resolutions job", "err", err.Error()) })
	}()
}
