package models

import (
	"context"
	"errors"
)

// PlacePage is one node of the place tree as the console shows it to staff
// who manage it: where it sits, one page of what lies directly below, and
// what the viewer may do there.
type PlacePage struct {
	Place     Place
	Ancestors []Place          // from the root down to the parent
	Children  []Place          // this page of them, by name
	Total     int64            // children in all
	Below     map[uint64]int   // how many places lie directly below each child
	Residents map[uint64]int64 // roster size of each child household
	Usage     PlaceUsage
	CanEdit   bool        // may rename or delete the place itself
	AddKinds  []PlaceKind // kinds the viewer may add below it
}

// ManagedPlace loads place id for a principal holding PermManagePlaces
// there, with page page (from 1) of perPage children.
func (s *Store) ManagedPlace(ctx context.Context, p *Principal, id uint64, page, perPage int) (PlacePage, error) {
	var out PlacePage
	pl, err := s.PlaceByID(ctx, id)
	if err != nil {
		return out, err
	}
	if !p.Can(PermManagePlaces, pl) {
		return out, ErrForbidden
	}
	out.Place = pl
	if perPage <= 0 {
		perPage = 50
	}
	if page < 1 {
		page = 1
	}
	if out.Ancestors, err = s.Ancestors(ctx, pl); err != nil {
		return out, err
	}
	db := s.conn(ctx)
	if err := db.Model(&Place{}).Where("parent_id = ?", id).Count(&out.Total).Error; err != nil {
		return out, err
	}
	if err := db.Where("parent_id = ?", id).Order("name, id").Offset((page - 1) * perPage).Limit(perPage).Find(&out.Children).Error; err != nil {
		return out, err
	}
	ids := make([]uint64, 0, len(out.Children))
	for _, c := range out.Children {
		ids = append(ids, c.ID)
	}
	if out.Below, err = s.ChildCounts(ctx, ids); err != nil {
		return out, err
	}
	out.Residents = map[uint64]int64{}
	if len(ids) > 0 {
		var rows []struct {
			HouseholdID uint64
			N           int64
		}
		if err := db.Model(&Resident{}).Select("household_id, COUNT(*) AS n").Where("household_id IN ?", ids).Group("household_id").Scan(&rows).Error; err != nil {
			return out, err
		}
		for _, r := range rows {
			out.Residents[r.HouseholdID] = r.N
		}
	}
	if out.Usage, err = s.PlaceUsage(ctx, id); err != nil {
		return out, err
	}
	out.CanEdit = s.mayEditPlace(ctx, p, pl) == nil
	out.AddKinds = pl.Kind.ChildKinds()
	return out, nil
}

// AccountForGrant finds an account by its exact login phone for a principal
// who may grant roles somewhere. Only an exact number finds anyone: the
// console does not browse people.
func (s *Store) AccountForGrant(ctx context.Context, p *Principal, phone string) (Account, error) {
	if !p.CanAnywhere(PermGrantRoles) {
		return Account{}, ErrForbidden
	}
	phone = NormalizePhone(phone)
	if !ValidPhone(phone) {
		return Account{}, FieldErrors{"phone": "err.phone_invalid"}
	}
	return s.AccountByPhone(ctx, phone)
}

// GrantForRevoke loads a grant with its place and account for a principal
// who may revoke it.
func (s *Store) GrantForRevoke(ctx context.Context, p *Principal, id uint64) (GrantRow, error) {
	var g RoleGrant
	if err := s.conn(ctx).Preload("Place").First(&g, id).Error; err != nil {
		return GrantRow{}, notFound(err)
	}
	if !p.CanRevoke(g) {
		return GrantRow{}, ErrForbidden
	}
	a, err := s.AccountByID(ctx, g.AccountID)
	if err != nil {
		return GrantRow{}, err
	}
	return GrantRow{RoleGrant: g, AccountName: a.Name, AccountPhone: a.Phone}, nil
}

// AccountStatus is an account as the console's unlock page shows it.
type AccountStatus struct {
	Account Account
	Home    Place // ID 0 when it has none
}

// AccountStatusByID loads an account whose home lies where the principal
// may unlock accounts; elsewhere it is ErrForbidden.
func (s *Store) AccountStatusByID(ctx context.Context, p *Principal, id uint64) (AccountStatus, error) {
	if !p.CanAnywhere(PermUnlockAccounts) {
		return AccountStatus{}, ErrForbidden
	}
	a, err := s.AccountByID(ctx, id)
	if err != nil {
		return AccountStatus{}, err
	}
	home, err := s.accountHome(ctx, id)
	if err != nil {
		return AccountStatus{}, err
	}
	if !mayActOnAccount(p, PermUnlockAccounts, home) {
		return AccountStatus{}, ErrForbidden
	}
	return AccountStatus{Account: a, Home: home}, nil
}

// AccountStatusByPhone finds an account by its exact login phone among
// those the principal may unlock. An account outside its places is
// ErrNotFound, exactly like a number nobody registered.
func (s *Store) AccountStatusByPhone(ctx context.Context, p *Principal, phone string) (AccountStatus, error) {
	if !p.CanAnywhere(PermUnlockAccounts) {
		return AccountStatus{}, ErrForbidden
	}
	phone = NormalizePhone(phone)
	if !ValidPhone(phone) {
		return AccountStatus{}, FieldErrors{"phone": "err.phone_invalid"}
	}
	a, err := s.AccountByPhone(ctx, phone)
	if err != nil {
		return AccountStatus{}, err
	}
	st, err := s.AccountStatusByID(ctx, p, a.ID)
	if errors.Is(err, ErrForbidden) {
		return AccountStatus{}, ErrNotFound
	}
	return st, err
}
