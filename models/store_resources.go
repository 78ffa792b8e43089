package models

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// PhoneFor returns the provider's phone as p may see it: in full for staff
// who manage projects at its place and for the account acting for it,
// masked (138****1234) for everyone else.
func (pr Provider) PhoneFor(p *Principal) string {
	if p != nil && (p.Can(PermManageProjects, pr.Place) || (pr.AccountID != nil && *pr.AccountID == p.Account.ID)) {
		return pr.Phone
	}
	return MaskPhone(pr.Phone)
}

// MyProviders lists the providers the account acts for.
func (s *Store) MyProviders(ctx context.Context, p *Principal) ([]Provider, error) {
	if p == nil {
		return nil, nil
	}
	var out []Provider
	return out, s.conn(ctx).Preload("Place").Where("account_id = ?", p.Account.ID).Order("id").Find(&out).Error
}

// RegisterOffer records an offer for a provider the signed-in account acts
// for: an existing one (providerID) or a new one described by pin. Both
// wait for staff to verify them.
func (s *Store) RegisterOffer(ctx context.Context, p *Principal, providerID uint64, pin ProviderInput, in OfferInput) (Offer, error) {
	var o Offer
	if p == nil {
		return o, ErrForbidden
	}
	fe := in.Validate()
	if providerID == 0 {
		for k, v := range pin.Validate() {
			fe.Add(k, v)
		}
	}
	var places []Place
	for _, id := range dedupe(in.PlaceIDs) {
		pl, err := s.PlaceByID(ctx, id)
		if errors.Is(err, ErrNotFound) {
			fe.Add("places", "err.invalid_choice")
			continue
		} else if err != nil {
			return o, err
		}
		places = append(places, pl)
	}
	if pin.PlaceID != 0 && providerID == 0 {
		if _, err := s.PlaceByID(ctx, pin.PlaceID); errors.Is(err, ErrNotFound) {
			fe.Add("provider_place", "err.invalid_choice")
		} else if err != nil {
			return o, err
		}
	}
	if err := fe.Err(); err != nil {
		return o, err
	}
	now := s.Now()
	err := s.InTx(ctx, func(ctx context.Context) error {
		var pr Provider
		if providerID != 0 {
			if err := s.conn(ctx).Where("id = ? AND account_id = ?", providerID, p.Account.ID).Limit(1).Find(&pr).Error; err != nil {
				return err
			}
			if pr.ID == 0 {
				return FieldErrors{"provider_id": "err.invalid_choice"}
			}
		} else {
			pr = Provider{Kind: pin.Kind, Name: pin.Name, Phone: pin.Phone, PlaceID: pin.PlaceID, AccountID: &p.Account.ID, CreatedAt: now}
			if err := s.conn(ctx).Create(&pr).Error; err != nil {
				return err
			}
			if err := s.Record(ctx, Audit{ActorID: actorOf(p), Action: "provider.register", ObjectType: "provider", ObjectID: pr.ID, PlaceID: &pr.PlaceID,
				Detail: string(pr.Kind) + " " + pr.Name}); err != nil {
				return err
			}
		}
		o = Offer{ProviderID: pr.ID, Kind: in.Kind, Title: in.Title, Description: in.Description, Capacity: in.Capacity, CapacityUnit: in.CapacityUnit,
			Availability: in.Availability, AvailableFrom: in.AvailableFrom, AvailableUntil: in.AvailableUntil, Public: in.Public,
			Status: OfferPending, CreatedAt: now, UpdatedAt: now}
		if err := s.conn(ctx).Omit("Places", "Provider").Create(&o).Error; err != nil {
			return err
		}
		for _, pl := range places {
			if err := s.conn(ctx).Create(&OfferPlace{OfferID: o.ID, PlaceID: pl.ID}).Error; err != nil {
				return err
			}
		}
		o.Provider, o.Places = pr, places
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "offer.register", ObjectType: "offer", ObjectID: o.ID, PlaceID: &pr.PlaceID,
			Detail: fmt.Sprintf("%s %s, %d place(s)", o.Kind, o.Title, len(places))})
	})
	return o, err
}

// OfferQuery selects offers for a list.
type OfferQuery struct {
	Kind          OfferKind
	PlaceID       uint64 // serving this place or a part of it
	Page, PerPage int
}

