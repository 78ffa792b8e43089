package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	votesLine = regexp.MustCompile(`^votes/s=(\d+) raw_insert/s=(\d+) ratio=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+) lost=(\d+) duplicated=(\d+)$`)
	pagesLine = regexp.MustCompile(`^pages/s=(\d+) bare/s=(\d+) ratio=([0-9.]+) p99_ms=([0-9.]+)$`)
)

// TestBenchVotes runs a short `yishi bench votes` on each database: it
// ends with its one line, nothing acknowledged is lost or stored twice,
// and no vote failed. A second run on the same database is refused. No
// assertion on speed.
func TestBenchVotes(t *testing.T) {
	forEachDB(t, func(t *testing.T, dbURL string) {
		c := newCLI(t)
		r := c.ok("bench", "votes", "--db", dbURL, "--duration", "1s", "--clients", "8", "--voters", "3000")
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
		c.fails([]string{"bench needs an empty database"}, "bench", "votes", "--db", dbURL, "--duration", "1s")
	})
}

// TestBenchPages runs a short `yishi bench pages` on each database, with
// the profiles of its page phase.
func TestBenchPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, dbURL string) {
		c := newCLI(t)
		r := c.ok("bench", "pages", "--db", dbURL, "--duration", "1s", "--clients", "8", "--cpuprofile", "cpu.prof", "--memprofile", "mem.prof")
		if m := pagesLine.FindStringSubmatch(strings.TrimSpace(r.stdout)); m == nil || m[1] == "0" || m[2] == "0" {
			t.Fatalf("bench pages printed %q", r.stdout)
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
