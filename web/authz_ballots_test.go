package web_test

import (
	"testing"
	"time"

	"yishi/models"
)

func init() {
	matrix = append(matrix,
		// Ballots: public pages, the vote and the meter.
		matrixRoute{"GET", "/ballots", everyone()},
		matrixRoute{"GET", "/ballots?status=open&place={com1}", everyone()},
		matrixRoute{"GET", "/ballots/{ballotOpen1}", everyone()},
		matrixRoute{"GET", "/ballots/{ballotClosed1}", everyone()},
		matrixRoute{"GET", "/ballots/{ballotClosed1}?receipt=NOSUCHCODE", everyone()},
		matrixRoute{"GET", "/ballots/{ballotSched1}", everyone()},
		matrixRoute{"GET", "/ballots/{ballotClosed1}/board.json", everyone()},
		matrixRoute{"GET", "/ballots/{ballotClosed1}/result.xlsx", everyone()},
		matrixRoute{"GET", "/ballots/{ballotOpen1}/candidates/{ballotCand1}/photos/{ballotPhoto1}", everyone()},
		matrixRoute{"POST", "/ballots/{ballotOpen1}/vote", verifiedPeople()}, // on the roll of community 1
		matrixRoute{"POST", "/ballots/{ballotOpen1}/meter", signedIn()},
		// The console.
		matrixRoute{"GET", "/console/ballots", staffAnywhere()},
		matrixRoute{"GET", "/console/ballots/new", staffAnywhere()},
		matrixRoute{"POST", "/console/ballots", staffAnywhere()},
		matrixRoute{"GET", "/console/ballots/{ballotOpen1}", staffOf1()},
		matrixRoute{"GET", "/console/ballots/{ballotClosed1}", staffOf1()},
		matrixRoute{"GET", "/console/ballots/{ballotSched1}", staffOf1()},
		matrixRoute{"GET", "/console/ballots/{ballot2}", staffOf2()},
		matrixRoute{"POST", "/console/ballots/{ballotSched1}", staffOf1()},
		matrixRoute{"POST", "/console/ballots/{ballot2}", staffOf2()},
		matrixRoute{"POST", "/console/ballots/{ballotSched1}/candidates", staffOf1()},
		matrixRoute{"POST", "/console/ballots/{ballot2}/candidates", staffOf2()},
		matrixRoute{"POST", "/console/ballots/{ballotSched1}/candidates/{ballotSchedCand1}/remove", staffOf1()},
		matrixRoute{"POST", "/console/ballots/{ballotSched1}/open", staffOf1()},
		matrixRoute{"POST", "/console/ballots/{ballot2}/open", staffOf2()},
		matrixRoute{"POST", "/console/ballots/{ballotOpen1}/amend", staffOf1()},
		matrixRoute{"GET", "/console/ballots/{ballotOpen1}/paper", staffOf1()},
		matrixRoute{"POST", "/console/ballots/{ballotOpen1}/paper", staffOf1()},
		matrixRoute{"POST", "/console/ballots/{ballotOpen1}/paper/{ballotPaper1}/confirm", staffOf1()},
		matrixRoute{"GET", "/console/ballots/{ballotOpen1}/kiosk", staffOf1()},
		matrixRoute{"POST", "/console/ballots/{ballotOpen1}/kiosk", staffOf1()},
		matrixRoute{"GET", "/console/ballots/{ballotOpen1}/kiosk/vote", staffOf1()},
		matrixRoute{"POST", "/console/ballots/{ballotOpen1}/kiosk/vote", staffOf1()},
		matrixRoute{"POST", "/console/ballots/{ballotOpen1}/kiosk/start", staffOf1()},
		matrixRoute{"POST", "/console/ballots/{ballotClosed1}/publish", staffOf1()},
		matrixRoute{"POST", "/console/ballots/{ballotClosed1}/fund", staffOf1()},
		matrixRoute{"GET", "/console/candidates", staffAnywhere()},
		matrixRoute{"POST", "/console/candidates", staffAnywhere()},
		matrixRoute{"POST", "/console/candidates/{ballotCand1}/review", staffOf1()},
		matrixRoute{"POST", "/console/candidates/{ballotCand2}/review", staffOf2()},
	)
	matrixFixtures = append(matrixFixtures, ballotsFixture)
}

// ballotsFixture finds the demo's open, closed and scheduled ballots in
// community 1, gives a candidate of the open one a photo and enters a
// paper ballot there awaiting confirmation, and has staff2 define a
// scheduled ballot with a candidate in community 2.
func ballotsFixture(t *testing.T, s *models.Store, ids matrixIDs) {
	t.Helper()
	for name, st := range map[string]models.BallotStatus{"ballotOpen1": models.BallotOpen, "ballotClosed1": models.BallotClosed, "ballotSched1": models.BallotScheduled} {
		list, _, err := s.Ballots(bg, models.BallotQuery{Status: st, PlaceID: ids["com1"]})
		if err != nil || len(list) == 0 {
			t.Fatalf("no %s ballot in community 1: %v", st, err)
		}
		setID(t, ids, name, list[0].ID)
	}
	open, err := s.BallotOptions(bg, ids["ballotOpen1"])
	if err != nil || len(open) == 0 {
		t.Fatalf("open ballot candidates: %v", err)
	}
	setID(t, ids, "ballotCand1", open[0].ID)
	ph := models.CandidatePhoto{CandidateID: open[0].ID, ContentType: "image/png", Data: []byte("\x89PNG\r\n\x1a\n"), Width: 1, Height: 1, CreatedAt: s.Now()}
	if err := s.Tx(bg).Create(&ph).Error; err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "ballotPhoto1", ph.ID)
	sched, err := s.BallotOptions(bg, ids["ballotSched1"])
	if err != nil || len(sched) == 0 {
		t.Fatalf("scheduled ballot candidates: %v", err)
	}
	setID(t, ids, "ballotSchedCand1", sched[0].ID)

	staff1P := principalByPhone(t, s, actorPhones[staff1])
	roll, _, err := s.Roll(bg, staff1P, ids["ballotOpen1"], "", 1, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roll {
		if r.Channel == "" && r.VoterKey[0] == 'r' {
			pv, _, err := s.EnterPaperVote(bg, staff1P, ids["ballotOpen1"], r.VoterKey, models.Choices{open[0].ID})
			if err != nil {
				t.Fatal(err)
			}
			setID(t, ids, "ballotPaper1", pv.ID)
			break
		}
	}
	if _, ok := ids["ballotPaper1"]; !ok {
		t.Fatal("no roster resident left for a paper ballot")
	}

	staff2P := principalByPhone(t, s, actorPhones[staff2])
	var cands []models.Candidate
	for _, title := range []string{"二社区路灯维修", "二社区座椅更新"} {
		c, err := s.CreateCandidate(bg, staff2P, models.CandidateInput{PlaceID: ids["com2"], Title: title, CostFen: 10_000_00, Kind: models.CandidateGoods}, nil)
		if err != nil {
			t.Fatal(err)
		}
		cands = append(cands, c)
	}
	setID(t, ids, "ballotCand2", cands[0].ID)
	b, err := s.CreateBallot(bg, staff2P, models.BallotInput{PlaceID: ids["com2"], Title: "二社区票决", Electorate: models.ElectorateAdults,
		Method: models.MethodSingle, OpensAt: s.Now().Add(24 * time.Hour), ClosesAt: s.Now().Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "ballot2", b.ID)
}
