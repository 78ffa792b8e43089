package web_test

import (
	"testing"

	"yishi/models"
	"yishi/models/demo"
)

// The needs pages and steps. {need1} is a staff-only need filed by the
// resident in community 1 (with a photo, {photo1}); {need2} a need in
// community 2, which community 1's staff must not see or touch.
func init() {
	matrixFixtures = append(matrixFixtures, needsFixture)
	matrix = append(matrix,
		matrixRoute{"GET", "/needs", signedIn()},
		matrixRoute{"GET", "/needs?tab=public", signedIn()},
		matrixRoute{"GET", "/needs/new", verifiedPeople()},
		matrixRoute{"POST", "/needs", verifiedPeople()},
		matrixRoute{"GET", "/needs/{need1}", only(resident, staff1, street, admin)},
		matrixRoute{"GET", "/needs/{need1}/photos/{photo1}", only(resident, staff1, street, admin)},
		matrixRoute{"GET", "/needs/{need2}", staffOf2()},
		matrixRoute{"POST", "/needs/{need1}/accept", staffOf1()},
		matrixRoute{"POST", "/needs/{need1}/decline", staffOf1()},
		matrixRoute{"POST", "/needs/{need1}/merge", staffOf1()},
		matrixRoute{"POST", "/needs/{need1}/dispatch", staffOf1()},
		matrixRoute{"POST", "/needs/{need1}/escalate", staffOf1()},
		matrixRoute{"POST", "/needs/{need1}/chase", staffOf1()},
		matrixRoute{"POST", "/needs/{need1}/recall", staffOf1()},
		matrixRoute{"POST", "/needs/{need2}/accept", staffOf2()},
		matrixRoute{"POST", "/needs/{need2}/decline", staffOf2()},
		matrixRoute{"POST", "/needs/{need1}/take", only()},
		matrixRoute{"POST", "/needs/{need1}/return", only()},
		matrixRoute{"POST", "/needs/{need1}/progress", only()},
		matrixRoute{"POST", "/needs/{need1}/complete", only()},
		matrixRoute{"POST", "/needs/{need1}/rate", only(resident)},
		matrixRoute{"POST", "/needs/{need1}/send-back", only(resident)},
		matrixRoute{"POST", "/needs/{need1}/support", only()},
		matrixRoute{"POST", "/needs/{need1}/report", only()},
		matrixRoute{"POST", "/needs/{need1}/rate-whistle", only()},
		matrixRoute{"GET", "/console/needs", staffAnywhere()},
		matrixRoute{"GET", "/console/needs?place={com1}", staffOf1()},
		matrixRoute{"GET", "/console/takers", staffAnywhere()},
		matrixRoute{"POST", "/console/takers", staffAnywhere()},
		matrixRoute{"GET", "/console/categories", only(admin)},
		matrixRoute{"POST", "/console/categories/{cat1}", only(admin)},
	)
}

// needsFixture files {need1} as the demo resident and {need2} as a new
// resident of community 2.
func needsFixture(t *testing.T, s *models.Store, ids matrixIDs) {
	t.Helper()
	cats, err := s.NeedCategories(bg, true)
	if err != nil || len(cats) == 0 {
		t.Fatalf("categories: %v", err)
	}
	setID(t, ids, "cat1", cats[0].ID)
	res := principalByPhone(t, s, actorPhones[resident])
	hh, _, err := s.Residency(bg, res.Account.ID)
	if err != nil || hh == nil {
		t.Fatalf("resident's household: %v", err)
	}
	ph, err := models.ProcessPhoto(testJPEG(t))
	if err != nil {
		t.Fatal(err)
	}
	n1, err := s.FileNeed(bg, res, models.NeedInput{CategoryID: cats[0].ID, PlaceID: *hh.ParentID, Description: "楼道里的灯坏了，晚上很黑。", Public: false}, []models.Photo{ph})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.NeedByID(bg, res, n1.ID)
	if err != nil || len(d.Photos) != 1 {
		t.Fatalf("need1 photos: %v", err)
	}
	setID(t, ids, "need1", n1.ID)
	setID(t, ids, "photo1", d.Photos[0].ID)

	com2, err := s.PlaceByID(bg, ids["com2"])
	if err != nil {
		t.Fatal(err)
	}
	homes, err := s.PlacesOfKind(bg, com2, models.KindHousehold)
	if err != nil || len(homes) == 0 {
		t.Fatalf("community 2 households: %v", err)
	}
	acct, err := s.CreateAccount(bg, models.AccountInput{Phone: "13800000097", Name: "和谐居民", Password: demo.Password, Confirm: demo.Password}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.GrantRoleAsSystem(bg, acct.ID, models.RoleResident, homes[0].ID); err != nil {
		t.Fatal(err)
	}
	res2 := principalByPhone(t, s, "13800000097")
	n2, err := s.FileNeed(bg, res2, models.NeedInput{CategoryID: cats[0].ID, PlaceID: *homes[0].ParentID, Description: "小区路灯不亮，晚上看不清路。", Public: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "need2", n2.ID)
}

func principalByPhone(t *testing.T, s *models.Store, phone string) *models.Principal {
	t.Helper()
	acct, err := s.AccountByPhone(bg, phone)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.LoadPrincipal(bg, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
