package main

// The machine's CPU time around a bench phase: the rate of a phase swings
// with the host from run to run, while the CPU one operation costs swings
// less, so comparing two builds by it takes fewer runs.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuSample is the machine's CPU time so far, in /proc/stat's ticks, with
// the number of CPUs it is summed over.
type cpuSample struct {
	busy, total uint64
	cpus        int
}

// parseProcStat reads /proc/stat's aggregate "cpu" line (user, nice,
// system, idle, iowait, irq, softirq, steal, ...): busy is everything but
// idle and iowait. Guest time is already part of user and nice.
func parseProcStat(r io.Reader) (cpuSample, error) {
	var s cpuSample
	found := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], "cpu") {
			continue
		}
		if f[0] != "cpu" {
			s.cpus++
			continue
		}
		if len(f) < 5 {
			return s, fmt.Errorf("/proc/stat: short cpu line %q", sc.Text())
		}
		for i, v := range f[1:min(len(f), 9)] {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return s, fmt.Errorf("/proc/stat: %w", err)
			}
			s.total += n
			if i != 3 && i != 4 { // idle, iowait
				s.busy += n
			}
		}
		found = true
	}
	if err := sc.Err(); err != nil {
		return s, err
	}
	if !found || s.cpus == 0 {
		return s, fmt.Errorf("/proc/stat: no cpu lines")
	}
	return s, nil
}

// readCPU samples the machine's CPU time; ok is false where there is no
// /proc/stat.
func readCPU() (cpuSample, bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return cpuSample{}, false
	}
	defer f.Close()
	s, err := parseProcStat(f)
	return s, err == nil
}

// cpuPhase is the machine's CPU time over one timed phase: startCPU at
// its start, stop at its end, then write once the count is known.
type cpuPhase struct {
	from, to cpuSample
	at       time.Time
	elapsed  time.Duration
	valid    bool
}

func startCPU() cpuPhase {
	s, ok := readCPU()
	return cpuPhase{from: s, at: time.Now(), valid: ok}
}

func (c cpuPhase) stop() cpuPhase {
	to, ok := readCPU()
	c.to, c.elapsed, c.valid = to, time.Since(c.at), c.valid && ok
	return c
}

// write puts how busy the machine was over the phase and the CPU time per
// operation, n operations of the named kind having been done, as one line
// to w ("bench: vote phase: machine 87% busy over 2 CPUs, 290 µs of CPU per
// vote"). It writes nothing where the machine's time cannot be read.
func (c cpuPhase) write(w io.Writer, phase, op string, n int) {
	if c.valid {
		fmt.Fprintln(w, cpuLine(phase, op, c.from, c.to, c.elapsed, n))
	}
}

func cpuLine(phase, op string, from, to cpuSample, elapsed time.Duration, n int) string {
	busy, total := to.busy-from.busy, to.total-from.total
	if total == 0 || n <= 0 {
		return fmt.Sprintf("bench: %s: no CPU time or no %s to measure", phase, op)
	}
	share := float64(busy) / float64(total)
	perOp := share * float64(to.cpus) * elapsed.Seconds() / float64(n)
	return fmt.Sprintf("bench: %s: machine %.0f%% busy over %d CPUs, %.0f µs of CPU per %s", phase, 100*share, to.cpus, perOp*1e6, op)
}
