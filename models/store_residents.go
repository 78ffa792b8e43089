package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Residency tells where an account stands as a resident: its verified
// household (nil if none) and whether a verification request is pending.
func (s *Store) Residency(ctx context.Context, accountID uint64) (*Place, bool, error) {
	var g RoleGrant
	err := s.conn(ctx).Preload("Place").Where("account_id = ? AND role = ?", accountID, RoleResident).Limit(1).Find(&g).Error
	if err != nil {
		return nil, false, err
	}
	if g.ID != 0 {
		return &g.Place, false, nil
	}
	var n int64
	err = s.conn(ctx).Model(&Registration{}).Where("account_id = ? AND status = ?", accountID, RegistrationPending).Count(&n).Error
	return nil, n > 0, err
}

// Audit actions of this area.
const (
	actionInviteRedeem = "invite.redeem"
)

// isResident reports whether the account holds a resident grant anywhere.
func (s *Store) isResident(ctx context.Context, accountID uint64) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&RoleGrant{}).Where("account_id = ? AND role = ?", accountID, RoleResident).Count(&n).Error
	return n > 0, err
}

// household loads a place and checks that it is a household.
func (s *Store) household(ctx context.Context, id uint64) (Place, error) {
	pl, err := s.PlaceByID(ctx, id)
	if err != nil {
		return pl, err
	}
	if pl.Kind != KindHousehold {
		return pl, FieldErrors{"household": "err.invalid_choice"}
	}
	return pl, nil
}

// scopeWhere builds "(col LIKE ? OR ...)" over the principal's scopes for perm.
func scopeWhere(p *Principal, perm Permission, col string) (string, []any, bool) {
	scopes := p.Scopes(perm)
	if len(scopes) == 0 {
		return "", nil, false
	}
	conds := make([]string, len(scopes))
	args := make([]any, len(scopes))
	for i, sc := range scopes {
		conds[i] = col + " LIKE ?"
		args[i] = sc.Path + "%"
	}
	return "(" + strings.Join(conds, " OR ") + ")", args, true
}

// linkResident makes an account a verified resident of a household: it is
// linked to the roster entry of that household with its phone number (one
// is created when there is none) and granted RoleResident there.
func (s *Store) linkResident(ctx context.Context, acct Account, hh Place, name string, grantedBy *uint64) (Resident, error) {
	db := s.conn(ctx)
	var r Resident
	if err := db.Where("household_id = ? AND phone = ? AND account_id IS NULL", hh.ID, acct.Phone).Order("id").Limit(1).Find(&r).Error; err != nil {
		return r, err
	}
	if r.ID == 0 {
		r = Resident{HouseholdID: hh.ID, Name: name, Phone: acct.Phone, AccountID: &acct.ID}
		if err := db.Create(&r).Error; err != nil {
			if isDuplicate(err) {
				return r, ErrAlreadyResident
			}
			return r, err
		}
	} else {
		if err := db.Model(&Resident{}).Where("id = ?", r.ID).Updates(map[string]any{"account_id": acct.ID, "updated_at": s.Now()}).Error; err != nil {
			if isDuplicate(err) {
				return r, ErrAlreadyResident
			}
			return r, err
		}
		r.AccountID = &acct.ID
	}
	g := RoleGrant{AccountID: acct.ID, Role: RoleResident, PlaceID: hh.ID, GrantedByID: grantedBy}
	if err := db.Create(&g).Error; err != nil {
		if isDuplicate(err) {
			return r, ErrAlreadyResident
		}
		return r, err
	}
	return r, nil
}

// ValidateRegistrationName checks the name an applicant gives.
func ValidateRegistrationName(name string) FieldErrors {
	fe := FieldErrors{}
	name = strings.TrimSpace(name)
	if name == "" {
		fe.Add("name", "err.required")
	} else if utf8.RuneCountInString(name) > 30 {
		fe.Add("name", "err.too_long")
	}
	return fe
}

