package models

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"
)

// PlaceByID loads one place.
func (s *Store) PlaceByID(ctx context.Context, id uint64) (Place, error) {
	var p Place
	err := s.conn(ctx).First(&p, id).Error
	return p, notFound(err)
}

// Roots returns the top places (streets and townships).
func (s *Store) Roots(ctx context.Context) ([]Place, error) {
	var out []Place
	err := s.conn(ctx).Where("parent_id IS NULL").Order("name, id").Find(&out).Error
	return out, err
}

// Children returns the places directly below parent, by name.
func (s *Store) Children(ctx context.Context, parentID uint64) ([]Place, error) {
	var out []Place
	err := s.conn(ctx).Where("parent_id = ?", parentID).Order("name, id").Find(&out).Error
	return out, err
}

// ChildCounts returns how many children each of the given places has.
func (s *Store) ChildCounts(ctx context.Context, ids []uint64) (map[uint64]int, error) {
	out := map[uint64]int{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ParentID uint64
		N        int
	}
	err := s.conn(ctx).Model(&Place{}).Select("parent_id, COUNT(*) AS n").Where("parent_id IN ?", ids).Group("parent_id").Scan(&rows).Error
	for _, r := range rows {
		out[r.ParentID] = r.N
	}
	return out, err
}

// Ancestors returns the places from the root down to p's parent.
func (s *Store) Ancestors(ctx context.Context, p Place) ([]Place, error) {
	ids := p.AncestorIDs()
	if len(ids) <= 1 {
		return nil, nil
	}
	ids = ids[:len(ids)-1]
	var found []Place
	if err := s.conn(ctx).Where("id IN ?", ids).Find(&found).Error; err != nil {
		return nil, err
	}
	byID := map[uint64]Place{}
	for _, f := range found {
		byID[f.ID] = f
	}
	out := make([]Place, 0, len(ids))
	for _, id := range ids {
		if f, ok := byID[id]; ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// PlacesOfKind lists the places of the given kinds inside scope, by path.
func (s *Store) PlacesOfKind(ctx context.Context, scope Place, kinds ...PlaceKind) ([]Place, error) {
	var out []Place
	err := s.conn(ctx).Where("path LIKE ? AND kind IN ?", scope.Path+"%", kinds).Order("path").Find(&out).Error
	return out, err
}

// PlaceLabel returns a place's full name from below the root: "幸福社区 / 阳光小区 / 3号楼 / 502".
func (s *Store) PlaceLabel(ctx context.Context, p Place) (string, error) {
	anc, err := s.Ancestors(ctx, p)
	if err != nil {
		return "", err
	}
	parts := make([]string, 0, len(anc)+1)
	for i, a := range anc {
		if i == 0 && len(anc) > 1 {
			continue // the street is implied
		}
		parts = append(parts, a.Name)
	}
	parts = append(parts, p.Name)
	return strings.Join(parts, " / "), nil
}

// CreatePlace adds a place below in.ParentID (0 for a new root, which only an
// admin may add).
func (s *Store) CreatePlace(ctx context.Context, p *Principal, in PlaceInput) (Place, error) {
	var out Place
	err := s.InTx(ctx, func(ctx context.Context) error {
		var parent *Place
		if in.ParentID != 0 {
			pp, err := s.PlaceByID(ctx, in.ParentID)
			if err != nil {
				return err
			}
			if !p.Can(PermManagePlaces, pp) {
				return ErrForbidden
			}
			parent = &pp
		} else if !p.Has(RoleAdmin) {
			return ErrForbidden
		}
		if err := ValidatePlace(in, parent).Err(); err != nil {
			return err
		}
		out = Place{ParentID: nil, Kind: in.Kind, Name: strings.TrimSpace(in.Name), Path: "/"}
		if parent != nil {
			out.ParentID = &parent.ID
		}
		if err := s.siblingNameFree(ctx, out.ParentID, out.Name, 0); err != nil {
			return err
		}
		if err := s.conn(ctx).Create(&out).Error; err != nil {
			if isDuplicate(err) {
				return FieldErrors{"name": "err.place_name_taken"}
			}
			return err
		}
		parentPath := "/"
		if parent != nil {
			parentPath = parent.Path
		}
		out.Path = childPath(parentPath, out.ID)
		if err := s.conn(ctx).Model(&out).Update("path", out.Path).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "place.create", ObjectType: "place", ObjectID: out.ID, PlaceID: &out.ID, Detail: string(out.Kind) + " " + out.Name})
	})
	return out, err
}

