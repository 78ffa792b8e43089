package main

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var (
	votesLine = regexp.MustCompile(`^votes/s=(\d+) raw_insert/s=(\d+) ratio=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+) lost=(\d+) duplicated=(\d+)$`)
	pagesLine = regexp.MustCompile(`^pages/s=(\d+) bare/s=(\d+) ratio=([0-9.]+) p99_ms=([0-9.]+)$`)
)

// TestBenchVotes runs a short `yishi bench votes` on each database: it
// ends with its one line, nothing acknowledged is lost or stored twice,
// and no vote failed; both its phases were warmed up first. A second run on
// the same database is refused. No assertion on speed.
func TestBenchVotes(t *testing.T) {
	forEachDB(t, func(t *testing.T, dbURL string) {
		c := newCLI(t)
		r := c.ok("bench", "votes", "--db", dbURL, "--duration", "1s", "--warmup", "250ms", "--clients", "8", "--voters", "3000")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		m := votesLine.FindStringSubmatch(lines[len(lines)-1])
		if len(lines) != 1 || m == nil {
			t.Fatalf("bench votes printed %q", r.stdout)
		}
		if m[1] == "0" || m[6] != "0" || m[7] != "0" {
			t.Fatalf("bench votes: %s", lines[0])
		}
		if strings.Contains(r.stderr, "failure") {
			t.Fatalf("votes failed: %s", r.stderr)
		}
		for _, warm := range []string{"raw insert warm-up: [1-9]\\d* inserts", "vote warm-up: [1-9]\\d* votes"} {
			if !regexp.MustCompile(`(?m)^bench: ` + warm + ` in 250ms, not timed$`).MatchString(r.stderr) {
				t.Errorf("no line for the %s on stderr: %s", warm, r.stderr)
			}
		}
		if runtime.GOOS == "linux" {
			for _, phase := range []string{"raw insert phase: .* per insert", "vote phase: .* per vote"} {
				if !regexp.MustCompile(`(?m)^bench: ` + phase + `$`).MatchString(r.stderr) {
					t.Errorf("no CPU line for the %s on stderr: %s", phase, r.stderr)
				}
			}
		}
		c.fails([]string{"bench needs an empty database"}, "bench", "votes", "--db", dbURL, "--duration", "1s")
	})
}

// TestBenchPages runs a short `yishi bench pages` on each database, with
// the profiles of its page phase.
func TestBenchPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, dbURL string) {
		c := newCLI(t)
		// Warmed up on one database, not on the other.
		warm := "250ms"
		if strings.HasPrefix(dbURL, "postgres") {
			warm = "0s"
		}
		r := c.ok("bench", "pages", "--db", dbURL, "--duration", "1s", "--warmup", warm, "--clients", "8", "--cpuprofile", "cpu.prof", "--memprofile", "mem.prof", "--timeline", "250ms")
		if m := pagesLine.FindStringSubmatch(strings.TrimSpace(r.stdout)); m == nil || m[1] == "0" || m[2] == "0" {
			t.Fatalf("bench pages printed %q", r.stdout)
		}
		if n := len(regexp.MustCompile(`(?m)^bench: page phase timeline t=\d+\.\d\ds n=[1-9]\d* p50_ms=\S+ p99_ms=\S+ max_ms=\S+$`).FindAllString(r.stderr, -1)); n < 2 || n > 5 {
			t.Errorf("%d timeline lines for a 1 s phase in 250 ms windows: %s", n, r.stderr)
		}
		warmed := regexp.MustCompile(`(?m)^bench: (page|bare page) warm-up: [1-9]\d* pages in 250ms, not timed$`).FindAllString(r.stderr, -1)
		if want := map[string]int{"0s": 0, "250ms": 2}[warm]; len(warmed) != want || strings.Contains(r.stderr, "warm-up") != (want > 0) {
			t.Errorf("--warmup %s: %d warm-up lines: %s", warm, len(warmed), r.stderr)
		}
		for _, name := range []string{"cpu.prof", "mem.prof", "mem.prof.base"} {
			b, err := os.ReadFile(filepath.Join(c.dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(b) < 100 || b[0] != 0x1f || b[1] != 0x8b { // pprof's gzipped protocol buffer
				t.Fatalf("%s: %d bytes, not a profile", name, len(b))
			}
		}
	})
}

func TestBenchUsage(t *testing.T) {
	c := newCLI(t)
	c.fails([]string{"votes or pages"}, "bench")
	c.fails([]string{"votes or pages"}, "bench", "tally")
	c.fails([]string{"must be positive"}, "bench", "votes", "--duration", "0s")
	c.fails([]string{"--timeline and --warmup not negative"}, "bench", "pages", "--timeline", "-1s")
	c.fails([]string{"--timeline and --warmup not negative"}, "bench", "votes", "--warmup", "-1s")
}

