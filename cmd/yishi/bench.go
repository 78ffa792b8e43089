package main

// yishi bench votes | pages: load tests of the ballot, over real HTTP
// against the real server, in a scratch community made in an empty
// database.
//
// The scratch ballot is a secret approval ballot (choose 1 to 3 of 20
// candidates) over every verified adult of the community: the shape of a
// typical 民生微实事 vote, and the costlier path of the store (choices and
// participation written apart, plus the audit entry).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"yishi/migrations"
	"yishi/models"
	"yishi/web"
)

// Scratch ballot shape.
const (
	benchCandidates = 20
	benchMaxChoices = 3
)

func cmdBench(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	dbURL := dbFlag(fs)
	duration := fs.Duration("duration", 15*time.Second, "how long each timed phase runs")
	clients := fs.Int("clients", 64, "concurrent clients")
	voters := fs.Int("voters", 0, "synthetic voters to create for bench votes (0: enough for the duration)")
	warmup := fs.Duration("warmup", time.Second, "before each timed phase, how long the same clients run untimed, so that connections, pools and caches are as in steady service")
	timeline := fs.Duration("timeline", 0, "also write the vote or page phase's latencies per window of this length (250ms, say) to standard error")
	var prof phaseProfiles
	fs.StringVar(&prof.cpu, "cpuprofile", "", "write a CPU profile of the vote or page phase, not its baseline, to this file (go tool pprof)")
	fs.StringVar(&prof.mem, "memprofile", "", "write the allocations up to the end of the vote or page phase to this file and those before it to FILE.base (go tool pprof -sample_index=alloc_space -base FILE.base FILE)")
	sub, err := parseArgs(fs, args, true, "")
	if err != nil {
		return err
	}
	if sub != "votes" && sub != "pages" {
		return exitError{2, "bench: give a subcommand: votes or pages"}
	}
	if *duration <= 0 || *clients < 1 || *timeline < 0 || *warmup < 0 {
		return exitError{2, "bench: --duration and --clients must be positive, --timeline and --warmup not negative"}
	}
	n := *voters
	if sub == "pages" {
		n = *clients
	} else if n <= 0 {
		// Room for 150 votes per client per second, which this machine
		// does not reach; a run that uses them all up says so.
		n = *clients * int(math.Ceil((*duration + *warmup).Seconds())) * 150
	}
	env, err := prepareBench(ctx, *dbURL, n, log)
	if err != nil {
		return err
	}
	defer env.close()
	env.prof = &prof
	env.timeline = *timeline
	if sub == "votes" {
		return benchVotes(ctx, env, *duration, *warmup, *clients, stdout)
	}
	return benchPages(ctx, env, *duration, *warmup, *clients, stdout)
}

// benchEnv is a prepared scratch ballot with a running server.
type benchEnv struct {
	store    *models.Store
	ballotID uint64
	voters   []voter
	keys     []string // the voter key of each voter
	base     string   // http://host:port of the server
	srv      *http.Server
	stopBG   context.CancelFunc
	bgDone   sync.WaitGroup
	prof     *phaseProfiles // nil: none asked for
	timeline time.Duration  // --timeline's window; 0: none
}

// phaseProfiles are the profiles asked for on the command line. They cover
// the phase under study (the votes or the pages) and not the baseline
// measured in the same run, which would otherwise make up half of them.
type phaseProfiles struct {
	cpu, mem string
	running  bool
	cpuFile  *os.File
}

// start begins the phase: the CPU profile starts, and the allocations so
// far are written to mem.base.
func (p *phaseProfiles) start() error {
	if p == nil {
		return nil
	}
	p.running = true
	if p.mem != "" {
		if err := writeAllocs(p.mem + ".base"); err != nil {
			return err
		}
	}
	if p.cpu != "" {
		f, err := os.Create(p.cpu)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		p.cpuFile = f
	}
	return nil
}

// stop ends the phase and writes what start began; once started, it is
// called again, deferred, for a phase that ends in an error.
func (p *phaseProfiles) stop() error {
	if p == nil || !p.running {
		return nil
	}
	p.running = false
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		if err := p.cpuFile.Close(); err != nil {
			return err
		}
		p.cpuFile = nil
	}
	if p.mem != "" {
		return writeAllocs(p.mem)
	}
	return nil
}