// RequestVerification files the signed-in account's request to be verified
// as a resident of a household (入户认证申请).
func (s *Store) RequestVerification(ctx context.Context, p *Principal, householdID uint64, name string) (Registration, error) {
	var reg Registration
	if p == nil {
		return reg, ErrForbidden
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if ok, err := s.isResident(ctx, p.Account.ID); err != nil {
			return err
		} else if ok {
			return ErrAlreadyResident
		}
		fe := ValidateRegistrationName(name)
		hh, err := s.household(ctx, householdID)
		if err != nil {
			if householdID == 0 || errors.Is(err, ErrNotFound) {
				fe.Add("household", "err.invalid_choice")
			} else if hfe := (FieldErrors{}); errors.As(err, &hfe) {
				for k, v := range hfe {
					fe.Add(k, v)
				}
			} else {
				return err
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		var n int64
		if err := s.conn(ctx).Model(&Registration{}).Where("account_id = ? AND status = ?", p.Account.ID, RegistrationPending).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrRegistrationOpen
		}
		reg = Registration{AccountID: p.Account.ID, HouseholdID: hh.ID, Name: strings.TrimSpace(name), Status: RegistrationPending}
		if err := s.conn(ctx).Create(&reg).Error; err != nil {
			if isDuplicate(err) {
				return ErrRegistrationOpen
			}
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "registration.request", ObjectType: "registration", ObjectID: reg.ID, PlaceID: &hh.ID})
	})
	return reg, err
}

// LatestRegistration returns the account's most recent request, or nil.
func (s *Store) LatestRegistration(ctx context.Context, accountID uint64) (*Registration, error) {
	var r Registration
	if err := s.conn(ctx).Where("account_id = ?", accountID).Order("created_at DESC, id DESC").Limit(1).Find(&r).Error; err != nil {
		return nil, err
	}
	if r.ID == 0 {
		return nil, nil
	}
	return &r, nil
}

// RegistrationQuery selects requests for the console.
type RegistrationQuery struct {
	Status        RegistrationStatus // "" means pending
	Page, PerPage int
}

// RegistrationRow is a request as the console lists it.
type RegistrationRow struct {
	Registration
	AccountPhone   string
	AccountName    string
	HouseholdLabel string
}

// Registrations lists requests at households within the principal's
// PermManageResidents scopes, oldest first.
func (s *Store) Registrations(ctx context.Context, p *Principal, q RegistrationQuery) ([]RegistrationRow, int64, error) {
	where, args, ok := scopeWhere(p, PermManageResidents, "h.path")
	if !ok {
		return nil, 0, ErrForbidden
	}
	if q.Status == "" {
		q.Status = RegistrationPending
	}
	q.Page, q.PerPage = pageBounds(q.Page, q.PerPage)
	base := s.conn(ctx).Table("registrations r").
		Joins("JOIN places h ON h.id = r.household_id").
		Joins("JOIN accounts a ON a.id = r.account_id").
		Where("r.status = ?", q.Status).Where(where, args...)
	var total int64
	if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []RegistrationRow
	err := base.Select("r.*, a.phone AS account_phone, a.name AS account_name").
		Order("r.created_at, r.id").Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage).Scan(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.HouseholdID
	}
	labels, err := s.labelsByID(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range rows {
		rows[i].HouseholdLabel = labels[rows[i].HouseholdID]
	}
	return rows, total, nil
}

// Registration loads one request for staff who may decide it.
func (s *Store) Registration(ctx context.Context, p *Principal, id uint64) (RegistrationRow, error) {
	var row RegistrationRow
	var r Registration
	if err := s.conn(ctx).Preload("Account").Preload("Household").First(&r, id).Error; err != nil {
		return row, notFound(err)
	}
	if !p.Can(PermManageResidents, r.Household) {
		return row, ErrForbidden
	}
	label, err := s.PlaceLabel(ctx, r.Household)
	if err != nil {
		return row, err
	}
	return RegistrationRow{Registration: r, AccountPhone: r.Account.Phone, AccountName: r.Account.Name, HouseholdLabel: label}, nil
}