// RenamePlace changes a place's name; it needs PermManagePlaces at the place's parent.
func (s *Store) RenamePlace(ctx context.Context, p *Principal, id uint64, name string) (Place, error) {
	var out Place
	err := s.InTx(ctx, func(ctx context.Context) error {
		pl, err := s.PlaceByID(ctx, id)
		if err != nil {
			return err
		}
		if err := s.mayEditPlace(ctx, p, pl); err != nil {
			return err
		}
		var parent *Place
		if pl.ParentID != nil {
			pp, err := s.PlaceByID(ctx, *pl.ParentID)
			if err != nil {
				return err
			}
			parent = &pp
		}
		if err := ValidatePlace(PlaceInput{Kind: pl.Kind, Name: name}, parent).Err(); err != nil {
			return err
		}
		old := pl.Name
		pl.Name = strings.TrimSpace(name)
		if pl.Name == old {
			return FieldErrors{"name": "err.place_name_unchanged"}
		}
		if err := s.siblingNameFree(ctx, pl.ParentID, pl.Name, pl.ID); err != nil {
			return err
		}
		if err := s.conn(ctx).Model(&Place{}).Where("id = ?", pl.ID).Updates(map[string]any{"name": pl.Name, "updated_at": s.Now()}).Error; err != nil {
			if isDuplicate(err) {
				return FieldErrors{"name": "err.place_name_taken"}
			}
			return err
		}
		out = pl
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "place.rename", ObjectType: "place", ObjectID: pl.ID, PlaceID: &pl.ID, Detail: old + " → " + pl.Name})
	})
	return out, err
}

// DeletePlace removes an empty place: one with no children, residents or
// grants, and no record of any kind naming it (see PlaceUsage). A refusal
// is ErrPlaceNotEmpty carrying the catalog key of the reason.
func (s *Store) DeletePlace(ctx context.Context, p *Principal, id uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		pl, err := s.PlaceByID(ctx, id)
		if err != nil {
			return err
		}
		if err := s.mayEditPlace(ctx, p, pl); err != nil {
			return err
		}
		u, err := s.PlaceUsage(ctx, id)
		if err != nil {
			return err
		}
		if reason := u.DeleteBlocker(); reason != "" {
			return ErrPlaceNotEmpty.With(reason)
		}
		if err := s.conn(ctx).Delete(&Place{}, id).Error; err != nil {
			return err
		}
		parent := pl.ParentID
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "place.delete", ObjectType: "place", ObjectID: id, PlaceID: parent, Detail: string(pl.Kind) + " " + pl.Name})
	})
}

// placeRefs are the tables whose rows name a place (by place_id,
// household_id, area_id or scope_id), other than the tree itself, the
// roster and the grants, under the catalog key of the kind of record they
// hold, in the order the usage lists them. The audit trail is not among
// them: it outlives what it records.
var placeRefs = []struct {
	key, table string
	columns    []string
}{
	{"console.usage_registrations", "registrations", []string{"household_id"}},
	{"console.usage_invite_codes", "invite_codes", []string{"household_id"}},
	{"console.usage_imports", "roster_imports", []string{"scope_id"}},
	{"console.usage_notices", "notices", []string{"place_id"}},
	{"console.usage_councils", "councils", []string{"place_id"}},
	{"console.usage_matters", "matters", []string{"place_id"}},
	{"console.usage_procedures", "procedures", []string{"place_id"}},
	{"console.usage_needs", "needs", []string{"place_id"}},
	{"console.usage_takers", "takers", []string{"place_id"}},
	{"console.usage_providers", "providers", []string{"place_id"}},
	{"console.usage_offers", "offer_places", []string{"place_id"}},
	{"console.usage_projects", "projects", []string{"place_id"}},
	{"console.usage_candidates", "candidates", []string{"place_id"}},
	{"console.usage_ballots", "ballots", []string{"place_id"}},
	{"console.usage_ballot_rolls", "ballot_voters", []string{"place_id", "area_id"}},
	{"console.usage_ballot_rolls", "ballot_participations", []string{"area_id"}},
}

