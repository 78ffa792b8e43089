package models_test

import (
	"errors"
	"testing"

	"yishi/models"
	"yishi/models/modeltest"
)

func TestOffersRegisterVerifyWithdraw(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		owner := principal(t, s, mustAccount(t, s, "13900000030", "志愿队长").ID)
		pin := models.ProviderInput{Kind: models.ProviderVolunteerTeam, Name: "阳光志愿队", Phone: "13912345678", PlaceID: f.com1.ID}
		in := models.OfferInput{Kind: models.OfferHours, Title: "助老陪护", Capacity: 200, CapacityUnit: "小时", PlaceIDs: []uint64{f.com1.ID}, Public: true}

		// Bad input changes nothing.
		bad := in
		bad.Title = ""
		if _, err := s.RegisterOffer(bg, owner, 0, pin, bad); !errors.As(err, new(models.FieldErrors)) {
			t.Fatalf("bad offer: %v", err)
		}
		if got := auditActions(t, s, "offer"); len(got) != 0 {
			t.Fatalf("refused offer audited: %v", got)
		}
		o, err := s.RegisterOffer(bg, owner, 0, pin, in)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != models.OfferPending {
			t.Fatalf("status %s", o.Status)
		}
		// Not public until verified.
		if list, total, err := s.PublicOffers(bg, models.OfferQuery{}); err != nil || total != 0 || len(list) != 0 {
			t.Fatalf("pending offer public: %d %v", total, err)
		}
		// A second offer for the same provider.
		mine, err := s.MyProviders(bg, owner)
		if err != nil || len(mine) != 1 {
			t.Fatalf("providers %v %v", mine, err)
		}
		venue := models.OfferInput{Kind: models.OfferVenue, Title: "活动室", Capacity: 30, CapacityUnit: "人", PlaceIDs: []uint64{f.com2.ID}, Public: true}
		o2, err := s.RegisterOffer(bg, owner, mine[0].ID, models.ProviderInput{}, venue)
		if err != nil {
			t.Fatal(err)
		}
		// Someone else cannot add to that provider.
		if _, err := s.RegisterOffer(bg, f.staff2, mine[0].ID, models.ProviderInput{}, venue); !errors.As(err, new(models.FieldErrors)) {
			t.Fatalf("offer for someone else's provider: %v", err)
		}

		// Staff of community 2 cannot verify community 1's offer.
		if _, err := s.VerifyOffer(bg, f.staff2, o.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 verified: %v", err)
		}
		_, total, err := s.StaffOffers(bg, f.staff1, models.OfferQuery{})
		if err != nil || total != 2 {
			t.Fatalf("staff1 list %d %v", total, err)
		}
		// Staff of community 2 see the offer that serves their community only.
		if l2, total, err := s.StaffOffers(bg, f.staff2, models.OfferQuery{}); err != nil || total != 1 || l2[0].ID != o2.ID {
			t.Fatalf("staff2 list %d %v", total, err)
		}
		if _, err := s.VerifyOffer(bg, f.staff1, o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyOffer(bg, f.staff1, o.ID); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("verify twice: %v", err)
		}
		list, total, err := s.PublicOffers(bg, models.OfferQuery{Kind: models.OfferHours, PlaceID: f.hh1.ID})
		if err != nil || total != 1 || list[0].ID != o.ID || !list[0].Provider.Verified() {
			t.Fatalf("public %d %v", total, err)
		}
		if got := list[0].Provider.PhoneFor(nil); got != "139****5678" {
			t.Fatalf("visitor sees phone %q", got)
		}
		if got := list[0].Provider.PhoneFor(f.staff1); got != "13912345678" {
			t.Fatalf("staff sees phone %q", got)
		}
		if _, total, _ := s.PublicOffers(bg, models.OfferQuery{PlaceID: f.com2.ID, Kind: models.OfferHours}); total != 0 {
			t.Fatal("place filter let another community's offer through")
		}
		// The provider withdraws its second offer itself.
		if _, err := s.WithdrawOffer(bg, owner, o2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.WithdrawOffer(bg, principal(t, s, f.resident.ID), o.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a stranger withdrew: %v", err)
		}
		want := []string{"offer.register", "offer.register", "offer.verify", "offer.withdraw"}
		if got := auditActions(t, s, "offer"); len(got) != len(want) {
			t.Fatalf("offer audit %v", got)
		}
		if got := auditActions(t, s, "provider"); len(got) != 2 || got[0] != "provider.register" || got[1] != "provider.verify" {
			t.Fatalf("provider audit %v", got)
		}
	})
}

