package web_test

import (
	"testing"

	"yishi/models"
)

func init() {
	matrix = append(matrix,
		// Resources: the public list, registration, the console queue.
		matrixRoute{"GET", "/resources", everyone()},
		matrixRoute{"GET", "/resources/new", signedIn()},
		matrixRoute{"GET", "/console/resources", staffAnywhere()},
		matrixRoute{"POST", "/console/resources/{offerPending1}/verify", staffOf1()},
		// staff2 registered {offerPending2} and may not verify it themselves.
		matrixRoute{"POST", "/console/resources/{offerPending2}/verify", streetAndAdmin()},
		matrixRoute{"POST", "/console/resources/{offerShared1}/verify", staffOf1()},
		matrixRoute{"POST", "/console/resources/{offer1}/withdraw", staffOf1()},
		matrixRoute{"POST", "/console/resources/{offerPending2}/withdraw", staffOf2()},
		matrixRoute{"POST", "/console/resources/{offerShared1}/withdraw", staffOf1()},
		// Projects: public once out of draft; drafts and every step for
		// staff of the project's place.
		matrixRoute{"GET", "/projects", everyone()},
		matrixRoute{"GET", "/projects/new", staffAnywhere()},
		matrixRoute{"GET", "/projects/{projectDraft1}", staffOf1()},
		matrixRoute{"GET", "/projects/{projectDraft2}", staffOf2()},
		matrixRoute{"GET", "/projects/{projectWork1}", everyone()},
		matrixRoute{"GET", "/projects/{projectAccepted1}", everyone()},
		matrixRoute{"GET", "/projects/{projectWork1}/photos/{projectPhoto1}", everyone()},
		matrixRoute{"GET", "/projects/{projectAwaiting1}/accept", staffOf1()},
		matrixRoute{"GET", "/projects/{projectAccepted1}/publish", staffOf1()},
		matrixRoute{"POST", "/projects", staffAnywhere()},
		matrixRoute{"POST", "/projects/{projectWork1}/offers", staffOf1()},
		matrixRoute{"POST", "/projects/{projectDraft2}/offers", staffOf2()},
		matrixRoute{"POST", "/projects/{projectDraft1}/open-call", staffOf1()},
		matrixRoute{"POST", "/projects/{projectDraft2}/open-call", staffOf2()},
		matrixRoute{"POST", "/projects/{projectDraft1}/start", staffOf1()},
		matrixRoute{"POST", "/projects/{projectCall1}/pick", staffOf1()},
		matrixRoute{"POST", "/projects/{projectCall1}/apply", only()}, // only social organisations' accounts
		matrixRoute{"POST", "/projects/{projectWork1}/milestones", staffOf1()},
		matrixRoute{"POST", "/projects/{projectDraft2}/milestones", staffOf2()},
		matrixRoute{"POST", "/projects/{projectWork1}/milestones/{milestone1}/done", staffOf1()},
		matrixRoute{"POST", "/projects/{projectWork1}/progress", staffOf1()},
		matrixRoute{"POST", "/projects/{projectWork1}/submit", staffOf1()},
		matrixRoute{"POST", "/projects/{projectAwaiting1}/accept", staffOf1()},
		matrixRoute{"POST", "/projects/{projectAccepted1}/close", staffOf1()},
		matrixRoute{"POST", "/projects/{projectAccepted1}/publish", staffOf1()},
		matrixRoute{"POST", "/projects/{projectAccepted1}/rate", verifiedPeople()}, // residents of its building
	)
	matrixFixtures = append(matrixFixtures, projectsFixture)
}

// projectsFixture finds the demo's offers and projects in community 1
// (one of each stage) and adds, in community 2, a pending offer and a
// draft project made by staff2.
func projectsFixture(t *testing.T, s *models.Store, ids matrixIDs) {
	t.Helper()
	db := s.Tx(bg)
	var pending, verified models.Offer
	if err := db.Where("status = ?", models.OfferPending).Order("id").First(&pending).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Where("status = ?", models.OfferVerified).Order("id").First(&verified).Error; err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "offerPending1", pending.ID)
	setID(t, ids, "offer1", verified.ID)
	byStatus := map[models.ProjectStatus]string{
		models.ProjectDraft: "projectDraft1", models.ProjectOpenCall: "projectCall1", models.ProjectInProgress: "projectWork1",
		models.ProjectAwaitingAcceptance: "projectAwaiting1", models.ProjectAccepted: "projectAccepted1",
	}
	var projects []models.Project
	if err := db.Order("id").Find(&projects).Error; err != nil {
		t.Fatal(err)
	}
	for _, p := range projects {
		ids[byStatus[p.Status]] = p.ID
	}
	var m models.ProjectMilestone
	if err := db.Where("project_id = ? AND done_at IS NULL", ids["projectWork1"]).First(&m).Error; err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "milestone1", m.ID)
	var ph models.ProjectPhoto
	if err := db.Where("project_id = ?", ids["projectWork1"]).First(&ph).Error; err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "projectPhoto1", ph.ID)

	acct, err := s.AccountByPhone(bg, actorPhones[staff2])
	if err != nil {
		t.Fatal(err)
	}
	p2, err := s.LoadPrincipal(bg, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	o2, err := s.RegisterOffer(bg, p2, 0, models.ProviderInput{Kind: models.ProviderUnit, Name: "二社区共建单位", Phone: "13700000002", PlaceID: ids["com2"]},
		models.OfferInput{Kind: models.OfferVenue, Title: "二社区活动室", Capacity: 20, CapacityUnit: "人", PlaceIDs: []uint64{ids["com2"]}, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "offerPending2", o2.ID)
	// {offerShared1}: a community 1 provider's pending offer that serves
	// community 2 too; verifying or withdrawing it is for community 1's
	// staff, not community 2's.
	// Its provider is a resident outside the matrix's actors.
	shared, err := s.RegisterOffer(bg, principalByPhone(t, s, "13800000005"), 0,
		models.ProviderInput{Kind: models.ProviderVolunteerTeam, Name: "一社区志愿队", Phone: "13800000005", PlaceID: ids["com1"]},
		models.OfferInput{Kind: models.OfferHours, Title: "两社区助老", Capacity: 50, CapacityUnit: "小时", PlaceIDs: []uint64{ids["com1"], ids["com2"]}, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "offerShared1", shared.ID)
	pr2, err := s.CreateProject(bg, p2, models.ProjectInput{Title: "二社区项目", PlaceID: ids["com2"], SourceType: models.ResolutionSource, SourceID: 1})
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "projectDraft2", pr2.ID)
}