// PlaceUsage counts what still hangs on a place: its children, its roster,
// the grants at it, and every row of placeRefs that names it.
func (s *Store) PlaceUsage(ctx context.Context, id uint64) (PlaceUsage, error) {
	var u PlaceUsage
	db := s.conn(ctx)
	for _, c := range []struct {
		q   *gorm.DB
		dst *int64
	}{
		{db.Model(&Place{}).Where("parent_id = ?", id), &u.Children},
		{db.Model(&Resident{}).Where("household_id = ?", id), &u.Residents},
		{db.Model(&RoleGrant{}).Where("place_id = ?", id), &u.Grants},
	} {
		if err := c.q.Count(c.dst).Error; err != nil {
			return u, err
		}
	}
	for _, r := range placeRefs {
		q := db.Table(r.table)
		cond := db.Session(&gorm.Session{NewDB: true})
		for _, col := range r.columns {
			cond = cond.Or(col+" = ?", id)
		}
		var n int64
		if err := q.Where(cond).Count(&n).Error; err != nil {
			return u, err
		}
		if n == 0 {
			continue
		}
		u.Records += n
		if k := len(u.Kinds); k > 0 && u.Kinds[k-1].Key == r.key {
			u.Kinds[k-1].N += n
		} else {
			u.Kinds = append(u.Kinds, UsageCount{Key: r.key, N: n})
		}
	}
	return u, nil
}

// siblingNameFree refuses a name that another place under the same parent
// already has (other than the place itself); two "3号楼" in one compound
// cannot be told apart.
func (s *Store) siblingNameFree(ctx context.Context, parentID *uint64, name string, except uint64) error {
	q := s.conn(ctx).Model(&Place{}).Where("name = ? AND id <> ?", name, except)
	if parentID == nil {
		q = q.Where("parent_id IS NULL")
	} else {
		q = q.Where("parent_id = ?", *parentID)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return FieldErrors{"name": "err.place_name_taken"}
	}
	return nil
}

// mayEditPlace: renaming or deleting a place needs PermManagePlaces at its
// parent, so community staff cannot rename their own community. Roots are
// the admin's.
func (s *Store) mayEditPlace(ctx context.Context, p *Principal, pl Place) error {
	if pl.ParentID == nil {
		if p.Has(RoleAdmin) {
			return nil
		}
		return ErrForbidden
	}
	parent, err := s.PlaceByID(ctx, *pl.ParentID)
	if err != nil {
		return err
	}
	if !p.Can(PermManagePlaces, parent) {
		return ErrForbidden
	}
	return nil
}

func actorOf(p *Principal) *uint64 {
	if p == nil {
		return nil
	}
	id := p.Account.ID
	return &id
}

// GrantRole gives an account a role at a place.
func (s *Store) GrantRole(ctx context.Context, p *Principal, accountID uint64, role Role, placeID uint64) (RoleGrant, error) {
	var g RoleGrant
	err := s.InTx(ctx, func(ctx context.Context) error {
		pl, err := s.PlaceByID(ctx, placeID)
		if err != nil {
			return err
		}
		// Who may not grant here learns nothing about the input.
		if !p.Can(PermGrantRoles, pl) {
			return ErrForbidden
		}
		if !role.Valid() {
			return FieldErrors{"role": "err.invalid_choice"}
		}
		if role == RoleResident {
			// Residency comes from verification, bound to a household.
			return FieldErrors{"role": "err.resident_role_via_verification"}
		}
		if !p.CanGrant(role, pl) {
			return ErrForbidden
		}
		if _, err := s.AccountByID(ctx, accountID); err != nil {
			return err
		}
		g = RoleGrant{AccountID: accountID, Role: role, PlaceID: placeID, GrantedByID: actorOf(p)}
		if err := s.conn(ctx).Create(&g).Error; err != nil {
			if isDuplicate(err) {
				return ErrConflict
			}
			return err
		}
		g.Place = pl
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "role.grant", ObjectType: "account", ObjectID: accountID, PlaceID: &placeID, Detail: string(role)})
	})
	return g, err
}