// sharedOffer registers, for a new account, a community 1 volunteer
// team's pending offer that serves communities 1 and 2.
func sharedOffer(t *testing.T, s *models.Store, f *fixture) (*models.Principal, models.Offer) {
	t.Helper()
	owner := principal(t, s, mustAccount(t, s, "13900000030", "志愿队长").ID)
	o, err := s.RegisterOffer(bg, owner, 0,
		models.ProviderInput{Kind: models.ProviderVolunteerTeam, Name: "阳光志愿队", Phone: "13912345678", PlaceID: f.com1.ID},
		models.OfferInput{Kind: models.OfferHours, Title: "助老陪护", Capacity: 200, CapacityUnit: "小时", PlaceIDs: []uint64{f.com1.ID, f.com2.ID}, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	return owner, o
}

// Withdrawing an offer takes it off for every place it serves, so only
// staff at (or above) its provider's place, or the provider, may; staff of
// a community it merely serves may not.
func TestOfferWithdrawnOnlyAtTheProvidersPlace(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		owner, o := sharedOffer(t, s, f)
		if _, err := s.OfferForWithdrawal(bg, f.staff2, o.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff of a served community may withdraw: %v", err)
		}
		if _, err := s.WithdrawOffer(bg, f.staff2, o.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff of a served community withdrew the offer: %v", err)
		}
		if got := auditActions(t, s, "offer"); len(got) != 1 {
			t.Fatalf("refused withdrawal audited: %v", got)
		}
		if _, err := s.WithdrawOffer(bg, f.staff1, o.ID); err != nil {
			t.Fatalf("staff at the provider's place: %v", err)
		}
		o2, err := s.RegisterOffer(bg, owner, o.ProviderID, models.ProviderInput{},
			models.OfferInput{Kind: models.OfferVenue, Title: "活动室", Capacity: 30, CapacityUnit: "人", PlaceIDs: []uint64{f.com2.ID}, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.WithdrawOffer(bg, f.staff2, o2.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff of the only served community withdrew: %v", err)
		}
		if _, err := s.WithdrawOffer(bg, f.admin, o2.ID); err != nil {
			t.Fatalf("admin above the provider's place: %v", err)
		}
	})
}

// Verifying an offer vouches for it, and for its provider, in every place
// it serves, so only staff at (or above) its provider's place may; not
// staff of a community it merely serves, nor the provider itself.
func TestOfferVerifiedOnlyAtTheProvidersPlace(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		owner, o := sharedOffer(t, s, f)
		// As the staff list loads it, with its provider's place.
		l2, _, err := s.StaffOffers(bg, f.staff2, models.OfferQuery{})
		if err != nil || len(l2) != 1 {
			t.Fatalf("staff2 list %v %v", l2, err)
		}
		if l2[0].MayVerify(f.staff2) || l2[0].MayVerify(owner) || l2[0].MayVerify(nil) || !l2[0].MayVerify(f.staff1) || !l2[0].MayVerify(f.admin) {
			t.Fatal("MayVerify: only staff at or above the provider's place")
		}
		if _, err := s.VerifyOffer(bg, f.staff2, o.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff of a served community verified the offer: %v", err)
		}
		if _, err := s.VerifyOffer(bg, owner, o.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("the provider verified its own offer: %v", err)
		}
		if got := auditActions(t, s, "provider"); len(got) != 1 {
			t.Fatalf("refused verification audited: %v", got)
		}
		if _, err := s.VerifyOffer(bg, f.staff1, o.ID); err != nil {
			t.Fatalf("staff at the provider's place: %v", err)
		}

		// Staff who register their own team's offer do not verify it; staff
		// above its place do.
		mine, err := s.RegisterOffer(bg, f.staff1, 0,
			models.ProviderInput{Kind: models.ProviderUnit, Name: "一社区共建单位", Phone: "13700000001", PlaceID: f.com1.ID},
			models.OfferInput{Kind: models.OfferVenue, Title: "活动室", Capacity: 30, CapacityUnit: "人", PlaceIDs: []uint64{f.com1.ID}, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyOffer(bg, f.staff1, mine.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff verified their own provider's offer: %v", err)
		}
		if v, err := s.VerifyOffer(bg, f.admin, mine.ID); err != nil || !v.Provider.Verified() {
			t.Fatalf("admin above the provider's place: %v", err)
		}
	})
}
