package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yishi/migrations"
	"yishi/models"
	"yishi/models/modeltest"
)

// TestVotesSurviveSIGKILL fires a burst of votes from 50 concurrent voters
// at `yishi serve` on PostgreSQL, kills the server with SIGKILL in the
// middle of it, starts it again on the same database and lets every voter
// retry its submission (a browser resending the form). Every vote a client
// saw acknowledged (200 with a receipt) must be stored exactly once under
// that receipt, a retry must return the same receipt, and nothing may be
// stored twice. Skipped without PostgreSQL unless CI is set.
func TestVotesSurviveSIGKILL(t *testing.T) {
	const voters = 50
	const killAfter = 12 // acknowledgements before the kill
	dbURL := modeltest.PostgresURL(t)
	ctx := context.Background()

	db, err := models.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	store := models.NewStore(db, nil)
	defer store.Close()
	ballotID, accounts, err := scratchBallot(ctx, store, voters)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := store.StartSessions(ctx, accounts)
	if err != nil {
		t.Fatal(err)
	}

	c := newCLI(t)
	srv := startServe(t, c, "--db", dbURL)
	var base atomic.Value
	base.Store("http://" + srv.addr)
	br := newBrowser(voters, 5*time.Second)
	defer br.close()

	// Every voter opens the ballot page first; then all submit at once.
	forms := make([]url.Values, voters)
	vs := make([]voter, voters)
	for i := range vs {
		vs[i].session = toks[i]
		f, err := br.voteForm(base.Load().(string), ballotID, &vs[i])
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(uint64(i), 3))
		forms[i] = url.Values{"_csrf": {f.csrf}, "step": {"confirm"}, "choice": pickChoices(rng, f.choices, benchMaxChoices)}
	}

	var acks, resent atomic.Int32
	var killOnce sync.Once
	killed := make(chan struct{})
	restarted := make(chan struct{})
	kill := func() {
		killOnce.Do(func() {
			if err := srv.cmd.Process.Kill(); err != nil {
				t.Error(err)
			}
			close(killed)
		})
	}
	first := make([]string, voters)    // the receipt of the first 200 a voter saw
	final := make([]string, voters)    // the receipt of a repeat after that
	beforeKill := make([]bool, voters) // acknowledged before the kill was sent
	deadline := time.Now().Add(45 * time.Second)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range voters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			submit := func() (string, error) {
				for {
					action := base.Load().(string) + "/ballots/" + strconv.FormatUint(ballotID, 10) + "/vote"
					r, err := confirm(br, action, &vs[i], forms[i])
					if err == nil {
						return r.receipt, nil
					}
					var se *statusError
					if errors.As(err, &se) && se.code < 500 {
						return "", err
					}
					if time.Now().After(deadline) {
						return "", err
					}
					resent.Add(1)
					time.Sleep(20 * time.Millisecond) // the server is down: a browser tries again
				}
			}
			rc, err := submit()
			if err != nil {
				t.Errorf("voter %d: %v", i, err)
				return
			}
			first[i] = rc
			if n := acks.Add(1); n == killAfter {
				kill()
			} else if n < killAfter {
				beforeKill[i] = true
			}
			// The burst goes on until the server is back: votes are
			// written in batches and fifty can all be answered before a
			// signal lands, so each voter keeps resending its form (as an
			// impatient browser does), and the kill always finds requests
			// in flight. Every answer must be the first receipt.
		resend:
			for {
				select {
				case <-restarted:
					break resend
				default:
					if time.Now().After(deadline) {
						break resend
					}
					r, err := submit()
					if err != nil {
						t.Errorf("voter %d resending: %v", i, err)
						return
					}
					if r != rc {
						t.Errorf("voter %d: a resent form answered receipt %s, the first answer was %s", i, r, rc)
						return
					}
				}
			}
			if final[i], err = submit(); err != nil {
				t.Errorf("voter %d repeat: %v", i, err)
			}
		}()
	}
	close(start)
	select {
	case <-killed:
	case <-time.After(30 * time.Second):
		t.Fatal("the burst never reached the kill")
	}
	<-srv.exited
	next := startServe(t, c, "--db", dbURL)
	base.Store("http://" + next.addr)
	close(restarted)
	wg.Wait()
	if t.Failed() {
		return
	}

	type row struct{ VoterKey, Receipt string }
	var rows []row
	if err := db.Table("ballot_participations").Select("voter_key, receipt").Where("ballot_id = ?", ballotID).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var votes int64
	if err := db.Table("ballot_votes").Where("ballot_id = ?", ballotID).Count(&votes).Error; err != nil {
		t.Fatal(err)
	}
	stored := map[string][]string{}
	for _, r := range rows {
		stored[r.VoterKey] = append(stored[r.VoterKey], r.Receipt)
	}
	early := 0
	for i, id := range accounts {
		if beforeKill[i] {
			early++
		}
		got := stored[models.AccountVoter(id)]
		if len(got) != 1 || got[0] != first[i] {
			t.Errorf("voter %d saw receipt %s acknowledged; stored: %v", i, first[i], got)
		}
		if final[i] != first[i] {
			t.Errorf("voter %d: a retry answered receipt %s, the first answer was %s", i, final[i], first[i])
		}
	}
	if len(rows) != voters || votes != voters {
		t.Errorf("stored %d participation(s) and %d vote(s) for %d voters", len(rows), votes, voters)
	}
	if early == 0 || resent.Load() == 0 {
		t.Errorf("the kill did not land mid-burst: %d vote(s) acknowledged before it, %d submission(s) resent", early, resent.Load())
	}
	t.Logf("%d vote(s) acknowledged before SIGKILL; %d submission(s) met the dead server and were resent", early, resent.Load())
}
