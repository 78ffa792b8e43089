package models

import (
	"context"
	"sync"
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