// decidable loads a pending request the principal may decide.
func (s *Store) decidable(ctx context.Context, p *Principal, id uint64) (Registration, error) {
	var r Registration
	if err := s.conn(ctx).Preload("Account").Preload("Household").First(&r, id).Error; err != nil {
		return r, notFound(err)
	}
	if !p.Can(PermManageResidents, r.Household) {
		return r, ErrForbidden
	}
	if r.Status != RegistrationPending {
		return r, ErrRegistrationFinal
	}
	return r, nil
}

// ApproveRegistration verifies the applicant as a resident of the household
// they named: linked to the roster and granted RoleResident there.
func (s *Store) ApproveRegistration(ctx context.Context, p *Principal, id uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		r, err := s.decidable(ctx, p, id)
		if err != nil {
			return err
		}
		if ok, err := s.isResident(ctx, r.AccountID); err != nil {
			return err
		} else if ok {
			return ErrAlreadyResident
		}
		if _, err := s.linkResident(ctx, r.Account, r.Household, r.Name, actorOf(p)); err != nil {
			return err
		}
		now := s.Now()
		res := s.conn(ctx).Model(&Registration{}).Where("id = ? AND status = ?", r.ID, RegistrationPending).
			Updates(map[string]any{"status": RegistrationApproved, "decided_by_id": p.Account.ID, "decided_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrRegistrationFinal
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "registration.approve", ObjectType: "registration", ObjectID: r.ID, PlaceID: &r.HouseholdID, Detail: fmt.Sprintf("account %d", r.AccountID)})
	})
}

// RejectRegistration declines a request; the reason is required and the
// applicant sees it.
func (s *Store) RejectRegistration(ctx context.Context, p *Principal, id uint64, reason string) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		r, err := s.decidable(ctx, p, id)
		if err != nil {
			return err
		}
		reason = strings.TrimSpace(reason)
		if reason == "" {
			return FieldErrors{"reason": "err.required"}
		}
		if utf8.RuneCountInString(reason) > 500 {
			return FieldErrors{"reason": "err.too_long"}
		}
		res := s.conn(ctx).Model(&Registration{}).Where("id = ? AND status = ?", r.ID, RegistrationPending).
			Updates(map[string]any{"status": RegistrationRejected, "reason": reason, "decided_by_id": p.Account.ID, "decided_at": s.Now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrRegistrationFinal
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "registration.reject", ObjectType: "registration", ObjectID: r.ID, PlaceID: &r.HouseholdID, Detail: reason})
	})
}

// CreateInvite prints a new invitation code for a household. The code is
// returned once, to be printed; only its hash is kept.
func (s *Store) CreateInvite(ctx context.Context, p *Principal, householdID uint64) (string, InviteCode, error) {
	var code string
	var inv InviteCode
	err := s.InTx(ctx, func(ctx context.Context) error {
		hh, err := s.household(ctx, householdID)
		if err != nil {
			return err
		}
		if !p.Can(PermManageResidents, hh) {
			return ErrForbidden
		}
		if code, err = NewInviteCode(); err != nil {
			return err
		}
		inv = InviteCode{HouseholdID: hh.ID, CodeHash: HashInviteCode(code), Hint: code[len(code)-2:], ExpiresAt: s.Now().Add(InviteCodeValid), CreatedByID: p.Account.ID}
		if err := s.conn(ctx).Create(&inv).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "invite.create", ObjectType: "invite_code", ObjectID: inv.ID, PlaceID: &hh.ID, Detail: "…" + inv.Hint})
	})
	if err != nil {
		return "", InviteCode{}, err
	}
	return code, inv, nil
}

// InviteFailures counts the account's wrong codes within the guessing window.
func (s *Store) InviteFailures(ctx context.Context, accountID uint64) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&AuditEntry{}).
		Where("actor_id = ? AND action = ? AND result = ? AND at > ?", accountID, actionInviteRedeem, ResultFailed, s.Now().Add(-InviteGuessWindow)).
		Count(&n).Error
	return n, err
}

