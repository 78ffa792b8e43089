package web_test

import (
	"testing"

	"yishi/models"
)

// The residents area: verification, requests, roster, invitation codes,
// import and export. Objects of community 1 and community 2 prove that
// staff of one community can neither see nor change the other's.
func init() {
	matrix = append(matrix,
		matrixRoute{"GET", "/profile/verify", signedIn()},
		matrixRoute{"GET", "/profile/verify?at={com1}", signedIn()},
		matrixRoute{"POST", "/profile/verify", signedIn()},
		matrixRoute{"POST", "/profile/verify/invite", signedIn()},

		matrixRoute{"GET", "/console/registrations", staffAnywhere()},
		matrixRoute{"GET", "/console/registrations/{reg1}", staffOf1()},
		matrixRoute{"GET", "/console/registrations/{reg2}", staffOf2()},
		matrixRoute{"POST", "/console/registrations/{reg1}/approve", staffOf1()},
		matrixRoute{"POST", "/console/registrations/{reg2}/approve", staffOf2()},
		matrixRoute{"POST", "/console/registrations/{reg1}/reject", staffOf1()},
		matrixRoute{"POST", "/console/registrations/{reg2}/reject", staffOf2()},

		matrixRoute{"GET", "/console/residents", staffAnywhere()},
		matrixRoute{"GET", "/console/residents?place={com1}", staffOf1()},
		matrixRoute{"GET", "/console/residents?place={com2}", staffOf2()},
		matrixRoute{"GET", "/console/residents/households/{hh1}", staffOf1()},
		matrixRoute{"GET", "/console/residents/households/{hh2}", staffOf2()},
		matrixRoute{"POST", "/console/residents/households/{hh1}/residents", staffOf1()},
		matrixRoute{"POST", "/console/residents/households/{hh2}/residents", staffOf2()},
		matrixRoute{"POST", "/console/residents/households/{hh1}/invites", staffOf1()},
		matrixRoute{"POST", "/console/residents/households/{hh2}/invites", staffOf2()},
		matrixRoute{"GET", "/console/residents/people/{res1}/edit", staffOf1()},
		matrixRoute{"GET", "/console/residents/people/{res2}/edit", staffOf2()},
		matrixRoute{"POST", "/console/residents/people/{res1}", staffOf1()},
		matrixRoute{"POST", "/console/residents/people/{res2}", staffOf2()},
		matrixRoute{"GET", "/console/residents/people/{res1}/remove", staffOf1()},
		matrixRoute{"GET", "/console/residents/people/{res2}/remove", staffOf2()},
		matrixRoute{"POST", "/console/residents/people/{res1}/remove", staffOf1()},
		matrixRoute{"POST", "/console/residents/people/{res2}/remove", staffOf2()},

		matrixRoute{"GET", "/console/residents/import", staffAnywhere()},
		matrixRoute{"POST", "/console/residents/import", staffAnywhere()},
		matrixRoute{"GET", "/console/residents/import/{imp1}", staffOf1()},
		matrixRoute{"GET", "/console/residents/import/{imp2}", staffOf2()},
		matrixRoute{"POST", "/console/residents/import/{imp1}/commit", staffOf1()},
		matrixRoute{"POST", "/console/residents/import/{imp2}/commit", staffOf2()},
		matrixRoute{"GET", "/console/residents/template.csv", staffAnywhere()},
		matrixRoute{"GET", "/console/residents/template.xlsx", staffAnywhere()},
		matrixRoute{"GET", "/console/residents/export.csv", staffAnywhere()},
		matrixRoute{"GET", "/console/residents/export.csv?place={com1}", staffOf1()},
		matrixRoute{"GET", "/console/residents/export.xlsx?place={com2}", staffOf2()},
	)
}

func init() { matrixFixtures = append(matrixFixtures, residentsFixture) }

// residentsFixture adds to ids a household, a roster entry, a pending
// verification request and an import batch in each of communities 1 and 2.
func residentsFixture(t *testing.T, s *models.Store, ids matrixIDs) {
	t.Helper()
	streetStaff, err := s.AccountByPhone(bg, actorPhones[street])
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.LoadPrincipal(bg, streetStaff.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, com := range []string{"com1", "com2"} {
		n := []string{"1", "2"}[i]
		scope, err := s.PlaceByID(bg, ids[com])
		if err != nil {
			t.Fatal(err)
		}
		hhs, err := s.PlacesOfKind(bg, scope, models.KindHousehold)
		if err != nil || len(hhs) == 0 {
			t.Fatalf("households of %s: %v", com, err)
		}
		hh := hhs[len(hhs)-1]
		setID(t, ids, "hh"+n, hh.ID)
		var r models.Resident
		if err := s.Tx(bg).Where("household_id = ?", hh.ID).Order("id").First(&r).Error; err != nil {
			t.Fatal(err)
		}
		setID(t, ids, "res"+n, r.ID)
		imp, err := s.PreviewImport(bg, p, scope.ID, "roster.csv", []models.RosterRow{{Line: 2, Community: scope.Name, Compound: "无此小区", Household: "1", Name: "某人"}})
		if err != nil {
			t.Fatal(err)
		}
		setID(t, ids, "imp"+n, imp.ID)
	}
	var reg models.Registration
	if err := s.Tx(bg).Joins("JOIN accounts a ON a.id = registrations.account_id").Where("a.phone = ?", actorPhones[pending]).First(&reg).Error; err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "reg1", reg.ID)
	applicant, err := s.CreateAccount(bg, models.AccountInput{Phone: "13700000222", Name: "二社区申请人", Password: "password-2", Confirm: "password-2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := s.LoadPrincipal(bg, applicant.ID)
	if err != nil {
		t.Fatal(err)
	}
	reg2, err := s.RequestVerification(bg, ap, ids["hh2"], "二社区申请人")
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "reg2", reg2.ID)
}
