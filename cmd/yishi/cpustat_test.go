package main

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	const stat = `cpu  100 5 50 800 20 3 2 10 7 0
cpu0 50 2 25 400 10 1 1 5 3 0
cpu1 50 3 25 400 10 2 1 5 4 0
intr 12345 0 0
ctxt 999
`
	s, err := parseProcStat(strings.NewReader(stat))
	if err != nil {
		t.Fatal(err)
	}
	// busy: user, nice, system, irq, softirq, steal (guest is in user);
	// total adds idle and iowait.
	if s.busy != 100+5+50+3+2+10 || s.total != s.busy+800+20 || s.cpus != 2 {
		t.Fatalf("parsed %+v", s)
	}
	for _, bad := range []string{"", "intr 1 2\n", "cpu  1 2 x 4 5\ncpu0 1 2 3 4 5\n", "cpu 1 2\ncpu0 1 2 3 4\n"} {
		if _, err := parseProcStat(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestCPULine(t *testing.T) {
	from := cpuSample{busy: 1000, total: 3000, cpus: 2}
	to := cpuSample{busy: 1870, total: 4000, cpus: 2} // 87% busy
	// 0.87 × 2 CPUs × 15 s = 26.1 s of CPU over 90 000 votes: 290 µs each.
	got := cpuLine("vote phase", "vote", from, to, 15*time.Second, 90000)
	if want := "bench: vote phase: machine 87% busy over 2 CPUs, 290 µs of CPU per vote"; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if got := cpuLine("vote phase", "vote", from, from, time.Second, 10); !strings.Contains(got, "no CPU time") {
		t.Fatalf("an empty interval: %q", got)
	}
}

// TestReadCPU reads this machine's own time where Linux keeps it.
func TestReadCPU(t *testing.T) {
	s, ok := readCPU()
	if runtime.GOOS != "linux" {
		t.Skip("no /proc/stat here")
	}
	if !ok || s.total == 0 || s.cpus < 1 {
		t.Fatalf("read %+v, %v", s, ok)
	}
	if s.cpus != runtime.NumCPU() {
		t.Logf("%d CPUs in /proc/stat, Go sees %d", s.cpus, runtime.NumCPU())
	}
}