func (s *Store) loadOffers(ctx context.Context, db *gorm.DB, q OfferQuery) ([]Offer, int64, error) {
	q.Page, q.PerPage = pageBounds(q.Page, q.PerPage)
	if q.Kind != "" {
		db = db.Where("offers.kind = ?", q.Kind)
	}
	if q.PlaceID != 0 {
		pl, err := s.PlaceByID(ctx, q.PlaceID)
		if err != nil {
			return nil, 0, err
		}
		db = db.Where("EXISTS (SELECT 1 FROM offer_places op JOIN places sp ON sp.id = op.place_id WHERE op.offer_id = offers.id AND (sp.path LIKE ? OR ? LIKE sp.path || '%'))",
			likeEscape(pl.Path)+"%", pl.Path)
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Offer
	err := db.Preload("Provider").Preload("Provider.Place").Preload("Places", func(db *gorm.DB) *gorm.DB { return db.Order("places.path") }).
		Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage).Find(&out).Error
	return out, total, err
}

// PublicOffers lists the verified public offers, newest verified first,
// for anyone to read.
func (s *Store) PublicOffers(ctx context.Context, q OfferQuery) ([]Offer, int64, error) {
	db := s.conn(ctx).Model(&Offer{}).Where("offers.status = ? AND offers.public = ?", OfferVerified, true).Order("offers.verified_at DESC, offers.id DESC")
	return s.loadOffers(ctx, db, q)
}

// StaffOffers lists the offers of providers at, or serving, the places
// where p manages projects: pending ones first, then newest first.
func (s *Store) StaffOffers(ctx context.Context, p *Principal, q OfferQuery) ([]Offer, int64, error) {
	scopes := p.Scopes(PermManageProjects)
	if len(scopes) == 0 {
		return nil, 0, ErrForbidden
	}
	var or *gorm.DB
	for _, sc := range scopes {
		cond := s.conn(ctx).Where("pp.path LIKE ? OR EXISTS (SELECT 1 FROM offer_places op JOIN places sp ON sp.id = op.place_id WHERE op.offer_id = offers.id AND sp.path LIKE ?)",
			likeEscape(sc.Path)+"%", likeEscape(sc.Path)+"%")
		if or == nil {
			or = cond
		} else {
			or = or.Or(cond)
		}
	}
	db := s.conn(ctx).Model(&Offer{}).Joins("JOIN providers pr ON pr.id = offers.provider_id").Joins("JOIN places pp ON pp.id = pr.place_id").
		Where(or).Order(fmt.Sprintf("CASE WHEN offers.status = '%s' THEN 0 ELSE 1 END, offers.created_at DESC, offers.id DESC", OfferPending))
	return s.loadOffers(ctx, db, q)
}

// offerForStaff loads an offer with its provider and served places and
// checks p manages projects at the provider's place or a served place.
func (s *Store) offerForStaff(ctx context.Context, p *Principal, id uint64) (Offer, error) {
	var o Offer
	if err := s.conn(ctx).Preload("Provider").Preload("Provider.Place").Preload("Places").Where("id = ?", id).Limit(1).Find(&o).Error; err != nil {
		return o, err
	}
	if o.ID == 0 {
		return o, ErrNotFound
	}
	if p.Can(PermManageProjects, o.Provider.Place) {
		return o, nil
	}
	for _, pl := range o.Places {
		if p.Can(PermManageProjects, pl) {
			return o, nil
		}
	}
	return o, ErrForbidden
}

// offerIf loads an offer as offerForStaff does and checks p may act on it
// by may instead: forbidden when may says no.
func (s *Store) offerIf(ctx context.Context, p *Principal, id uint64, may func(Offer, *Principal) bool) (Offer, error) {
	o, err := s.offerForStaff(ctx, p, id)
	if err != nil && !errors.Is(err, ErrForbidden) {
		return o, err
	}
	if !may(o, p) {
		return o, ErrForbidden
	}
	return o, nil
}

// VerifyOffer marks a pending offer verified (核实), and its provider too
// when it is not yet; staff at or above its provider's place may (see
// Offer.MayVerify), not staff who only serve one of its places, nor the
// account acting for the provider.
func (s *Store) VerifyOffer(ctx context.Context, p *Principal, id uint64) (Offer, error) {
	var o Offer
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if o, err = s.offerIf(ctx, p, id, Offer.MayVerify); err != nil {
			return err
		}
		if o.Status != OfferPending {
			return ErrConflict
		}
		now := s.Now()
		o.Status, o.VerifiedAt, o.VerifiedByID, o.UpdatedAt = OfferVerified, &now, actorOf(p), now
		if err := s.conn(ctx).Model(&Offer{}).Where("id = ?", o.ID).Updates(map[string]any{
			"status": o.Status, "verified_at": now, "verified_by_id": o.VerifiedByID, "updated_at": now}).Error; err != nil {
			return err
		}
		if o.Provider.VerifiedAt == nil {
			o.Provider.VerifiedAt, o.Provider.VerifiedByID = &now, actorOf(p)
			if err := s.conn(ctx).Model(&Provider{}).Where("id = ?", o.ProviderID).Updates(map[string]any{"verified_at": now, "verified_by_id": o.VerifiedByID}).Error; err != nil {
				return err
			}
			if err := s.Record(ctx, Audit{ActorID: actorOf(p), Action: "provider.verify", ObjectType: "provider", ObjectID: o.ProviderID, PlaceID: &o.Provider.PlaceID, Detail: o.Provider.Name}); err != nil {
				return err
			}
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "offer.verify", ObjectType: "offer", ObjectID: o.ID, PlaceID: &o.Provider.PlaceID, Detail: o.Title})
	})
	return o, err
}

