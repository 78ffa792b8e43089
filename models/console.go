package models

import "time"

// PlaceUsage counts what still hangs on a place (地点占用情况): the places
// below it, the residents on its roster, the roles granted at it, and the
// records that name it (Kinds: registrations and invitation codes, notices,
// needs and their takers, providers and the places offers serve, projects,
// ballot candidates, ballots and their rolls, councils, village matters and
// their procedures, roster imports). A place can be deleted only when all
// are zero: otherwise those records would point at nothing.
type PlaceUsage struct {
	Children  int64
	Residents int64
	Grants    int64
	Records   int64        // all of Kinds together
	Kinds     []UsageCount // the records by kind, only kinds with some, in a fixed order
}

// UsageCount is how many records of one kind name a place; Key is the
// catalog key that names the kind and takes the count.
type UsageCount struct {
	Key string
	N   int64
}

// Summary lists every non-zero count of u, places below, residents and
// roles first, for the page that says why a place cannot be deleted. Each
// Key takes its count as its one argument.
func (u PlaceUsage) Summary() []UsageCount {
	var out []UsageCount
	for _, c := range []UsageCount{
		{"console.usage_children", u.Children},
		{"console.usage_residents", u.Residents},
		{"console.usage_grants", u.Grants},
	} {
		if c.N > 0 {
			out = append(out, c)
		}
	}
	return append(out, u.Kinds...)
}

// DeleteBlocker returns the catalog key of the first reason a place with
// usage u cannot be deleted, or "" when it can.
func (u PlaceUsage) DeleteBlocker() string {
	switch {
	case u.Children > 0:
		return "console.place_has_children"
	case u.Residents > 0:
		return "console.place_has_residents"
	case u.Grants > 0:
		return "console.place_has_grants"
	case u.Records > 0:
		return "console.place_has_records"
	}
	return ""
}

// CanRevoke reports whether the principal may revoke grant g (g.Place
// loaded): whoever could grant the role may revoke it, residency is revoked
// by those who manage residents, and nobody revokes their own grant (so no
// one locks themselves, or the last administrator, out by mistake).
func (p *Principal) CanRevoke(g RoleGrant) bool {
	if p == nil || g.AccountID == p.Account.ID {
		return false
	}
	if g.Role == RoleResident {
		return p.Can(PermManageResidents, g.Place)
	}
	return p.CanGrant(g.Role, g.Place)
}

// GrantableRoles lists the roles the principal may grant at place, most
// powerful first. Residency is never granted by hand: it comes from
// household verification.
func (p *Principal) GrantableRoles(place Place) []Role {
	var out []Role
	for _, r := range Roles {
		if r != RoleResident && p.CanGrant(r, place) {
			out = append(out, r)
		}
	}
	return out
}

// AuditRange turns a date range typed in zone loc ("2026-11-01" to
// "2026-11-23", both inclusive, either may be empty) into UTC bounds: from
// is the start of the first day, to the start of the day after the last.
// A range that ends before it starts is a field error on "to".
func AuditRange(from, to string, loc *time.Location) (time.Time, time.Time, FieldErrors) {
	fe := FieldErrors{}
	var f, t time.Time
	if from != "" {
		d, err := time.ParseInLocation("2006-01-02", from, loc)
		if err != nil {
			fe.Add("from", "err.date_invalid")
		} else {
			f = d.UTC()
		}
	}
	if to != "" {
		d, err := time.ParseInLocation("2006-01-02", to, loc)
		if err != nil {
			fe.Add("to", "err.date_invalid")
		} else {
			t = d.AddDate(0, 0, 1).UTC()
		}
	}
	if !f.IsZero() && !t.IsZero() && !t.After(f) {
		fe.Add("to", "err.date_range")
	}
	return f, t, fe
}
