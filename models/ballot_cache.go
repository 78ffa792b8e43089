package models

import (
	"context"
	"sync"
	"time"
)

// frozenCache keeps what cannot change once a ballot is frozen: its
// definition (method, limits, times, secrecy, electorate: the fingerprint
// covers them, and nothing updates them after opening) and its candidates
// with their costs. The vote path reads them on every submission; caching
// them saves two round trips to the database per vote. Counters that do
// change after opening (amendments, the result notice, funding) are never
// read from here. Being immutable, the entries are right in every process.
type frozenCache struct {
	ballots sync.Map // uint64 → Ballot (without Place)
	options sync.Map // uint64 → []Option
	// Candidates as the page shows them, while the ballot is open: their
	// text, costs and photos cannot change then, but the name of a place
	// may, so an entry lives only candidatesTTL.
	candidates sync.Map // uint64 → candidatesEntry
	// The rows of open ballots as the ballot page shows them, with their
	// place, for candidatesTTL: the amendment counter may change (this
	// process forgets the entry when it amends; another process's
	// amendment shows within the TTL).
	open sync.Map // uint64 → openEntry
	// Labels of places ("幸福社区 / 3号楼") for the ballot page, for
	// candidatesTTL (a renamed ancestor shows within it).
	labels sync.Map // uint64 → labelEntry
	// The resolution each ballot was started from (0: none), fixed when
	// the ballot is made (Ballot.ResolutionID).
	spawnedFrom sync.Map // uint64 → uint64
}

type openEntry struct {
	at time.Time
	b  Ballot
}

type labelEntry struct {
	at         time.Time
	name, path string // of the place itself: a change misses the entry
	label      string
}

// openBallot returns the cached row of ballot id while it is open and the
// entry is fresh.
func (s *Store) openBallot(id uint64) (Ballot, bool) {
	v, ok := s.frozen.open.Load(id)
	if !ok {
		return Ballot{}, false
	}
	e := v.(openEntry)
	if time.Since(e.at) >= candidatesTTL || e.b.Status(s.Now()) != BallotOpen {
		return Ballot{}, false
	}
	return e.b, true
}

// rememberOpen caches b (with its place) while it is frozen and open.
func (s *Store) rememberOpen(b Ballot) {
	if b.FrozenAt != nil && b.Place.ID != 0 && b.Status(s.Now()) == BallotOpen {
		s.frozen.open.Store(b.ID, openEntry{at: time.Now(), b: b})
	}
}

// CachedPlaceLabel is PlaceLabel through a cache of candidatesTTL, for
// pages that a whole street loads at once (the ballot page).
func (s *Store) CachedPlaceLabel(ctx context.Context, p Place) (string, error) {
	if v, ok := s.frozen.labels.Load(p.ID); ok {
		if e := v.(labelEntry); time.Since(e.at) < candidatesTTL && e.name == p.Name && e.path == p.Path {
			return e.label, nil
		}
	}
	label, err := s.PlaceLabel(ctx, p)
	if err == nil {
		s.frozen.labels.Store(p.ID, labelEntry{at: time.Now(), name: p.Name, path: p.Path, label: label})
	}
	return label, err
}

// candidatesTTL is how long the ballot page may show a place name changed
// meanwhile.
const candidatesTTL = 2 * time.Second

type candidatesEntry struct {
	at    time.Time
	cands []Candidate
}

// frozenBallot returns ballot id from the cache when it is known frozen.
func (s *Store) frozenBallot(id uint64) (Ballot, bool) {
	if v, ok := s.frozen.ballots.Load(id); ok {
		return v.(Ballot), true
	}
	return Ballot{}, false
}

// rememberFrozen caches b if it is frozen.
func (s *Store) rememberFrozen(b Ballot) {
	if b.FrozenAt != nil {
		b.Place = Place{}
		s.frozen.ballots.Store(b.ID, b)
	}
}

// optionsOf reads b's candidates, from the cache once b is frozen.
func (s *Store) optionsOf(ctx context.Context, b Ballot) ([]Option, error) {
	if v, ok := s.frozen.options.Load(b.ID); ok {
		return append([]Option(nil), v.([]Option)...), nil
	}
	opts, err := s.readOptions(ctx, b.ID)
	if err == nil && b.FrozenAt != nil {
		s.frozen.options.Store(b.ID, append([]Option(nil), opts...))
	}
	return opts, err
}

// openCandidates returns the cached candidates of ballot id when it is
// frozen and open now and the entry is fresh, and a store function to
// remember them otherwise (nil when they must not be cached).
func (s *Store) openCandidates(id uint64) ([]Candidate, func([]Candidate)) {
	b, ok := s.frozenBallot(id)
	if !ok || b.Status(s.Now()) != BallotOpen {
		return nil, nil
	}
	now := time.Now()
	if v, ok := s.frozen.candidates.Load(id); ok {
		if e := v.(candidatesEntry); now.Sub(e.at) < candidatesTTL {
			return copyCandidates(e.cands), nil
		}
	}
	return nil, func(cands []Candidate) {
		s.frozen.candidates.Store(id, candidatesEntry{at: now, cands: copyCandidates(cands)})
	}
}

func copyCandidates(in []Candidate) []Candidate {
	out := make([]Candidate, len(in))
	for i, c := range in {
		c.Photos = append([]CandidatePhoto(nil), c.Photos...)
		out[i] = c
	}
	return out
}
