package web_test

import (
	"testing"
	"time"

	"yishi/models"
)

// The councils pages and steps. {council1} is the demo council of community
// 1 (convened by the convener, community 1's staff member its secretary),
// {topic1} a topic submitted in it by a member who is none of the actors,
// {meeting1} a draft meeting of it with an agenda item {item1} carrying
// research with a file {research1}, {meeting2} the demo's announced
// meeting, opened, with a motion {motion1} being voted on; {council2} a
// council of community 2.
func init() {
	matrixFixtures = append(matrixFixtures, councilsFixture)
	runners := only(convener, staff1, street, admin)
	viewers := only(resident, convener, staff1, street, admin)
	proposers := only(resident, convener, staff1)
	members := only(convener, staff1) // the convener and the secretary sit on the council
	matrix = append(matrix,
		matrixRoute{"GET", "/councils", signedIn()},
		matrixRoute{"GET", "/councils?need={need1}", only(resident, staff1, street, admin)},
		matrixRoute{"GET", "/councils/new", staffAnywhere()},
		matrixRoute{"POST", "/councils", staffAnywhere()},
		matrixRoute{"GET", "/councils/{council1}", viewers},
		matrixRoute{"GET", "/councils/{council1}?status=accepted", viewers},
		matrixRoute{"GET", "/councils/{council2}", staffOf2()},
		matrixRoute{"POST", "/councils/{council1}/rules", staffOf1()},
		matrixRoute{"POST", "/councils/{council1}/members", staffOf1()},
		matrixRoute{"POST", "/councils/{council1}/members/{member1}/remove", staffOf1()},
		matrixRoute{"POST", "/councils/{council2}/rules", staffOf2()},
		matrixRoute{"POST", "/councils/{council1}/name", staffOf1()},
		matrixRoute{"POST", "/councils/{council2}/name", staffOf2()},
		matrixRoute{"GET", "/councils/{council1}/topics/new", proposers},
		matrixRoute{"POST", "/councils/{council1}/topics", proposers},
		matrixRoute{"POST", "/councils/{council1}/meetings", runners},
		matrixRoute{"GET", "/topics/{topic1}", viewers},
		matrixRoute{"POST", "/topics/{topic1}/cosign", proposers},
		matrixRoute{"POST", "/topics/{topic1}/accept", runners},
		matrixRoute{"POST", "/topics/{topic1}/merge", runners},
		matrixRoute{"POST", "/topics/{topic1}/decline", runners},
		matrixRoute{"GET", "/meetings/{meeting1}", runners},
		matrixRoute{"GET", "/meetings/{meeting2}", viewers},
		matrixRoute{"POST", "/meetings/{meeting1}", runners},
		matrixRoute{"POST", "/meetings/{meeting1}/agenda", runners},
		matrixRoute{"POST", "/meetings/{meeting1}/agenda/{item1}/up", runners},
		matrixRoute{"POST", "/meetings/{meeting1}/agenda/{item1}/down", runners},
		matrixRoute{"POST", "/meetings/{meeting1}/agenda/{item1}/time", runners},
		matrixRoute{"POST", "/meetings/{meeting1}/agenda/{item1}/remove", runners},
		matrixRoute{"POST", "/meetings/{meeting1}/agenda/{item1}/research", runners},
		matrixRoute{"GET", "/meetings/{meeting1}/research/{research1}", runners},
		matrixRoute{"POST", "/meetings/{meeting1}/announce", runners},
		matrixRoute{"POST", "/meetings/{meeting1}/postpone", runners},
		matrixRoute{"POST", "/meetings/{meeting1}/cancel", runners},
		matrixRoute{"POST", "/meetings/{meeting2}/postpone", runners},
		matrixRoute{"POST", "/meetings/{meeting2}/cancel", runners},
		// {meeting2} in session, with {motion1} being voted on.
		matrixRoute{"POST", "/meetings/{meeting2}/open", runners},
		matrixRoute{"POST", "/meetings/{meeting2}/close", runners},
		matrixRoute{"POST", "/meetings/{meeting2}/checkin", members},
		matrixRoute{"POST", "/meetings/{meeting2}/attendance", runners},
		matrixRoute{"POST", "/meetings/{meeting2}/motions", runners},
		matrixRoute{"POST", "/meetings/{meeting2}/motions/{motion1}/open", runners},
		matrixRoute{"POST", "/meetings/{meeting2}/motions/{motion1}/close", runners},
		matrixRoute{"POST", "/meetings/{meeting2}/motions/{motion1}/withdraw", runners},
		matrixRoute{"POST", "/meetings/{meeting2}/motions/{motion1}/vote", members},
		matrixRoute{"POST", "/meetings/{meeting2}/motions/{motion1}/hands", runners},
		matrixRoute{"GET", "/meetings/{meeting2}/projector", viewers},
		matrixRoute{"GET", "/meetings/{meeting1}/projector", runners},
		matrixRoute{"GET", "/meetings/{meeting2}/live", viewers},
		matrixRoute{"GET", "/meetings/{meeting1}/live", runners},
	)
}