// TestParseVoteForm reads the vote form as the contract describes it, and
// nothing outside it.
func TestParseVoteForm(t *testing.T) {
	page := []byte(`<form method="post" action="/x"><input type="hidden" name="_csrf" value="other"></form>
<form method="post" action="/ballots/3/vote" data-testid="vote-form"><input type="hidden" name="_csrf" value="tok&amp;en">
<label><input type="checkbox" name="choice" value="11"> 甲</label><label><input class="big" type="checkbox"
 name="choice" value="12" checked> 乙</label><button name="step" value="review">下一步</button></form>
<form><input name="choice" value="99"></form>`)
	f, err := parseVoteForm(page)
	if err != nil {
		t.Fatal(err)
	}
	if f.csrf != "tok&en" || !slices.Equal(f.choices, []string{"11", "12"}) {
		t.Fatalf("parsed %+v", f)
	}
	if _, err := parseVoteForm([]byte(`<p>您已投票</p>`)); err != errNoVoteForm {
		t.Fatalf("a page without the form: %v", err)
	}
	if _, err := parseVoteForm([]byte(`<form data-testid="vote-form"><input name="choice" value="1"></form>`)); err == nil {
		t.Fatal("a form without its CSRF field was accepted")
	}
	rc, ok := parseReceipt([]byte(`<p>回执码 <code class="receipt" data-testid="receipt-code">ABCD-EFGH-JKLM</code></p>`))
	if !ok || rc != "ABCD-EFGH-JKLM" {
		t.Fatalf("receipt %q %v", rc, ok)
	}
	if _, ok := parseReceipt([]byte(`<p>出错了</p>`)); ok {
		t.Fatal("a receipt read from a page without one")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		got := pickChoices(rng, []string{"1", "2", "3", "4", "5"}, 3)
		if len(got) < 1 || len(got) > 3 {
			t.Fatalf("picked %v", got)
		}
		seen := map[string]bool{}
		for _, g := range got {
			if seen[g] {
				t.Fatalf("picked %v twice", g)
			}
			seen[g] = true
		}
	}
}

// TestWire: a load client's own connection posts forms as a browser does
// (method, path, form body, cookies), reads whole answers with a length or
// in chunks, keeps one connection alive between posts, takes new cookies
// the site sets, and dials again after the server closed the connection.
func TestWire(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		sess, _ := r.Cookie("yishi_session")
		csrf, _ := r.Cookie("yishi_csrf")
		if sess == nil || csrf == nil {
			http.Error(w, "no cookies", http.StatusForbidden)
			return
		}
		switch r.FormValue("step") {
		case "rotate":
			http.SetCookie(w, &http.Cookie{Name: "yishi_csrf", Value: "fresh-token"})
		case "close":
			w.Header().Set("Connection", "close")
		case "chunked": // a long answer sent in pieces, without a length
			for i := range 3 {
				fmt.Fprintf(w, "%d%s", i, strings.Repeat("x", 5000))
				w.(http.Flusher).Flush()
			}
			return
		}
		fmt.Fprintf(w, "%s %s %s %s %s %s", r.Method, r.URL.Path, r.Header.Get("Content-Type"), sess.Value, csrf.Value, strings.Join(r.Form["choice"], ","))
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	w, err := newWire(srv.URL, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	v := &voter{session: "sess-1", csrf: "tok-1"}
	post := func(step string) string {
		t.Helper()
		body, code, err := w.post(srv.URL+"/ballots/3/vote", v, url.Values{"step": {step}, "choice": {"11", "12"}})
		if err != nil || code != http.StatusOK {
			t.Fatalf("post %s: %d %v", step, code, err)
		}
		return string(body)
	}
	want := "POST /ballots/3/vote application/x-www-form-urlencoded sess-1 tok-1 11,12"
	for range 3 {
		if got := post("confirm"); got != want {
			t.Fatalf("the server saw %q, want %q", got, want)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("three posts took %d connections, want 1", n)
	}
	if got := post("chunked"); len(got) != 15003 || !strings.HasPrefix(got, "0xx") || got[5001] != '1' || got[10002] != '2' {
		t.Fatalf("chunked answer: %d bytes %.20q", len(got), got)
	}
	if got := post("confirm"); got != want {
		t.Fatalf("after a chunked answer the server saw %q", got)
	}
	post("rotate")
	if v.csrf != "fresh-token" {
		t.Fatalf("the new CSRF cookie was not taken: %q", v.csrf)
	}
	post("close") // the server closes after answering
	if got := post("confirm"); !strings.Contains(got, "sess-1 fresh-token") {
		t.Fatalf("after the server closed: %q", got)
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("connections after a close = %d, want 2", n)
	}
	// A connection the server drops while idle is dialled again.
	srv.CloseClientConnections()
	time.Sleep(50 * time.Millisecond)
	if got := post("confirm"); !strings.Contains(got, "sess-1 fresh-token 11,12") {
		t.Fatalf("after an idle close: %q", got)
	}
	if n := conns.Load(); n != 3 {
		t.Fatalf("connections after an idle close = %d, want 3", n)
	}
	// A refusal comes back as its status, not as an error.
	body, code, err := w.post(srv.URL+"/ballots/3/vote", &voter{}, url.Values{"step": {"confirm"}})
	if err != nil || code != http.StatusForbidden || !strings.Contains(string(body), "no cookies") {
		t.Fatalf("refused post: %d %q %v", code, body, err)
	}
}

func TestTimeline(t *testing.T) {
	ms := time.Millisecond
	var l latencies
	l.add([]sample{{end: 10 * ms, d: 4 * ms}, {end: 240 * ms, d: 8 * ms}, {end: 100 * ms, d: 6 * ms}})
	l.add([]sample{{end: 760 * ms, d: 30 * ms}, {end: 800 * ms, d: 10 * ms}})
	var b strings.Builder
	l.timeline(&b, "vote phase", 250*ms)
	// The window from 0.25 s holds nothing and has no line.
	want := "bench: vote phase timeline t=0.00s n=3 p50_ms=6.0 p99_ms=8.0 max_ms=8.0\n" +
		"bench: vote phase timeline t=0.75s n=2 p50_ms=10.0 p99_ms=30.0 max_ms=30.0\n"
	if b.String() != want {
		t.Fatalf("got\n%swant\n%s", b.String(), want)
	}
	// The whole phase's quantiles are untouched by the windows.
	if got := l.quantile(0.5); got != 8 {
		t.Fatalf("p50 of the phase: %v", got)
	}
	b.Reset()
	l.timeline(&b, "vote phase", 0)
	if b.Len() != 0 {
		t.Fatalf("no window, yet %q", b.String())
	}
}