// writeAllocs writes the allocation profile, as of the last collection, to
// path.
func writeAllocs(path string) error {
	runtime.GC() // the profile holds what the last collection saw
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (e *benchEnv) close() {
	if e.srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		e.srv.Shutdown(sctx) //nolint:errcheck
		cancel()
	}
	if e.stopBG != nil {
		e.stopBG()
		e.bgDone.Wait()
	}
	e.store.Close()
}

// requireEmpty refuses a database that holds anything of Yishi's: the
// bench writes synthetic people and must never mix with real ones.
func requireEmpty(ctx context.Context, db *gorm.DB) error {
	cur, err := migrations.Current(ctx, db)
	if err != nil {
		return err
	}
	if cur == 0 {
		return nil
	}
	for _, table := range []string{"places", "accounts"} {
		var n int64
		if err := db.WithContext(ctx).Table(table).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return exitError{1, fmt.Sprintf("bench needs an empty database, and this one holds %d row(s) in %s: give --db a new SQLite file or an empty PostgreSQL database", n, table)}
		}
	}
	return nil
}

// prepareBench migrates an empty database, creates the scratch community
// with voters residents, the ballot with its candidates, opens it (freezing
// the roll), signs every voter in, and starts the real server on a free
// local port with the audit sealer running beside it as in `yishi serve`.
func prepareBench(ctx context.Context, url string, voters int, log *slog.Logger) (*benchEnv, error) {
	db, err := models.Open(url)
	if err != nil {
		return nil, err
	}
	if err := requireEmpty(ctx, db); err != nil {
		closeDB(db)
		return nil, err
	}
	if _, err := migrations.Up(ctx, db); err != nil {
		closeDB(db)
		return nil, err
	}
	env := &benchEnv{store: models.NewStore(db, nil)}
	ok := false
	defer func() {
		if !ok {
			env.close()
		}
	}()
	id, vs, err := scratchBallot(ctx, env.store, voters)
	if err != nil {
		return nil, err
	}
	env.ballotID = id
	toks, err := env.store.StartSessions(ctx, vs)
	if err != nil {
		return nil, err
	}
	// As after any bulk load: the street, its people and their sessions
	// were written just now.
	env.store.Analyze(ctx)
	// The load's dirty pages go to disk now rather than in a checkpoint
	// during the timed phases, whose commits would wait behind it. Only a
	// superuser or a member of pg_checkpoint may; otherwise the phases run
	// as they are.
	if env.store.DB().Dialector.Name() == "postgres" {
		if err := env.store.DB().WithContext(ctx).Exec("CHECKPOINT").Error; err != nil {
			log.Info("bench: no checkpoint before the timed phases", "err", err.Error())
		}
	}
	// Signed in as by the sign-in form, which hands out a fresh CSRF
	// cookie with the session cookie.
	for i, tok := range toks {
		env.voters = append(env.voters, voter{session: tok, csrf: web.NewCSRFToken()})
		env.keys = append(env.keys, models.AccountVoter(vs[i]))
	}
	bg, cancel := context.WithCancel(context.Background())
	env.stopBG = cancel
	env.bgDone.Add(1)
	go func() {
		defer env.bgDone.Done()
		env.store.RunSealer(bg, 2*time.Second, func(err error) { log.Error("audit sealer", "err", err.Error()) })
	}()
	// The request log is written as in production, into the void.
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	e := web.New(web.Config{Logger: quiet}, env.store)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	env.srv = &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	go env.srv.Serve(ln) //nolint:errcheck
	env.base = "http://" + ln.Addr().String()
	ok = true
	return env, nil
}

