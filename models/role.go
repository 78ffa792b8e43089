package models

import (
	"slices"
	"time"
)

// Role is what a person may do at a place (角色). A role granted at a place
// reaches that place's whole subtree.
type Role string

// The roles, from the most to the least powerful.
const (
	RoleAdmin          Role = "admin"           // 系统管理员
	RoleStreetStaff    Role = "street_staff"    // 街道工作人员
	RoleCommunityStaff Role = "community_staff" // 社区工作者 / 网格员
	RoleConvener       Role = "convener"        // 召集人
	RoleCouncilMember  Role = "council_member"  // 议事会成员
	RoleRepresentative Role = "representative"  // 居民代表 / 村民代表
	RoleResident       Role = "resident"        // 居民 (verified)
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleStreetStaff, RoleCommunityStaff, RoleConvener, RoleCouncilMember, RoleRepresentative, RoleResident}

func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 100
	case RoleStreetStaff:
		return 80
	case RoleCommunityStaff:
		return 60
	case RoleConvener:
		return 40
	case RoleCouncilMember:
		return 30
	case RoleRepresentative:
		return 20
	case RoleResident:
		return 10
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// IsStaff reports whether r works the console rather than the resident pages.
func (r Role) IsStaff() bool { return r.rank() >= RoleCommunityStaff.rank() }

// RoleGrant gives an account a role at a place (角色授权).
type RoleGrant struct {
	ID          uint64 `gorm:"primaryKey"`
	AccountID   uint64
	Role        Role
	PlaceID     uint64
	GrantedByID *uint64
	CreatedAt   time.Time

	Place Place `gorm:"foreignKey:PlaceID"`
}

// Permission is one thing a role allows.
type Permission string

// The permissions checked by the console.
const (
	PermManagePlaces    Permission = "manage_places"    // edit the place tree below the grant
	PermGrantRoles      Permission = "grant_roles"      // grant lesser roles below the grant
	PermManageResidents Permission = "manage_residents" // verify, invite, import and export residents
	PermPublishNotices  Permission = "publish_notices"  // write, publish and withdraw notices, answer objections
	PermViewAudit       Permission = "view_audit"       // read the audit trail
	PermUnlockAccounts  Permission = "unlock_accounts"  // unlock a locked account early
	PermConsole         Permission = "console"          // open the staff console at all
	PermHandleNeeds     Permission = "handle_needs"     // review, dispatch, escalate and chase needs; manage takers
	PermManageProjects  Permission = "manage_projects"  // verify resources; create, run and accept projects
	PermManageBallots   Permission = "manage_ballots"   // review candidates; define, run, tally and publish ballots; enter and confirm paper votes
	PermManageCouncils  Permission = "manage_councils"  // set up councils, their members and rules; act for a council's convener
)

var rolePerms = map[Role][]Permission{
	RoleAdmin:          {PermConsole, PermManagePlaces, PermGrantRoles, PermManageResidents, PermPublishNotices, PermViewAudit, PermUnlockAccounts, PermHandleNeeds, PermManageProjects, PermManageBallots, PermManageCouncils},
	RoleStreetStaff:    {PermConsole, PermManagePlaces, PermGrantRoles, PermManageResidents, PermPublishNotices, PermViewAudit, PermUnlockAccounts, PermHandleNeeds, PermManageProjects, PermManageBallots, PermManageCouncils},
	RoleCommunityStaff: {PermConsole, PermManagePlaces, PermGrantRoles, PermManageResidents, PermPublishNotices, PermViewAudit, PermUnlockAccounts, PermHandleNeeds, PermManageProjects, PermManageBallots, PermManageCouncils},
}

// RoleAllows reports whether role r carries permission p.
func RoleAllows(r Role, p Permission) bool {
	for _, q := range rolePerms[r] {
		if q == p {
			return true
		}
	}
	return false
}

// Principal is a signed-in account with its grants and their places, loaded
// once per request. Every permission check is a pure function of it. A
// principal resumed from a session carries only the fields ResumeSession
// lists; LoadPrincipal fills them all.
type Principal struct {
	Account Account
	Grants  []RoleGrant // with Place loaded
	// KioskBallotID is set for a service station's session: it may use
	// that ballot's kiosk and nothing else (the web layer fences it).
	KioskBallotID uint64
}

// Has reports whether the principal holds role r anywhere.
func (p *Principal) Has(r Role) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// IsStaff reports whether the principal holds any staff role.
func (p *Principal) IsStaff() bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if g.Role.IsStaff() {
			return true
		}
	}
	return false
}

// Can reports whether the principal may do perm at place.
func (p *Principal) Can(perm Permission, place Place) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if RoleAllows(g.Role, perm) && g.Place.Contains(place) {
			return true
		}
	}
	return false
}

// CanAnywhere reports whether the principal may do perm somewhere.
func (p *Principal) CanAnywhere(perm Permission) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if RoleAllows(g.Role, perm) {
			return true
		}
	}
	return false
}

// Scopes returns the top places at which the principal may do perm, without
// any place that lies inside another one returned (a place granted twice is
// returned once), in the order of the grants: a broader place takes the slot
// of the first place it contains.
func (p *Principal) Scopes(perm Permission) []Place {
	if p == nil {
		return nil
	}
	var out []Place
	for _, g := range p.Grants {
		if !RoleAllows(g.Role, perm) || slices.ContainsFunc(out, func(q Place) bool { return q.Contains(g.Place) }) {
			continue
		}
		// g's place replaces every place it contains, not only the first.
		kept, placed := out[:0], false
		for _, q := range out {
			switch {
			case !g.Place.Contains(q):
				kept = append(kept, q)
			case !placed:
				kept, placed = append(kept, g.Place), true
			}
		}
		if !placed {
			kept = append(kept, g.Place)
		}
		out = kept
	}
	return out
}

// CanGrant reports whether the principal may grant role r at place: it needs
// PermGrantRoles there through a role ranked above r. Only an admin grants
// admin.
func (p *Principal) CanGrant(r Role, place Place) bool {
	if p == nil || !r.Valid() {
		return false
	}
	for _, g := range p.Grants {
		if !RoleAllows(g.Role, PermGrantRoles) || !g.Place.Contains(place) {
			continue
		}
		if g.Role == RoleAdmin || g.Role.rank() > r.rank() {
			return true
		}
	}
	return false
}

// ResidentHousehold returns the id of the household at which the principal
// is a verified resident, if any.
func (p *Principal) ResidentHousehold() (uint64, bool) {
	if p == nil {
		return 0, false
	}
	for _, g := range p.Grants {
		if g.Role == RoleResident {
			return g.PlaceID, true
		}
	}
	return 0, false
}