// RedeemInvite makes the signed-in account a verified resident of the
// household an invitation code was printed for. A code is used once and
// expires; an account that enters MaxInviteFailures wrong codes within
// InviteGuessWindow is refused until the window has passed. Every wrong
// code is recorded, which is what the limit counts.
func (s *Store) RedeemInvite(ctx context.Context, p *Principal, typed string) (Place, error) {
	var hh Place
	if p == nil {
		return hh, ErrForbidden
	}
	var failed error
	err := s.InTx(ctx, func(ctx context.Context) error {
		if ok, err := s.isResident(ctx, p.Account.ID); err != nil {
			return err
		} else if ok {
			return ErrAlreadyResident
		}
		n, err := s.InviteFailures(ctx, p.Account.ID)
		if err != nil {
			return err
		}
		if n >= MaxInviteFailures {
			return ErrInviteTooMany
		}
		code := NormalizeInviteCode(typed)
		var inv InviteCode
		if ValidInviteFormat(code) {
			if err := s.conn(ctx).Where("code_hash = ?", HashInviteCode(code)).Limit(1).Find(&inv).Error; err != nil {
				return err
			}
		}
		if inv.ID == 0 || !InviteUsable(inv, s.Now()) {
			failed = ErrInviteInvalid
			detail := "wrong code"
			if inv.ID != 0 {
				detail = "used or expired code"
			}
			// Committed, not rolled back: the failure is what the limit counts.
			return s.Record(ctx, Audit{ActorID: actorOf(p), Action: actionInviteRedeem, ObjectType: "invite_code", ObjectID: inv.ID, Result: ResultFailed, Detail: detail})
		}
		if hh, err = s.PlaceByID(ctx, inv.HouseholdID); err != nil {
			return err
		}
		now := s.Now()
		res := s.conn(ctx).Model(&InviteCode{}).Where("id = ? AND used_by_id IS NULL", inv.ID).Updates(map[string]any{"used_by_id": p.Account.ID, "used_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrInviteInvalid
		}
		if _, err := s.linkResident(ctx, p.Account, hh, p.Account.Name, nil); err != nil {
			return err
		}
		// A pending request is settled by the code, with no decider, as no
		// one decided it: approved when it named this household (the code
		// vouches for what staff were to check), withdrawn when it named
		// another one, which the code vouches for nothing about.
		var reg Registration
		if err := s.conn(ctx).Where("account_id = ? AND status = ?", p.Account.ID, RegistrationPending).Limit(1).Find(&reg).Error; err != nil {
			return err
		}
		detail := ""
		if reg.ID != 0 {
			status := RegistrationWithdrawn
			if reg.HouseholdID == hh.ID {
				status = RegistrationApproved
			}
			if err := s.conn(ctx).Model(&Registration{}).Where("id = ? AND status = ?", reg.ID, RegistrationPending).
				Updates(map[string]any{"status": status, "decided_at": now}).Error; err != nil {
				return err
			}
			detail = fmt.Sprintf("registration %d %s", reg.ID, status)
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: actionInviteRedeem, ObjectType: "invite_code", ObjectID: inv.ID, PlaceID: &hh.ID, Detail: detail})
	})
	if err == nil && failed != nil {
		return Place{}, failed
	}
	return hh, err
}

// HouseholdInvites lists the codes printed for a household, newest first.
func (s *Store) HouseholdInvites(ctx context.Context, p *Principal, householdID uint64) ([]InviteCode, error) {
	hh, err := s.household(ctx, householdID)
	if err != nil {
		return nil, err
	}
	if !p.Can(PermManageResidents, hh) {
		return nil, ErrForbidden
	}
	var out []InviteCode
	err = s.conn(ctx).Where("household_id = ?", hh.ID).Order("created_at DESC, id DESC").Limit(20).Find(&out).Error
	return out, err
}

// pageBounds applies the default and maximum page sizes.
func pageBounds(page, perPage int) (int, int) {
	if perPage <= 0 || perPage > 100 {
		perPage = 20
	}
	if page < 1 {
		page = 1
	}
	return page, perPage
}

