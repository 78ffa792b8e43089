package models

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type batchProbe struct {
	n    int
	runs int // how many batches ran this call
}

// TestBatcherRunsEveryCallOnce drives the batcher from many goroutines and
// checks that each call is run in exactly one batch, that batches respect
// their size limit, that no more than lanes run at once, and that calls
// were in fact gathered (fewer batches than calls).
func TestBatcherRunsEveryCallOnce(t *testing.T) {
	for _, cfg := range []struct{ lanes, spill int }{{1, 0}, {2, 0}, {2, 4}, {2, 20}} {
		lanes := cfg.lanes
		q := batcher[*batchProbe]{max: 8, lanes: lanes, spill: cfg.spill}
		var running, most, batches atomic.Int64
		const calls = 400
		probes := make([]*batchProbe, calls)
		var wg sync.WaitGroup
		for i := range probes {
			probes[i] = &batchProbe{n: i}
			wg.Add(1)
			go func() {
				defer wg.Done()
				q.do(probes[i], func(b []*batchProbe) {
					r := running.Add(1)
					for {
						m := most.Load()
						if r <= m || most.CompareAndSwap(m, r) {
							break
						}
					}
					if len(b) > 8 {
						t.Errorf("lanes %d: a batch of %d calls, limit 8", lanes, len(b))
					}
					batches.Add(1)
					time.Sleep(200 * time.Microsecond)
					for _, p := range b {
						p.runs++
					}
					running.Add(-1)
				})
				if probes[i].runs != 1 {
					t.Errorf("lanes %d: call %d returned after %d runs", lanes, i, probes[i].runs)
				}
			}()
		}
		wg.Wait()
		if m := most.Load(); m > int64(lanes) {
			t.Errorf("lanes %d: %d batches ran at once", lanes, m)
		}
		if b := batches.Load(); b >= calls {
			t.Errorf("lanes %d: %d batches for %d calls: nothing was gathered", lanes, b, calls)
		}
		q.mu.Lock()
		if q.running != 0 || len(q.pending) != 0 {
			t.Errorf("lanes %d: left with %d running and %d pending", lanes, q.running, len(q.pending))
		}
		q.mu.Unlock()
	}
}

// TestBatcherSpill: while a batch runs, calls queue behind it until spill
// of them wait; the call that makes them spill runs them at once as a
// second batch, beside the first.
func TestBatcherSpill(t *testing.T) {
	q := batcher[*batchProbe]{lanes: 2, spill: 3}
	release := make(chan struct{})
	sizes := make(chan int, 4)
	run := func(b []*batchProbe) {
		sizes <- len(b)
		if b[0].n == 0 {
			<-release // the first batch holds its lane until told
		}
		for _, p := range b {
			p.runs++
		}
	}
	probes := make([]*batchProbe, 4)
	var wg sync.WaitGroup
	start := func(i int) {
		probes[i] = &batchProbe{n: i}
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.do(probes[i], run)
		}()
	}
	queued := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			q.mu.Lock()
			got, running := len(q.pending), q.running
			q.mu.Unlock()
			if got == n {
				if running != 1 {
					t.Fatalf("%d queued with %d batches running, want 1", n, running)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d calls queued, want %d", got, n)
			}
		}
	}
	start(0)
	if n := <-sizes; n != 1 {
		t.Fatalf("first batch of %d", n)
	}
	start(1)
	queued(1)
	start(2)
	queued(2) // two wait: below the spill, no second batch
	select {
	case n := <-sizes:
		t.Fatalf("a batch of %d started below the spill", n)
	default:
	}
	start(3)
	select {
	case n := <-sizes:
		if n != 3 { // the third opens the second lane, for all three
			t.Fatalf("second batch of %d, want 3", n)
		}
	case <-time.After(5 * time.Second):
		close(release)
		t.Fatal("no second batch while the first ran")
	}
	close(release)
	wg.Wait()
	for i, p := range probes {
		if p.runs != 1 {
			t.Errorf("call %d ran %d times", i, p.runs)
		}
	}
	if len(sizes) != 0 {
		t.Errorf("%d more batches ran", len(sizes))
	}
}

// TestBatcherAloneDoesNotWait: a call with nothing running runs at once,
// by itself.
func TestBatcherAloneDoesNotWait(t *testing.T) {
	q := batcher[*batchProbe]{max: 8, lanes: 1}
	p := &batchProbe{}
	var size int
	q.do(p, func(b []*batchProbe) { size = len(b); b[0].runs++ })
	if size != 1 || p.runs != 1 {
		t.Fatalf("batch of %d, runs %d; want 1 and 1", size, p.runs)
	}
}

func TestPadPlanned(t *testing.T) {
	if got := padPlanned(nil); len(got) != 0 {
		t.Fatalf("empty list padded to %v", got)
	}
	got := padPlanned([]string{"a", "b"})
	if len(got) != plannedLen || got[0] != "a" || got[1] != "b" {
		t.Fatalf("padded to %v", got)
	}
	for _, v := range got[2:] {
		if v != "a" {
			t.Fatalf("padded with %q: %v", v, got)
		}
	}
	long := make([]string, plannedLen+1)
	if got := padPlanned(long); len(got) != len(long) {
		t.Fatalf("a long list became %d values", len(got))
	}
}

func TestNumbered(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b = ANY(?)", "a = $1 AND b = ANY($2)"},
		{"a = ? AND b = ANY(?)", "a = $1 AND b = ANY($2)"}, // remembered
	} {
		if got := numbered(c.in); got != c.want {
			t.Errorf("numbered(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