func councilsFixture(t *testing.T, s *models.Store, ids matrixIDs) {
	t.Helper()
	conv := principalByPhone(t, s, actorPhones[convener])
	v := demoCouncil(t, s)
	council := v.ID
	setID(t, ids, "council1", council)
	setID(t, ids, "member1", v.Members[len(v.Members)-1].ID)
	meetings, _, err := s.CouncilMeetings(bg, v, 1, 10)
	if err != nil || len(meetings) == 0 || meetings[0].Status != models.MeetingAnnounced {
		t.Fatalf("demo meeting: %v", err)
	}
	setID(t, ids, "meeting2", meetings[0].ID)
	startSoon(t, s, meetings[0].ID)
	if _, err := s.OpenMeeting(bg, conv, meetings[0].ID); err != nil {
		t.Fatal(err)
	}
	m2, err := s.MeetingByID(bg, conv, meetings[0].ID)
	if err != nil || len(m2.Items) == 0 {
		t.Fatalf("demo meeting's agenda: %v", err)
	}
	mo, err := s.AddMotion(bg, conv, m2.ID, models.MotionInput{AgendaItemID: m2.Items[0].ID, Text: "同意按调研方案实施。"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MotionStep(bg, conv, m2.ID, mo.ID, models.MotionActOpen); err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "motion1", mo.ID)

	member := principalByPhone(t, s, "13800000006")
	tp, err := s.SubmitTopic(bg, member, council, models.TopicInput{Title: "楼道堆物清理", Body: "楼道里堆放杂物，影响消防安全，建议议事会讨论清理办法。"})
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "topic1", tp.ID)
	onAgenda, err := s.SubmitTopic(bg, member, council, models.TopicInput{Title: "健身器材维修", Body: "小区健身器材扶手断了，建议议事会研究维修。"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptTopic(bg, conv, onAgenda.ID); err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMeeting(bg, conv, council, models.MeetingInput{Title: "临时议事会", StartsAt: s.Now().Add(10 * 24 * time.Hour), Location: "社区活动室"})
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "meeting1", m.ID)
	if err := s.AddAgendaItem(bg, conv, m.ID, onAgenda.ID, 15); err != nil {
		t.Fatal(err)
	}
	mv, err := s.MeetingByID(bg, conv, m.ID)
	if err != nil || len(mv.Items) != 1 {
		t.Fatalf("agenda: %v", err)
	}
	setID(t, ids, "item1", mv.Items[0].ID)
	r, err := s.AddResearch(bg, conv, m.ID, mv.Items[0].ID, models.ResearchInput{Note: "现场查看", FileName: "照片说明.txt", FileType: "text/plain", FileData: []byte("扶手断裂两处")})
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "research1", r.ID)

	staff := principalByPhone(t, s, actorPhones[staff2])
	c2, err := s.CreateCouncil(bg, staff, models.CouncilInput{PlaceID: ids["com2"], Kind: models.CouncilJoint, Name: "和谐社区物居业联席会议"})
	if err != nil {
		t.Fatal(err)
	}
	setID(t, ids, "council2", c2.ID)
}
