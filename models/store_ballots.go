package models

// The ballot store. How a vote is kept, and kept secret:
//
//   - Who voted is ballot_participations: one row per (ballot, voter key),
//     UNIQUE, so a second vote in any channel fails in the database under any
//     concurrency. The row carries the voter's receipt code and channel, and
//     for a public ballot its choices.
//   - How people voted is ballot_votes: a random 128-bit key, the ballot id
//     and the choices; no voter, no receipt, no time. The random key means
//     reading rows by key says nothing of the order votes came in; on SQLite
//     the table is WITHOUT ROWID so rows are stored in key order. On
//     PostgreSQL, while the ballot is open, a row's system columns (xmin, the
//     writing transaction; ctid, its position) still match those of the
//     participation row written with it: only a database administrator
//     reading beneath the app could use that, the app never selects them, and
//     the tally rewrites a secret ballot's votes in shuffled order under
//     fresh keys in one transaction, so afterwards even that link is gone
//     (once PostgreSQL vacuums the old row versions).
//   - The audit entry of a vote names the voter and the channel, never the
//     choices, on secret and public ballots alike.
//   - A paper vote is entered for a named voter and waits, with its choices,
//     for a second staff member to check it against the paper; on
//     confirmation (or, unconfirmed, at the tally) the pending row's voter key
//     and choices are erased.
//
// A vote is one short transaction: read the voter's roll row and the
// candidates, insert participation, insert the vote, insert the audit entry.
// The definition and the roll are frozen lazily: the first access at or
// after opens_at (a vote, a page, the tally) freezes them in a transaction
// of its own whose conditional update lets exactly one caller win; staff may
// also freeze explicitly with Open. Nothing depends on a job running at the
// right time: status comes from the clock.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// BallotSource is the SourceType of the notice that publishes a ballot's
// result and of the projects its funded candidates become.
const BallotSource = "ballot"

// ErrReceiptUnknown: no receipt with that code on that ballot.
var ErrReceiptUnknown = &Error{Code: "err.receipt_unknown"}

var feasibility atomic.Pointer[FeasibilityPolicy]

// SetFeasibilityPolicy replaces the policy ReviewCandidate applies (cost
// caps per kind, excluded categories); DefaultFeasibility until set.
func SetFeasibilityPolicy(fp FeasibilityPolicy) { feasibility.Store(&fp) }

// CurrentFeasibilityPolicy is the policy in force.
func CurrentFeasibilityPolicy() FeasibilityPolicy {
	if fp := feasibility.Load(); fp != nil {
		return *fp
	}
	return DefaultFeasibility
}

// BallotCandidate puts a candidate on a ballot at a position.
type BallotCandidate struct {
	BallotID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	CandidateID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Position    int
}

// BallotVoter is one line of a ballot's roll (选民名单), frozen at opening:
// the voter key, the place it votes from (household or grant place), the
// area of the scope it counts in for turnout, and whether a roll amendment
// added it.
type BallotVoter struct {
	BallotID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	VoterKey   string `gorm:"primaryKey"`
	PlaceID    uint64
	AreaID     uint64
	AccountID  *uint64
	ResidentID *uint64
	Amended    bool
}

// BallotAmendment is a logged roll amendment (选民名单补登) with its reason.
type BallotAmendment struct {
	ID       uint64 `gorm:"primaryKey"`
	BallotID uint64
	VoterKey string
	Reason   string
	ActorID  uint64
	At       time.Time
}

// BallotParticipation records that a voter voted (参与记录), by which
// channel, with the receipt code; never how, except on a public ballot.
type BallotParticipation struct {
	ID            uint64 `gorm:"primaryKey"`
	BallotID      uint64
	VoterKey      string
	Receipt       string
	Channel       string
	Pending       bool // a paper vote awaiting its second confirmation
	AreaID        uint64
	Choices       string // public ballots only; empty on secret ones
	EnteredByID   *uint64
	ConfirmedByID *uint64
	At            time.Time
}

// BallotVote is one set of choices (选票), with no reference to the voter.
type BallotVote struct {
	ID       string `gorm:"primaryKey"`
	BallotID uint64
	Choices  string
}

// BallotPaperVote is a paper ballot entered by staff (纸质选票录入), counted
// only once a second staff account confirms it.
type BallotPaperVote struct {
	ID            uint64 `gorm:"primaryKey"`
	BallotID      uint64
	VoterKey      string // erased once settled
	Choices       string // erased once settled on a secret ballot
	EnteredByID   uint64
	EnteredAt     time.Time
	ConfirmedByID *uint64
	ConfirmedAt   *time.Time
}

// BallotResult is a ballot's result (票决结果), computed once after closing.
type BallotResult struct {
	BallotID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	ComputedAt time.Time
	Electorate int
	Voted      int
	Online     int
	Paper      int
	Kiosk      int
	No         int64 // yes/no ballots: the "no" answers
	Valid      bool  // turnout met the threshold
	DrawSeed   string
	Data       string
	BoardHead  string

	Detail ResultData `gorm:"-"`
}

// ResultData is the stored detail of a result.
type ResultData struct {
	Candidates []CandidateTally `json:"candidates"` // ranked: votes (points) desc, cost asc, draw
	Places     []PlaceTurnout   `json:"places"`
}

// PlaceTurnout is the turnout of one area of the scope.
type PlaceTurnout struct {
	PlaceID    uint64 `json:"place_id"`
	Name       string `json:"name"`
	Electorate int    `json:"electorate"`
	Voted      int    `json:"voted"`
}

// Funded returns the ids of the funded (or elected, or carried) candidates in rank order.
func (r BallotResult) Funded() []uint64 {
	var out []uint64
	for _, c := range r.Detail.Candidates {
		if c.Funded {
			out = append(out, c.ID)
		}
	}
	return out
}

// VoteReceipt is what a voter gets back: the receipt code (回执码), the
// channel it was cast by, and whether this was a repeat of an earlier
// submission (the original receipt is returned, never an error).
type VoteReceipt struct {
	Code    string
	Channel string
	Repeat  bool
	Pending bool
}

// --- candidates ---

// BallotPlaces lists the places where p may define ballots and propose
// candidates: each scope where p manages ballots and the areas below it
// down to compounds and groups (not households).
func (s *Store) BallotPlaces(ctx context.Context, p *Principal) ([]Place, error) {
	return s.placesDownToCompound(ctx, p, PermManageBallots)
}

// CreateCandidate records a proposal at a place: staff who manage ballots
// there, or a verified resident of a household inside it. A candidate from
// a need keeps its need; the need must lie inside the candidate's place.
func (s *Store) CreateCandidate(ctx context.Context, p *Principal, in CandidateInput, photos []Photo) (Candidate, error) {
	var c Candidate
	if p == nil {
		return c, ErrForbidden
	}
	fe := in.Validate()
	if len(photos) > MaxCandidatePhotos {
		fe.Add("photos", "err.too_many_photos")
	}
	var pl Place
	if in.PlaceID != 0 {
		var err error
		if pl, err = s.PlaceByID(ctx, in.PlaceID); errors.Is(err, ErrNotFound) {
			fe.Add("place_id", "err.invalid_choice")
		} else if err != nil {
			return c, err
		}
	}
	staff := pl.ID != 0 && p.Can(PermManageBallots, pl)
	if pl.ID != 0 && !staff {
		hh, ok := p.ResidentHousehold()
		if !ok {
			return c, ErrForbidden
		}
		home, err := s.PlaceByID(ctx, hh)
		if err != nil {
			return c, err
		}
		if !pl.Contains(home) {
			return c, ErrForbidden
		}
		in.Source = SourceResident
	}
	if in.NeedID != nil && pl.ID != 0 {
		var n Need
		if err := s.conn(ctx).Preload("Place").Where("id = ?", *in.NeedID).Limit(1).Find(&n).Error; err != nil {
			return c, err
		}
		if n.ID == 0 || !pl.Contains(n.Place) {
			fe.Add("need_id", "err.invalid_choice")
		}
	}
	if err := fe.Err(); err != nil {
		return c, err
	}
	now := s.Now()
	c = Candidate{PlaceID: pl.ID, Title: in.Title, Description: in.Description, CostFen: in.CostFen, Kind: in.Kind, Source: in.Source,
		NeedID: in.NeedID, Status: CandidateProposed, ProposedByID: actorOf(p), CreatedAt: now, UpdatedAt: now}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Omit(clause.Associations).Create(&c).Error; err != nil {
			return err
		}
		for _, ph := range photos {
			row := CandidatePhoto{CandidateID: c.ID, ContentType: ph.ContentType, Data: ph.Data, Width: ph.Width, Height: ph.Height, CreatedAt: now}
			if err := s.conn(ctx).Create(&row).Error; err != nil {
				return err
			}
			row.Data = nil
			c.Photos = append(c.Photos, row)
		}
		c.Place = pl
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "candidate.create", ObjectType: "candidate", ObjectID: c.ID, PlaceID: &c.PlaceID,
			Detail: truncate(fmt.Sprintf("%s, %s, %s yuan, from %s", c.Title, c.Kind, FormatYuan(c.CostFen), c.Source), 300)})
	})
	return c, err
}

// CandidateByID loads a candidate with its place and its photos (without
// their bytes). Candidates are public: they name no person.
func (s *Store) CandidateByID(ctx context.Context, id uint64) (Candidate, error) {
	var c Candidate
	if err := s.conn(ctx).Preload("Place").Where("id = ?", id).Limit(1).Find(&c).Error; err != nil {
		return c, err
	}
	if c.ID == 0 {
		return c, ErrNotFound
	}
	err := s.conn(ctx).Select("id, candidate_id, content_type, width, height, created_at").Where("candidate_id = ?", id).Order("id").Find(&c.Photos).Error
	return c, err
}

// CandidatePhotoByID returns one photo with its bytes.
func (s *Store) CandidatePhotoByID(ctx context.Context, id uint64) (CandidatePhoto, error) {
	var ph CandidatePhoto
	if err := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&ph).Error; err != nil {
		return ph, err
	}
	if ph.ID == 0 {
		return ph, ErrNotFound
	}
	return ph, nil
}

// CandidateQuery selects candidates for the console.
type CandidateQuery struct {
	Status        CandidateStatus // "" = all
	Page, PerPage int
}

// Candidates lists the candidates at the places where p manages ballots,
// newest first, with the total for paging.
func (s *Store) Candidates(ctx context.Context, p *Principal, q CandidateQuery) ([]Candidate, int64, error) {
	scopes := p.Scopes(PermManageBallots)
	if len(scopes) == 0 {
		return nil, 0, ErrForbidden
	}
	if q.PerPage <= 0 {
		q.PerPage = 20
	}
	if q.Page < 1 {
		q.Page = 1
	}
	db := s.conn(ctx).Model(&Candidate{}).Joins("JOIN places cp ON cp.id = candidates.place_id").Where(s.pathUnder(ctx, "cp.path", scopes))
	if q.Status != "" {
		db = db.Where("candidates.status = ?", q.Status)
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Candidate
	err := db.Preload("Place").Order("candidates.created_at DESC, candidates.id DESC").Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage).Find(&out).Error
	return out, total, err
}

