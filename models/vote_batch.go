package models

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
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
// statement on PostgreSQL (castVotesPG) or one transaction of a few
// multi-row statements on SQLite; when it is done it hands the
// lead to the first vote that queued during its write. When many votes
// queue during a write, the one that makes them voteSpill leads a second
// batch beside it (see NewStore). Every voter waits
// for the commit of the batch that holds its vote before it is told its
// receipt, so an acknowledged vote is a committed one, exactly as when each
// vote had its own transaction.
//
// The rules are unchanged: the roll decides who may vote, the unique
// (ballot_id, voter_key) key refuses a second participation under any
// concurrency (a vote that hits it gets the original receipt), and a voter
// who voted on paper is refused. A batch also helps secrecy: its choices
// are inserted in shuffled order, so not even the shared statement or the
// physical order of rows pairs a participation with its choices.

// maxVoteBatch bounds a batch: a participation takes nine statement
// parameters, and both databases limit the parameters of one statement.
const maxVoteBatch = 256

// voteSpill is how many votes must wait behind a running batch before a
// second batch starts beside it (see NewStore): a little more than the
// batch that one lane gathers at full load here, about 19. Between 16 and
// 40 the results were alike.
const voteSpill = 24

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
	// The first request of each voter in the batch is written; the others
	// (the same voter submitting twice at once) share its result.
	first := map[voteSlot]*voteRequest{}
	var writers []*voteRequest
	for _, r := range batch {
		k := r.slot()
		if _, ok := first[k]; !ok {
			first[k] = r
			writers = append(writers, r)
		}
	}
	// Two batches may run at once (voteSpill). Each takes the unique key's
	// locks in the order it inserts, so both insert in the key's order: two
	// batches that share voters then wait for one another instead of
	// deadlocking.
	slices.SortFunc(writers, func(a, b *voteRequest) int {
		return cmp.Or(cmp.Compare(a.ballot.ID, b.ballot.ID), strings.Compare(a.key, b.key))
	})
	var inserted map[voteSlot]bool
	var err error
	if s.db.Dialector.Name() == "postgres" && !inTx(ctx) {
		inserted, err = s.insertVotesPG(ctx, writers)
	} else {
		inserted, err = s.insertVotesTx(ctx, writers)
	}
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
		if r.err == nil && !inserted[r.slot()] {
			refused[r.ballot.ID] = append(refused[r.ballot.ID], r.key)
		}
	}
	orig := map[voteSlot]BallotParticipation{}
	for id, keys := range refused {
		var parts []BallotParticipation
		in, arg := s.anyOf("voter_key", keys)
		if err := s.conn(ctx).Select("voter_key, receipt, channel").Where("ballot_id = ? AND "+in, id, arg).Find(&parts).Error; err != nil {
			for _, k := range keys {
				first[voteSlot{id, k}].alone = true
			}
			continue
		}
		for _, p := range parts {
			orig[voteSlot{id, p.VoterKey}] = p
		}
	}
	for _, r := range writers {
		k := r.slot()
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
		w := first[r.slot()]
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

// voteSlot is a voter on a ballot's roll.
type voteSlot struct {
	ballot uint64
	key    string
}

func (r *voteRequest) slot() voteSlot { return voteSlot{r.ballot.ID, r.key} }

// voteAudit is the audit entry of a vote, as castVoteAlone records it.
var voteAudit = Audit{Action: "ballot.vote", ObjectType: "ballot"}

// insertVotesTx writes the votes of writers (one request per voter) in one
// transaction of a few multi-row statements and returns the voters whose
// participation it inserted. A writer not on its ballot's roll gets
// ErrNotEligible; one the unique keys refused is simply not inserted.
func (s *Store) insertVotesTx(ctx context.Context, writers []*voteRequest) (map[voteSlot]bool, error) {
	inserted := map[voteSlot]bool{}
	err := s.InTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		// The roll lines of the batch's voters, a query per ballot, once
		// the ballot is held open (holdOpen): a vote that reaches the
		// database after the count is refused.
		keysOf := map[uint64][]string{}
		closed := map[uint64]bool{}
		for _, r := range writers {
			if _, seen := keysOf[r.ballot.ID]; !seen && !closed[r.ballot.ID] {
				if err := s.holdOpen(ctx, r.ballot.ID); errors.Is(err, ErrBallotNotOpen) {
					closed[r.ballot.ID] = true
				} else if err != nil {
					return err
				}
			}
			if !closed[r.ballot.ID] {
				keysOf[r.ballot.ID] = append(keysOf[r.ballot.ID], r.key)
			}
		}
		area := map[voteSlot]uint64{}
		for id, keys := range keysOf {
			var lines []BallotVoter
			in, arg := s.anyOf("voter_key", keys)
			if err := db.Select("voter_key, area_id").Where("ballot_id = ? AND "+in, id, arg).Find(&lines).Error; err != nil {
				return err
			}
			for _, l := range lines {
				area[voteSlot{id, l.VoterKey}] = l.AreaID
			}
		}
		now := s.Now()
		var args []any
		var eligible []*voteRequest
		for _, r := range writers {
			if closed[r.ballot.ID] {
				r.err = ErrBallotNotOpen
				continue
			}
			a, ok := area[r.slot()]
			if !ok {
				r.err = ErrNotEligible
				continue
			}
			r.rc = VoteReceipt{Code: s.receipt(), Channel: r.channel}
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
			inserted[voteSlot{g.BallotID, g.VoterKey}] = true
		}
		var voted []*voteRequest
		for _, r := range eligible {
			if inserted[r.slot()] {
				voted = append(voted, r)
			}
		}
		if len(voted) == 0 {
			return nil
		}
		var votes, audits []any
		for _, r := range voted {
			audits = append(audits, now, r.actor, voteAudit.Action, voteAudit.ObjectType, strconv.FormatUint(r.ballot.ID, 10), r.ballot.PlaceID, ResultOK, r.detail)
		}
		rand.Shuffle(len(voted), func(i, j int) { voted[i], voted[j] = voted[j], voted[i] })
		for _, r := range voted {
			votes = append(votes, newVoteID(), r.ballot.ID, r.choices.String())
		}
		if err := db.Exec("INSERT INTO ballot_votes (id, ballot_id, choices) VALUES "+valueRows(len(voted), 3), votes...).Error; err != nil {
			return err
		}
		// The entries are sealed into the audit chain later, like any other.
		return db.Exec("INSERT INTO audit_entries (at, actor_id, action, object_type, object_id, place_id, result, detail) VALUES "+
			valueRows(len(voted), 8), audits...).Error
	})
	return inserted, err
}

