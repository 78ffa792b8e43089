package models

import (
	"slices"
	"testing"
)

// TestScopes: the places a principal may act at collapse to the broadest
// ones, whatever the order of the grants, each once, and only from roles
// that carry the permission.
func TestScopes(t *testing.T) {
	place := func(id uint64, path string) Place { return Place{ID: id, Path: path} }
	street, other := place(1, "/1/"), place(9, "/9/")
	a, b := place(2, "/1/2/"), place(3, "/1/3/")
	a1 := place(4, "/1/2/4/")
	staff := func(p Place) RoleGrant { return RoleGrant{Role: RoleCommunityStaff, PlaceID: p.ID, Place: p} }
	resident := func(p Place) RoleGrant { return RoleGrant{Role: RoleResident, PlaceID: p.ID, Place: p} }
	cases := []struct {
		name   string
		grants []RoleGrant
		want   []uint64
	}{
		{"none", nil, nil},
		{"one", []RoleGrant{staff(a)}, []uint64{2}},
		{"siblings stay", []RoleGrant{staff(a), staff(b)}, []uint64{2, 3}},
		{"two inside, then their street", []RoleGrant{staff(a), staff(b), staff(street)}, []uint64{1}},
		{"street first", []RoleGrant{staff(street), staff(a), staff(b)}, []uint64{1}},
		{"street between", []RoleGrant{staff(a), staff(street), staff(b)}, []uint64{1}},
		{"the street takes the first slot, the other street stays", []RoleGrant{staff(other), staff(a), staff(a1), staff(b), staff(street)}, []uint64{9, 1}},
		{"nested three deep, inner first", []RoleGrant{staff(a1), staff(b), staff(a)}, []uint64{2, 3}},
		{"the same place twice", []RoleGrant{staff(a), staff(a)}, []uint64{2}},
		{"a role without the permission adds nothing", []RoleGrant{resident(street), staff(a), staff(b)}, []uint64{2, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []uint64
			for _, sc := range (&Principal{Grants: c.grants}).Scopes(PermManageResidents) {
				got = append(got, sc.ID)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("Scopes = %v, want %v", got, c.want)
			}
		})
	}
	if got := (*Principal)(nil).Scopes(PermManageResidents); got != nil {
		t.Fatalf("nil principal: %v", got)
	}
}