// pathUnder is a condition: column (a place path) lies under one of places.
func (s *Store) pathUnder(ctx context.Context, column string, places []Place) *gorm.DB {
	cond := s.conn(ctx).Session(&gorm.Session{NewDB: true})
	for i, sc := range places {
		if i == 0 {
			cond = cond.Where(column+" LIKE ?", likeEscape(sc.Path)+"%")
		} else {
			cond = cond.Or(column+" LIKE ?", likeEscape(sc.Path)+"%")
		}
	}
	return cond
}

// ReviewCandidate records the feasibility review (可行性审查) by staff of
// the candidate's place, with the reason, under the policy in force. A
// candidate already on a ballot that has started is not reviewed again.
func (s *Store) ReviewCandidate(ctx context.Context, p *Principal, id uint64, in ReviewInput) (Candidate, error) {
	var c Candidate
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.CandidateByID(ctx, id); err != nil {
			return err
		}
		if !p.Can(PermManageBallots, c.Place) {
			return ErrForbidden
		}
		// The ballots it is on, locked as the freeze locks them: a review
		// that takes the candidate off a ballot commits before the ballot's
		// candidates are read for its fingerprint, or finds it started.
		db := s.conn(ctx)
		if db.Dialector.Name() == "postgres" {
			db = db.Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "b"}})
		}
		var on []Ballot
		if err := db.Table("ballots b").Select("b.id, b.opens_at, b.frozen_at, b.stalled_at").Joins("JOIN ballot_candidates bc ON bc.ballot_id = b.id").
			Where("bc.candidate_id = ?", id).Order("b.id").Find(&on).Error; err != nil {
			return err
		}
		for _, b := range on {
			// A stalled ballot took no vote and may be mended; one that
			// closed so was not held.
			if b.FrozenAt != nil || (!s.Now().Before(b.OpensAt) && !b.Stalled()) {
				return ErrBallotStarted
			}
		}
		status, fe := DecideFeasibility(CurrentFeasibilityPolicy(), c, in)
		if err := fe.Err(); err != nil {
			return err
		}
		if status == CandidateInfeasible {
			// An infeasible candidate leaves every ballot it was put on.
			if err := s.conn(ctx).Where("candidate_id = ?", id).Delete(&BallotCandidate{}).Error; err != nil {
				return err
			}
		}
		var ex []string
		for _, x := range in.Exclusions {
			ex = append(ex, string(x))
		}
		now := s.Now()
		c.Status, c.Reason, c.Exclusions, c.ReviewedByID, c.ReviewedAt, c.UpdatedAt = status, strings.TrimSpace(in.Reason), strings.Join(ex, ","), actorOf(p), &now, now
		if err := s.conn(ctx).Model(&Candidate{}).Where("id = ?", id).Updates(map[string]any{
			"status": c.Status, "reason": c.Reason, "exclusions": c.Exclusions, "reviewed_by_id": c.ReviewedByID, "reviewed_at": now, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "candidate.review", ObjectType: "candidate", ObjectID: id, PlaceID: &c.PlaceID,
			Detail: truncate(string(status)+" "+c.Reason, 300)})
	})
	return c, err
}

// --- ballots ---

// CreateBallot defines a ballot at a place where p manages ballots. It
// starts scheduled; candidates are added with AddCandidate.
func (s *Store) CreateBallot(ctx context.Context, p *Principal, in BallotInput) (Ballot, error) {
	var b Ballot
	if p == nil {
		return b, ErrForbidden
	}
	fe := in.Validate(s.Now())
	var pl Place
	if in.PlaceID != 0 {
		var err error
		if pl, err = s.PlaceByID(ctx, in.PlaceID); errors.Is(err, ErrNotFound) {
			fe.Add("place_id", "err.invalid_choice")
		} else if err != nil {
			return b, err
		} else if !p.Can(PermManageBallots, pl) {
			return b, ErrForbidden
		}
	}
	if err := fe.Err(); err != nil {
		return b, err
	}
	now := s.Now()
	b = ballotFrom(in)
	b.CreatedByID, b.CreatedAt, b.UpdatedAt = p.Account.ID, now, now
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Omit(clause.Associations).Create(&b).Error; err != nil {
			return err
		}
		b.Place = pl
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.create", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
			Detail: truncate(fmt.Sprintf("%s, %s, %s, %s → %s", b.Title, b.Method, b.Electorate, b.OpensAt.Format(time.RFC3339), b.ClosesAt.Format(time.RFC3339)), 300)})
	})
	return b, err
}

func ballotFrom(in BallotInput) Ballot {
	return Ballot{PlaceID: in.PlaceID, Title: in.Title, Description: in.Description, Electorate: in.Electorate, Method: in.Method,
		MinChoices: in.MinChoices, MaxChoices: in.MaxChoices, BudgetFen: in.BudgetFen, RankK: in.RankK, Seats: in.Seats,
		OpensAt: in.OpensAt.UTC(), ClosesAt: in.ClosesAt.UTC(), TurnoutPct: in.TurnoutPct, Secret: in.Secret}
}

// scheduledBallot loads a ballot p manages that has not opened yet, or is
// Stalled, locked on PostgreSQL.
func (s *Store) scheduledBallot(ctx context.Context, p *Principal, id uint64) (Ballot, error) {
	b, err := s.loadBallot(ctx, id, true)
	if err != nil {
		return b, err
	}
	if !p.Can(PermManageBallots, b.Place) {
		return b, ErrForbidden
	}
	switch st := b.Status(s.Now()); {
	case b.FrozenAt != nil || st == BallotClosed:
		return b, ErrBallotStarted
	case st == BallotOpen && !b.Stalled():
		// Due but not frozen, and not yet found stalled: editable only if
		// its candidates do not suit its method, never once it could
		// take votes. It is marked stalled first, so that the mend does
		// not open it by itself (nor, made in its last moments, freeze it
		// after its close).
		ready, err := s.BallotReady(ctx, b)
		if err != nil {
			return b, err
		}
		if ready {
			return b, ErrBallotStarted
		}
		if b, err = s.markStalled(ctx, b); !errors.Is(err, ErrBallotNotReady) {
			return b, err
		}
	}
	return b, nil
}

// UpdateBallot changes a ballot's definition while it is scheduled or
// Stalled (a stalled ballot needs a new opening time). Its place stays.
func (s *Store) UpdateBallot(ctx context.Context, p *Principal, id uint64, in BallotInput) (Ballot, error) {
	var b Ballot
	err := s.InTx(ctx, func(ctx context.Context) error {
		old, err := s.scheduledBallot(ctx, p, id)
		if err != nil {
			return err
		}
		in.PlaceID = old.PlaceID
		if err := in.Validate(s.Now()).Err(); err != nil {
			return err
		}
		b = ballotFrom(in)
		b.ID, b.Place, b.CreatedByID, b.CreatedAt, b.UpdatedAt = old.ID, old.Place, old.CreatedByID, old.CreatedAt, s.Now()
		if err := s.conn(ctx).Model(&Ballot{}).Where("id = ?", id).Updates(map[string]any{
			"title": b.Title, "description": b.Description, "electorate": b.Electorate, "method": b.Method, "min_choices": b.MinChoices,
			"max_choices": b.MaxChoices, "budget_fen": b.BudgetFen, "rank_k": b.RankK, "seats": b.Seats, "opens_at": b.OpensAt,
			"closes_at": b.ClosesAt, "turnout_pct": b.TurnoutPct, "secret": b.Secret, "updated_at": b.UpdatedAt,
			"stalled_at": nil, // the new opening time is to come
		}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.update", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID, Detail: truncate(b.Title, 300)})
	})
	return b, err
}

// AddCandidate puts a feasible candidate inside the ballot's scope on a
// scheduled ballot, after those already on it.
func (s *Store) AddCandidate(ctx context.Context, p *Principal, ballotID, candidateID uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		b, err := s.scheduledBallot(ctx, p, ballotID)
		if err != nil {
			return err
		}
		c, err := s.CandidateByID(ctx, candidateID)
		if err != nil {
			return err
		}
		if !b.Place.Contains(c.Place) || !p.Can(PermManageBallots, c.Place) {
			return ErrForbidden
		}
		if c.Status != CandidateFeasible || c.ProjectID != nil {
			return ErrCandidateNotReady
		}
		// One candidate on two ballots at once could be funded by both.
		var elsewhere int64
		if err := s.conn(ctx).Table("ballot_candidates bc").Joins("JOIN ballots b ON b.id = bc.ballot_id").
			Where("bc.candidate_id = ? AND bc.ballot_id <> ? AND b.closes_at > ?", c.ID, b.ID, s.Now()).Count(&elsewhere).Error; err != nil {
			return err
		}
		if elsewhere > 0 {
			return ErrCandidateOnBallot
		}
		var pos int
		if err := s.conn(ctx).Model(&BallotCandidate{}).Select("COALESCE(MAX(position), 0)").Where("ballot_id = ?", b.ID).Scan(&pos).Error; err != nil {
			return err
		}
		if err := s.conn(ctx).Create(&BallotCandidate{BallotID: b.ID, CandidateID: c.ID, Position: pos + 1}).Error; err != nil {
			if isDuplicate(err) {
				return ErrConflict
			}
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.add_candidate", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
			Detail: fmt.Sprintf("candidate %d %s", c.ID, truncate(c.Title, 100))})
	})
}

// RemoveCandidate takes a candidate off a scheduled ballot.
func (s *Store) RemoveCandidate(ctx context.Context, p *Principal, ballotID, candidateID uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		b, err := s.scheduledBallot(ctx, p, ballotID)
		if err != nil {
			return err
		}
		res := s.conn(ctx).Where("ballot_id = ? AND candidate_id = ?", b.ID, candidateID).Delete(&BallotCandidate{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.remove_candidate", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
			Detail: fmt.Sprintf("candidate %d", candidateID)})
	})
}

func (s *Store) loadBallot(ctx context.Context, id uint64, lock bool) (Ballot, error) {
	var b Ballot
	db := s.conn(ctx)
	if lock && db.Dialector.Name() == "postgres" {
		db = db.Clauses(clause.Locking{Strength: "UPDATE"})
	} else {
		// Unlocked, the place comes in the same round trip (PostgreSQL
		// does not lock the nullable side of an outer join).
		db = db.Joins("Place")
	}
	if err := db.Where("ballots.id = ?", id).Limit(1).Find(&b).Error; err != nil {
		return b, err
	}
	if b.ID == 0 {
		return b, ErrNotFound
	}
	if b.Place.ID == 0 {
		var err error
		b.Place, err = s.PlaceByID(ctx, b.PlaceID)
		return b, err
	}
	return b, nil
}

