package models

import (
	"context"
	"errors"
)

// AnyOf exposes anyOf to the external tests, which need a database.
func (s *Store) AnyOf(col string, vals []string) (string, any) { return s.anyOf(col, vals) }

// PlaceColumns lists the "table.column"s that PlaceUsage counts rows of,
// the tree's, the roster's and the grants' included.
func PlaceColumns() []string {
	out := []string{"places.parent_id", "residents.household_id", "role_grants.place_id"}
	for _, r := range placeRefs {
		for _, c := range r.columns {
			out = append(out, r.table+"."+c)
		}
	}
	return out
}

// SetReceipts replaces the store's source of receipt codes, for tests of
// codes that collide.
func (s *Store) SetReceipts(f func() string) { s.receipt = f }

// SetPasswordCheck replaces the store's comparison of a password with its
// hash, for tests that watch what happens while a hash is computed.
func (s *Store) SetPasswordCheck(f func(encoded, pw string) bool) { s.checkHash = f }

// WriteVotesTogether writes the online votes of ps on ballot b as one
// batch, in the order given, as if they had queued together; it fails if
// any of them was refused or left to be written alone.
func (s *Store) WriteVotesTogether(ctx context.Context, b Ballot, ps []*Principal, c Choices) error {
	batch := make([]*voteRequest, len(ps))
	for i, p := range ps {
		batch[i] = &voteRequest{ballot: b, key: VoterKeyFor(p, b), actor: actorOf(p), channel: ChannelOnline, choices: c, detail: ChannelOnline}
	}
	s.writeVotes(ctx, batch)
	for _, r := range batch {
		if r.err != nil {
			return r.err
		}
		if r.alone {
			return errors.New("a vote of the batch was left to be written alone")
		}
	}
	return nil
}

// HashSlots is how many password hashes may be computed at once.
func HashSlots() int { return cap(hashSlots) }

// WrapKeyDerivation runs before, then the real key derivation, then after,
// around every password hash, until the returned func restores it.
func WrapKeyDerivation(before, after func()) (restore func()) {
	real := idKey.Load()
	wrapped := keyFunc(func(pw, salt []byte, t, m uint32, p uint8, n uint32) []byte {
		before()
		defer after()
		return (*real)(pw, salt, t, m, p, n)
	})
	idKey.Store(&wrapped)
	return func() { idKey.Store(real) }
}

// StartChallenge opens a sign-in waiting for account's code, as SignIn does
// after a right password when its second factor is on.
func (s *Store) StartChallenge(ctx context.Context, account uint64) (string, error) {
	var tok string
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		tok, err = s.startChallenge(ctx, account)
		return err
	})
	return tok, err
}