// RevokeRole removes a grant. Whoever could grant it may revoke it, but
// nobody their own (see Principal.CanRevoke).
func (s *Store) RevokeRole(ctx context.Context, p *Principal, grantID uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		var g RoleGrant
		if err := s.conn(ctx).Preload("Place").First(&g, grantID).Error; err != nil {
			return notFound(err)
		}
		if !p.CanRevoke(g) {
			return ErrForbidden
		}
		if err := s.conn(ctx).Delete(&RoleGrant{}, g.ID).Error; err != nil {
			return err
		}
		if g.Role == RoleResident {
			if err := s.conn(ctx).Model(&Resident{}).Where("account_id = ?", g.AccountID).Update("account_id", nil).Error; err != nil {
				return err
			}
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "role.revoke", ObjectType: "account", ObjectID: g.AccountID, PlaceID: &g.PlaceID, Detail: string(g.Role)})
	})
}

// GrantRow is a grant with its account, for the console.
type GrantRow struct {
	RoleGrant
	AccountName  string
	AccountPhone string
}

// GrantsPerPage is how many grants the console lists at once.
const GrantsPerPage = 50

// GrantsAt lists page (from 1) of the grants at a place and below, for
// staff who may grant there, and how many there are in all.
func (s *Store) GrantsAt(ctx context.Context, p *Principal, place Place, staffOnly bool, page int) ([]GrantRow, int64, error) {
	if !p.Can(PermGrantRoles, place) {
		return nil, 0, ErrForbidden
	}
	q := s.conn(ctx).Table("role_grants g").
		Joins("JOIN accounts a ON a.id = g.account_id").
		Joins("JOIN places pl ON pl.id = g.place_id").
		Where("pl.path LIKE ?", place.Path+"%")
	if staffOnly {
		q = q.Where("g.role <> ?", RoleResident)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []GrantRow
	if err := q.Select("g.*, a.name AS account_name, a.phone AS account_phone").Order("pl.path, g.role, g.id").
		Offset((max(page, 1) - 1) * GrantsPerPage).Limit(GrantsPerPage).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	ids := make([]uint64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.PlaceID)
	}
	var places []Place
	if err := s.conn(ctx).Where("id IN ?", ids).Find(&places).Error; err != nil {
		return nil, 0, err
	}
	byID := map[uint64]Place{}
	for _, pl := range places {
		byID[pl.ID] = pl
	}
	for i := range rows {
		rows[i].Place = byID[rows[i].PlaceID]
	}
	return rows, total, nil
}

// GrantRoleAsSystem grants a role without a principal, for the command line
// (`yishi user add`) and the demo: whoever runs them owns the database.
func (s *Store) GrantRoleAsSystem(ctx context.Context, accountID uint64, role Role, placeID uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if !role.Valid() {
			return FieldErrors{"role": "err.invalid_choice"}
		}
		if _, err := s.PlaceByID(ctx, placeID); err != nil {
			return FieldErrors{"place": "err.invalid_choice"}
		}
		g := RoleGrant{AccountID: accountID, Role: role, PlaceID: placeID}
		if err := s.conn(ctx).Create(&g).Error; err != nil {
			if isDuplicate(err) {
				return nil
			}
			return err
		}
		return s.Record(ctx, Audit{Action: "role.grant", ObjectType: "account", ObjectID: accountID, PlaceID: &placeID, Detail: string(role) + " (system)"})
	})
}

// choosablePlace loads the place a form names in its place_id field for p
// to act on with perm. A place that does not exist, that fits refuses, or
// where p does not hold perm gets err.invalid_choice in fe; no id leaves
// the field to the input's own rules.
func (s *Store) choosablePlace(ctx context.Context, p *Principal, perm Permission, id uint64, fits func(Place) bool, fe FieldErrors) (Place, error) {
	if id == 0 {
		return Place{}, nil
	}
	pl, err := s.PlaceByID(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return pl, err
	}
	if pl.ID == 0 || !fits(pl) || !p.Can(perm, pl) {
		fe.Add("place_id", "err.invalid_choice")
	}
	return pl, nil
}

// notHousehold: councils and procedures belong to places above households.
func notHousehold(pl Place) bool { return pl.Kind != KindHousehold }
