package models

import (
	"testing"
	"time"
)

func TestDeleteBlocker(t *testing.T) {
	cases := []struct {
		u    PlaceUsage
		want string
	}{
		{PlaceUsage{}, ""},
		{PlaceUsage{Children: 2, Residents: 1}, "console.place_has_children"},
		{PlaceUsage{Residents: 3, Grants: 1}, "console.place_has_residents"},
		{PlaceUsage{Grants: 1}, "console.place_has_grants"},
		{PlaceUsage{Records: 1}, "console.place_has_records"},
	}
	for _, c := range cases {
		if got := c.u.DeleteBlocker(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.u, got, c.want)
		}
	}
}

func TestCanRevokeAndGrantableRoles(t *testing.T) {
	street := Place{ID: 1, Kind: KindStreet, Path: "/1/"}
	com1 := Place{ID: 2, Kind: KindCommunity, Path: "/1/2/"}
	com2 := Place{ID: 3, Kind: KindCommunity, Path: "/1/3/"}
	hh := Place{ID: 9, Kind: KindHousehold, Path: "/1/2/5/9/"}
	admin := &Principal{Account: Account{ID: 1}, Grants: []RoleGrant{{AccountID: 1, Role: RoleAdmin, Place: street}}}
	staff1 := &Principal{Account: Account{ID: 2}, Grants: []RoleGrant{{ID: 20, AccountID: 2, Role: RoleCommunityStaff, Place: com1}}}
	cases := []struct {
		name string
		p    *Principal
		g    RoleGrant
		want bool
	}{
		{"staff revokes a convener in their community", staff1, RoleGrant{AccountID: 7, Role: RoleConvener, Place: com1}, true},
		{"staff revokes a resident in their community", staff1, RoleGrant{AccountID: 7, Role: RoleResident, Place: hh}, true},
		{"not in another community", staff1, RoleGrant{AccountID: 7, Role: RoleConvener, Place: com2}, false},
		{"not a peer", staff1, RoleGrant{AccountID: 7, Role: RoleCommunityStaff, Place: com1}, false},
		{"not their own grant", staff1, staff1.Grants[0], false},
		{"admin revokes another admin", admin, RoleGrant{AccountID: 8, Role: RoleAdmin, Place: street}, true},
		{"admin not their own admin grant", admin, RoleGrant{AccountID: 1, Role: RoleAdmin, Place: street}, false},
		{"nobody signed in", nil, RoleGrant{AccountID: 7, Role: RoleConvener, Place: com1}, false},
	}
	for _, c := range cases {
		if got := c.p.CanRevoke(c.g); got != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
	}
	got := staff1.GrantableRoles(com1)
	want := []Role{RoleConvener, RoleCouncilMember, RoleRepresentative}
	if len(got) != len(want) {
		t.Fatalf("staff grantable %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("staff grantable %v", got)
		}
	}
	if r := staff1.GrantableRoles(com2); len(r) != 0 {
		t.Fatalf("staff1 may grant in community 2: %v", r)
	}
	if r := admin.GrantableRoles(com1); len(r) != len(Roles)-1 || r[0] != RoleAdmin {
		t.Fatalf("admin grantable %v", r)
	}
}

func TestAuditRange(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	f, to, fe := AuditRange("2026-11-01", "2026-11-23", sh)
	if len(fe) != 0 {
		t.Fatal(fe)
	}
	if !f.Equal(time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("range %v – %v", f, to)
	}
	if f, to, fe := AuditRange("", "", sh); len(fe) != 0 || !f.IsZero() || !to.IsZero() {
		t.Fatalf("open range %v %v %v", f, to, fe)
	}
	if _, _, fe := AuditRange("2026-11-23", "2026-11-01", sh); fe["to"] != "err.date_range" {
		t.Fatalf("backwards range: %v", fe)
	}
	if _, _, fe := AuditRange("yesterday", "", sh); fe["from"] != "err.date_invalid" {
		t.Fatalf("bad date: %v", fe)
	}
	// One day: from its midnight to the next.
	if f, to, _ := AuditRange("2026-11-23", "2026-11-23", sh); to.Sub(f) != 24*time.Hour {
		t.Fatalf("one day spans %v", to.Sub(f))
	}
}