// Ballot loads a ballot with its place; ballots are public. A ballot whose
// opening time has come is frozen on the way (see the file comment).
func (s *Store) Ballot(ctx context.Context, id uint64) (Ballot, error) {
	if b, ok := s.openBallot(id); ok {
		return b, nil
	}
	b, err := s.loadBallot(ctx, id, false)
	if err != nil {
		return b, err
	}
	switch b, err = s.ensureFrozen(ctx, nil, b); {
	case err == nil:
		s.rememberFrozen(b)
		s.rememberOpen(b)
	case errors.Is(err, ErrBallotNotReady):
		return b, nil // Stalled: the page says so
	}
	return b, err
}

// VoteBallot returns ballot id for the vote path: from the cache, without
// its place, once the ballot is known frozen (its definition cannot change
// then), else as Ballot does, with its place.
func (s *Store) VoteBallot(ctx context.Context, id uint64) (Ballot, error) {
	if b, ok := s.frozenBallot(id); ok {
		return b, nil
	}
	return s.Ballot(ctx, id)
}

// BallotOptions returns a ballot's candidates in ballot order, with their
// places and photos (without bytes).
func (s *Store) BallotOptions(ctx context.Context, id uint64) ([]Candidate, error) {
	cached, remember := s.openCandidates(id)
	if cached != nil {
		return cached, nil
	}
	var out []Candidate
	err := s.conn(ctx).Model(&Candidate{}).Joins("JOIN ballot_candidates bc ON bc.candidate_id = candidates.id").
		Joins("Place").Where("bc.ballot_id = ?", id).Order("bc.position, candidates.id").
		Preload("Photos", func(db *gorm.DB) *gorm.DB {
			return db.Select("id, candidate_id, content_type, width, height, created_at").Order("id")
		}).Find(&out).Error
	if err == nil && remember != nil {
		remember(out)
	}
	return out, err
}

// Options returns the ids and costs of a ballot's candidates in ballot
// order: all a vote form needs to read and check choices.
func (s *Store) Options(ctx context.Context, id uint64) ([]Option, error) { return s.options(ctx, id) }

// options reads the ids and costs of a ballot's candidates in ballot order,
// from the cache when the ballot is known frozen.
func (s *Store) options(ctx context.Context, id uint64) ([]Option, error) {
	if v, ok := s.frozen.options.Load(id); ok {
		return append([]Option(nil), v.([]Option)...), nil
	}
	return s.readOptions(ctx, id)
}

func (s *Store) readOptions(ctx context.Context, id uint64) ([]Option, error) {
	var out []Option
	err := s.conn(ctx).Table("ballot_candidates bc").Select("c.id AS id, c.cost_fen AS cost_fen").
		Joins("JOIN candidates c ON c.id = bc.candidate_id").Where("bc.ballot_id = ?", id).Order("bc.position, c.id").Scan(&out).Error
	return out, err
}

// BallotQuery selects ballots for a list: optionally those whose scope
// lies at or under a place, and those in one state as of now.
type BallotQuery struct {
	PlaceID       uint64
	Status        BallotStatus
	Page, PerPage int
}

// ballotFilter narrows db (on ballots joined to their place as bp) by q.
func (s *Store) ballotFilter(ctx context.Context, db *gorm.DB, q BallotQuery) (*gorm.DB, error) {
	if q.PlaceID != 0 {
		pl, err := s.PlaceByID(ctx, q.PlaceID)
		if err != nil {
			return nil, err
		}
		db = db.Where(s.pathUnder(ctx, "bp.path", []Place{pl}))
	}
	now := s.Now()
	switch q.Status {
	case BallotScheduled:
		db = db.Where("ballots.opens_at > ?", now)
	case BallotOpen:
		db = db.Where("ballots.opens_at <= ? AND ballots.closes_at > ?", now, now)
	case BallotClosed:
		db = db.Where("ballots.closes_at <= ?", now)
	}
	return db, nil
}

// Ballots lists every ballot, the latest to open first, with the total for
// paging. Ballots and their results are public.
func (s *Store) Ballots(ctx context.Context, q BallotQuery) ([]Ballot, int64, error) {
	if q.PerPage <= 0 {
		q.PerPage = 20
	}
	if q.Page < 1 {
		q.Page = 1
	}
	db, err := s.ballotFilter(ctx, s.conn(ctx).Model(&Ballot{}).Joins("JOIN places bp ON bp.id = ballots.place_id"), q)
	if err != nil {
		return nil, 0, err
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Ballot
	err = db.Preload("Place").Order("ballots.opens_at DESC, ballots.id DESC").Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage).Find(&out).Error
	return out, total, err
}

// StaffBallots lists the ballots at the places where p manages ballots,
// the latest to open first, with the total for paging.
func (s *Store) StaffBallots(ctx context.Context, p *Principal, q BallotQuery) ([]Ballot, int64, error) {
	scopes := p.Scopes(PermManageBallots)
	if len(scopes) == 0 {
		return nil, 0, ErrForbidden
	}
	if q.PerPage <= 0 {
		q.PerPage = 20
	}
	if q.Page < 1 {
		q.Page = 1
	}
	db, err := s.ballotFilter(ctx, s.conn(ctx).Model(&Ballot{}).Joins("JOIN places bp ON bp.id = ballots.place_id").Where(s.pathUnder(ctx, "bp.path", scopes)), q)
	if err != nil {
		return nil, 0, err
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Ballot
	err = db.Preload("Place").Order("ballots.opens_at DESC, ballots.id DESC").Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage).Find(&out).Error
	return out, total, err
}

// OpenBallotsFor lists the ballots open now in which p may still vote,
// closing soonest first (for the home page).
func (s *Store) OpenBallotsFor(ctx context.Context, p *Principal) ([]Ballot, error) {
	if p == nil {
		return nil, nil
	}
	now := s.Now()
	var open []Ballot
	if err := s.conn(ctx).Preload("Place").Where("opens_at <= ? AND closes_at > ?", now, now).Order("closes_at, id").Limit(50).Find(&open).Error; err != nil {
		return nil, err
	}
	var out []Ballot
	for _, b := range open {
		b, err := s.ensureFrozen(ctx, nil, b)
		if errors.Is(err, ErrBallotNotReady) {
			continue // stalled: nobody can vote in it
		}
		if err != nil {
			return nil, err
		}
		st, err := s.voterState(ctx, p, b)
		if err != nil {
			return nil, err
		}
		if st.Eligible && !st.Voted {
			out = append(out, b)
		}
	}
	return out, nil
}

// Open freezes a ballot explicitly, at or after its opening time, for staff
// who want the fingerprint fixed before anyone visits. Freezing is
// otherwise lazy; both give the same result, once.
func (s *Store) Open(ctx context.Context, p *Principal, id uint64) (Ballot, error) {
	b, err := s.loadBallot(ctx, id, false)
	if err != nil {
		return b, err
	}
	if !p.Can(PermManageBallots, b.Place) {
		return b, ErrForbidden
	}
	if b.Status(s.Now()) == BallotScheduled {
		return b, ErrBallotNotOpen
	}
	return s.freeze(ctx, p, b, true)
}

// OpenNow opens a scheduled ballot at once, its opening time becoming
// now, and freezes it (or freezes an open one nobody froze yet). The
// candidates must suit the method (ValidateOptions): a ballot is not
// opened by hand with too few of them.
func (s *Store) OpenNow(ctx context.Context, p *Principal, id uint64) (Ballot, error) {
	b, err := s.loadBallot(ctx, id, false)
	if err != nil {
		return b, err
	}
	if !p.Can(PermManageBallots, b.Place) {
		return b, ErrForbidden
	}
	if b.Status(s.Now()) == BallotClosed {
		return b, ErrBallotStarted
	}
	opts, err := s.options(ctx, id)
	if err != nil {
		return b, err
	}
	if err := ValidateOptions(b, opts); err != nil {
		return b, err
	}
	// A scheduled ballot, or a stalled one, opens now: its opening time
	// becomes the moment voting really starts.
	if b.Status(s.Now()) == BallotScheduled || b.Stalled() {
		now := s.Now()
		err := s.InTx(ctx, func(ctx context.Context) error {
			res := s.conn(ctx).Model(&Ballot{}).Where("id = ? AND frozen_at IS NULL AND (opens_at > ? OR stalled_at IS NOT NULL)", id, now).
				Updates(map[string]any{"opens_at": now, "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return ErrBallotStarted
			}
			return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.open_now", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
				Detail: "opened by hand, scheduled for " + b.OpensAt.UTC().Format(time.RFC3339)})
		})
		if err != nil {
			return b, err
		}
		if b, err = s.loadBallot(ctx, id, false); err != nil {
			return b, err
		}
	}
	return s.freeze(ctx, p, b, true)
}

// markStalled records that b, due and not frozen, was found with
// candidates unfit for its method, and returns it Stalled with
// ErrBallotNotReady. The first to find it so records it.
func (s *Store) markStalled(ctx context.Context, b Ballot) (Ballot, error) {
	now := s.Now()
	err := s.InTx(ctx, func(ctx context.Context) error {
		res := s.conn(ctx).Model(&Ballot{}).Where("id = ? AND frozen_at IS NULL AND stalled_at IS NULL AND opens_at <= ?", b.ID, now).
			Update("stalled_at", now)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return s.Record(ctx, Audit{Action: "ballot.stalled", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
			Detail: "due at " + b.OpensAt.UTC().Format(time.RFC3339) + " with candidates unfit for its method"})
	})
	if err != nil {
		return b, err
	}
	if b.StalledAt == nil {
		b.StalledAt = &now
	}
	return b, ErrBallotNotReady
}

// BallotReady reports whether b's candidates suit its method
// (ValidateOptions): a ballot that is not ready does not open (Stalled).
func (s *Store) BallotReady(ctx context.Context, b Ballot) (bool, error) {
	opts, err := s.options(ctx, b.ID)
	if err != nil {
		return false, err
	}
	return ValidateOptions(b, opts) == nil, nil
}

// ensureFrozen freezes b's definition and roll if its opening time has
// come and nobody froze it yet, and returns it as stored. A ballot found
// Stalled stays so: only staff open it (freeze).
func (s *Store) ensureFrozen(ctx context.Context, p *Principal, b Ballot) (Ballot, error) {
	return s.freeze(ctx, p, b, false)
}

