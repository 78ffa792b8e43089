package web_test

import (
	"testing"
	"time"

	"yishi/models"
)

// The resolutions' pages and steps. {resolution1} is a resolution of the
// demo council adopted by a show of hands at a meeting the fixture holds,
// still waiting for an owner; the proposer of its topic is a member who is
// none of the actors.
func init() {
	matrixFixtures = append(matrixFixtures, resolutionsFixture)
	runners := only(convener, staff1, street, admin)
	viewers := only(resident, convener, staff1, street, admin)
	raters := only(resident, convener, staff1) // residents of the place and members
	matrix = append(matrix,
		matrixRoute{"GET", "/resolutions/{resolution1}", viewers},
		matrixRoute{"POST", "/resolutions/{resolution1}/assign", runners},
		matrixRoute{"POST", "/resolutions/{resolution1}/progress", runners},
		matrixRoute{"POST", "/resolutions/{resolution1}/done", runners},
		matrixRoute{"POST", "/resolutions/{resolution1}/abandon", runners},
		matrixRoute{"POST", "/resolutions/{resolution1}/rate", raters},
		// Spawning goes through the project and ballot forms, for staff
		// who run the council and manage projects or ballots there.
		matrixRoute{"GET", "/projects/new?resolution={resolution1}", staffOf1()},
		matrixRoute{"GET", "/console/ballots/new?resolution={resolution1}", staffOf1()},
	)
}

func resolutionsFixture(t *testing.T, s *models.Store, ids matrixIDs) {
	t.Helper()
	setID(t, ids, "resolution1", adoptResolution(t, s, "同意更换小区路灯。"))
}

// adoptResolution holds a meeting of the demo council with one topic, every
// member present, and adopts a motion of text by a show of hands; it
// returns the motion's resolution.
func adoptResolution(t *testing.T, s *models.Store, text string) uint64 {
	t.Helper()
	conv := principalByPhone(t, s, actorPhones[convener])
	council := demoCouncil(t, s).ID
	tp, err := s.SubmitTopic(bg, principalByPhone(t, s, "13800000006"), council, models.TopicInput{Title: "小区路灯不亮", Body: "小区东门到3号楼的路灯坏了半个月，晚上出行不安全。"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptTopic(bg, conv, tp.ID); err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMeeting(bg, conv, council, models.MeetingInput{Title: "路灯专题议事会", StartsAt: s.Now().Add(10 * 24 * time.Hour), Location: "社区活动室"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddAgendaItem(bg, conv, m.ID, tp.ID, 20); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnnounceMeeting(bg, conv, m.ID, time.UTC); err != nil {
		t.Fatal(err)
	}
	startSoon(t, s, m.ID)
	if _, err := s.OpenMeeting(bg, conv, m.ID); err != nil {
		t.Fatal(err)
	}
	v, err := s.MeetingByID(bg, conv, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, mb := range v.Council.Members {
		if err := s.MarkPresent(bg, conv, m.ID, mb.AccountID); err != nil {
			t.Fatal(err)
		}
	}
	mo, err := s.AddMotion(bg, conv, m.ID, models.MotionInput{AgendaItemID: v.Items[0].ID, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MotionStep(bg, conv, m.ID, mo.ID, models.MotionActOpen); err != nil {
		t.Fatal(err)
	}
	if v, err = s.MeetingByID(bg, conv, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordHands(bg, conv, m.ID, mo.ID, models.Hands{For: v.Quorum.Present}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.MotionStep(bg, conv, m.ID, mo.ID, models.MotionActClose); err != nil || got.Status != models.MotionAdopted {
		t.Fatalf("adopt: %+v %v", got, err)
	}
	if v, err = s.MeetingByID(bg, conv, m.ID); err != nil || v.Resolutions[mo.ID] == 0 {
		t.Fatalf("no resolution: %v", err)
	}
	return v.Resolutions[mo.ID]
}