// PlaceLabels returns PlaceLabel for each of places, by id, with two
// queries whatever their number.
func (s *Store) PlaceLabels(ctx context.Context, places []Place) (map[uint64]string, error) {
	ids := make([]uint64, len(places))
	for i, pl := range places {
		ids[i] = pl.ID
	}
	return s.labelsByID(ctx, ids)
}

// labelsByID returns PlaceLabel for many places with two queries.
func (s *Store) labelsByID(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var places []Place
	if err := s.conn(ctx).Where("id IN ?", ids).Find(&places).Error; err != nil {
		return nil, err
	}
	need := map[uint64]bool{}
	for _, pl := range places {
		for _, a := range pl.AncestorIDs() {
			need[a] = true
		}
	}
	anc := make([]uint64, 0, len(need))
	for id := range need {
		anc = append(anc, id)
	}
	var all []Place
	if err := s.conn(ctx).Where("id IN ?", anc).Find(&all).Error; err != nil {
		return nil, err
	}
	byID := map[uint64]Place{}
	for _, a := range all {
		byID[a.ID] = a
	}
	for _, pl := range places {
		out[pl.ID] = labelFrom(pl, byID)
	}
	return out, nil
}

// labelFrom builds PlaceLabel's text from loaded ancestors: the root is
// implied unless the place sits directly below it.
func labelFrom(pl Place, byID map[uint64]Place) string {
	ids := pl.AncestorIDs()
	var parts []string
	for i, id := range ids {
		if i == 0 && len(ids) > 2 {
			continue
		}
		if a, ok := byID[id]; ok {
			parts = append(parts, a.Name)
		}
	}
	if len(parts) == 0 {
		return pl.Name
	}
	return strings.Join(parts, " / ")
}

// RosterQuery selects roster entries for the console.
type RosterQuery struct {
	PlaceID       uint64
	Search        string
	Page, PerPage int
}

// RosterEntry is a roster line with its household's label.
type RosterEntry struct {
	Resident
	HouseholdLabel string
}

// Roster lists residents of households at and below a place, by household
// and head first, optionally those whose name contains Search.
func (s *Store) Roster(ctx context.Context, p *Principal, q RosterQuery) ([]RosterEntry, int64, error) {
	pl, err := s.PlaceByID(ctx, q.PlaceID)
	if err != nil {
		return nil, 0, err
	}
	if !p.Can(PermManageResidents, pl) {
		return nil, 0, ErrForbidden
	}
	q.Page, q.PerPage = pageBounds(q.Page, q.PerPage)
	base := s.conn(ctx).Table("residents r").Joins("JOIN places h ON h.id = r.household_id").Where("h.path LIKE ?", pl.Path+"%")
	if term := strings.TrimSpace(q.Search); term != "" {
		base = base.Where("r.name LIKE ?", "%"+likeEscape(term)+"%")
	}
	var total int64
	if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Resident
	if err := base.Select("r.*").Order("h.path, r.is_head DESC, r.id").Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.HouseholdID
	}
	labels, err := s.labelsByID(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]RosterEntry, len(rows))
	for i, r := range rows {
		out[i] = RosterEntry{Resident: r, HouseholdLabel: labels[r.HouseholdID]}
	}
	return out, total, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(s)
}

// HouseholdRoster returns a household the principal manages and its residents.
func (s *Store) HouseholdRoster(ctx context.Context, p *Principal, householdID uint64) (Place, []Resident, error) {
	hh, err := s.household(ctx, householdID)
	if err != nil {
		return hh, nil, err
	}
	if !p.Can(PermManageResidents, hh) {
		return hh, nil, ErrForbidden
	}
	var rs []Resident
	err = s.conn(ctx).Where("household_id = ?", hh.ID).Order("is_head DESC, id").Find(&rs).Error
	return hh, rs, err
}

