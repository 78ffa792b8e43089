package models

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Group commit of votes.
//
// When a whole street votes at once, most of the cost of a vote is the
// commit: a round trip per statement and a flush of the write-ahead log per
// transaction. Votes are therefore written in batches: the first voter to
// arrive while no batch is being written becomes the leader and writes its
// own vote together with every vote that queued up meanwhile, in one
// transaction of a few multi-row statements; when it is done it hands the
// lead to the first vote that queued during its write. Every voter waits
// for the commit of the batch that holds its vote before it is told its
// receipt, so an acknowledged vote is a committed one, exactly as when each
// vote had its own transaction.
//
// The rules are unchanged: the roll decides who may vote, the unique
// (ballot_id, voter_key) key refuses a second participation under any
// concurrency (a vote that hits it gets the original receipt), and a voter
// who voted on paper is refused. A batch also helps secrecy: its choices
// are inserted in shuffled order, so not even the shared transaction or the
// physical order of rows pairs a participation with its choices.

// maxVoteBatch bounds a batch: a participation takes nine statement
// parameters, and both databases limit the parameters of one statement.
const maxVoteBatch = 256

// voteWriteTimeout bounds one batch's transaction; it is not tied to the
// leader's request, whose client may go away while others wait on it.
const voteWriteTimeout = 30 * time.Second

// voteRequest is one vote waiting to be written.
type voteRequest struct {
	ballot  Ballot
	key     string // voter key on the roll
	actor   *uint64
	staff   *uint64 // who checked the voter in person (kiosk)
	channel string
	choices Choices
	detail  string // of the audit entry

	rc  VoteReceipt
	err error
	// alone asks the voter to write its vote in a transaction of its own:
	// the batch failed, or its receipt code collided with another.
	alone bool
}

// writeVotes writes a batch and sets each request's result; a request it
// could not settle is marked alone.
func (s *Store) writeVotes(ctx context.Context, batch []*voteRequest) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), voteWriteTimeout)
	defer cancel()
	type slot struct {
		ballot uint64
		key    string
	}
	// The first request of each voter in the batch is written; the others
	// (the same voter submitting twice at once) share its result.
	first := map[slot]*voteRequest{}
	var writers []*voteRequest
	for _, r := range batch {
		k := slot{r.ballot.ID, r.key}
		if _, ok := first[k]; !ok {
			first[k] = r
			writers = append(writers, r)
		}
	}
	inserted := map[slot]bool{}
	err := s.InTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		// The roll lines of the batch's voters, a query per ballot.
		keysOf := map[uint64][]string{}
		for _, r := range writers {
			keysOf[r.ballot.ID] = append(keysOf[r.ballot.ID], r.key)
		}
		area := map[slot]uint64{}
		for id, keys := range keysOf {
			var lines []BallotVoter
			in, arg := s.anyOf("voter_key", keys)
			if err := db.Select("voter_key, area_id").Where("ballot_id = ? AND "+in, id, arg).Find(&lines).Error; err != nil {
				return err
			}
			for _, l := range lines {
				area[slot{id, l.VoterKey}] = l.AreaID
			}
		}
		now := s.Now()
		var args []any
		var eligible []*voteRequest
		for _, r := range writers {
			a, ok := area[slot{r.ballot.ID, r.key}]
			if !ok {
				r.err = ErrNotEligible
				continue
			}
			r.rc = VoteReceipt{Code: NewReceipt(), Channel: r.channel}
			public := ""
			if !r.ballot.Secret {
				public = r.choices.String()
			}
			args = append(args, r.ballot.ID, r.key, r.rc.Code, r.channel, false, a, public, r.staff, now)
			eligible = append(eligible, r)
		}
		if len(eligible) == 0 {
			return nil
		}
		// A row the unique keys refuse is skipped, not an error: its voter
		// voted already (or, rarely, its receipt code is taken).
		var got []struct {
			BallotID uint64
			VoterKey string
		}
		if err := db.Raw("INSERT INTO ballot_participations (ballot_id, voter_key, receipt, channel, pending, area_id, choices, entered_by_id, at) VALUES "+
			valueRows(len(eligible), 9)+" ON CONFLICT DO NOTHING RETURNING ballot_id, voter_key", args...).Scan(&got).Error; err != nil {
			return err
		}
		for _, g := range got {
			inserted[slot{g.BallotID, g.VoterKey}] = true
		}
		var voted []*voteRequest
		for _, r := range eligible {
			if inserted[slot{r.ballot.ID, r.key}] {
				voted = append(voted, r)
			}
		}
		if len(voted) == 0 {
			return nil
		}
		const action = "ballot.vote" // as castVoteAlone records it
		var votes, audits []any
		for _, r := range voted {
			audits = append(audits, now, r.actor, action, "ballot", strconv.FormatUint(r.ballot.ID, 10), r.ballot.PlaceID, ResultOK, r.detail, "")
		}
		rand.Shuffle(len(voted), func(i, j int) { voted[i], voted[j] = voted[j], voted[i] })
		for _, r := range voted {
			votes = append(votes, newVoteID(), r.ballot.ID, r.choices.String())
		}
		if err := db.Exec("INSERT INTO ballot_votes (id, ballot_id, choices) VALUES "+valueRows(len(voted), 3), votes...).Error; err != nil {
			return err
		}
		// The entries are sealed into the audit chain later, like any other.
		return db.Exec("INSERT INTO audit_entries (at, actor_id, action, object_type, object_id, place_id, result, detail, hash) VALUES "+
			valueRows(len(voted), 9), audits...).Error
	})
	if err != nil {
		for _, r := range batch {
			r.rc, r.err, r.alone = VoteReceipt{}, nil, true
		}
		return
	}
	// Voters whose row was skipped: the participation that stands tells
	// whether they voted before (the original receipt) or their receipt
	// code collided (they write again, alone).
	refused := map[uint64][]string{}
	for _, r := range writers {
		if r.err == nil && !inserted[slot{r.ballot.ID, r.key}] {
			refused[r.ballot.ID] = append(refused[r.ballot.ID], r.key)
		}
	}
	orig := map[slot]BallotParticipation{}
	for id, keys := range refused {
		var parts []BallotParticipation
		in, arg := s.anyOf("voter_key", keys)
		if err := s.conn(ctx).Select("voter_key, receipt, channel").Where("ballot_id = ? AND "+in, id, arg).Find(&parts).Error; err != nil {
			for _, k := range keys {
				first[slot{id, k}].alone = true
			}
			continue
		}
		for _, p := range parts {
			orig[slot{id, p.VoterKey}] = p
		}
	}
	for _, r := range writers {
		k := slot{r.ballot.ID, r.key}
		if r.err != nil || r.alone || inserted[k] {
			continue
		}
		p, ok := orig[k]
		switch {
		case !ok:
			r.alone = true
		case p.Channel == ChannelPaper:
			r.rc, r.err = VoteReceipt{}, ErrAlreadyVoted
		default:
			r.rc = VoteReceipt{Code: p.Receipt, Channel: p.Channel, Repeat: true}
		}
	}
	for _, r := range batch {
		w := first[slot{r.ballot.ID, r.key}]
		if w == r {
			continue
		}
		r.err, r.alone = w.err, w.alone
		if w.err == nil && !w.alone {
			r.rc = w.rc
			r.rc.Repeat = true
		}
	}
}

// valueRows is the VALUES list of a multi-row insert: rows groups of cols
// placeholders.
func valueRows(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}