// freeze is ensureFrozen; byHand (Open, OpenNow) also freezes a Stalled
// ballot whose candidates now suit its method.
func (s *Store) freeze(ctx context.Context, p *Principal, b Ballot, byHand bool) (Ballot, error) {
	if b.FrozenAt != nil || s.Now().Before(b.OpensAt) {
		return b, nil
	}
	if b.Stalled() && !byHand {
		return b, ErrBallotNotReady
	}
	// A ballot whose candidates do not suit its method would take no
	// valid vote once frozen: it stays unfrozen (Stalled) for staff to
	// mend, and refuses votes with a message saying why. Checked first on
	// a plain read, so that visiting a stalled ballot takes no lock, then
	// again under the lock.
	ready, err := s.BallotReady(ctx, b)
	if err != nil {
		return b, err
	}
	if !ready {
		return s.markStalled(ctx, b)
	}
	frozen := 0 // voters on the roll, once this call froze it
	err = s.InTx(ctx, func(ctx context.Context) error {
		// The row's lock first: a change to the definition or candidates
		// that checked "scheduled" just before opening commits before the
		// roll and candidates are read for the fingerprint, or waits.
		cur, err := s.loadBallot(ctx, b.ID, true)
		if err != nil {
			return err
		}
		if cur.FrozenAt != nil || s.Now().Before(cur.OpensAt) {
			return nil // someone else froze it first, or it opens later now
		}
		if cur.Stalled() && !byHand {
			return ErrBallotNotReady // found stalled meanwhile
		}
		b = cur
		now := s.Now()
		if ready, err := s.BallotReady(ctx, b); err != nil {
			return err
		} else if !ready {
			return ErrBallotNotReady // mended meanwhile the other way
		}
		opts, err := s.options(ctx, b.ID)
		if err != nil {
			return err
		}
		roll, err := s.buildRoll(ctx, b)
		if err != nil {
			return err
		}
		keys := make([]string, len(roll))
		for i, v := range roll {
			keys[i] = v.VoterKey
		}
		fp := Fingerprint(b, opts, keys)
		res := s.conn(ctx).Model(&Ballot{}).Where("id = ? AND frozen_at IS NULL", b.ID).
			Updates(map[string]any{"frozen_at": now, "fingerprint": fp, "electorate_size": len(roll), "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil // someone else froze it first
		}
		if len(roll) > 0 {
			if err := s.conn(ctx).CreateInBatches(&roll, 500).Error; err != nil {
				return err
			}
		}
		frozen = len(roll)
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.freeze", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
			Detail: fmt.Sprintf("fingerprint %s, %d voter(s), %d candidate(s)", fp, len(roll), len(opts))})
	})
	if err != nil {
		return b, err
	}
	if frozen >= bulkRows {
		s.Analyze(ctx, "ballot_voters")
	}
	return s.loadBallot(ctx, b.ID, false)
}

// bulkRows is how many rows written at once make a table's statistics
// worth refreshing straight away.
const bulkRows = 1000

// Analyze refreshes PostgreSQL's statistics of tables after a bulk load
// (a frozen roll, a load test's synthetic street), so that the queries
// that follow, often the busiest minutes of a vote, are planned on the
// table as it is rather than as it was; autovacuum would come to it only
// later. Best effort: a failure costs nothing but the plans it would have
// improved. SQLite plans without statistics of this kind.
func (s *Store) Analyze(ctx context.Context, tables ...string) {
	if s.db.Dialector.Name() != "postgres" {
		return
	}
	stmt := "ANALYZE"
	if len(tables) > 0 {
		stmt += " " + strings.Join(tables, ", ")
	}
	s.db.WithContext(ctx).Exec(stmt) //nolint:errcheck // best effort, see above
}

// areaOf is the place just below scope on the way to pl (the community,
// compound or group it counts in for turnout), or scope itself.
func areaOf(scope Place, pl Place) uint64 {
	ids := pl.AncestorIDs()
	for i, id := range ids {
		if id == scope.ID && i+1 < len(ids) {
			return ids[i+1]
		}
	}
	return scope.ID
}

// buildRoll computes the electorate of b as of now: see ElectorateKind.
// Adults are the roster residents of households in the scope who are adult
// now, keyed by their account when they have one (residents without an
// account vote on paper), and every verified resident account there not on
// a roster; households are those in the scope with anyone on the roster or
// a verified resident; representatives and council members are the
// accounts holding that role at a place inside the scope.
func (s *Store) buildRoll(ctx context.Context, b Ballot) ([]BallotVoter, error) {
	return s.rollOf(ctx, b, rollFilter{})
}

// rollFilter narrows rollOf to the lines one voter could have: those of an
// account, or of a household. The zero filter keeps every line.
type rollFilter struct {
	accountID, householdID uint64
}

// narrow restricts a query on residents (r) or grants (g) by f.
func (f rollFilter) narrow(db *gorm.DB, table string) *gorm.DB {
	if f.accountID != 0 {
		db = db.Where(table+".account_id = ?", f.accountID)
	}
	if f.householdID != 0 {
		col := "household_id"
		if table == "g" {
			col = "place_id"
		}
		db = db.Where(table+"."+col+" = ?", f.householdID)
	}
	return db
}

// rollOf is buildRoll restricted by f: before a ballot opens, a voter's
// page asks only whether that voter would be on the roll, without building
// the whole street's.
func (s *Store) rollOf(ctx context.Context, b Ballot, f rollFilter) ([]BallotVoter, error) {
	scope := b.Place
	like := likeEscape(scope.Path) + "%"
	now := s.Now()
	seen := map[string]bool{}
	var out []BallotVoter
	add := func(v BallotVoter) {
		if !seen[v.VoterKey] {
			seen[v.VoterKey] = true
			out = append(out, v)
		}
	}
	type row struct {
		ID, HouseholdID uint64
		AccountID       *uint64
		BirthYear       int
		Path            string
	}
	switch b.Electorate {
	case ElectorateAdults, ElectorateHouseholds:
		var rs []row
		if err := f.narrow(s.conn(ctx).Table("residents r"), "r").Select("r.id, r.household_id, r.account_id, r.birth_year, hp.path").
			Joins("JOIN places hp ON hp.id = r.household_id").Where("hp.path LIKE ?", like).Order("r.id").Scan(&rs).Error; err != nil {
			return nil, err
		}
		var gs []row
		if err := f.narrow(s.conn(ctx).Table("role_grants g"), "g").Select("g.id, g.place_id AS household_id, g.account_id, 0 AS birth_year, hp.path").
			Joins("JOIN places hp ON hp.id = g.place_id").Where("g.role = ? AND hp.path LIKE ?", RoleResident, like).Order("g.id").Scan(&gs).Error; err != nil {
			return nil, err
		}
		for _, r := range append(rs, gs...) {
			hh := Place{ID: r.HouseholdID, Path: r.Path}
			v := BallotVoter{BallotID: b.ID, PlaceID: r.HouseholdID, AreaID: areaOf(scope, hh)}
			if b.Electorate == ElectorateHouseholds {
				v.VoterKey = HouseholdVoter(r.HouseholdID)
				add(v)
				continue
			}
			if !(Resident{BirthYear: r.BirthYear}).Adult(now) {
				continue
			}
			if r.AccountID != nil {
				id := *r.AccountID
				v.VoterKey, v.AccountID = AccountVoter(id), &id
			} else {
				id := r.ID
				v.VoterKey, v.ResidentID = ResidentVoter(id), &id
			}
			add(v)
		}
		if b.Electorate == ElectorateAdults {
			// A resident account's grant row (birth year 0) must not add a
			// minor the roster knows: drop accounts whose roster entry is a minor.
			minors := map[string]bool{}
			for _, r := range rs {
				if r.AccountID != nil && !(Resident{BirthYear: r.BirthYear}).Adult(now) {
					minors[AccountVoter(*r.AccountID)] = true
				}
			}
			kept := out[:0]
			for _, v := range out {
				if !minors[v.VoterKey] {
					kept = append(kept, v)
				}
			}
			out = kept
		}
	case ElectorateRepresentatives, ElectorateCouncil:
		role := RoleRepresentative
		if b.Electorate == ElectorateCouncil {
			role = RoleCouncilMember
		}
		var gs []row
		if err := f.narrow(s.conn(ctx).Table("role_grants g"), "g").Select("g.id, g.place_id AS household_id, g.account_id, hp.path").
			Joins("JOIN places hp ON hp.id = g.place_id").Where("g.role = ? AND hp.path LIKE ?", role, like).Order("g.id").Scan(&gs).Error; err != nil {
			return nil, err
		}
		for _, g := range gs {
			id := *g.AccountID
			add(BallotVoter{BallotID: b.ID, VoterKey: AccountVoter(id), AccountID: &id, PlaceID: g.HouseholdID, AreaID: areaOf(scope, Place{ID: g.HouseholdID, Path: g.Path})})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].VoterKey < out[j].VoterKey })
	return out, nil
}

// VoterKeyFor is the key p votes under in b: their household for a
// household ballot, their account otherwise ("" when p has no household
// on a household ballot).
func VoterKeyFor(p *Principal, b Ballot) string {
	if p == nil {
		return ""
	}
	if b.Electorate == ElectorateHouseholds {
		if hh, ok := p.ResidentHousehold(); ok {
			return HouseholdVoter(hh)
		}
		return ""
	}
	return AccountVoter(p.Account.ID)
}

// VoterState is where p stands in a ballot.
type VoterState struct {
	Key      string
	Eligible bool // on the roll (before opening: would be, as the roll stands now)
	Voted    bool
	Receipt  string
	Channel  string
	Pending  bool // a paper vote awaiting confirmation
}

// Eligible tells p's voter key in a ballot and whether p may vote, has
// voted, and with which receipt (for the ballot page and /profile).
func (s *Store) Eligible(ctx context.Context, p *Principal, ballotID uint64) (VoterState, error) {
	if b, ok := s.frozenBallot(ballotID); ok {
		return s.voterState(ctx, p, b)
	}
	b, err := s.Ballot(ctx, ballotID)
	if err != nil {
		return VoterState{}, err
	}
	return s.voterState(ctx, p, b)
}

func (s *Store) voterState(ctx context.Context, p *Principal, b Ballot) (VoterState, error) {
	st := VoterState{Key: VoterKeyFor(p, b)}
	if st.Key == "" {
		return st, nil
	}
	if b.FrozenAt == nil {
		f := rollFilter{accountID: p.Account.ID}
		if b.Electorate == ElectorateHouseholds {
			hh, _ := p.ResidentHousehold()
			f = rollFilter{householdID: hh}
		}
		roll, err := s.rollOf(ctx, b, f)
		if err != nil {
			return st, err
		}
		for _, v := range roll {
			st.Eligible = st.Eligible || v.VoterKey == st.Key
		}
		return st, nil
	}
	// Under load, the look-ups of concurrent pages share one query.
	c := &stateCall{ballot: b.ID, st: st}
	batched(ctx, &s.states, c, s.voterStates)
	return c.st, c.err
}

// stateCall is one voterState look-up on a frozen ballot.
type stateCall struct {
	ballot uint64
	st     VoterState // Key set; the rest is filled in
	err    error
}

// maxStateBatch bounds the voters looked up in one query.
const maxStateBatch = 128