// ResidentByID loads one roster entry for staff who manage its household.
func (s *Store) ResidentByID(ctx context.Context, p *Principal, id uint64) (Resident, Place, error) {
	var r Resident
	if err := s.conn(ctx).First(&r, id).Error; err != nil {
		return r, Place{}, notFound(err)
	}
	hh, err := s.PlaceByID(ctx, r.HouseholdID)
	if err != nil {
		return r, hh, err
	}
	if !p.Can(PermManageResidents, hh) {
		return r, hh, ErrForbidden
	}
	return r, hh, nil
}

// AddResident puts a person on a household's roster.
func (s *Store) AddResident(ctx context.Context, p *Principal, householdID uint64, in ResidentInput) (Resident, error) {
	var r Resident
	err := s.InTx(ctx, func(ctx context.Context) error {
		hh, err := s.household(ctx, householdID)
		if err != nil {
			return err
		}
		if !p.Can(PermManageResidents, hh) {
			return ErrForbidden
		}
		if err := in.Validate(s.Now()).Err(); err != nil {
			return err
		}
		r = Resident{HouseholdID: hh.ID, Name: in.Name, Phone: in.Phone, BirthYear: in.BirthYear, IsHead: in.IsHead}
		if err := s.conn(ctx).Create(&r).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "resident.add", ObjectType: "resident", ObjectID: r.ID, PlaceID: &hh.ID, Detail: MaskName(r.Name)})
	})
	return r, err
}

// UpdateResident changes a roster entry.
func (s *Store) UpdateResident(ctx context.Context, p *Principal, id uint64, in ResidentInput) (Resident, error) {
	var r Resident
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if r, _, err = s.ResidentByID(ctx, p, id); err != nil {
			return err
		}
		if err := in.Validate(s.Now()).Err(); err != nil {
			return err
		}
		if err := s.conn(ctx).Model(&Resident{}).Where("id = ?", r.ID).Updates(map[string]any{
			"name": in.Name, "phone": in.Phone, "birth_year": in.BirthYear, "is_head": in.IsHead, "updated_at": s.Now(),
		}).Error; err != nil {
			return err
		}
		r.Name, r.Phone, r.BirthYear, r.IsHead = in.Name, in.Phone, in.BirthYear, in.IsHead
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "resident.update", ObjectType: "resident", ObjectID: r.ID, PlaceID: &r.HouseholdID, Detail: MaskName(r.Name)})
	})
	return r, err
}

// RemoveResident takes a person off the roster; an account linked to the
// entry stops being a verified resident of that household.
func (s *Store) RemoveResident(ctx context.Context, p *Principal, id uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		r, _, err := s.ResidentByID(ctx, p, id)
		if err != nil {
			return err
		}
		if r.AccountID != nil {
			if err := s.conn(ctx).Where("account_id = ? AND role = ? AND place_id = ?", *r.AccountID, RoleResident, r.HouseholdID).Delete(&RoleGrant{}).Error; err != nil {
				return err
			}
		}
		if err := s.conn(ctx).Delete(&Resident{}, r.ID).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "resident.remove", ObjectType: "resident", ObjectID: r.ID, PlaceID: &r.HouseholdID, Detail: MaskName(r.Name)})
	})
}

// placeTree loads a scope's subtree and the scope's ancestors, by id.
func (s *Store) placeTree(ctx context.Context, scope Place) (map[uint64]Place, error) {
	var all []Place
	if err := s.conn(ctx).Where("path LIKE ? OR id IN ?", scope.Path+"%", scope.AncestorIDs()).Find(&all).Error; err != nil {
		return nil, err
	}
	byID := make(map[uint64]Place, len(all))
	for _, pl := range all {
		byID[pl.ID] = pl
	}
	return byID, nil
}

// householdNames returns a household's names from the community down:
// community, compound or group, building ("" when none), household.
func householdNames(hh Place, byID map[uint64]Place) (community, compound, building string) {
	for _, id := range hh.AncestorIDs() {
		a, ok := byID[id]
		if !ok {
			continue
		}
		switch a.Kind.level() {
		case 1:
			community = a.Name
		case 2:
			compound = a.Name
		case 3:
			building = a.Name
		}
	}
	return
}