// scratchBallot makes the scratch community with voters residents and an
// open secret approval ballot on 20 feasible candidates, through the
// store as staff would, and returns the ballot and the voters' accounts.
func scratchBallot(ctx context.Context, store *models.Store, voters int) (uint64, []uint64, error) {
	// Nobody signs in with a password: sessions are opened directly.
	hash, err := models.HashPassword(models.NewReceipt() + models.NewReceipt())
	if err != nil {
		return 0, nil, err
	}
	sc, err := store.CreateSyntheticCommunity(ctx, voters, hash)
	if errors.Is(err, models.ErrNotEmpty) {
		return 0, nil, exitError{1, "bench needs an empty database: " + err.Error()}
	}
	if err != nil {
		return 0, nil, err
	}
	staff, err := store.LoadPrincipal(ctx, sc.StaffID)
	if err != nil {
		return 0, nil, err
	}
	// The ballot is defined a minute before it opens, half a minute ago,
	// by a store whose clock stands then; the real clock opens it.
	now := store.Now()
	then := now.Add(-90 * time.Second)
	early := models.NewStore(store.DB(), func() time.Time { return then })
	b, err := early.CreateBallot(ctx, staff, models.BallotInput{PlaceID: sc.Community.ID, Title: "压测社区民生微实事票决",
		Description: "压测用票决：从 20 个候选项目中选 1 至 3 个。", Electorate: models.ElectorateAdults, Method: models.MethodApprove,
		MinChoices: 1, MaxChoices: benchMaxChoices, Seats: benchMaxChoices, OpensAt: now.Add(-30 * time.Second), ClosesAt: now.Add(24 * time.Hour), Secret: true})
	if err != nil {
		return 0, nil, fmt.Errorf("scratch ballot: %w", err)
	}
	kinds := []models.CandidateKind{models.CandidateService, models.CandidateGoods, models.CandidateWorks}
	for i := range benchCandidates {
		c, err := early.CreateCandidate(ctx, staff, models.CandidateInput{PlaceID: sc.Community.ID, Title: fmt.Sprintf("压测候选项目 %d 号", i+1),
			Description: "楼道照明、适老扶手、健身器材一类的小微项目。", CostFen: int64(10_000_00 + i*1_000_00), Kind: kinds[i%len(kinds)]}, nil)
		if err != nil {
			return 0, nil, fmt.Errorf("scratch candidate: %w", err)
		}
		if _, err := early.ReviewCandidate(ctx, staff, c.ID, models.ReviewInput{Feasible: true, Reason: "预算在上限以内。"}); err != nil {
			return 0, nil, fmt.Errorf("scratch review: %w", err)
		}
		if err := early.AddCandidate(ctx, staff, b.ID, c.ID); err != nil {
			return 0, nil, fmt.Errorf("scratch ballot candidate: %w", err)
		}
	}
	if _, err := store.Open(ctx, staff, b.ID); err != nil {
		return 0, nil, fmt.Errorf("open scratch ballot: %w", err)
	}
	return b.ID, sc.VoterIDs, nil
}

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	s  []sample
}

// sample is one request's latency and when, since the phase began, its
// answer came.
type sample struct {
	end, d time.Duration
}

func (l *latencies) add(ss []sample) {
	l.mu.Lock()
	l.s = append(l.s, ss...)
	l.mu.Unlock()
}

// quantile returns the q-quantile in milliseconds.
func (l *latencies) quantile(q float64) float64 {
	return quantileMS(l.s, q)
}

// quantileMS returns the q-quantile of ss's latencies in milliseconds,
// sorting ss by latency.
func quantileMS(ss []sample, q float64) float64 {
	if len(ss) == 0 {
		return 0
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].d < ss[j].d })
	i := int(math.Ceil(q*float64(len(ss)))) - 1
	i = max(0, min(i, len(ss)-1))
	return float64(ss[i].d.Microseconds()) / 1000
}

// timeline writes the phase's latencies window by window, by when the
// answers came: a line per window with its count, p50, p99 and slowest.
// Where p99 comes from (a few stalls or a steady spread) shows here.
func (l *latencies) timeline(w io.Writer, phase string, window time.Duration) {
	if window <= 0 || len(l.s) == 0 {
		return
	}
	byEnd := slices.Clone(l.s)
	sort.Slice(byEnd, func(i, j int) bool { return byEnd[i].end < byEnd[j].end })
	for from := 0; from < len(byEnd); {
		slot := byEnd[from].end / window
		to := from
		for to < len(byEnd) && byEnd[to].end/window == slot {
			to++
		}
		ws := byEnd[from:to]
		fmt.Fprintf(w, "bench: %s timeline t=%.2fs n=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
			phase, (time.Duration(slot) * window).Seconds(), len(ws), quantileMS(ws, 0.5), quantileMS(ws, 0.99), quantileMS(ws, 1))
		from = to
	}
}

// failures counts errors by kind and keeps one example of each.
type failures struct {
	mu sync.Mutex
	n  map[string]int
	ex map[string]string
}

