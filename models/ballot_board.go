package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// Board entry kinds.
const (
	BoardReceipt = "receipt" // a receipt code; on a public ballot with its choices
	BoardVote    = "vote"    // secret ballots only: one set of choices, no receipt
)

// BoardEntry is one line of a ballot's public board (公示板): after closing,
// every receipt (with its choices when the ballot is public) and, for a
// secret ballot, separately every set of choices in random order. Each
// entry's hash covers the previous one, starting from the ballot's
// fingerprint, so editing, dropping or reordering an entry is found.
type BoardEntry struct {
	BallotID uint64 `gorm:"primaryKey;autoIncrement:false" json:"-"`
	Seq      int    `gorm:"primaryKey;autoIncrement:false" json:"seq"`
	Kind     string `json:"kind"`
	Receipt  string `json:"receipt,omitempty"`
	Choices  string `json:"choices,omitempty"`
	Prev     string `json:"prev"`
	Hash     string `json:"hash"`
}

// TableName keeps the board in its own table.
func (BoardEntry) TableName() string { return "ballot_board" }

// BoardHash is the hash of an entry after prev.
func BoardHash(prev string, seq int, kind, receipt, choices string) string {
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	field(prev)
	field(strconv.Itoa(seq))
	field(kind)
	field(receipt)
	field(choices)
	return hex.EncodeToString(h.Sum(nil))
}

// ChainBoard numbers entries from 1 and links them, starting from genesis
// (the ballot's fingerprint). It returns the head hash.
func ChainBoard(genesis string, entries []BoardEntry) string {
	prev := genesis
	for i := range entries {
		entries[i].Seq = i + 1
		entries[i].Prev = prev
		entries[i].Hash = BoardHash(prev, entries[i].Seq, entries[i].Kind, entries[i].Receipt, entries[i].Choices)
		prev = entries[i].Hash
	}
	return prev
}

// BoardCandidate names a candidate on the board.
type BoardCandidate struct {
	ID      uint64 `json:"id"`
	Title   string `json:"title"`
	CostFen int64  `json:"cost_fen"`
}

// BoardTotals are the totals the board states.
type BoardTotals struct {
	Candidates []CandidateTally `json:"candidates"`
	No         int64            `json:"no"`
	Ballots    int64            `json:"ballots"` // sets of choices counted
}

// BoardFile is the downloadable board (board.json): enough to recount
// offline with `yishi recount`.
type BoardFile struct {
	BallotID    uint64           `json:"ballot_id"`
	Title       string           `json:"title"`
	Method      BallotMethod     `json:"method"`
	MinChoices  int              `json:"min_choices,omitempty"`
	MaxChoices  int              `json:"max_choices,omitempty"`
	RankK       int              `json:"rank_k,omitempty"`
	BudgetFen   int64            `json:"budget_fen,omitempty"`
	Secret      bool             `json:"secret"`
	Fingerprint string           `json:"fingerprint"`
	Electorate  int              `json:"electorate"`
	Candidates  []BoardCandidate `json:"candidates"`
	Entries     []BoardEntry     `json:"entries"`
	Head        string           `json:"head"`
	Totals      BoardTotals      `json:"totals"`
	// Outcome is what the totals decided, with what deciding needs: boards
	// downloaded before it was published lack it, and are recounted
	// without it.
	Outcome *BoardOutcome `json:"outcome,omitempty"`
}

// BoardOutcome is a board's stated outcome: whether turnout met the
// threshold, and the candidates funded (budget) or elected (other
// methods; yes/no: carried), in rank order, ties broken by lower cost and
// then by the draw the seed decides.
type BoardOutcome struct {
	Seats      int      `json:"seats"`
	TurnoutPct int      `json:"turnout_pct"`
	DrawSeed   string   `json:"draw_seed"`
	Valid      bool     `json:"valid"`
	Winners    []uint64 `json:"winners"`
}

// Decide recomputes the outcome of totals on board f: turnout from its
// receipts against its electorate, then ranking and selection exactly as
// the count did. It returns the winners in rank order and whether turnout
// was met.
func Decide(f BoardFile, totals BoardTotals, receipts int64) ([]uint64, bool, error) {
	o := f.Outcome
	if o == nil {
		return nil, false, fmt.Errorf("the board states no outcome")
	}
	seed, err := strconv.ParseUint(o.DrawSeed, 10, 64)
	if err != nil {
		return nil, false, fmt.Errorf("draw seed %q: %v", o.DrawSeed, err)
	}
	valid := TurnoutMet(receipts, int64(f.Electorate), o.TurnoutPct)
	b := Ballot{Method: f.Method, MinChoices: f.MinChoices, MaxChoices: f.MaxChoices, RankK: f.RankK, BudgetFen: f.BudgetFen, Seats: o.Seats, TurnoutPct: o.TurnoutPct}
	var winners []uint64
	for _, c := range SelectFunded(b, RankTallies(totals.Candidates, seed), totals.No, valid) {
		if c.Funded {
			winners = append(winners, c.ID)
		}
	}
	return winners, valid, nil
}