// castVotesPG is insertVotesTx as one statement, for PostgreSQL: a batch
// costs one round trip and commits on its own (a single statement is atomic),
// where a transaction of four statements costs six. The arrays carry the
// batch: the participations in arrival order, the choices in an order of
// their own, shuffled, joined to the participations inserted only inside
// the statement. The last SELECT returns each voter found on the roll with
// whether its participation was inserted, and each ballot no longer open
// with no voter.
//
// The share lock on each ballot's row (open) is holdOpen's: the count takes
// the row exclusively and marks it counted, so a batch that waited for the
// count finds its ballot gone from open and writes nothing; its voters are
// told the ballot is closed.
//
// Only the voter's key is the conflict target: naming no target would probe
// every unique index of the table before each row, the surrogate key and the
// receipt too. A receipt code that collides with another voter's fails the
// statement instead, and every voter of the batch writes alone
// (castVoteAlone draws codes again); with 31^12 codes that is as good as
// never.
const castVotesPG = `WITH input AS (
	SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[])
		WITH ORDINALITY AS t(ballot_id, voter_key, receipt, channel, choices, entered_by_id, actor_id, place_id, detail, ord)
), open AS (
	SELECT b.id FROM ballots b WHERE b.id IN (SELECT ballot_id FROM input) AND b.tallied_at IS NULL AND b.closes_at > $10 FOR SHARE
), roll AS (
	SELECT i.*, bv.area_id FROM input i JOIN open o ON o.id = i.ballot_id
	JOIN ballot_voters bv ON bv.ballot_id = i.ballot_id AND bv.voter_key = i.voter_key
), part AS (
	INSERT INTO ballot_participations (ballot_id, voter_key, receipt, channel, pending, area_id, choices, entered_by_id, at)
	SELECT ballot_id, voter_key, receipt, channel, FALSE, area_id, choices, NULLIF(entered_by_id, 0), $10 FROM roll ORDER BY ord
	ON CONFLICT (ballot_id, voter_key) DO NOTHING RETURNING ballot_id, voter_key
), votes AS (
	INSERT INTO ballot_votes (id, ballot_id, choices)
	SELECT v.id, v.ballot_id, v.choices FROM unnest($11::text[], $12::bigint[], $13::text[], $14::text[]) WITH ORDINALITY AS v(id, ballot_id, voter_key, choices, ord)
	JOIN part p ON p.ballot_id = v.ballot_id AND p.voter_key = v.voter_key ORDER BY v.ord
), audit AS (
	INSERT INTO audit_entries (at, actor_id, action, object_type, object_id, place_id, result, detail)
	SELECT $10, NULLIF(i.actor_id, 0), $15, $17, i.ballot_id::text, i.place_id, $16, i.detail FROM input i
	JOIN part p ON p.ballot_id = i.ballot_id AND p.voter_key = i.voter_key ORDER BY i.ord
)
SELECT r.ballot_id, r.voter_key, p.voter_key IS NOT NULL FROM roll r LEFT JOIN part p ON p.ballot_id = r.ballot_id AND p.voter_key = r.voter_key
UNION ALL
SELECT DISTINCT i.ballot_id, NULL, FALSE FROM input i WHERE NOT EXISTS (SELECT 1 FROM open o WHERE o.id = i.ballot_id)`