// The row errors that depend on the database, recomputed at commit.
var resolveErrors = map[string]bool{"err.import_household_unknown": true, "err.import_household_ambiguous": true, "err.import_duplicate": true}

// resolveRows finds each row's household inside scope by its names and
// marks rows whose household is unknown or ambiguous and rows that repeat
// a person already on that household's roster or earlier in the file.
func (s *Store) resolveRows(ctx context.Context, scope Place, rows []RosterRow) error {
	byID, err := s.placeTree(ctx, scope)
	if err != nil {
		return err
	}
	index := map[string][]uint64{}
	for _, pl := range byID {
		if pl.Kind != KindHousehold || !scope.Contains(pl) {
			continue
		}
		c, g, b := householdNames(pl, byID)
		key := RosterRow{Community: c, Compound: g, Building: b, Household: pl.Name}.PathKey()
		index[key] = append(index[key], pl.ID)
	}
	var hhIDs []uint64
	for i := range rows {
		r := &rows[i]
		kept := r.Errors[:0]
		for _, e := range r.Errors {
			if !resolveErrors[e] {
				kept = append(kept, e)
			}
		}
		r.Errors, r.HouseholdID = kept, 0
		if r.Community == "" || r.Compound == "" || r.Household == "" {
			continue
		}
		switch ids := index[r.PathKey()]; len(ids) {
		case 0:
			r.addError("err.import_household_unknown")
		case 1:
			r.HouseholdID = ids[0]
			hhIDs = append(hhIDs, ids[0])
		default:
			r.addError("err.import_household_ambiguous")
		}
	}
	existing := map[string]bool{}
	for start := 0; start < len(hhIDs); start += 500 {
		end := min(start+500, len(hhIDs))
		var rs []Resident
		if err := s.conn(ctx).Select("household_id, name").Where("household_id IN ?", hhIDs[start:end]).Find(&rs).Error; err != nil {
			return err
		}
		for _, r := range rs {
			existing[fmt.Sprintf("%d/%s", r.HouseholdID, r.Name)] = true
		}
	}
	for i := range rows {
		r := &rows[i]
		if r.HouseholdID == 0 || r.Name == "" {
			continue
		}
		k := fmt.Sprintf("%d/%s", r.HouseholdID, r.Name)
		if existing[k] {
			r.addError("err.import_duplicate")
		}
		existing[k] = true
	}
	return nil
}

func countErrors(rows []RosterRow) int {
	n := 0
	for _, r := range rows {
		if len(r.Errors) > 0 {
			n++
		}
	}
	return n
}

// PreviewImport checks parsed rows against the place tree inside scope and
// keeps them, with their errors, for staff to look over before committing.
// Households are never created by an import: a row naming one that is not
// in the tree is an error, so a typo cannot invent a flat.
func (s *Store) PreviewImport(ctx context.Context, p *Principal, scopeID uint64, fileName string, rows []RosterRow) (RosterImport, error) {
	var imp RosterImport
	err := s.InTx(ctx, func(ctx context.Context) error {
		scope, err := s.PlaceByID(ctx, scopeID)
		if err != nil {
			return err
		}
		if !p.Can(PermManageResidents, scope) {
			return ErrForbidden
		}
		if len(rows) > MaxImportRows {
			return FieldErrors{"file": "err.import_too_many_rows"}
		}
		if err := s.resolveRows(ctx, scope, rows); err != nil {
			return err
		}
		b, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		imp = RosterImport{AccountID: p.Account.ID, ScopeID: scope.ID, FileName: truncate(fileName, 200), RowCount: len(rows), ErrorCount: countErrors(rows), Rows: string(b)}
		if err := s.conn(ctx).Create(&imp).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "roster.preview", ObjectType: "roster_import", ObjectID: imp.ID, PlaceID: &scope.ID,
			Detail: fmt.Sprintf("%s: %d rows, %d with errors", imp.FileName, imp.RowCount, imp.ErrorCount)})
	})
	return imp, err
}