// voterStates reads, in one round trip for a batch, each voter's roll line
// and participation, if any. A participation without a roll line cannot
// exist (a vote checks the roll), but is read all the same.
func (s *Store) voterStates(ctx context.Context, batch []*stateCall) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	// The rows of every ballot and key of the batch: a superset of the
	// pairs asked when the batch spans ballots, matched below.
	var ballotIDs []uint64
	var keys []string
	seenB, seenK := map[uint64]bool{}, map[string]bool{}
	for _, c := range batch {
		if !seenB[c.ballot] {
			seenB[c.ballot] = true
			ballotIDs = append(ballotIDs, c.ballot)
		}
		if !seenK[c.st.Key] {
			seenK[c.st.Key] = true
			keys = append(keys, c.st.Key)
		}
	}
	type stateRow struct {
		BallotID uint64
		VoterKey string
		OnRoll   bool
		PartID   *uint64
		Receipt  *string
		Channel  *string
		Pending  *bool
	}
	inB, argB := s.anyOfIDs("bv.ballot_id", ballotIDs)
	inK, argK := s.anyOf("bv.voter_key", keys)
	inPB, argPB := s.anyOfIDs("bp.ballot_id", ballotIDs)
	inPK, argPK := s.anyOf("bp.voter_key", keys)
	fail := func(err error) {
		for _, c := range batch {
			c.err = err
		}
	}
	res, err := s.hotRows(ctx, `SELECT bv.ballot_id, bv.voter_key, TRUE AS on_roll, bp.id AS part_id, bp.receipt, bp.channel, bp.pending
		FROM ballot_voters bv LEFT JOIN ballot_participations bp ON bp.ballot_id = bv.ballot_id AND bp.voter_key = bv.voter_key
		WHERE `+inB+` AND `+inK+`
		UNION ALL
		SELECT bp.ballot_id, bp.voter_key, FALSE, bp.id, bp.receipt, bp.channel, bp.pending FROM ballot_participations bp
		WHERE `+inPB+` AND `+inPK+` AND NOT EXISTS (SELECT 1 FROM ballot_voters bv WHERE bv.ballot_id = bp.ballot_id AND bv.voter_key = bp.voter_key)`,
		argB, argK, argPB, argPK)
	if err != nil {
		fail(err)
		return
	}
	defer res.Close()
	var rows []stateRow
	for res.Next() {
		var r stateRow
		if err := res.Scan(&r.BallotID, &r.VoterKey, &r.OnRoll, &r.PartID, &r.Receipt, &r.Channel, &r.Pending); err != nil {
			fail(err)
			return
		}
		rows = append(rows, r)
	}
	if err := res.Err(); err != nil {
		fail(err)
		return
	}
	type slot struct {
		ballot uint64
		key    string
	}
	calls := map[slot][]*stateCall{}
	for _, c := range batch {
		k := slot{c.ballot, c.st.Key}
		calls[k] = append(calls[k], c)
	}
	for _, r := range rows {
		for _, c := range calls[slot{r.BallotID, r.VoterKey}] {
			c.st.Eligible = c.st.Eligible || r.OnRoll
			if r.PartID != nil {
				c.st.Voted, c.st.Receipt, c.st.Channel, c.st.Pending = true, *r.Receipt, *r.Channel, *r.Pending
			}
		}
	}
}

// errDuplicateVote marks a participation insert that hit the unique
// constraint, so the transaction rolls back before the original is read.
var errDuplicateVote = errors.New("duplicate participation")

// CastVote casts p's vote online. It checks the window, p's place on the
// roll and the method's rules, then writes participation, the vote and the
// audit entry in one transaction. A repeated submission (same voter, by
// whatever concurrency) returns the original receipt with Repeat set; when
// the voter already voted on paper it returns ErrAlreadyVoted. Do not call
// it inside an outer transaction: on PostgreSQL the constraint violation
// ends the transaction.
func (s *Store) CastVote(ctx context.Context, p *Principal, ballotID uint64, choices Choices) (VoteReceipt, error) {
	return s.castVote(ctx, p, nil, ballotID, choices, ChannelOnline)
}

// KioskVote casts the vote of voter at the community service station:
// staff (who manage ballots at the ballot's place) checked the voter in
// person and the voter chose on the station's device. Recorded with the
// kiosk channel and the staff member in the audit entry.
func (s *Store) KioskVote(ctx context.Context, staff, voter *Principal, ballotID uint64, choices Choices) (VoteReceipt, error) {
	if staff == nil || voter == nil {
		return VoteReceipt{}, ErrForbidden
	}
	return s.castVote(ctx, voter, staff, ballotID, choices, ChannelKiosk)
}

func (s *Store) castVote(ctx context.Context, p, staff *Principal, ballotID uint64, choices Choices, channel string) (VoteReceipt, error) {
	if p == nil {
		return VoteReceipt{}, ErrForbidden
	}
	// The hot path reads the ballot row alone, or nothing once it is known
	// frozen; its place is loaded only when needed (a staff check, the
	// first freeze).
	b, cached := s.frozenBallot(ballotID)
	if !cached {
		if err := s.conn(ctx).Where("id = ?", ballotID).Limit(1).Find(&b).Error; err != nil {
			return VoteReceipt{}, err
		}
		if b.ID == 0 {
			return VoteReceipt{}, ErrNotFound
		}
		s.rememberFrozen(b)
	}
	var err error
	if staff != nil || b.FrozenAt == nil {
		if b.Place, err = s.PlaceByID(ctx, b.PlaceID); err != nil {
			return VoteReceipt{}, err
		}
	}
	if staff != nil && !staff.Can(PermManageBallots, b.Place) {
		return VoteReceipt{}, ErrForbidden
	}
	if b.Status(s.Now()) != BallotOpen {
		return VoteReceipt{}, ErrBallotNotOpen
	}
	if b, err = s.ensureFrozen(ctx, nil, b); err != nil {
		return VoteReceipt{}, err
	}
	key := VoterKeyFor(p, b)
	if key == "" {
		return VoteReceipt{}, ErrNotEligible
	}
	// The candidates of a frozen ballot cannot change: their rules are
	// checked before the vote queues for its batch.
	opts, err := s.optionsOf(ctx, b)
	if err != nil {
		return VoteReceipt{}, err
	}
	if err := ValidateChoices(b, opts, choices); err != nil {
		return VoteReceipt{}, err
	}
	detail := channel
	if staff != nil {
		detail += fmt.Sprintf(", checked in person by account %d", staff.Account.ID)
	}
	r := &voteRequest{ballot: b, key: key, actor: actorOf(p), channel: channel, choices: choices, detail: detail}
	if staff != nil {
		r.staff = actorOf(staff)
	}
	batched(ctx, &s.votes, r, s.writeVotes)
	if !r.alone {
		return r.rc, r.err
	}
	return s.castVoteAlone(ctx, r)
}

// holdOpen takes a share lock on ballot id's row (on PostgreSQL; SQLite
// runs one writing transaction at a time) for the rest of the transaction,
// and refuses with ErrBallotNotOpen unless the ballot is open now and its
// result has not been counted. The count takes the row exclusively and
// marks it counted (tallied_at), so a vote written under this lock is in
// the count, and none is written after it: a vote checked just before
// closing that reaches the database after the count is refused, not lost.
func (s *Store) holdOpen(ctx context.Context, id uint64) error {
	db := s.conn(ctx)
	if db.Dialector.Name() == "postgres" {
		db = db.Clauses(clause.Locking{Strength: "SHARE"})
	}
	var b Ballot
	if err := db.Select("id", "opens_at", "closes_at", "tallied_at").Where("id = ?", id).Limit(1).Find(&b).Error; err != nil {
		return err
	}
	if b.ID == 0 {
		return ErrNotFound
	}
	if b.TalliedAt != nil || b.Status(s.Now()) != BallotOpen {
		return ErrBallotNotOpen
	}
	return nil
}

// castVoteAlone writes one vote in a transaction of its own: the path of a
// vote whose batch failed or whose receipt code was taken.
func (s *Store) castVoteAlone(ctx context.Context, r *voteRequest) (VoteReceipt, error) {
	b, key, channel := r.ballot, r.key, r.channel
	choices := r.choices
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		code := s.receipt()
		err = s.InTx(ctx, func(ctx context.Context) error {
			if err := s.holdOpen(ctx, b.ID); err != nil {
				return err
			}
			var v BallotVoter
			if err := s.conn(ctx).Where("ballot_id = ? AND voter_key = ?", b.ID, key).Limit(1).Find(&v).Error; err != nil {
				return err
			}
			if v.VoterKey == "" {
				return ErrNotEligible
			}
			part := BallotParticipation{BallotID: b.ID, VoterKey: key, Receipt: code, Channel: channel, AreaID: v.AreaID, At: s.Now()}
			if !b.Secret {
				part.Choices = choices.String()
			}
			part.EnteredByID = r.staff
			if err := s.conn(ctx).Create(&part).Error; err != nil {
				if isDuplicate(err) {
					return errDuplicateVote
				}
				return err
			}
			if err := s.conn(ctx).Create(&BallotVote{ID: newVoteID(), BallotID: b.ID, Choices: choices.String()}).Error; err != nil {
				return err
			}
			return s.Record(ctx, Audit{ActorID: r.actor, Action: "ballot.vote", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID, Detail: r.detail})
		})
		if err == nil {
			return VoteReceipt{Code: code, Channel: channel}, nil
		}
		if !errors.Is(err, errDuplicateVote) {
			return VoteReceipt{}, err
		}
		var orig BallotParticipation
		if err := s.conn(ctx).Where("ballot_id = ? AND voter_key = ?", b.ID, key).Limit(1).Find(&orig).Error; err != nil {
			return VoteReceipt{}, err
		}
		if orig.ID == 0 {
			continue // the receipt code collided with another: draw again
		}
		if orig.Channel == ChannelPaper {
			return VoteReceipt{}, ErrAlreadyVoted
		}
		return VoteReceipt{Code: orig.Receipt, Channel: orig.Channel, Repeat: true}, nil
	}
	return VoteReceipt{}, err
}

// EnterPaperVote records a paper ballot (纸质选票) that staff collected from
// the named voter on the roll (voterKey, from Roll). From then on the voter
// cannot vote online; the vote counts once a second staff account confirms
// it with ConfirmPaperVote. Only while the ballot is open.
func (s *Store) EnterPaperVote(ctx context.Context, staff *Principal, ballotID uint64, voterKey string, choices Choices) (BallotPaperVote, VoteReceipt, error) {
	var pv BallotPaperVote
	var rc VoteReceipt
	if staff == nil {
		return pv, rc, ErrForbidden
	}
	b, err := s.loadBallot(ctx, ballotID, false)
	if err != nil {
		return pv, rc, err
	}
	if !staff.Can(PermManageBallots, b.Place) {
		return pv, rc, ErrForbidden
	}
	if b.Status(s.Now()) != BallotOpen {
		return pv, rc, ErrBallotNotOpen
	}
	if b, err = s.ensureFrozen(ctx, nil, b); err != nil {
		return pv, rc, err
	}
	code := s.receipt()
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.holdOpen(ctx, b.ID); err != nil {
			return err
		}
		var v BallotVoter
		if err := s.conn(ctx).Where("ballot_id = ? AND voter_key = ?", b.ID, voterKey).Limit(1).Find(&v).Error; err != nil {
			return err
		}
		if v.VoterKey == "" {
			return ErrNotEligible
		}
		opts, err := s.options(ctx, b.ID)
		if err != nil {
			return err
		}
		if err := ValidateChoices(b, opts, choices); err != nil {
			return err
		}
		now := s.Now()
		part := BallotParticipation{BallotID: b.ID, VoterKey: voterKey, Receipt: code, Channel: ChannelPaper, Pending: true, AreaID: v.AreaID,
			EnteredByID: actorOf(staff), At: now}
		if err := s.conn(ctx).Create(&part).Error; err != nil {
			if isDuplicate(err) {
				return ErrAlreadyVoted
			}
			return err
		}
		pv = BallotPaperVote{BallotID: b.ID, VoterKey: voterKey, Choices: choices.String(), EnteredByID: staff.Account.ID, EnteredAt: now}
		if err := s.conn(ctx).Create(&pv).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(staff), Action: "ballot.paper_enter", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
			// Not the paper ballot's number: the queue of pending paper
			// ballots shows it with the choices, and this line names the voter.
			Detail: "paper ballot for voter " + voterKey + ", pending confirmation"})
	})
	if err != nil {
		return BallotPaperVote{}, rc, err
	}
	return pv, VoteReceipt{Code: code, Channel: ChannelPaper, Pending: true}, nil
}

