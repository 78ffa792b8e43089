package models

import (
	"strings"
	"time"
	"unicode/utf8"
)

// ProviderKind is what kind of party offers resources.
type ProviderKind string

// Provider kinds.
const (
	ProviderUnit          ProviderKind = "unit"           // 共驻共建单位
	ProviderSocialOrg     ProviderKind = "social_org"     // 社会组织
	ProviderVolunteerTeam ProviderKind = "volunteer_team" // 志愿服务队
	ProviderPartyMember   ProviderKind = "party_member"   // 双报到在职党员
)

// ProviderKinds lists every provider kind.
var ProviderKinds = []ProviderKind{ProviderUnit, ProviderSocialOrg, ProviderVolunteerTeam, ProviderPartyMember}

// Valid reports whether k is a known provider kind.
func (k ProviderKind) Valid() bool {
	for _, x := range ProviderKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Provider is a party that offers resources to a community (资源提供方): a
// co-building unit, a social organisation, a volunteer team or a party
// member who reports to the community (双报到). One account acts for it.
// A provider linked to a needs Taker counts the needs it took.
type Provider struct {
	ID           uint64 `gorm:"primaryKey"`
	Kind         ProviderKind
	Name         string
	Phone        string
	PlaceID      uint64
	AccountID    *uint64
	TakerID      *uint64
	VerifiedAt   *time.Time
	VerifiedByID *uint64
	CreatedAt    time.Time

	Place Place `gorm:"foreignKey:PlaceID"`
}

// Verified reports whether staff have verified the provider.
func (p Provider) Verified() bool { return p.VerifiedAt != nil }

// OfferKind is what a resource is.
type OfferKind string

// Offer kinds.
const (
	OfferVenue   OfferKind = "venue"   // 场地
	OfferService OfferKind = "service" // 服务 / 技能
	OfferFunds   OfferKind = "funds"   // 资金
	OfferGoods   OfferKind = "goods"   // 物资
	OfferHours   OfferKind = "hours"   // 志愿时长
)

// OfferKinds lists every offer kind.
var OfferKinds = []OfferKind{OfferVenue, OfferService, OfferFunds, OfferGoods, OfferHours}

// Valid reports whether k is a known offer kind.
func (k OfferKind) Valid() bool {
	for _, x := range OfferKinds {
		if x == k {
			return true
		}
	}
	return false
}

// OfferStatus is where an offer stands.
type OfferStatus string

// Offer states.
const (
	OfferPending   OfferStatus = "pending"   // 待核实: waiting for staff
	OfferVerified  OfferStatus = "verified"  // 已核实: may be matched, and shown when public
	OfferWithdrawn OfferStatus = "withdrawn" // 已撤下
)

// Offer is one resource on the resources list (资源清单): a venue, a
// service or skill, funds, goods or volunteer hours, with its capacity,
// when it is available and the places it serves.
type Offer struct {
	ID             uint64 `gorm:"primaryKey"`
	ProviderID     uint64
	Kind           OfferKind
	Title          string
	Description    string
	Capacity       int64
	CapacityUnit   string
	Availability   string
	AvailableFrom  *time.Time
	AvailableUntil *time.Time
	Public         bool
	Status         OfferStatus
	VerifiedAt     *time.Time
	VerifiedByID   *uint64
	WithdrawnAt    *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time

	Provider Provider `gorm:"foreignKey:ProviderID"`
	Places   []Place  `gorm:"many2many:offer_places;joinForeignKey:OfferID;joinReferences:PlaceID"`
}

// ShownOnProject reports whether p (nil: a visitor) may see who offers o
// and what, where it is matched to a project: anyone when its provider let
// it be public once verified (as on the resources list); otherwise only
// staff of the project's place (projectStaff) and the account acting for
// the provider.
func (o Offer) ShownOnProject(p *Principal, projectStaff bool) bool {
	if (o.Public && o.VerifiedAt != nil) || projectStaff {
		return true
	}
	return p != nil && o.Provider.actsFor(p)
}

// MayWithdraw reports whether p may withdraw offer o (whose provider's
// place is loaded) for every place it serves: staff who manage projects
// at or above the provider's place, or the account acting for the
// provider. Staff of a place it only serves may not.
func (o Offer) MayWithdraw(p *Principal) bool {
	if p == nil {
		return false
	}
	return p.Can(PermManageProjects, o.Provider.Place) || o.Provider.actsFor(p)
}

// MayVerify reports whether p may verify offer o (whose provider's place
// is loaded), and with it its provider: staff who manage projects at or
// above the provider's place, other than the account acting for the
// provider, which may not vouch for itself. Staff of a place it only
// serves may not, as the verification holds for every place it serves.
func (o Offer) MayVerify(p *Principal) bool {
	if p == nil {
		return false
	}
	return p.Can(PermManageProjects, o.Provider.Place) && !o.Provider.actsFor(p)
}

// actsFor reports whether p (not nil) is the account acting for the
// provider.
func (pr Provider) actsFor(p *Principal) bool {
	return pr.AccountID != nil && *pr.AccountID == p.Account.ID
}

// OfferPlace is one place an offer serves.
type OfferPlace struct {
	OfferID uint64 `gorm:"primaryKey;autoIncrement:false"`
	PlaceID uint64 `gorm:"primaryKey;autoIncrement:false"`
}

// Covers reports whether the offer's availability window holds the whole
// span from..until (either may be zero for "not given"); an offer with no
// window is available by arrangement and does not count as covering.
func (o Offer) Covers(from, until time.Time) bool {
	if o.AvailableFrom == nil && o.AvailableUntil == nil {
		return false
	}
	if until.IsZero() {
		until = from
	}
	if from.IsZero() {
		from = until
	}
	if o.AvailableFrom != nil && from.Before(*o.AvailableFrom) {
		return false
	}
	if o.AvailableUntil != nil && until.After(*o.AvailableUntil) {
		return false
	}
	return true
}

// ProviderInput is what someone enters to register a provider.
type ProviderInput struct {
	Kind    ProviderKind
	Name    string
	Phone   string
	PlaceID uint64
}

// Validate checks a new provider.
func (in *ProviderInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = NormalizePhone(in.Phone)
	if !in.Kind.Valid() {
		fe.Add("provider_kind", "err.invalid_choice")
	}
	fe.Text("provider_name", in.Name, 0, 100)
	if !ValidPhone(in.Phone) {
		fe.Add("provider_phone", "err.phone_invalid")
	}
	if in.PlaceID == 0 {
		fe.Add("provider_place", "err.required")
	}
	return fe
}

// MaxOfferCapacity bounds an offer's capacity number.
const MaxOfferCapacity = 1_000_000_000

// OfferInput is what a provider enters for one offer.
type OfferInput struct {
	Kind           OfferKind
	Title          string
	Description    string
	Capacity       int64
	CapacityUnit   string
	Availability   string
	AvailableFrom  *time.Time
	AvailableUntil *time.Time
	PlaceIDs       []uint64
	Public         bool
}

// Validate checks an offer.
func (in *OfferInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	in.CapacityUnit = strings.TrimSpace(in.CapacityUnit)
	in.Availability = strings.TrimSpace(in.Availability)
	if !in.Kind.Valid() {
		fe.Add("kind", "err.invalid_choice")
	}
	fe.Text("title", in.Title, 0, 100)
	if utf8.RuneCountInString(in.Description) > 2000 {
		fe.Add("description", "err.too_long")
	}
	if in.Capacity < 0 {
		fe.Add("capacity", "err.must_be_positive")
	} else if in.Capacity > MaxOfferCapacity {
		fe.Add("capacity", "err.too_large")
	}
	if in.Capacity > 0 && in.CapacityUnit == "" {
		fe.Add("capacity_unit", "err.required")
	} else if utf8.RuneCountInString(in.CapacityUnit) > 20 {
		fe.Add("capacity_unit", "err.too_long")
	}
	if utf8.RuneCountInString(in.Availability) > 200 {
		fe.Add("availability", "err.too_long")
	}
	if in.AvailableFrom != nil && in.AvailableUntil != nil && in.AvailableUntil.Before(*in.AvailableFrom) {
		fe.Add("available_until", "err.date_range")
	}
	if len(in.PlaceIDs) == 0 {
		fe.Add("places", "err.required")
	}
	return fe
}

// Contribution is what a provider has given (贡献): volunteer hours logged
// on projects, needs taken through its linked taker, projects joined
// (matched offers or undertaken).
type Contribution struct {
	Hours      int64
	NeedsTaken int64
	Projects   int64
}

// Total is a simple sum used to order the providers' board.
func (c Contribution) Total() int64 { return c.Hours + c.NeedsTaken + c.Projects }
