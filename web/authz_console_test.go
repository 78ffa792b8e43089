package web_test

import (
	"testing"

	"yishi/models"
	"yishi/models/demo"
)

// The console's routes, with places, grants and accounts in community 1
// and community 2, so that each community's staff are shown unable to see
// or change the other's.
func init() {
	matrixFixtures = append(matrixFixtures, consoleFixture)
	matrix = append(matrix,
		// Place tree.
		matrixRoute{"GET", "/console/places", staffAnywhere()},
		matrixRoute{"POST", "/console/places", only(admin)},
		matrixRoute{"GET", "/console/places/{street}", streetAndAdmin()},
		matrixRoute{"GET", "/console/places/{com1}", staffOf1()},
		matrixRoute{"GET", "/console/places/{com2}", staffOf2()},
		matrixRoute{"GET", "/console/places/{cmp1}?page=2", staffOf1()},
		matrixRoute{"POST", "/console/places/{street}/children", streetAndAdmin()},
		matrixRoute{"POST", "/console/places/{com1}/children", staffOf1()},
		matrixRoute{"POST", "/console/places/{com2}/children", staffOf2()},
		matrixRoute{"POST", "/console/places/{com1}/rename", streetAndAdmin()},
		matrixRoute{"POST", "/console/places/{cmp1}/rename", staffOf1()},
		matrixRoute{"POST", "/console/places/{cmp2}/rename", staffOf2()},
		matrixRoute{"GET", "/console/places/{com1}/delete", streetAndAdmin()},
		matrixRoute{"GET", "/console/places/{cmp1}/delete", staffOf1()},
		matrixRoute{"GET", "/console/places/{cmp2}/delete", staffOf2()},
		matrixRoute{"POST", "/console/places/{com1}/delete", streetAndAdmin()},
		matrixRoute{"POST", "/console/places/{cmp1}/delete", staffOf1()},
		matrixRoute{"POST", "/console/places/{cmp2}/delete", staffOf2()},
		// Roles.
		matrixRoute{"GET", "/console/roles", staffAnywhere()},
		matrixRoute{"GET", "/console/roles/{street}", streetAndAdmin()},
		matrixRoute{"GET", "/console/roles/{com1}", staffOf1()},
		matrixRoute{"GET", "/console/roles/{com2}", staffOf2()},
		matrixRoute{"GET", "/console/roles/{com1}?phone=13800000005", staffOf1()},
		matrixRoute{"POST", "/console/roles/{com1}", staffOf1()},
		matrixRoute{"POST", "/console/roles/{com2}", staffOf2()},
		matrixRoute{"GET", "/console/roles/revoke/{grant1}", staffOf1()},
		matrixRoute{"GET", "/console/roles/revoke/{grant2}", staffOf2()},
		matrixRoute{"POST", "/console/roles/revoke/{grant1}", staffOf1()},
		matrixRoute{"POST", "/console/roles/revoke/{grant2}", staffOf2()},
		// Accounts.
		matrixRoute{"GET", "/console/accounts", staffAnywhere()},
		matrixRoute{"GET", "/console/accounts?phone=13811112222", staffAnywhere()}, // a number nobody has: "not in your places"
		matrixRoute{"GET", "/console/accounts/{acct1}", staffOf1()},
		matrixRoute{"GET", "/console/accounts/{acct2}", staffOf2()},
		matrixRoute{"POST", "/console/accounts/{acct1}/unlock", staffOf1()},
		matrixRoute{"POST", "/console/accounts/{acct2}/unlock", staffOf2()},
		matrixRoute{"POST", "/console/accounts/{acct1}/second-factor/reset", staffOf1()},
		matrixRoute{"POST", "/console/accounts/{acct2}/second-factor/reset", staffOf2()},
		// Audit trail.
		matrixRoute{"GET", "/console/audit", staffAnywhere()},
		matrixRoute{"GET", "/console/audit?place={com1}", staffOf1()},
		matrixRoute{"GET", "/console/audit?place={com2}", staffOf2()},
		matrixRoute{"GET", "/console/audit?place={street}", streetAndAdmin()},
	)
}

// consoleFixture adds ids: cmp1/cmp2 (a compound in each community),
// grant1/grant2 (a council member in each), acct1/acct2 (a resident's
// account in each).
func consoleFixture(t *testing.T, s *models.Store, ids matrixIDs) {
	t.Helper()
	for _, c := range []string{"1", "2"} {
		compounds, err := s.Children(bg, ids["com"+c])
		if err != nil || len(compounds) == 0 {
			t.Fatalf("compounds of community %s: %v", c, err)
		}
		setID(t, ids, "cmp"+c, compounds[0].ID)
	}
	acct1, err := s.AccountByPhone(bg, "13800000004")
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "acct1", acct1.ID)
	acct2, err := s.CreateAccount(bg, models.AccountInput{Phone: "13800000098", Name: "二社区居民", Password: demo.Password, Confirm: demo.Password}, nil)
	if err != nil {
		t.Fatal(err)
	}
	com2, err := s.PlaceByID(bg, ids["com2"])
	if err != nil {
		t.Fatal(err)
	}
	households, err := s.PlacesOfKind(bg, com2, models.KindHousehold)
	if err != nil || len(households) == 0 {
		t.Fatalf("households of community 2: %v", err)
	}
	if err := s.GrantRoleAsSystem(bg, acct2.ID, models.RoleResident, households[0].ID); err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "acct2", acct2.ID)
	for c, acct := range map[string]uint64{"1": acct1.ID, "2": acct2.ID} {
		if err := s.GrantRoleAsSystem(bg, acct, models.RoleCouncilMember, ids["com"+c]); err != nil {
			t.Fatal(err)
		}
		var g models.RoleGrant
		if err := s.Tx(bg).Where("account_id = ? AND role = ? AND place_id = ?", acct, models.RoleCouncilMember, ids["com"+c]).First(&g).Error; err != nil {
			t.Fatal(err)
		}
		setID(t, ids, "grant"+c, g.ID)
	}
}