// PendingPaperVotes lists a ballot's paper ballots awaiting confirmation,
// oldest first, for staff who manage ballots there (the confirming staff
// member checks the entered choices against the paper).
func (s *Store) PendingPaperVotes(ctx context.Context, staff *Principal, ballotID uint64) ([]BallotPaperVote, error) {
	b, err := s.loadBallot(ctx, ballotID, false)
	if err != nil {
		return nil, err
	}
	if !staff.Can(PermManageBallots, b.Place) {
		return nil, ErrForbidden
	}
	var out []BallotPaperVote
	err = s.conn(ctx).Where("ballot_id = ? AND confirmed_by_id IS NULL AND voter_key <> ''", ballotID).Order("id").Find(&out).Error
	return out, err
}

// ConfirmPaperVote confirms a paper ballot: a different staff account
// than the one that entered it, while the ballot is open. Only then does it
// count; on a secret ballot the pending row's link to the voter and its
// choices are erased as the vote moves into the votes table.
func (s *Store) ConfirmPaperVote(ctx context.Context, staff *Principal, paperID uint64) error {
	if staff == nil {
		return ErrForbidden
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		var pv BallotPaperVote
		if err := s.conn(ctx).Where("id = ?", paperID).Limit(1).Find(&pv).Error; err != nil {
			return err
		}
		if pv.ID == 0 {
			return ErrNotFound
		}
		b, err := s.loadBallot(ctx, pv.BallotID, false)
		if err != nil {
			return err
		}
		if !staff.Can(PermManageBallots, b.Place) {
			return ErrForbidden
		}
		// The ballot's row before the paper ballot's, in the count's order
		// (it holds the ballot, then settles unconfirmed paper ballots):
		// the other order could deadlock with it.
		if err := s.holdOpen(ctx, b.ID); err != nil {
			if errors.Is(err, ErrBallotNotOpen) && (pv.ConfirmedByID != nil || pv.VoterKey == "") {
				return ErrPaperSettled
			}
			return err
		}
		db := s.conn(ctx)
		if db.Dialector.Name() == "postgres" {
			db = db.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := db.Where("id = ?", paperID).Limit(1).Find(&pv).Error; err != nil {
			return err
		}
		if pv.ConfirmedByID != nil || pv.VoterKey == "" {
			return ErrPaperSettled
		}
		if pv.EnteredByID == staff.Account.ID {
			return ErrSameStaff
		}
		now := s.Now()
		partUpd := map[string]any{"pending": false, "confirmed_by_id": staff.Account.ID}
		if !b.Secret {
			partUpd["choices"] = pv.Choices
		}
		if err := s.conn(ctx).Model(&BallotParticipation{}).Where("ballot_id = ? AND voter_key = ? AND pending = ?", b.ID, pv.VoterKey, true).
			Updates(partUpd).Error; err != nil {
			return err
		}
		if err := s.conn(ctx).Create(&BallotVote{ID: newVoteID(), BallotID: b.ID, Choices: pv.Choices}).Error; err != nil {
			return err
		}
		pvUpd := map[string]any{"confirmed_by_id": staff.Account.ID, "confirmed_at": now}
		if b.Secret {
			pvUpd["voter_key"], pvUpd["choices"] = "", ""
		}
		if err := s.conn(ctx).Model(&BallotPaperVote{}).Where("id = ?", pv.ID).Updates(pvUpd).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(staff), Action: "ballot.paper_confirm", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
			Detail: fmt.Sprintf("paper ballot %d entered by account %d", pv.ID, pv.EnteredByID)})
	})
}

// AmendInput adds one voter to a frozen roll: exactly one of an account,
// a roster resident or a household, with the reason.
type AmendInput struct {
	AccountID   uint64
	ResidentID  uint64
	HouseholdID uint64
	Reason      string
}

// AmendRoll adds a voter to an open ballot's frozen roll (补登) with a
// logged reason; the ballot counts its amendments. The fingerprint stays
// the one taken at opening.
func (s *Store) AmendRoll(ctx context.Context, p *Principal, ballotID uint64, in AmendInput) (BallotVoter, error) {
	var v BallotVoter
	in.Reason = strings.TrimSpace(in.Reason)
	fe := FieldErrors{}
	if in.Reason == "" {
		fe.Add("reason", "err.required")
	} else if len([]rune(in.Reason)) > 1000 {
		fe.Add("reason", "err.too_long")
	}
	given := 0
	for _, id := range []uint64{in.AccountID, in.ResidentID, in.HouseholdID} {
		if id != 0 {
			given++
		}
	}
	if given != 1 {
		fe.Add("voter", "err.invalid_choice")
	}
	b, err := s.loadBallot(ctx, ballotID, false)
	if err != nil {
		return v, err
	}
	if !p.Can(PermManageBallots, b.Place) {
		return v, ErrForbidden
	}
	if err := fe.Err(); err != nil {
		return v, err
	}
	if b.Status(s.Now()) != BallotOpen {
		return v, ErrBallotNotOpen
	}
	if b, err = s.ensureFrozen(ctx, p, b); err != nil {
		return v, err
	}
	v = BallotVoter{BallotID: b.ID, Amended: true}
	// keys are every key the same person or household could be on the
	// roll under: one person must not hold two lines (a roster line r:ID
	// frozen before they had an account, and an account line a:ID).
	home, keys, err := s.amendedVoter(ctx, b, in, &v)
	if err != nil {
		return v, err
	}
	if !b.Place.Contains(home) {
		return v, ErrForbidden
	}
	v.PlaceID, v.AreaID = home.ID, areaOf(b.Place, home)
	err = s.InTx(ctx, func(ctx context.Context) error {
		// Amendments of one ballot queue behind each other, so that two of
		// the same person under different keys cannot both pass the check.
		if err := s.lockRow(ctx, &Ballot{}, b.ID); err != nil {
			return err
		}
		var on int64
		if err := s.conn(ctx).Model(&BallotVoter{}).Where("ballot_id = ? AND voter_key IN ?", b.ID, keys).Count(&on).Error; err != nil {
			return err
		}
		if on > 0 {
			return FieldErrors{"voter": "err.ballot_voter_on_roll"}
		}
		if err := s.conn(ctx).Create(&v).Error; err != nil {
			if isDuplicate(err) {
				return FieldErrors{"voter": "err.ballot_voter_on_roll"}
			}
			return err
		}
		if err := s.conn(ctx).Create(&BallotAmendment{BallotID: b.ID, VoterKey: v.VoterKey, Reason: in.Reason, ActorID: p.Account.ID, At: s.Now()}).Error; err != nil {
			return err
		}
		if err := s.conn(ctx).Model(&Ballot{}).Where("id = ?", b.ID).Update("amendments", gorm.Expr("amendments + 1")).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.amend_roll", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
			Detail: truncate("added "+v.VoterKey+": "+in.Reason, 300)})
	})
	s.frozen.open.Delete(b.ID) // its amendment counter changed
	return v, err
}

// amendedVoter resolves the voter an amendment names into v (key, account
// or resident) and returns where they live, for the roll's area, with
// every key the same person or household could already be on the roll
// under. The electorate's rule applies as it did when the roll was
// frozen, now: a household for a household ballot; an adult resident for
// adults; an account holding the representative or council role inside
// the scope for those ballots. An amendment adds a voter the frozen roll
// missed, not one the rule leaves out.
func (s *Store) amendedVoter(ctx context.Context, b Ballot, in AmendInput, v *BallotVoter) (Place, []string, error) {
	notEligible := FieldErrors{"voter": "err.ballot_voter_not_eligible"}
	switch {
	case in.HouseholdID != 0:
		if b.Electorate != ElectorateHouseholds {
			return Place{}, nil, FieldErrors{"voter": "err.invalid_choice"}
		}
		home, err := s.PlaceByID(ctx, in.HouseholdID)
		if err != nil {
			return Place{}, nil, err
		}
		if home.Kind != KindHousehold {
			return Place{}, nil, FieldErrors{"voter": "err.invalid_choice"}
		}
		v.VoterKey = HouseholdVoter(home.ID)
		return home, []string{v.VoterKey}, nil
	case in.ResidentID != 0:
		if b.Electorate != ElectorateAdults {
			return Place{}, nil, FieldErrors{"voter": "err.invalid_choice"}
		}
		var r Resident
		if err := s.conn(ctx).Where("id = ?", in.ResidentID).Limit(1).Find(&r).Error; err != nil {
			return Place{}, nil, err
		}
		if r.ID == 0 {
			return Place{}, nil, ErrNotFound
		}
		if !r.Adult(s.Now()) {
			return Place{}, nil, notEligible
		}
		home, err := s.PlaceByID(ctx, r.HouseholdID)
		if err != nil {
			return Place{}, nil, err
		}
		id := r.ID
		v.VoterKey, v.ResidentID = ResidentVoter(id), &id
		keys := []string{v.VoterKey}
		if r.AccountID != nil {
			aid := *r.AccountID
			v.VoterKey, v.AccountID, v.ResidentID = AccountVoter(aid), &aid, nil
			keys = append(keys, v.VoterKey)
		}
		return home, keys, nil
	}
	if b.Electorate == ElectorateHouseholds {
		return Place{}, nil, FieldErrors{"voter": "err.invalid_choice"}
	}
	var a Account
	if err := s.conn(ctx).Where("id = ?", in.AccountID).Limit(1).Find(&a).Error; err != nil {
		return Place{}, nil, err
	}
	if a.ID == 0 {
		return Place{}, nil, ErrNotFound
	}
	role := RoleResident
	switch b.Electorate {
	case ElectorateRepresentatives:
		role = RoleRepresentative
	case ElectorateCouncil:
		role = RoleCouncilMember
	}
	// The account's grant of the electorate's role inside the scope is
	// where it votes from; without one it is not eligible.
	grants, err := s.grantsOf(ctx, a.ID)
	if err != nil {
		return Place{}, nil, err
	}
	var home Place
	for _, g := range grants {
		if g.Role == role && b.Place.Contains(g.Place) {
			home = g.Place
			break
		}
	}
	if home.ID == 0 {
		return Place{}, nil, notEligible
	}
	id := a.ID
	v.VoterKey, v.AccountID = AccountVoter(id), &id
	keys := []string{v.VoterKey}
	if b.Electorate == ElectorateAdults {
		// The roster may know the account's holder: a minor is left out,
		// and a roster line frozen before the account existed is the same
		// person.
		var rs []Resident
		if err := s.conn(ctx).Where("account_id = ?", a.ID).Find(&rs).Error; err != nil {
			return Place{}, nil, err
		}
		for _, r := range rs {
			if !r.Adult(s.Now()) {
				return Place{}, nil, notEligible
			}
			keys = append(keys, ResidentVoter(r.ID))
		}
	}
	return home, keys, nil
}