// insertVotesPG is insertVotesTx in one statement (castVotesPG), outside
// any transaction.
func (s *Store) insertVotesPG(ctx context.Context, writers []*voteRequest) (map[voteSlot]bool, error) {
	n := len(writers)
	ballots, places, staff, actors := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	keys, receipts, channels, public, details := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, r := range writers {
		r.rc = VoteReceipt{Code: s.receipt(), Channel: r.channel}
		ballots[i], places[i] = int64(r.ballot.ID), int64(r.ballot.PlaceID)
		keys[i], receipts[i], channels[i], details[i] = r.key, r.rc.Code, r.channel, r.detail
		if !r.ballot.Secret {
			public[i] = r.choices.String()
		}
		if r.staff != nil {
			staff[i] = int64(*r.staff)
		}
		if r.actor != nil {
			actors[i] = int64(*r.actor)
		}
	}
	order := rand.Perm(n)
	voteIDs, voteBallots, voteKeys, choices := make([]string, n), make([]int64, n), make([]string, n), make([]string, n)
	for i, j := range order {
		r := writers[j]
		voteIDs[i], voteBallots[i], voteKeys[i], choices[i] = newVoteID(), int64(r.ballot.ID), r.key, r.choices.String()
	}
	// Through the pool itself: gorm would spell the arrays out as lists.
	rows, err := s.conn(ctx).Statement.ConnPool.QueryContext(ctx, castVotesPG,
		ballots, keys, receipts, channels, public, staff, actors, places, details, s.Now(),
		voteIDs, voteBallots, voteKeys, choices, voteAudit.Action, ResultOK, voteAudit.ObjectType)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	onRoll := map[voteSlot]bool{}
	inserted := map[voteSlot]bool{}
	closed := map[uint64]bool{}
	for rows.Next() {
		var k voteSlot
		var key *string
		var ok bool
		if err := rows.Scan(&k.ballot, &key, &ok); err != nil {
			return nil, err
		}
		if key == nil {
			closed[k.ballot] = true
			continue
		}
		k.key = *key
		onRoll[k] = true
		if ok {
			inserted[k] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, r := range writers {
		switch {
		case closed[r.ballot.ID]:
			// Closed or counted by the time the batch was written.
			r.err = ErrBallotNotOpen
		case !onRoll[r.slot()]:
			r.err = ErrNotEligible
		}
	}
	return inserted, nil
}

// valueRows is the VALUES list of a multi-row insert: rows groups of cols
// placeholders.
func valueRows(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}