// Recount checks a board: the chain from the fingerprint to the stated
// head, that a secret board has as many choice sets as receipts, and that
// recounting the choices gives the stated totals. It returns the recounted
// totals, and an error describing the first mismatch.
func Recount(f BoardFile) (BoardTotals, error) {
	var got BoardTotals
	prev := f.Fingerprint
	var receipts, sets int64
	var votes []Choices
	for i, e := range f.Entries {
		if e.Seq != i+1 {
			return got, fmt.Errorf("entry %d: sequence number %d, want %d", i+1, e.Seq, i+1)
		}
		if e.Prev != prev {
			return got, fmt.Errorf("entry %d: chain broken (previous hash does not match)", e.Seq)
		}
		if h := BoardHash(prev, e.Seq, e.Kind, e.Receipt, e.Choices); h != e.Hash {
			return got, fmt.Errorf("entry %d: hash does not match its content", e.Seq)
		}
		prev = e.Hash
		switch e.Kind {
		case BoardReceipt:
			receipts++
			if f.Secret {
				if e.Choices != "" {
					return got, fmt.Errorf("entry %d: a secret ballot's receipt carries choices", e.Seq)
				}
				continue
			}
		case BoardVote:
			if !f.Secret || e.Receipt != "" {
				return got, fmt.Errorf("entry %d: a vote entry on a public board or with a receipt", e.Seq)
			}
		default:
			return got, fmt.Errorf("entry %d: unknown kind %q", e.Seq, e.Kind)
		}
		c, err := ParseChoices(e.Choices)
		if err != nil {
			return got, fmt.Errorf("entry %d: %v", e.Seq, err)
		}
		votes = append(votes, c)
		sets++
	}
	if prev != f.Head {
		return got, fmt.Errorf("head hash %s does not match the last entry (%s)", f.Head, prev)
	}
	if f.Secret && sets != receipts {
		return got, fmt.Errorf("%d receipts but %d sets of choices", receipts, sets)
	}
	b := Ballot{Method: f.Method, MinChoices: f.MinChoices, MaxChoices: f.MaxChoices, RankK: f.RankK, BudgetFen: f.BudgetFen}
	opts := make([]Option, len(f.Candidates))
	for i, c := range f.Candidates {
		opts[i] = Option{ID: c.ID, CostFen: c.CostFen}
	}
	for i, v := range votes {
		if err := ValidateChoices(b, opts, v); err != nil {
			return got, fmt.Errorf("choice set %d (%s) is not a valid vote: %v", i+1, v, err)
		}
	}
	rows, no := Tally(b, opts, votes)
	got = BoardTotals{Candidates: rows, No: no, Ballots: sets}
	if got.Ballots != f.Totals.Ballots || got.No != f.Totals.No {
		return got, fmt.Errorf("stated %d ballots and %d no, recounted %d and %d", f.Totals.Ballots, f.Totals.No, got.Ballots, got.No)
	}
	stated := map[uint64]CandidateTally{}
	for _, r := range f.Totals.Candidates {
		stated[r.ID] = r
	}
	if len(stated) != len(rows) {
		return got, fmt.Errorf("stated totals name %d candidates, the board %d", len(stated), len(rows))
	}
	for _, r := range rows {
		s, ok := stated[r.ID]
		if !ok || s.Votes != r.Votes || s.Points != r.Points {
			return got, fmt.Errorf("candidate %d: stated %d votes / %d points, recounted %d / %d", r.ID, s.Votes, s.Points, r.Votes, r.Points)
		}
	}
	if f.Outcome == nil {
		return got, nil
	}
	winners, valid, err := Decide(f, got, receipts)
	if err != nil {
		return got, err
	}
	if valid != f.Outcome.Valid {
		return got, fmt.Errorf("stated turnout met %v, recounted %v", f.Outcome.Valid, valid)
	}
	if !slices.Equal(winners, f.Outcome.Winners) {
		return got, fmt.Errorf("stated winners %v, recounted %v", f.Outcome.Winners, winners)
	}
	return got, nil
}

// ParseBoard reads a board.json file.
func ParseBoard(data []byte) (BoardFile, error) {
	var f BoardFile
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("not a ballot board: %w", err)
	}
	return f, nil
}
