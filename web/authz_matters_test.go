package web_test

import (
	"testing"

	"yishi/models"
	"yishi/models/demo"
)

// Village matters. {matter1} is the demo matter of 桃源村, a village under
// the street that none of the community actors has to do with; {chain1} a
// chain the village's staff defined for it. Street staff and the admin
// manage councils at the village; community staff may register matters and
// define chains only where they have a village (they have none).
func init() {
	matrixFixtures = append(matrixFixtures, mattersFixture)
	matrix = append(matrix,
		matrixRoute{"GET", "/matters", signedIn()},
		matrixRoute{"GET", "/matters/new", staffAnywhere()},
		matrixRoute{"POST", "/matters", staffAnywhere()},
		matrixRoute{"GET", "/matters/chains", staffAnywhere()},
		matrixRoute{"GET", "/matters/chains/new", staffAnywhere()},
		matrixRoute{"POST", "/matters/chains", staffAnywhere()},
		matrixRoute{"GET", "/matters/chains/{chain1}", streetAndAdmin()},
		matrixRoute{"POST", "/matters/chains/{chain1}", streetAndAdmin()},
		matrixRoute{"GET", "/matters/{matter1}", streetAndAdmin()},
		matrixRoute{"GET", "/matters/{matter1}/print", streetAndAdmin()},
		matrixRoute{"POST", "/matters/{matter1}/steps/4", streetAndAdmin()},
	)
}

func mattersFixture(t *testing.T, s *models.Store, ids matrixIDs) {
	t.Helper()
	vstaff := principalByPhone(t, s, demo.VillageStaff.Phone)
	list, _, err := s.Matters(bg, vstaff, 1, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("demo matter: %v %v", list, err)
	}
	setID(t, ids, "matter1", list[0].ID)
	pr, err := s.CreateProcedure(bg, vstaff, models.ProcedureInput{PlaceID: list[0].PlaceID, Name: "简易程序", Steps: []models.ProcedureStepInput{
		{Name: "两委商议", Kind: models.StepMeeting, CouncilKind: models.CouncilTwoCommittees}, {Name: "结果公开", Kind: models.StepPublication},
	}})
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "chain1", pr.ID)
}