// Amendments lists a ballot's roll amendments, oldest first (public: they
// name voter keys and reasons, no names).
func (s *Store) Amendments(ctx context.Context, ballotID uint64) ([]BallotAmendment, error) {
	var out []BallotAmendment
	err := s.conn(ctx).Where("ballot_id = ?", ballotID).Order("at, id").Find(&out).Error
	return out, err
}

// RollEntry is one voter on the roll as staff see it when entering paper
// ballots: the key, a name (the account's, the roster resident's or the
// household's), the place, and whether and how they voted.
type RollEntry struct {
	VoterKey string
	Name     string
	Place    string
	Channel  string // "" when not voted
	Pending  bool
	Amended  bool
}

// Roll lists a frozen ballot's roll for staff who manage ballots there,
// by voter key, filtered by a name fragment, with the total for paging.
func (s *Store) Roll(ctx context.Context, p *Principal, ballotID uint64, name string, page, perPage int) ([]RollEntry, int64, error) {
	b, err := s.Ballot(ctx, ballotID)
	if err != nil {
		return nil, 0, err
	}
	if !p.Can(PermManageBallots, b.Place) {
		return nil, 0, ErrForbidden
	}
	if perPage <= 0 {
		perPage = 50
	}
	if page < 1 {
		page = 1
	}
	nameExpr := "COALESCE(a.name, r.name, pl.name)"
	db := s.conn(ctx).Table("ballot_voters v").
		Joins("LEFT JOIN accounts a ON a.id = v.account_id").
		Joins("LEFT JOIN residents r ON r.id = v.resident_id").
		Joins("JOIN places pl ON pl.id = v.place_id").
		Joins("LEFT JOIN ballot_participations bp ON bp.ballot_id = v.ballot_id AND bp.voter_key = v.voter_key").
		Where("v.ballot_id = ?", b.ID)
	if name = strings.TrimSpace(name); name != "" {
		db = db.Where(nameExpr+" LIKE ?", "%"+likeEscape(name)+"%")
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []RollEntry
	err = db.Select("v.voter_key AS voter_key, " + nameExpr + " AS name, pl.name AS place, COALESCE(bp.channel, '') AS channel, COALESCE(bp.pending, false) AS pending, v.amended AS amended").
		Order("v.voter_key").Offset((page - 1) * perPage).Limit(perPage).Scan(&out).Error
	return out, total, err
}

// --- closing, results, board ---

// CloseAndTally computes and stores a closed ballot's result, once: counts
// per candidate, turnout per area and per channel, whether turnout met the
// threshold, the ranked and funded set with its draw seed, and the
// hash-chained board. Calling it again returns the stored result. Before
// closing it refuses with ErrBallotNotClosed. p may be nil (the tally is
// the clock's doing, run by whoever first needs it).
func (s *Store) CloseAndTally(ctx context.Context, p *Principal, id uint64) (*BallotResult, error) {
	b, err := s.loadBallot(ctx, id, false)
	if err != nil {
		return nil, err
	}
	if b.Status(s.Now()) != BallotClosed {
		return nil, ErrBallotNotClosed
	}
	if b, err = s.ensureFrozen(ctx, nil, b); err != nil {
		return nil, err
	}
	if r, err := s.storedResult(ctx, id); err != nil || r != nil {
		return r, err
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		// The lock makes concurrent first readers wait; the primary key on
		// ballot_results is the backstop.
		if _, err := s.loadBallot(ctx, id, true); err != nil {
			return err
		}
		if r, err := s.storedResult(ctx, id); err != nil || r != nil {
			return err
		}
		// Under the row's exclusive lock: every vote written under its
		// share lock (holdOpen, castVotesPG) has committed, and those
		// waiting for it find the ballot counted.
		if err := s.conn(ctx).Model(&Ballot{}).Where("id = ?", id).Update("tallied_at", s.Now()).Error; err != nil {
			return err
		}
		return s.tally(ctx, p, b)
	})
	if err != nil && !isDuplicate(err) {
		return nil, err
	}
	return s.storedResult(ctx, id)
}

func (s *Store) storedResult(ctx context.Context, id uint64) (*BallotResult, error) {
	var r BallotResult
	if err := s.conn(ctx).Where("ballot_id = ?", id).Limit(1).Find(&r).Error; err != nil {
		return nil, err
	}
	if r.BallotID == 0 {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(r.Data), &r.Detail); err != nil {
		return nil, fmt.Errorf("ballot %d result: %w", id, err)
	}
	return &r, nil
}

func (s *Store) tally(ctx context.Context, p *Principal, b Ballot) error {
	opts, err := s.options(ctx, b.ID)
	if err != nil {
		return err
	}
	var voteRows []string
	if err := s.conn(ctx).Model(&BallotVote{}).Where("ballot_id = ?", b.ID).Order("id").Pluck("choices", &voteRows).Error; err != nil {
		return err
	}
	votes := make([]Choices, 0, len(voteRows))
	for _, v := range voteRows {
		c, err := ParseChoices(v)
		if err != nil {
			return err
		}
		votes = append(votes, c)
	}
	var parts []BallotParticipation
	if err := s.conn(ctx).Where("ballot_id = ? AND pending = ?", b.ID, false).Order("receipt").Find(&parts).Error; err != nil {
		return err
	}
	res := BallotResult{BallotID: b.ID, ComputedAt: s.Now(), Electorate: b.Voters(), Voted: len(parts)}
	votedIn := map[uint64]int{}
	for _, pt := range parts {
		switch pt.Channel {
		case ChannelOnline:
			res.Online++
		case ChannelPaper:
			res.Paper++
		case ChannelKiosk:
			res.Kiosk++
		}
		votedIn[pt.AreaID]++
	}
	type areaCount struct {
		AreaID uint64
		N      int
	}
	var areas []areaCount
	if err := s.conn(ctx).Model(&BallotVoter{}).Select("area_id, COUNT(*) AS n").Where("ballot_id = ?", b.ID).Group("area_id").Order("area_id").Scan(&areas).Error; err != nil {
		return err
	}
	for _, a := range areas {
		pl, err := s.PlaceByID(ctx, a.AreaID)
		if err != nil {
			return err
		}
		res.Detail.Places = append(res.Detail.Places, PlaceTurnout{PlaceID: a.AreaID, Name: pl.Name, Electorate: a.N, Voted: votedIn[a.AreaID]})
	}
	rows, no := Tally(b, opts, votes)
	res.No = no
	res.Valid = TurnoutMet(int64(res.Voted), int64(res.Electorate), b.TurnoutPct)
	seed := NewDrawSeed()
	res.DrawSeed = strconv.FormatUint(seed, 10)
	res.Detail.Candidates = SelectFunded(b, RankTallies(rows, seed), no, res.Valid)
	// The board: receipts in code order (on a public ballot with their
	// choices), then for a secret ballot the choices in a random order.
	var board []BoardEntry
	for _, pt := range parts {
		e := BoardEntry{BallotID: b.ID, Kind: BoardReceipt, Receipt: pt.Receipt}
		if !b.Secret {
			e.Choices = pt.Choices
		}
		board = append(board, e)
	}
	if b.Secret {
		shuffled := append([]string(nil), voteRows...)
		for i := len(shuffled) - 1; i > 0; i-- {
			jj, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
			if err != nil {
				return err
			}
			j := int(jj.Int64())
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		}
		for _, c := range shuffled {
			board = append(board, BoardEntry{BallotID: b.ID, Kind: BoardVote, Choices: c})
		}
		// Rewrite the votes in the shuffled order under fresh keys, all in
		// this one transaction: whatever the database kept of how each row
		// was written during voting (PostgreSQL's writing transaction and
		// position) now says nothing about who wrote it.
		if err := s.conn(ctx).Where("ballot_id = ?", b.ID).Delete(&BallotVote{}).Error; err != nil {
			return err
		}
		fresh := make([]BallotVote, len(shuffled))
		for i, c := range shuffled {
			fresh[i] = BallotVote{ID: newVoteID(), BallotID: b.ID, Choices: c}
		}
		if len(fresh) > 0 {
			if err := s.conn(ctx).CreateInBatches(&fresh, 500).Error; err != nil {
				return err
			}
		}
	}
	res.BoardHead = ChainBoard(b.Fingerprint, board)
	data, err := json.Marshal(res.Detail)
	if err != nil {
		return err
	}
	res.Data = string(data)
	if err := s.conn(ctx).Create(&res).Error; err != nil {
		return err
	}
	if len(board) > 0 {
		if err := s.conn(ctx).CreateInBatches(&board, 500).Error; err != nil {
			return err
		}
	}
	// Paper ballots never confirmed do not count; their link to a voter goes.
	if err := s.conn(ctx).Model(&BallotPaperVote{}).Where("ballot_id = ? AND confirmed_by_id IS NULL", b.ID).
		Updates(map[string]any{"voter_key": "", "choices": ""}).Error; err != nil {
		return err
	}
	return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.tally", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
		Detail: fmt.Sprintf("%d of %d voted (online %d, paper %d, kiosk %d), valid %v, draw seed %s, board head %s",
			res.Voted, res.Electorate, res.Online, res.Paper, res.Kiosk, res.Valid, res.DrawSeed, res.BoardHead)})
}

// Results returns a ballot's result for anyone once it has closed
// (computing it on first access), and nil for everyone, staff included,
// before: running tallies are never shown. A ballot that closed stalled
// has none: ErrBallotNotHeld.
func (s *Store) Results(ctx context.Context, p *Principal, id uint64) (*BallotResult, error) {
	b, err := s.loadBallot(ctx, id, false)
	if err != nil {
		return nil, err
	}
	if b.Status(s.Now()) != BallotClosed {
		return nil, nil
	}
	r, err := s.CloseAndTally(ctx, nil, id)
	if errors.Is(err, ErrBallotNotReady) {
		return nil, ErrBallotNotHeld // closed stalled: nothing to count
	}
	return r, err
}

