package web_test

import (
	"testing"

	"yishi/models"
	"yishi/models/demo"
)

// Notices in the authorization matrix: the bulletin is everyone's; filing
// an objection is for verified residents of the notice's place; the console
// pages of a notice are for staff of its place only.
func init() {
	matrixFixtures = append(matrixFixtures, noticeFixture)
	matrix = append(matrix,
		matrixRoute{"GET", "/notices", everyone()},
		matrixRoute{"GET", "/notices?place={com1}", everyone()},
		matrixRoute{"GET", "/notices/{notice1}", everyone()},
		matrixRoute{"GET", "/notices/{notice2}", everyone()},
		matrixRoute{"GET", "/notices/{notice1}/print", everyone()},
		matrixRoute{"GET", "/notices/{notice1}/qr.png", everyone()},
		matrixRoute{"POST", "/notices/{notice1}/objections", verifiedPeople()},
		matrixRoute{"POST", "/notices/{notice2}/objections", only()}, // no actor lives in community 2
		matrixRoute{"GET", "/console/notices", staffAnywhere()},
		matrixRoute{"GET", "/console/notices/new", staffAnywhere()},
		matrixRoute{"POST", "/console/notices", staffAnywhere()},
		matrixRoute{"GET", "/console/notices/{draft1}", staffOf1()},
		matrixRoute{"GET", "/console/notices/{draft2}", staffOf2()},
		matrixRoute{"GET", "/console/notices/{notice1}", staffOf1()},
		matrixRoute{"GET", "/console/notices/{notice2}", staffOf2()},
		matrixRoute{"POST", "/console/notices/{draft1}", staffOf1()},
		matrixRoute{"POST", "/console/notices/{draft2}", staffOf2()},
		matrixRoute{"POST", "/console/notices/{draft1}/publish", staffOf1()},
		matrixRoute{"POST", "/console/notices/{draft2}/publish", staffOf2()},
		matrixRoute{"POST", "/console/notices/{notice1}/withdraw", staffOf1()},
		matrixRoute{"POST", "/console/notices/{notice2}/withdraw", staffOf2()},
		matrixRoute{"POST", "/console/notices/{notice1}/objections/{objection1}/answer", staffOf1()},
		matrixRoute{"POST", "/console/notices/{notice2}/objections/{objection2}/answer", staffOf2()},
	)
}

// noticeFixture adds, in each of communities 1 and 2, a draft (draft1,
// draft2) and a published notice that takes objections (notice1, notice2),
// each published one with an unanswered objection (objection1 by the demo
// resident of community 1, objection2 by a resident of community 2 made
// here).
func noticeFixture(t *testing.T, s *models.Store, ids matrixIDs) {
	t.Helper()
	staff := map[string]*models.Principal{
		"1": principalByPhone(t, s, actorPhones[staff1]),
		"2": principalByPhone(t, s, actorPhones[staff2]),
	}
	places := map[string]uint64{"1": ids["com1"], "2": ids["com2"]}
	for _, k := range []string{"1", "2"} {
		in := models.NoticeInput{PlaceID: places[k], Title: "矩阵公示" + k, Body: "正文", PeriodDays: 7, AllowObjections: true}
		d, err := s.CreateNotice(bg, staff[k], in)
		if err != nil {
			t.Fatal(err)
		}
		setID(t, ids, "draft"+k, d.ID)
		n, err := s.CreateNotice(bg, staff[k], in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublishNotice(bg, staff[k], n.ID); err != nil {
			t.Fatal(err)
		}
		setID(t, ids, "notice"+k, n.ID)
	}
	com2, err := s.PlaceByID(bg, ids["com2"])
	if err != nil {
		t.Fatal(err)
	}
	hhs, err := s.PlacesOfKind(bg, com2, models.KindHousehold)
	if err != nil || len(hhs) == 0 {
		t.Fatalf("households of community 2: %v", err)
	}
	acct, err := s.CreateAccount(bg, models.AccountInput{Phone: "13700000088", Name: "二社区居民", Password: demo.Password, Confirm: demo.Password}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.GrantRoleAsSystem(bg, acct.ID, models.RoleResident, hhs[0].ID); err != nil {
		t.Fatal(err)
	}
	objectors := map[string]uint64{"2": acct.ID}
	res, err := s.AccountByPhone(bg, actorPhones[resident])
	if err != nil {
		t.Fatal(err)
	}
	objectors["1"] = res.ID
	for _, k := range []string{"1", "2"} {
		p, err := s.LoadPrincipal(bg, objectors[k])
		if err != nil {
			t.Fatal(err)
		}
		o, err := s.FileObjection(bg, p, ids["notice"+k], "矩阵异议")
		if err != nil {
			t.Fatal(err)
		}
		setID(t, ids, "objection"+k, o.ID)
	}
}