// Import loads an import batch and its rows for staff who manage its scope.
func (s *Store) Import(ctx context.Context, p *Principal, id uint64) (RosterImport, []RosterRow, error) {
	var imp RosterImport
	if err := s.conn(ctx).First(&imp, id).Error; err != nil {
		return imp, nil, notFound(err)
	}
	scope, err := s.PlaceByID(ctx, imp.ScopeID)
	if err != nil {
		return imp, nil, err
	}
	if !p.Can(PermManageResidents, scope) {
		return imp, nil, ErrForbidden
	}
	var rows []RosterRow
	if err := json.Unmarshal([]byte(imp.Rows), &rows); err != nil {
		return imp, nil, err
	}
	return imp, rows, nil
}

// CommitImport adds every row of a previewed import to the roster in one
// transaction. The rows are checked again against the tree and roster as
// they are now; if any row has an error, nothing is imported.
func (s *Store) CommitImport(ctx context.Context, p *Principal, id uint64) (int, error) {
	n := 0
	err := s.InTx(ctx, func(ctx context.Context) error {
		imp, rows, err := s.Import(ctx, p, id)
		if err != nil {
			return err
		}
		if imp.CommittedAt != nil {
			return ErrImportCommitted
		}
		scope, err := s.PlaceByID(ctx, imp.ScopeID)
		if err != nil {
			return err
		}
		if err := s.resolveRows(ctx, scope, rows); err != nil {
			return err
		}
		if countErrors(rows) > 0 {
			return ErrImportHasErrors
		}
		residents := make([]Resident, 0, len(rows))
		for _, r := range rows {
			residents = append(residents, Resident{HouseholdID: r.HouseholdID, Name: r.Name, Phone: r.Phone, BirthYear: r.BirthYear, IsHead: r.IsHead})
		}
		if len(residents) > 0 {
			if err := s.conn(ctx).CreateInBatches(&residents, 200).Error; err != nil {
				return err
			}
		}
		res := s.conn(ctx).Model(&RosterImport{}).Where("id = ? AND committed_at IS NULL", imp.ID).Update("committed_at", s.Now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrImportCommitted
		}
		n = len(residents)
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "roster.import", ObjectType: "roster_import", ObjectID: imp.ID, PlaceID: &scope.ID, Detail: fmt.Sprintf("%d residents", n)})
	})
	return n, err
}

// RosterExport returns every roster entry at and below a place as template
// rows, phone numbers in full (staff who manage residents keep them).
func (s *Store) RosterExport(ctx context.Context, p *Principal, placeID uint64) ([]RosterRow, error) {
	pl, err := s.PlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	if !p.Can(PermManageResidents, pl) {
		return nil, ErrForbidden
	}
	var rs []Resident
	if err := s.conn(ctx).Table("residents r").Select("r.*").Joins("JOIN places h ON h.id = r.household_id").
		Where("h.path LIKE ?", pl.Path+"%").Order("h.path, r.is_head DESC, r.id").Scan(&rs).Error; err != nil {
		return nil, err
	}
	byID, err := s.placeTree(ctx, pl)
	if err != nil {
		return nil, err
	}
	out := make([]RosterRow, 0, len(rs))
	for _, r := range rs {
		hh := byID[r.HouseholdID]
		c, g, b := householdNames(hh, byID)
		out = append(out, RosterRow{Community: c, Compound: g, Building: b, Household: hh.Name, Name: r.Name, Phone: r.Phone, BirthYear: r.BirthYear, IsHead: r.IsHead, HouseholdID: hh.ID})
	}
	// Taking personal data out of the system is traced like a change.
	err = s.Record(ctx, Audit{ActorID: actorOf(p), Action: "roster.export", ObjectType: "place", ObjectID: pl.ID, PlaceID: &pl.ID, Detail: fmt.Sprintf("%d residents", len(out))})
	return out, err
}
