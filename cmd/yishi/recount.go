package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"yishi/models"
)

// cmdRecount checks a downloaded ballot board (board.json) offline: it
// walks the hash chain from the ballot's fingerprint to the stated head,
// recounts the choices and compares them with the totals the file states,
// then decides the outcome again (turnout, ranking with the recorded draw,
// the budget) and compares it with the stated winners. It prints the
// recounted totals and outcome and exits 1 on any mismatch.
func cmdRecount(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("recount", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { fmt.Fprintln(stdout, "usage: yishi recount FILE") }
	file, err := parseArgs(fs, args, true, "")
	if err != nil {
		return err
	}
	if file == "" {
		fs.Usage()
		return exitError{2, "recount: no board file given"}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return exitError{2, "recount: " + err.Error()}
	}
	f, err := models.ParseBoard(data)
	if err != nil {
		return exitError{1, "recount: " + err.Error()}
	}
	got, rerr := models.Recount(f)
	fmt.Fprintf(stdout, "ballot %d: %s\n", f.BallotID, f.Title)
	fmt.Fprintf(stdout, "method %s, secret %v, electorate %d, %d board entries\n", f.Method, f.Secret, f.Electorate, len(f.Entries))
	fmt.Fprintf(stdout, "fingerprint %s\nhead        %s\n", f.Fingerprint, f.Head)
	if rerr != nil {
		return exitError{1, "recount: MISMATCH: " + rerr.Error()}
	}
	title := map[uint64]string{}
	for _, c := range f.Candidates {
		title[c.ID] = c.Title
	}
	rows := append([]models.CandidateTally(nil), got.Candidates...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Points > rows[j].Points })
	fmt.Fprintf(stdout, "ballots counted %d\n", got.Ballots)
	for _, r := range rows {
		fmt.Fprintf(stdout, "  candidate %d %s: %d votes, %d points\n", r.ID, title[r.ID], r.Votes, r.Points)
	}
	if f.Method == models.MethodYesNo {
		fmt.Fprintf(stdout, "  no: %d\n", got.No)
	}
	if f.Outcome == nil {
		fmt.Fprintln(stdout, "OK: the chain verifies and the totals match (the board states no outcome to check)")
		return nil
	}
	fmt.Fprintf(stdout, "turnout met %v; draw seed %s\n", f.Outcome.Valid, f.Outcome.DrawSeed)
	for i, id := range f.Outcome.Winners {
		fmt.Fprintf(stdout, "  %d. candidate %d %s\n", i+1, id, title[id])
	}
	fmt.Fprintln(stdout, "OK: the chain verifies, the totals match, and they decide the stated outcome")
	return nil
}
