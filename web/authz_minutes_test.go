package web_test

import (
	"testing"
	"time"

	"yishi/models"
)

// The minutes pages and steps. {minutes_past} is the demo council's past
// meeting, whose minutes are signed and published; {minutes_draft} a meeting
// of the same council held and closed by the fixture, with its minutes
// started as a draft. The convener and the secretary (community 1's staff
// member) sit on the council; street staff and the admin manage it.
func init() {
	matrixFixtures = append(matrixFixtures, minutesFixture)
	runners := only(convener, staff1, street, admin)
	viewers := only(resident, convener, staff1, street, admin)
	matrix = append(matrix,
		matrixRoute{"GET", "/meetings/{minutes_past}/minutes", viewers},
		matrixRoute{"GET", "/meetings/{minutes_past}/minutes/print", viewers},
		matrixRoute{"POST", "/meetings/{minutes_past}/minutes/amend", runners},
		// Drafts: the page says they are being prepared to residents, who
		// may not read or print them.
		matrixRoute{"GET", "/meetings/{minutes_draft}/minutes", viewers},
		matrixRoute{"GET", "/meetings/{minutes_draft}/minutes/print", runners},
		matrixRoute{"POST", "/meetings/{minutes_draft}/minutes", runners},
		matrixRoute{"POST", "/meetings/{minutes_draft}/minutes/start", runners},
		matrixRoute{"POST", "/meetings/{minutes_draft}/minutes/finalise", runners},
		matrixRoute{"POST", "/meetings/{minutes_draft}/minutes/return", only(convener)},
		matrixRoute{"POST", "/meetings/{minutes_draft}/minutes/sign", only(convener)},
		matrixRoute{"POST", "/meetings/{minutes_draft}/minutes/publish", runners},
	)
}

func minutesFixture(t *testing.T, s *models.Store, ids matrixIDs) {
	t.Helper()
	conv := principalByPhone(t, s, actorPhones[convener])
	council, ok := ids["council1"] // set by the councils' fixture, which runs first
	if !ok {
		t.Fatal("no {council1}: the councils' fixture did not run before the minutes' one")
	}
	v, err := s.CouncilByID(bg, conv, council)
	if err != nil {
		t.Fatal(err)
	}
	ms, _, err := s.CouncilMeetings(bg, v, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Status == models.MeetingClosed {
			setID(t, ids, "minutes_past", m.ID)
		}
	}
	tp, err := s.SubmitTopic(bg, principalByPhone(t, s, "13800000007"), v.ID, models.TopicInput{Title: "小区路灯维修", Body: "小区北门路灯坏了一个多月，晚上出行不安全。"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptTopic(bg, conv, tp.ID); err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMeeting(bg, conv, v.ID, models.MeetingInput{Title: "临时议事会（路灯）", StartsAt: s.Now().Add(8 * 24 * time.Hour), Location: "社区活动室"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddAgendaItem(bg, conv, m.ID, tp.ID, 15); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnnounceMeeting(bg, conv, m.ID, time.UTC); err != nil {
		t.Fatal(err)
	}
	startSoon(t, s, m.ID)
	if _, err := s.OpenMeeting(bg, conv, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseMeeting(bg, conv, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartMinutes(bg, conv, m.ID); err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "minutes_draft", m.ID)
}
