package models

import (
	"context"
	"errors"
	"fmt"
)

// SyntheticCommunity is a scratch community for load tests (压测社区): a
// street, one community with one compound and its households, a staff
// account that manages ballots in the community, and verified resident
// accounts spread four to a household. It is only ever made in an empty
// database (see CreateSyntheticCommunity).
type SyntheticCommunity struct {
	Street     Place
	Community  Place
	Compound   Place
	Households []Place
	StaffID    uint64
	VoterIDs   []uint64 // resident accounts, in creation order
}

// ErrNotEmpty: a load test refuses a database that already holds places or
// accounts.
var ErrNotEmpty = errors.New("the database is not empty")

// Synthetic phone numbers: staff 19800000000, residents from 19900000000.
const (
	syntheticStaffPhone = 19800000000
	syntheticVoterPhone = 19900000000
	syntheticBatch      = 500
	votersPerHousehold  = 4
)

// CreateSyntheticCommunity builds a SyntheticCommunity with voters resident
// accounts (every one on the roster of its household, born in 1970, and
// granted RoleResident there, as a verification does) in batched inserts,
// all sharing passwordHash. It refuses with ErrNotEmpty unless the database
// holds no place and no account, so it can never mix with real data. One
// audit entry records the whole load.
func (s *Store) CreateSyntheticCommunity(ctx context.Context, voters int, passwordHash string) (SyntheticCommunity, error) {
	var sc SyntheticCommunity
	if voters < 1 {
		return sc, fmt.Errorf("synthetic community: need at least one voter")
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		var places, accounts int64
		if err := db.Model(&Place{}).Count(&places).Error; err != nil {
			return err
		}
		if err := db.Model(&Account{}).Count(&accounts).Error; err != nil {
			return err
		}
		if places > 0 || accounts > 0 {
			return fmt.Errorf("%w: %d place(s), %d account(s)", ErrNotEmpty, places, accounts)
		}
		mk := func(parent *Place, kind PlaceKind, name string) (Place, error) {
			p := Place{Kind: kind, Name: name, Path: "/"}
			if parent != nil {
				p.ParentID = &parent.ID
			}
			if err := db.Create(&p).Error; err != nil {
				return p, err
			}
			base := "/"
			if parent != nil {
				base = parent.Path
			}
			p.Path = fmt.Sprintf("%s%d/", base, p.ID)
			return p, db.Model(&p).Update("path", p.Path).Error
		}
		var err error
		if sc.Street, err = mk(nil, KindStreet, "压测街道"); err != nil {
			return err
		}
		if sc.Community, err = mk(&sc.Street, KindCommunity, "压测社区"); err != nil {
			return err
		}
		if sc.Compound, err = mk(&sc.Community, KindCompound, "压测小区"); err != nil {
			return err
		}
		// Households: insert in batches, then give each its path.
		nh := (voters + votersPerHousehold - 1) / votersPerHousehold
		hh := make([]Place, nh)
		for i := range hh {
			hh[i] = Place{Kind: KindHousehold, Name: fmt.Sprintf("%d室", i+1), ParentID: &sc.Compound.ID, Path: sc.Compound.Path}
		}
		if err := db.CreateInBatches(&hh, syntheticBatch).Error; err != nil {
			return err
		}
		for i := range hh {
			hh[i].Path = fmt.Sprintf("%s%d/", sc.Compound.Path, hh[i].ID)
		}
		// One statement sets every household's path: the compound's path, its id.
		if err := db.Exec("UPDATE places SET path = CAST(? AS TEXT) || CAST(id AS TEXT) || '/' WHERE parent_id = ?", sc.Compound.Path, sc.Compound.ID).Error; err != nil {
			return err
		}
		sc.Households = hh

		now := s.Now()
		staff := Account{Phone: fmt.Sprint(syntheticStaffPhone), Name: "压测社工", PasswordHash: passwordHash, Locale: "zh-CN", CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&staff).Error; err != nil {
			return err
		}
		if err := db.Create(&RoleGrant{AccountID: staff.ID, Role: RoleCommunityStaff, PlaceID: sc.Community.ID, CreatedAt: now}).Error; err != nil {
			return err
		}
		sc.StaffID = staff.ID
		for start := 0; start < voters; start += syntheticBatch {
			n := min(syntheticBatch, voters-start)
			accts := make([]Account, n)
			for i := range accts {
				accts[i] = Account{Phone: fmt.Sprint(syntheticVoterPhone + start + i), Name: fmt.Sprintf("居民%d", start+i+1),
					PasswordHash: passwordHash, Locale: "zh-CN", CreatedAt: now, UpdatedAt: now}
			}
			if err := db.Create(&accts).Error; err != nil {
				return err
			}
			res := make([]Resident, n)
			grants := make([]RoleGrant, n)
			for i, a := range accts {
				h := hh[(start+i)/votersPerHousehold]
				id := a.ID
				res[i] = Resident{HouseholdID: h.ID, Name: a.Name, Phone: a.Phone, BirthYear: 1970, IsHead: (start+i)%votersPerHousehold == 0,
					AccountID: &id, CreatedAt: now, UpdatedAt: now}
				grants[i] = RoleGrant{AccountID: a.ID, Role: RoleResident, PlaceID: h.ID, CreatedAt: now}
				sc.VoterIDs = append(sc.VoterIDs, a.ID)
			}
			if err := db.Create(&res).Error; err != nil {
				return err
			}
			if err := db.Create(&grants).Error; err != nil {
				return err
			}
		}
		return s.Record(ctx, Audit{Action: "bench.populate", ObjectType: "place", ObjectID: sc.Community.ID, PlaceID: &sc.Community.ID,
			Detail: fmt.Sprintf("synthetic community: %d household(s), %d resident account(s), 1 staff account", nh, voters)})
	})
	if err != nil {
		return SyntheticCommunity{}, err
	}
	return sc, nil
}

// StartSessions opens one session per account in batched inserts, as a
// sign-in would, and returns the cookie tokens in the same order. For load
// tests, which sign in thousands of synthetic residents before the timed
// phase; one audit entry records them all.
func (s *Store) StartSessions(ctx context.Context, accountIDs []uint64) ([]string, error) {
	toks := make([]string, len(accountIDs))
	err := s.InTx(ctx, func(ctx context.Context) error {
		now := s.Now()
		for start := 0; start < len(accountIDs); start += syntheticBatch {
			n := min(syntheticBatch, len(accountIDs)-start)
			rows := make([]Session, n)
			for i := range rows {
				tok := newToken(32)
				toks[start+i] = tok
				rows[i] = Session{ID: hashToken(tok), AccountID: accountIDs[start+i], CreatedAt: now, LastSeenAt: now}
			}
			if err := s.conn(ctx).Create(&rows).Error; err != nil {
				return err
			}
		}
		return s.Record(ctx, Audit{Action: "bench.sessions", ObjectType: "session", Detail: fmt.Sprintf("%d session(s) opened for a load test", len(accountIDs))})
	})
	if err != nil {
		return nil, err
	}
	return toks, nil
}