// Board returns a closed ballot's board entries in order.
func (s *Store) Board(ctx context.Context, id uint64) ([]BoardEntry, error) {
	r, err := s.Results(ctx, nil, id)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, ErrBallotNotClosed
	}
	var out []BoardEntry
	err = s.conn(ctx).Where("ballot_id = ?", id).Order("seq").Find(&out).Error
	return out, err
}

// BoardFileFor assembles the downloadable board of a closed ballot.
func (s *Store) BoardFileFor(ctx context.Context, id uint64) (BoardFile, error) {
	var f BoardFile
	entries, err := s.Board(ctx, id)
	if err != nil {
		return f, err
	}
	b, err := s.loadBallot(ctx, id, false)
	if err != nil {
		return f, err
	}
	r, err := s.storedResult(ctx, id)
	if err != nil {
		return f, err
	}
	cands, err := s.BallotOptions(ctx, id)
	if err != nil {
		return f, err
	}
	f = BoardFile{BallotID: b.ID, Title: b.Title, Method: b.Method, MinChoices: b.MinChoices, MaxChoices: b.MaxChoices, RankK: b.RankK,
		BudgetFen: b.BudgetFen, Secret: b.Secret, Fingerprint: b.Fingerprint, Electorate: b.Voters(), Entries: entries, Head: r.BoardHead}
	for _, c := range cands {
		f.Candidates = append(f.Candidates, BoardCandidate{ID: c.ID, Title: c.Title, CostFen: c.CostFen})
	}
	f.Totals = BoardTotals{No: r.No}
	for _, c := range r.Detail.Candidates {
		f.Totals.Candidates = append(f.Totals.Candidates, CandidateTally{ID: c.ID, CostFen: c.CostFen, Votes: c.Votes, Points: c.Points})
	}
	for _, e := range entries {
		if (b.Secret && e.Kind == BoardVote) || (!b.Secret && e.Kind == BoardReceipt) {
			f.Totals.Ballots++
		}
	}
	f.Outcome = &BoardOutcome{Seats: b.Seats, TurnoutPct: b.TurnoutPct, DrawSeed: r.DrawSeed, Valid: r.Valid, Winners: r.Funded()}
	return f, nil
}

// BoardJSON encodes a closed ballot's board as board.json, indented.
func (s *Store) BoardJSON(ctx context.Context, id uint64) ([]byte, error) {
	f, err := s.BoardFileFor(ctx, id)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(f, "", "  ")
}

// ReceiptCheck is what looking up a receipt tells: that it exists, by
// which channel, whether it counts (a paper vote awaiting confirmation does
// not yet), its board entry once the board exists, and on a public ballot
// the choices. It never names the voter.
type ReceiptCheck struct {
	Receipt  string
	Channel  string
	Counted  bool
	BoardSeq int // 0 before the board is built
	Choices  string
}

// LookupReceipt finds a receipt code on a ballot.
func (s *Store) LookupReceipt(ctx context.Context, ballotID uint64, code string) (ReceiptCheck, error) {
	code = NormalizeReceipt(code)
	var pt BallotParticipation
	if code == "" {
		return ReceiptCheck{}, ErrReceiptUnknown
	}
	if err := s.conn(ctx).Where("ballot_id = ? AND receipt = ?", ballotID, code).Limit(1).Find(&pt).Error; err != nil {
		return ReceiptCheck{}, err
	}
	if pt.ID == 0 {
		return ReceiptCheck{}, ErrReceiptUnknown
	}
	rc := ReceiptCheck{Receipt: pt.Receipt, Channel: pt.Channel, Counted: !pt.Pending, Choices: pt.Choices}
	var e BoardEntry
	if err := s.conn(ctx).Where("ballot_id = ? AND kind = ? AND receipt = ?", ballotID, BoardReceipt, code).Limit(1).Find(&e).Error; err != nil {
		return rc, err
	}
	rc.BoardSeq = e.Seq
	return rc, nil
}

// MyReceipt is a ballot p took part in, with the receipt (for /profile).
type MyReceipt struct {
	BallotID    uint64
	BallotTitle string
	Receipt     string
	Channel     string
	Pending     bool
	At          time.Time
}

// MyReceipts lists the receipts of p's votes, as an account or for their
// household, newest first.
func (s *Store) MyReceipts(ctx context.Context, p *Principal) ([]MyReceipt, error) {
	if p == nil {
		return nil, nil
	}
	keys := []string{AccountVoter(p.Account.ID)}
	if hh, ok := p.ResidentHousehold(); ok {
		keys = append(keys, HouseholdVoter(hh))
	}
	var out []MyReceipt
	err := s.conn(ctx).Table("ballot_participations bp").
		Select("bp.ballot_id AS ballot_id, b.title AS ballot_title, bp.receipt AS receipt, bp.channel AS channel, bp.pending AS pending, bp.at AS at").
		Joins("JOIN ballots b ON b.id = bp.ballot_id").Where("bp.voter_key IN ?", keys).Order("bp.at DESC, bp.id DESC").Limit(100).Scan(&out).Error
	return out, err
}

// PublishResult publishes a closed ballot's result as a notice (公示) at
// its place, with a publicity period and objections; only once. When
// in.Body is empty a plain summary in Chinese is written: turnout and each
// candidate's votes, the funded ones marked.
func (s *Store) PublishResult(ctx context.Context, p *Principal, id uint64, in NoticeInput) (Notice, error) {
	var n Notice
	r, err := s.Results(ctx, p, id)
	if err != nil {
		return n, err
	}
	if r == nil {
		return n, ErrBallotNotClosed
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		b, err := s.loadBallot(ctx, id, true)
		if err != nil {
			return err
		}
		if !p.Can(PermManageBallots, b.Place) {
			return ErrForbidden
		}
		if b.NoticeID != nil {
			// A withdrawn result notice (an objection upheld, a mistake in
			// its text) may be published again; any other stands.
			old, err := s.NoticeByID(ctx, *b.NoticeID)
			if err != nil {
				return err
			}
			if old.Stands() {
				return ErrResultPublished
			}
		}
		in.PlaceID = b.PlaceID
		if strings.TrimSpace(in.Title) == "" {
			in.Title = truncate(b.Title+" 票决结果公示", 120)
		}
		if strings.TrimSpace(in.Body) == "" {
			cands, err := s.BallotOptions(ctx, id)
			if err != nil {
				return err
			}
			in.Body = ResultSummary(b, *r, cands)
		}
		if n, err = s.PublishOutcome(ctx, p, in, BallotSource, b.ID); err != nil {
			return err
		}
		if err := s.conn(ctx).Model(&Ballot{}).Where("id = ?", b.ID).Updates(map[string]any{"notice_id": n.ID, "updated_at": s.Now()}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.publish", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
			Detail: fmt.Sprintf("notice %d, %d day(s)", n.ID, in.PeriodDays)})
	})
	return n, err
}

// ResultSummary writes the default text of a result notice.
func ResultSummary(b Ballot, r BallotResult, cands []Candidate) string {
	title := map[uint64]string{}
	for _, c := range cands {
		title[c.ID] = c.Title
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s 已于 %s 结束投票。应参与 %d，实际参与 %d（线上 %d，纸质 %d，服务站 %d）。\n",
		b.Title, b.ClosesAt.In(shanghai).Format("2006-01-02 15:04"), r.Electorate, r.Voted, r.Online, r.Paper, r.Kiosk)
	if !r.Valid {
		fmt.Fprintf(&sb, "参与率未达到 %d%% 的要求，本次票决无效。\n", b.TurnoutPct)
	}
	if b.Method == MethodYesNo {
		fmt.Fprintf(&sb, "反对 %d 票。\n", r.No)
	}
	for i, c := range r.Detail.Candidates {
		mark := ""
		if c.Funded {
			mark = "（入选）"
		}
		fmt.Fprintf(&sb, "%d. %s：%d 票", i+1, title[c.ID], c.Votes)
		if b.Method == MethodRank {
			fmt.Fprintf(&sb, "，%d 分", c.Points)
		}
		fmt.Fprintf(&sb, "，预算 %s 元%s\n", FormatYuan(c.CostFen), mark)
	}
	fmt.Fprintf(&sb, "抽签种子：%s；公示板哈希：%s。", r.DrawSeed, r.BoardHead)
	return sb.String()
}

var shanghai = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// FundCandidates turns the funded candidates of a published ballot into
// projects once the notice's publicity period has ended, each linked back
// to the ballot (source "ballot") and, when it came from a need, to that
// need. Only once.
func (s *Store) FundCandidates(ctx context.Context, p *Principal, id uint64) ([]Project, error) {
	var out []Project
	err := s.InTx(ctx, func(ctx context.Context) error {
		b, err := s.loadBallot(ctx, id, true)
		if err != nil {
			return err
		}
		if !p.Can(PermManageBallots, b.Place) {
			return ErrForbidden
		}
		if b.FundedAt != nil {
			return ErrAlreadyFunded
		}
		if b.Stalled() {
			return ErrBallotNotHeld
		}
		if b.NoticeID == nil {
			return ErrPublicityRunning
		}
		n, err := s.NoticeByID(ctx, *b.NoticeID)
		if err != nil {
			return err
		}
		if n.Status != NoticePublished {
			return ErrResultWithdrawn
		}
		if n.PeriodEndsAt != nil && !n.PeriodEnded(s.Now()) {
			return ErrPublicityRunning
		}
		r, err := s.storedResult(ctx, id)
		if err != nil {
			return err
		}
		if r == nil {
			return ErrBallotNotClosed
		}
		var already []string
		for _, cid := range r.Funded() {
			c, err := s.CandidateByID(ctx, cid)
			if err != nil {
				return err
			}
			if c.ProjectID != nil {
				// Funded by another ballot since: one project is enough.
				already = append(already, fmt.Sprintf("candidate %d is project %d", c.ID, *c.ProjectID))
				continue
			}
			in := ProjectInput{Title: c.Title, Summary: c.Description, PlaceID: c.PlaceID, BudgetFen: c.CostFen, SourceType: BallotSource, SourceID: b.ID}
			if c.NeedID != nil {
				var need Need
				if err := s.conn(ctx).Where("id = ?", *c.NeedID).Limit(1).Find(&need).Error; err != nil {
					return err
				}
				if need.ID != 0 && need.Status != NeedDeclined && need.Status != NeedMerged && need.Status != NeedSubmitted {
					in.NeedIDs = []uint64{need.ID}
				}
			}
			pr, err := s.CreateProject(ctx, p, in)
			if err != nil {
				return err
			}
			if err := s.conn(ctx).Model(&Candidate{}).Where("id = ?", c.ID).Updates(map[string]any{"project_id": pr.ID, "updated_at": s.Now()}).Error; err != nil {
				return err
			}
			out = append(out, pr)
		}
		if err := s.conn(ctx).Model(&Ballot{}).Where("id = ?", b.ID).Updates(map[string]any{"funded_at": s.Now(), "updated_at": s.Now()}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.fund", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
			Detail: truncate(strings.Join(append([]string{fmt.Sprintf("%d project(s)", len(out))}, already...), "; "), 300)})
	})
	return out, err
}