func (f *failures) add(err error) {
	kind := "network"
	var se *statusError
	if errors.As(err, &se) {
		kind = "status " + strconv.Itoa(se.code)
	} else if !isNetErr(err) {
		kind = "page"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil {
		f.n, f.ex = map[string]int{}, map[string]string{}
	}
	f.n[kind]++
	if _, ok := f.ex[kind]; !ok {
		f.ex[kind] = err.Error()
	}
}

func (f *failures) report(w io.Writer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	kinds := make([]string, 0, len(f.n))
	for k := range f.n {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "bench: %d failure(s) of kind %s, e.g. %s\n", f.n[k], k, f.ex[k])
	}
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// benchVotes runs the raw insert phase, then the vote phase, then checks
// every acknowledged receipt against the database.
//
// A vote is the submission of the ballot page's form: its fields are read
// from the real page once, before the timed phase (every voter is shown
// the same form but for the CSRF token, which is the voter's own cookie);
// the timed phase then posts each voter's form with its session and CSRF
// cookies, as a browser posts the page it shows. The page itself is
// measured by bench pages.
func benchVotes(ctx context.Context, env *benchEnv, d, warmup time.Duration, clients int, stdout io.Writer) error {
	raw, err := rawInserts(ctx, env.store, d, warmup, clients)
	if err != nil {
		return fmt.Errorf("raw inserts: %w", err)
	}
	br := newBrowser(clients, 30*time.Second)
	defer br.close()
	form, err := br.voteForm(env.base, env.ballotID, &env.voters[0])
	if err != nil {
		return fmt.Errorf("ballot page: %w", err)
	}
	// Each client posts over its own connection (see wire).
	wires := make([]*wire, clients)
	defer func() {
		for _, w := range wires {
			if w != nil {
				w.close()
			}
		}
	}()
	for c := range wires {
		if wires[c], err = newWire(env.base, 30*time.Second); err != nil {
			return err
		}
	}
	acked := make([]string, len(env.voters)) // receipt per voter index, "" when not acknowledged
	var next atomic.Int64
	var exhausted atomic.Bool
	var fails failures
	// run has every client vote for d, voter after voter, and returns the
	// votes acknowledged and their latencies.
	run := func(d time.Duration, seed uint64) (int64, *latencies) {
		var lat latencies
		var ok atomic.Int64
		start := time.Now()
		deadline := start.Add(d)
		eachClient(clients, func(c int) {
			rng := rand.New(rand.NewPCG(uint64(c), seed))
			var mine []sample
			for time.Now().Before(deadline) {
				i := int(next.Add(1) - 1)
				if i >= len(env.voters) {
					exhausted.Store(true)
					break
				}
				r, err := vote(wires[c], env.base, env.ballotID, &env.voters[i], form, rng, benchMaxChoices)
				if err != nil {
					fails.add(err)
					continue
				}
				acked[i] = r.receipt
				ok.Add(1)
				mine = append(mine, sample{end: time.Since(start), d: r.latency})
			}
			lat.add(mine)
		})
		return ok.Load(), &lat
	}
	if warmup > 0 {
		n, _ := run(warmup, 1)
		fmt.Fprintf(os.Stderr, "bench: vote warm-up: %d votes in %s, not timed\n", n, warmup)
	}
	if err := env.prof.start(); err != nil {
		return err
	}
	defer env.prof.stop() //nolint:errcheck // only does anything after an error ended the phase
	cpu := startCPU()
	start := time.Now()
	timed, lat := run(d, 7)
	elapsed := time.Since(start)
	cpu = cpu.stop()
	if err := env.prof.stop(); err != nil {
		return err
	}
	if exhausted.Load() {
		fmt.Fprintf(os.Stderr, "bench: all %d synthetic voters voted before the time was up; give --voters more\n", len(env.voters))
	}
	fails.report(os.Stderr)
	lost, dup, _, err := checkVotes(ctx, env, acked)
	if err != nil {
		return err
	}
	cpu.write(os.Stderr, "vote phase", "vote", int(timed))
	lat.timeline(os.Stderr, "vote phase", env.timeline)
	rate := float64(timed) / elapsed.Seconds()
	fmt.Fprintf(stdout, "votes/s=%.0f raw_insert/s=%.0f ratio=%.2f p50_ms=%.1f p99_ms=%.1f lost=%d duplicated=%d\n",
		rate, raw, rate/math.Max(raw, 1e-9), lat.quantile(0.50), lat.quantile(0.99), lost, dup)
	return nil
}

// checkVotes compares the acknowledged receipts with what is stored: lost
// is an acknowledged receipt with no participation row of that voter and
// code; duplicated counts participation rows beyond one per voter, votes
// beyond one per participation, and stored votes beyond the
// acknowledgements. It returns them with the number acknowledged.
func checkVotes(ctx context.Context, env *benchEnv, acked []string) (lost, dup, n int, err error) {
	type row struct {
		VoterKey, Receipt string
	}
	var rows []row
	db := env.store.DB().WithContext(ctx)
	if err := db.Table("ballot_participations").Select("voter_key, receipt").Where("ballot_id = ?", env.ballotID).Scan(&rows).Error; err != nil {
		return 0, 0, 0, err
	}
	var votes int64
	if err := db.Table("ballot_votes").Where("ballot_id = ?", env.ballotID).Count(&votes).Error; err != nil {
		return 0, 0, 0, err
	}
	stored := map[string][]string{}
	for _, r := range rows {
		stored[r.VoterKey] = append(stored[r.VoterKey], r.Receipt)
	}
	for i, rc := range acked {
		if rc == "" {
			continue
		}
		n++
		got := stored[env.keys[i]]
		if len(got) == 0 || got[0] != rc {
			lost++
		}
	}
	for _, rs := range stored {
		dup += len(rs) - 1 // the unique key makes this impossible
	}
	dup += max(0, len(stored)-(n-lost)) // voters stored but never acknowledged
	dup += max(0, int(votes)-len(rows)) // choices without a participation
	return lost, dup, n, nil
}

// rawInserts measures how fast clients goroutines insert one vote-shaped
// row each (a participation-like row under a unique key) straight through
// the store's pool for d, into a scratch table dropped afterwards.
func rawInserts(ctx context.Context, store *models.Store, d, warmup time.Duration, clients int) (float64, error) {
	sqlDB, err := store.DB().DB()
	if err != nil {
		return 0, err
	}
	pg := store.DB().Dialector.Name() == "postgres"
	create := "CREATE TABLE bench_raw_votes (id INTEGER PRIMARY KEY AUTOINCREMENT, ballot_id BIGINT NOT NULL, voter_key TEXT NOT NULL, receipt TEXT NOT NULL, channel TEXT NOT NULL, at TIMESTAMP NOT NULL, UNIQUE (ballot_id, voter_key))"
	insert := "INSERT INTO bench_raw_votes (ballot_id, voter_key, receipt, channel, at) VALUES (?, ?, ?, ?, ?)"
	if pg {
		create = "CREATE TABLE bench_raw_votes (id BIGSERIAL PRIMARY KEY, ballot_id BIGINT NOT NULL, voter_key TEXT NOT NULL, receipt TEXT NOT NULL, channel TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, UNIQUE (ballot_id, voter_key))"
		insert = "INSERT INTO bench_raw_votes (ballot_id, voter_key, receipt, channel, at) VALUES ($1, $2, $3, $4, $5)"
	}
	if _, err := sqlDB.ExecContext(ctx, create); err != nil {
		return 0, err
	}
	defer sqlDB.ExecContext(context.Background(), "DROP TABLE bench_raw_votes") //nolint:errcheck
	// run has every client insert for d, each row under a key of its own,
	// and returns how many rows went in.
	run := func(d time.Duration, phase string) (int64, error) {
		var total atomic.Int64
		var first atomic.Value
		deadline := time.Now().Add(d)
		eachClient(clients, func(c int) {
			for i := 0; time.Now().Before(deadline); i++ {
				key := phase + strconv.Itoa(c) + ":" + strconv.Itoa(i)
				if _, err := sqlDB.ExecContext(ctx, insert, 1, key, models.NewReceipt(), models.ChannelOnline, time.Now().UTC()); err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
				total.Add(1)
			}
		})
		err, _ := first.Load().(error)
		return total.Load(), err
	}
	if warmup > 0 {
		n, err := run(warmup, "w")
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(os.Stderr, "bench: raw insert warm-up: %d inserts in %s, not timed\n", n, warmup)
	}
	cpu := startCPU()
	start := time.Now()
	n, err := run(d, "t")
	elapsed := time.Since(start)
	cpu.stop().write(os.Stderr, "raw insert phase", "insert", int(n))
	if err != nil {
		return 0, err
	}
	return float64(n) / elapsed.Seconds(), nil
}

// benchPages compares the ballot page, for signed-in voters who have not
// voted, with a bare echo handler serving as many bytes.
func benchPages(ctx context.Context, env *benchEnv, d, warmup time.Duration, clients int, stdout io.Writer) error {
	br := newBrowser(clients, 30*time.Second)
	defer br.close()
	page := env.base + "/ballots/" + strconv.FormatUint(env.ballotID, 10)
	sample, err := br.get(page, &env.voters[0])
	if err != nil {
		return fmt.Errorf("ballot page: %w", err)
	}
	if _, err := parseVoteForm(sample); err != nil {
		return fmt.Errorf("ballot page: %w", err)
	}
	pageURL := func(int) string { return page }
	if err := warmUp(br, clients, warmup, "page", pageURL, env.voters); err != nil {
		return err
	}
	if err := env.prof.start(); err != nil {
		return err
	}
	defer env.prof.stop() //nolint:errcheck // only does anything after an error ended the phase

	cpu := startCPU()
	n, lat, err := hammer(br, clients, d, pageURL, env.voters)
	if err != nil {
		return err
	}
	cpu.stop().write(os.Stderr, "page phase", "page", int(n))
	lat.timeline(os.Stderr, "page phase", env.timeline)
	if err := env.prof.stop(); err != nil {
		return err
	}
	pagesRate := float64(n) / lat.elapsed.Seconds()

	bare := echo.New()
	bare.HideBanner, bare.HidePort = true, true
	bare.GET("/", func(c echo.Context) error { return c.HTMLBlob(http.StatusOK, sample) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	bsrv := &http.Server{Handler: bare, ReadHeaderTimeout: 10 * time.Second}
	go bsrv.Serve(ln) //nolint:errcheck
	defer bsrv.Close()
	bareURL := "http://" + ln.Addr().String() + "/"
	anon := make([]voter, clients)
	bareAt := func(int) string { return bareURL }
	if err := warmUp(br, clients, warmup, "bare page", bareAt, anon); err != nil {
		return err
	}
	cpu = startCPU()
	bn, bst, err := hammer(br, clients, d, bareAt, anon)
	if err != nil {
		return err
	}
	cpu.stop().write(os.Stderr, "bare phase", "page", int(bn))
	bareRate := float64(bn) / bst.elapsed.Seconds()
	fmt.Fprintf(stdout, "pages/s=%.0f bare/s=%.0f ratio=%.2f p99_ms=%.1f\n", pagesRate, bareRate, pagesRate/math.Max(bareRate, 1e-9), lat.quantile(0.99))
	return nil
}

// warmUp runs hammer for d, untimed, and says how many pages it got.
func warmUp(br *browser, clients int, d time.Duration, what string, url func(c int) string, voters []voter) error {
	if d <= 0 {
		return nil
	}
	n, _, err := hammer(br, clients, d, url, voters)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: %s warm-up: %d pages in %s, not timed\n", what, n, d)
	return nil
}

// eachClient runs body(c) for every client c at once and returns when all
// have returned.
func eachClient(clients int, body func(c int)) {
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() { body(c) })
	}
	wg.Wait()
}

// hammerStats is a GET phase's latencies and wall time.
type hammerStats struct {
	latencies
	elapsed time.Duration
}

// hammer has clients goroutines GET url(c) as voters[c % len] for d and
// returns how many 200s they got. A failed GET ends the phase with its error.
func hammer(br *browser, clients int, d time.Duration, url func(c int) string, voters []voter) (int64, *hammerStats, error) {
	var total atomic.Int64
	var first atomic.Value
	st := &hammerStats{}
	start := time.Now()
	deadline := start.Add(d)
	eachClient(clients, func(c int) {
		v := voters[c%len(voters)]
		u := url(c)
		var mine []sample
		for time.Now().Before(deadline) {
			t0 := time.Now()
			if _, err := br.get(u, &v); err != nil {
				first.CompareAndSwap(nil, err)
				return
			}
			mine = append(mine, sample{end: time.Since(start), d: time.Since(t0)})
			total.Add(1)
		}
		st.add(mine)
	})
	st.elapsed = time.Since(start)
	if err, _ := first.Load().(error); err != nil {
		return 0, nil, err
	}
	return total.Load(), st, nil
}