// OfferForWithdrawal returns an offer p may withdraw (see
// Offer.MayWithdraw): forbidden to staff who only serve one of its places,
// as withdrawing takes it off for every place it serves.
func (s *Store) OfferForWithdrawal(ctx context.Context, p *Principal, id uint64) (Offer, error) {
	return s.offerIf(ctx, p, id, Offer.MayWithdraw)
}

// WithdrawOffer takes an offer off the list, for every place it serves;
// staff at or above its provider's place, or the account acting for the
// provider, may.
func (s *Store) WithdrawOffer(ctx context.Context, p *Principal, id uint64) (Offer, error) {
	var o Offer
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if o, err = s.OfferForWithdrawal(ctx, p, id); err != nil {
			return err
		}
		if o.Status == OfferWithdrawn {
			return ErrConflict
		}
		now := s.Now()
		o.Status, o.WithdrawnAt, o.UpdatedAt = OfferWithdrawn, &now, now
		if err := s.conn(ctx).Model(&Offer{}).Where("id = ?", o.ID).Updates(map[string]any{"status": o.Status, "withdrawn_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "offer.withdraw", ObjectType: "offer", ObjectID: o.ID, PlaceID: &o.Provider.PlaceID, Detail: o.Title})
	})
	return o, err
}

// Contributions counts what each provider has given: hours matched to
// projects from its hours offers, needs its linked taker took on (and did
// not return), and projects it joined by a matched offer or as undertaker.
// A project still in draft, which only staff see, counts for nothing yet.
func (s *Store) Contributions(ctx context.Context, providerIDs []uint64) (map[uint64]Contribution, error) {
	out := map[uint64]Contribution{}
	if len(providerIDs) == 0 {
		return out, nil
	}
	type row struct {
		ProviderID uint64
		N          int64
	}
	var hours []row
	if err := s.conn(ctx).Table("project_offers po").Select("o.provider_id, COALESCE(SUM(po.amount), 0) AS n").
		Joins("JOIN offers o ON o.id = po.offer_id").Joins("JOIN projects p ON p.id = po.project_id").
		Where("o.provider_id IN ? AND o.kind = ? AND p.status <> ?", providerIDs, OfferHours, ProjectDraft).
		Group("o.provider_id").Scan(&hours).Error; err != nil {
		return nil, err
	}
	for _, r := range hours {
		c := out[r.ProviderID]
		c.Hours = r.N
		out[r.ProviderID] = c
	}
	var needs []row
	if err := s.conn(ctx).Table("providers pr").Select("pr.id AS provider_id, COUNT(n.id) AS n").
		Joins("JOIN needs n ON n.taker_id = pr.taker_id").
		Where("pr.id IN ? AND n.status IN ?", providerIDs, []NeedStatus{NeedInProgress, NeedDone, NeedClosed}).
		Group("pr.id").Scan(&needs).Error; err != nil {
		return nil, err
	}
	for _, r := range needs {
		c := out[r.ProviderID]
		c.NeedsTaken = r.N
		out[r.ProviderID] = c
	}
	var projects []row
	if err := s.conn(ctx).Raw(`SELECT provider_id, COUNT(DISTINCT project_id) AS n FROM (
			SELECT o.provider_id AS provider_id, po.project_id AS project_id FROM project_offers po JOIN offers o ON o.id = po.offer_id
				JOIN projects p ON p.id = po.project_id WHERE o.provider_id IN ? AND p.status <> ?
			UNION SELECT undertaker_id AS provider_id, id AS project_id FROM projects WHERE undertaker_id IN ? AND status <> ?
		) j GROUP BY provider_id`, providerIDs, ProjectDraft, providerIDs, ProjectDraft).Scan(&projects).Error; err != nil {
		return nil, err
	}
	for _, r := range projects {
		c := out[r.ProviderID]
		c.Projects = r.N
		out[r.ProviderID] = c
	}
	return out, nil
}
