package models_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// councilFixture is a residents' council of community 1 with a convener
// (not staff), a member and a guest, and the need fixture's residents.
type councilFixture struct {
	*needFixture
	council                 models.Council
	convener, member, guest *models.Principal
}

func newCouncilFixture(t *testing.T, s *models.Store) *councilFixture {
	t.Helper()
	f := &councilFixture{needFixture: newNeedFixture(t, s)}
	var err error
	if f.council, err = s.CreateCouncil(bg, f.staff1, models.CouncilInput{PlaceID: f.com1.ID, Kind: models.CouncilResidents, Name: "一社区居民议事会"}); err != nil {
		t.Fatal(err)
	}
	seat := func(phone, name string, role models.MemberRole) *models.Principal {
		a := mustAccount(t, s, phone, name)
		if _, err := s.AddCouncilMember(bg, f.staff1, f.council.ID, phone, role); err != nil {
			t.Fatal(err)
		}
		return principal(t, s, a.ID)
	}
	f.convener = seat("13900000030", "召集人", models.MemberConvener)
	f.member = seat("13900000031", "委员", models.MemberRegular)
	f.guest = seat("13900000032", "列席", models.MemberGuest)
	return f
}

func (f *councilFixture) topic(t *testing.T, s *models.Store, title string) models.Topic {
	t.Helper()
	tp, err := s.SubmitTopic(bg, f.filer, f.council.ID, models.TopicInput{Title: title, Body: "小区停车难，晚上车都停在消防通道上。"})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// accepted is a topic submitted to the fixture's council and accepted for
// an agenda.
func (f *councilFixture) accepted(t *testing.T, s *models.Store, title string) models.Topic {
	t.Helper()
	tp := f.topic(t, s, title)
	if _, err := s.AcceptTopic(bg, f.convener, tp.ID); err != nil {
		t.Fatal(err)
	}
	return tp
}

func inboxKeys(t *testing.T, s *models.Store, p *models.Principal) []string {
	t.Helper()
	var out []string
	for _, n := range inbox(t, s, p) {
		out = append(out, n.Key)
	}
	return out
}

func TestCouncilSetUpMembersAndRules(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		// Staff of another community set up nothing here.
		if _, err := s.CreateCouncil(bg, f.staff2, models.CouncilInput{PlaceID: f.com1.ID, Kind: models.CouncilJoint, Name: "联席会议"}); err == nil {
			t.Fatal("staff of community 2 set up a council in community 1")
		}
		if _, err := s.CreateCouncil(bg, f.staff1, models.CouncilInput{PlaceID: f.hh1.ID, Kind: models.CouncilOther, Name: "一户"}); err == nil {
			t.Fatal("a council at a household")
		}
		if err := s.SetCouncilRules(bg, f.convener, f.council.ID, models.DefaultCouncilRules); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("the convener set the rules: %v", err)
		}
		rules := models.CouncilRules{Quorum: models.Fraction{Num: 3, Den: 4}, Pass: models.PassTwoThirds, NoticeDays: 5}
		if err := s.SetCouncilRules(bg, f.staff1, f.council.ID, rules); err != nil {
			t.Fatal(err)
		}
		v, err := s.CouncilByID(bg, f.member, f.council.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Rules() != rules || len(v.Members) != 3 || v.Voting() != 2 || v.Members[0].Role != models.MemberConvener || v.Run || v.MyRole != models.MemberRegular {
			t.Fatalf("council as the member sees it: %+v", v)
		}
		// More than half (过半数) is kept as such, and set back to at
		// least a share again.
		for _, q := range []models.Fraction{{Num: 1, Den: 2, Over: true}, {Num: 1, Den: 2}} {
			r := models.CouncilRules{Quorum: q, Pass: models.PassMajorityOfPresent, NoticeDays: 3}
			if err := s.SetCouncilRules(bg, f.staff1, f.council.ID, r); err != nil {
				t.Fatal(err)
			}
			if v, err := s.CouncilByID(bg, f.member, f.council.ID); err != nil || v.Rules() != r {
				t.Fatalf("rules %+v read back as %+v (%v)", r, v.Rules(), err)
			}
		}
		if err := s.SetCouncilRules(bg, f.staff1, f.council.ID, rules); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddCouncilMember(bg, f.staff1, f.council.ID, "13900000031", models.MemberGuest); err == nil {
			t.Fatal("seated twice")
		}
		if _, err := s.AddCouncilMember(bg, f.staff1, f.council.ID, "13999999999", models.MemberRegular); err == nil {
			t.Fatal("seated an unknown phone")
		}
		// Community 2 does not see community 1's council at all.
		if _, err := s.CouncilByID(bg, f.farAway, f.council.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("far-away resident: %v", err)
		}
		list, total, err := s.Councils(bg, f.filer, 1, 10)
		if err != nil || total != 1 || list[0].ID != f.council.ID {
			t.Fatalf("resident's councils: %v %d %v", list, total, err)
		}
		if _, total, _ := s.Councils(bg, f.farAway, 1, 10); total != 0 {
			t.Fatalf("far-away resident lists %d councils", total)
		}
		if err := s.RemoveCouncilMember(bg, f.staff1, f.council.ID, v.Members[2].ID); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.CouncilByID(bg, f.staff1, f.council.ID); len(v.Members) != 2 {
			t.Fatalf("%d members after removal", len(v.Members))
		}
	})
}

func TestTopicSubmitCosignAndDecisions(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		if _, err := s.SubmitTopic(bg, f.farAway, f.council.ID, models.TopicInput{Title: "外社区议题", Body: "这是一个其他社区居民提出的议题。"}); err == nil {
			t.Fatal("a resident of community 2 proposed here")
		}
		if _, err := s.SubmitTopic(bg, f.filer, f.council.ID, models.TopicInput{Title: "短", Body: "短"}); err == nil {
			t.Fatal("a too short topic")
		}
		// A need becomes a topic and keeps its link.
		need := f.file(t, s, true)
		fromNeed, err := s.SubmitTopic(bg, f.filer, f.council.ID, models.TopicInput{Title: "楼道灯维修", Body: "楼道灯坏了，希望议事会协调修理。", NeedID: need.ID})
		if err != nil || fromNeed.NeedID == nil || *fromNeed.NeedID != need.ID {
			t.Fatalf("topic from need: %+v %v", fromNeed, err)
		}
		if _, err := s.SubmitTopic(bg, f.neighbour, f.council.ID, models.TopicInput{Title: "别人的需求", Body: "把不公开的需求变成议题试试。", NeedID: f.file(t, s, false).ID}); err == nil {
			t.Fatal("a neighbour turned a need they cannot see into a topic")
		}

		a := f.topic(t, s, "规划停车位")
		if err := s.CosignTopic(bg, f.filer, a.ID); err == nil {
			t.Fatal("the proposer co-signed their own topic")
		}
		if err := s.CosignTopic(bg, f.neighbour, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.CosignTopic(bg, f.neighbour, a.ID); !errors.Is(err, models.ErrAlreadyCosign) {
			t.Fatalf("second co-sign: %v", err)
		}
		if err := s.CosignTopic(bg, f.farAway, a.ID); err == nil {
			t.Fatal("a far-away resident co-signed")
		}

		// Only those who run the council decide.
		if _, err := s.AcceptTopic(bg, f.member, a.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member accepted: %v", err)
		}
		if _, err := s.AcceptTopic(bg, f.neighbour, a.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a resident accepted: %v", err)
		}
		acc, err := s.AcceptTopic(bg, f.convener, a.ID)
		if err != nil || acc.Status != models.TopicAccepted {
			t.Fatalf("accept: %+v %v", acc, err)
		}
		if _, err := s.AcceptTopic(bg, f.convener, a.ID); !errors.Is(err, models.ErrTopicStep) {
			t.Fatalf("accepted twice: %v", err)
		}
		for _, p := range []*models.Principal{f.filer, f.neighbour} {
			if keys := inboxKeys(t, s, p); len(keys) == 0 || keys[0] != "notify.topic_accepted" {
				t.Fatalf("account %d was not told of the acceptance: %v", p.Account.ID, keys)
			}
		}

		// Merge b into a: b's proposer and co-signers become a's co-signers.
		b, err := s.SubmitTopic(bg, f.neighbour, f.council.ID, models.TopicInput{Title: "停车难问题", Body: "晚上回来找不到车位，希望规划停车位。"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CosignTopic(bg, f.member, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MergeTopic(bg, f.convener, b.ID, b.ID); err == nil {
			t.Fatal("merged into itself")
		}
		if _, err := s.MergeTopic(bg, f.convener, b.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		va, err := s.TopicByID(bg, f.convener, a.ID)
		if err != nil || va.Cosigners != 2 {
			t.Fatalf("after merge a has %d co-signers (want neighbour and member): %v", va.Cosigners, err)
		}
		vb, _ := s.TopicByID(bg, f.convener, b.ID)
		if vb.Status != models.TopicMerged || vb.MergedIntoID == nil || *vb.MergedIntoID != a.ID {
			t.Fatalf("b after merge: %+v", vb.Topic)
		}
		if keys := inboxKeys(t, s, f.member); len(keys) == 0 || keys[0] != "notify.topic_merged" {
			t.Fatalf("b's co-signer was not told: %v", keys)
		}
		if _, err := s.MergeTopic(bg, f.convener, fromNeed.ID, b.ID); err == nil {
			t.Fatal("merged into a merged topic")
		}

		// Decline needs a reason; a declined topic takes nothing more.
		if _, err := s.DeclineTopic(bg, f.convener, fromNeed.ID, " "); err == nil {
			t.Fatal("declined without a reason")
		}
		d, err := s.DeclineTopic(bg, f.staff1, fromNeed.ID, "属于物业维修责任，已转物业办理。")
		if err != nil || d.Status != models.TopicDeclined || d.Reason == "" {
			t.Fatalf("decline: %+v %v", d, err)
		}
		if keys := inboxKeys(t, s, f.filer); keys[0] != "notify.topic_declined" {
			t.Fatalf("proposer not told of the decline: %v", keys)
		}
		if _, err := s.AcceptTopic(bg, f.convener, fromNeed.ID); !errors.Is(err, models.ErrTopicStep) {
			t.Fatalf("accepted a declined topic: %v", err)
		}
		if err := s.CosignTopic(bg, f.neighbour, fromNeed.ID); err == nil {
			t.Fatal("co-signed a declined topic")
		}
		list, total, err := s.CouncilTopics(bg, f.council.ID, models.TopicFilter{Status: models.TopicAccepted})
		if err != nil || total != 1 || list[0].ID != a.ID {
			t.Fatalf("accepted topics: %v %d %v", list, total, err)
		}
	})
}

func TestMeetingAgendaResearchAndAnnounce(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		t1, t2, t3 := f.topic(t, s, "规划停车位"), f.topic(t, s, "加装电梯"), f.topic(t, s, "垃圾分类亭改造")
		for _, tp := range []models.Topic{t1, t2, t3} {
			if _, err := s.AcceptTopic(bg, f.convener, tp.ID); err != nil {
				t.Fatal(err)
			}
		}
		now := clock.Now()
		in := models.MeetingInput{Title: "十二月居民议事会", StartsAt: now.Add(2 * 24 * time.Hour), Location: "社区活动室"}
		if _, err := s.CreateMeeting(bg, f.member, f.council.ID, in); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member drafted a meeting: %v", err)
		}
		m, err := s.CreateMeeting(bg, f.convener, f.council.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.MeetingByID(bg, f.neighbour, m.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a resident saw a draft: %v", err)
		}
		if _, err := s.AnnounceMeeting(bg, f.convener, m.ID, time.UTC); !errors.Is(err, models.ErrAgendaEmpty) {
			t.Fatalf("announced an empty agenda: %v", err)
		}
		for _, tp := range []models.Topic{t1, t2, t3} {
			if err := s.AddAgendaItem(bg, f.convener, m.ID, tp.ID, 20); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AddAgendaItem(bg, f.convener, m.ID, t1.ID, 20); err == nil {
			t.Fatal("a topic twice on one agenda")
		}
		v, _ := s.MeetingByID(bg, f.convener, m.ID)
		if len(v.Candidates) != 0 || len(v.Items) != 3 {
			t.Fatalf("items %d candidates %d", len(v.Items), len(v.Candidates))
		}
		// Order: move the third up twice, the first (now second) down once.
		third, first := v.Items[2].ID, v.Items[0].ID
		for i := 0; i < 3; i++ { // the third move hits the top and changes nothing
			if err := s.MoveAgendaItem(bg, f.convener, m.ID, third, -1); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MoveAgendaItem(bg, f.convener, m.ID, first, +1); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTimeBox(bg, f.convener, m.ID, first, 45); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTimeBox(bg, f.convener, m.ID, first, 500); err == nil {
			t.Fatal("a 500-minute time box")
		}
		v, _ = s.MeetingByID(bg, f.convener, m.ID)
		order := []uint64{v.Items[0].TopicID, v.Items[1].TopicID, v.Items[2].TopicID}
		if order[0] != t3.ID || order[1] != t2.ID || order[2] != t1.ID || v.Minutes() != 85 {
			t.Fatalf("agenda order %v (want %d %d %d), %d minutes", order, t3.ID, t2.ID, t1.ID, v.Minutes())
		}
		// Research by a voting member, with a file; not by a guest.
		r, err := s.AddResearch(bg, f.member, m.ID, v.Items[0].ID, models.ResearchInput{Note: "走访了12户，9户支持改造。", CostFen: 1200000, Canvassed: 12,
			FileName: "报价.pdf", FileType: "application/pdf", FileData: []byte("%PDF-1.4 test")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddResearch(bg, f.guest, m.ID, v.Items[0].ID, models.ResearchInput{Note: "列席人员的调研"}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a guest added research to a draft: %v", err)
		}
		if _, err := s.AddResearch(bg, f.convener, m.ID, v.Items[0].ID, models.ResearchInput{Note: "附件", FileName: "a.exe", FileType: "application/x-msdownload", FileData: []byte("MZ")}); err == nil {
			t.Fatal("an executable attached")
		}
		file, err := s.ResearchFile(bg, f.convener, m.ID, r.ID)
		if err != nil || string(file.FileData) != "%PDF-1.4 test" {
			t.Fatalf("research file: %q %v", file.FileData, err)
		}

		// Two days ahead is too late for three days' notice; move it.
		if _, err := s.AnnounceMeeting(bg, f.convener, m.ID, time.UTC); !errors.Is(err, models.ErrNoticeTooLate) {
			t.Fatalf("announced two days ahead: %v", err)
		}
		in.StartsAt = now.Add(4 * 24 * time.Hour)
		if err := s.UpdateMeeting(bg, f.convener, m.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AnnounceMeeting(bg, f.member, m.ID, time.UTC); err == nil {
			t.Fatal("a member announced")
		}
		am, err := s.AnnounceMeeting(bg, f.convener, m.ID, time.UTC)
		if err != nil || am.Status != models.MeetingAnnounced || am.NoticeID == nil {
			t.Fatalf("announce: %+v %v", am, err)
		}
		notice, err := s.NoticeByID(bg, *am.NoticeID)
		if err != nil || notice.Status != models.NoticePublished || notice.PlaceID != f.com1.ID || notice.SourceType != "meeting" || notice.SourceID != m.ID {
			t.Fatalf("agenda notice: %+v %v", notice, err)
		}
		for _, want := range []string{"垃圾分类亭改造", "加装电梯", "规划停车位", "社区活动室", "约45分钟"} {
			if !strings.Contains(notice.Body, want) {
				t.Errorf("agenda notice lacks %q:\n%s", want, notice.Body)
			}
		}
		for _, p := range []*models.Principal{f.member, f.guest} {
			if keys := inboxKeys(t, s, p); len(keys) == 0 || keys[0] != "notify.meeting_announced" {
				t.Fatalf("member %d not told: %v", p.Account.ID, keys)
			}
		}
		// Announced: members see it, the agenda is fixed, research goes on,
		// and its topics can no longer be merged or declined.
		if _, err := s.MeetingByID(bg, f.member, m.ID); err != nil {
			t.Fatalf("member reads the announced meeting: %v", err)
		}
		if _, err := s.AnnounceMeeting(bg, f.convener, m.ID, time.UTC); !errors.Is(err, models.ErrMeetingStep) {
			t.Fatalf("announced twice: %v", err)
		}
		if err := s.MoveAgendaItem(bg, f.convener, m.ID, first, -1); !errors.Is(err, models.ErrMeetingStep) {
			t.Fatalf("reordered an announced agenda: %v", err)
		}
		if err := s.UpdateMeeting(bg, f.convener, m.ID, in); !errors.Is(err, models.ErrMeetingStep) {
			t.Fatalf("moved an announced meeting: %v", err)
		}
		if _, err := s.AddResearch(bg, f.convener, m.ID, first, models.ResearchInput{Note: "现场查看了停车场地。", Canvassed: 3}); err != nil {
			t.Fatalf("research after announcing: %v", err)
		}
		if _, err := s.DeclineTopic(bg, f.convener, t1.ID, "不议了"); !errors.Is(err, models.ErrTopicStep) {
			t.Fatalf("declined a topic on an announced agenda: %v", err)
		}
	})
}

// TestDeclinedTopicLeavesDraftAgenda: a declined topic leaves the draft
// agenda with its research, and both the topic's audit entry and the
// meeting's name the item and the research that went.
func TestDeclinedTopicLeavesDraftAgenda(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		tp, m := f.draftMeeting(t, s, clock)
		v, _ := s.MeetingByID(bg, f.convener, m.ID)
		if _, err := s.AddResearch(bg, f.member, m.ID, v.Items[0].ID, models.ResearchInput{Note: "物业已答复会修。",
			FileName: "物业回函.pdf", FileType: "application/pdf", FileData: []byte("%PDF-1.4 reply")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeclineTopic(bg, f.convener, tp.ID, "已由物业解决。"); err != nil {
			t.Fatal(err)
		}
		v, err := s.MeetingByID(bg, f.convener, m.ID)
		if err != nil || len(v.Items) != 0 {
			t.Fatalf("agenda after decline: %d items, %v", len(v.Items), err)
		}
		var left int64
		if err := s.Tx(bg).Model(&models.Research{}).Count(&left).Error; err != nil || left != 0 {
			t.Fatalf("%d research rows left behind: %v", left, err)
		}
		for _, e := range []struct{ action, object string }{{"topic.decline", fmt.Sprint(tp.ID)}, {"meeting.agenda_remove", fmt.Sprint(m.ID)}} {
			detail := auditDetail(t, s, e.action, e.object)
			for _, want := range []string{"规划停车位", "物业已答复会修。", "物业回函.pdf"} {
				if !strings.Contains(detail, want) {
					t.Errorf("%s entry %q does not name %q", e.action, detail, want)
				}
			}
		}
	})
}

// auditDetail is the detail of the latest audit entry of action on object.
func auditDetail(t *testing.T, s *models.Store, action, object string) string {
	t.Helper()
	var e models.AuditEntry
	if err := s.Tx(bg).Where("action = ? AND object_id = ?", action, object).Order("id DESC").Limit(1).Find(&e).Error; err != nil || e.ID == 0 {
		t.Fatalf("no %s entry for %s: %v", action, object, err)
	}
	return e.Detail
}

// TestMergedTopicNamesWhatLeftTheAgenda: a merged topic leaves the draft
// agenda too, and its audit entry names the research that went with it.
func TestMergedTopicNamesWhatLeftTheAgenda(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		tp, m := f.draftMeeting(t, s, clock)
		into := f.topic(t, s, "东侧停车难")
		v, _ := s.MeetingByID(bg, f.convener, m.ID)
		if _, err := s.AddResearch(bg, f.member, m.ID, v.Items[0].ID, models.ResearchInput{Note: "与东侧停车难是同一件事。"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MergeTopic(bg, f.convener, tp.ID, into.ID); err != nil {
			t.Fatal(err)
		}
		if v, err := s.MeetingByID(bg, f.convener, m.ID); err != nil || len(v.Items) != 0 {
			t.Fatalf("agenda after merge: %d items, %v", len(v.Items), err)
		}
		detail := auditDetail(t, s, "topic.merge", fmt.Sprint(tp.ID))
		for _, want := range []string{fmt.Sprintf("meeting %d", m.ID), "规划停车位", "与东侧停车难是同一件事。"} {
			if !strings.Contains(detail, want) {
				t.Errorf("merge entry %q does not name %q", detail, want)
			}
		}
	})
}

// TestMeetingAgendaRemoveWithResearch: an item with research leaves the
// agenda only when the remover confirms, as its research and files go
// with it; the audit entry names the item and what went. An item without
// research needs no confirmation.
func TestMeetingAgendaRemoveWithResearch(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		_, m := f.draftMeeting(t, s, clock)
		bare := f.topic(t, s, "垃圾分类亭改造")
		if _, err := s.AcceptTopic(bg, f.convener, bare.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.AddAgendaItem(bg, f.convener, m.ID, bare.ID, 20); err != nil {
			t.Fatal(err)
		}
		v, _ := s.MeetingByID(bg, f.convener, m.ID)
		item, other := v.Items[0].ID, v.Items[1].ID
		for _, note := range []string{"走访了12户，9户支持改造。", "现场查看了停车场地。"} {
			if _, err := s.AddResearch(bg, f.member, m.ID, item, models.ResearchInput{Note: note,
				FileName: "报价.pdf", FileType: "application/pdf", FileData: []byte("%PDF-1.4 quote")}); err != nil {
				t.Fatal(err)
			}
		}
		var fe models.FieldErrors
		if err := s.RemoveAgendaItem(bg, f.convener, m.ID, item, false); !errors.As(err, &fe) || fe["confirm"] != "err.agenda_item_has_research" {
			t.Fatalf("removed an item with research unconfirmed: %v", err)
		}
		if v, _ = s.MeetingByID(bg, f.convener, m.ID); len(v.Items) != 2 || len(v.Research[item]) != 2 {
			t.Fatalf("after the refused removal: %d items, %d research", len(v.Items), len(v.Research[item]))
		}
		if err := s.RemoveAgendaItem(bg, f.convener, m.ID, item, true); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, &models.Research{}, "agenda_item_id = ?", item); n != 0 {
			t.Fatalf("%d research rows left behind", n)
		}
		detail := auditDetail(t, s, "meeting.agenda_remove", fmt.Sprint(m.ID))
		for _, want := range []string{"规划停车位", "走访了12户，9户支持改造。", "现场查看了停车场地。", "报价.pdf", "2 research"} {
			if !strings.Contains(detail, want) {
				t.Errorf("audit entry %q does not name %q", detail, want)
			}
		}
		if err := s.RemoveAgendaItem(bg, f.convener, m.ID, other, false); err != nil {
			t.Fatalf("removing an item without research: %v", err)
		}
		if detail := auditDetail(t, s, "meeting.agenda_remove", fmt.Sprint(m.ID)); !strings.Contains(detail, "垃圾分类亭改造") || strings.Contains(detail, "research") {
			t.Fatalf("audit entry of an item without research: %q", detail)
		}
	})
}

// TestCancelledMeetingFreesItsTopics: a cancelled meeting locks none of
// the topics on its agenda: the convener may still decline one, and the
// cancelled meeting's agenda, as it was announced, stays on record.
func TestCancelledMeetingFreesItsTopics(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.announcedMeeting(t, s, clock)
		tp := v.Items[0].TopicID
		if tv, err := s.TopicByID(bg, f.convener, tp); err != nil || !tv.Locked || tv.May(models.TopicActDecline) {
			t.Fatalf("topic on an announced agenda: locked %v, may decline %v, %v", tv.Locked, tv.May(models.TopicActDecline), err)
		}
		if err := s.CancelMeeting(bg, f.convener, v.ID, "台风红色预警", time.UTC); err != nil {
			t.Fatal(err)
		}
		tv, err := s.TopicByID(bg, f.convener, tp)
		if err != nil || tv.Locked || !tv.May(models.TopicActDecline) || !tv.May(models.TopicActMerge) {
			t.Fatalf("topic of a cancelled meeting: locked %v, %v", tv.Locked, err)
		}
		if _, err := s.DeclineTopic(bg, f.convener, tp, "已由物业解决。"); err != nil {
			t.Fatalf("declined a topic of a cancelled meeting: %v", err)
		}
		cv, err := s.MeetingByID(bg, f.member, v.ID)
		if err != nil || len(cv.Items) != 1 || cv.Items[0].TopicID != tp {
			t.Fatalf("the cancelled meeting's agenda after the decline: %+v %v", cv.Items, err)
		}
	})
}

// TestTopicInSessionIsBusy: a topic being deliberated in a meeting in
// session is locked and goes on no other meeting's agenda meanwhile; once
// that meeting closes it may go on another.
func TestTopicInSessionIsBusy(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.announcedMeeting(t, s, clock)
		tp := v.Items[0].TopicID
		f.openMeeting(t, s, clock, v)
		next, err := s.CreateMeeting(bg, f.convener, f.council.ID, models.MeetingInput{Title: "下月例会", StartsAt: clock.Now().Add(10 * 24 * time.Hour), Location: "活动室"})
		if err != nil {
			t.Fatal(err)
		}
		nv, err := s.MeetingByID(bg, f.convener, next.ID)
		if err != nil || len(nv.Candidates) != 0 {
			t.Fatalf("candidates while the topic is in session: %+v %v", nv.Candidates, err)
		}
		var fe models.FieldErrors
		if err := s.AddAgendaItem(bg, f.convener, next.ID, tp, 20); !errors.As(err, &fe) || fe["topic_id"] == "" {
			t.Fatalf("put a topic in session on another agenda: %v", err)
		}
		if tv, err := s.TopicByID(bg, f.convener, tp); err != nil || !tv.Locked {
			t.Fatalf("topic in session: locked %v, %v", tv.Locked, err)
		}
		if err := s.CloseMeeting(bg, f.convener, v.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.AddAgendaItem(bg, f.convener, next.ID, tp, 20); err != nil {
			t.Fatalf("a topic of a closed meeting on another agenda: %v", err)
		}
	})
}

// TestTopicMeetingsHideDrafts: the meetings a topic's page lists include a
// draft only for those who run the council and its members, as the
// council's list of meetings does.
func TestTopicMeetingsHideDrafts(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		tp, m := f.draftMeeting(t, s, clock)
		count := func(p *models.Principal) int {
			t.Helper()
			v, err := s.TopicByID(bg, p, tp.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(v.Meetings)
		}
		for name, p := range map[string]*models.Principal{"convener": f.convener, "member": f.member, "staff": f.staff1} {
			if n := count(p); n != 1 {
				t.Errorf("the %s sees %d meetings of the topic, want the draft", name, n)
			}
		}
		for name, p := range map[string]*models.Principal{"proposer": f.filer, "neighbour": f.neighbour} {
			if n := count(p); n != 0 {
				t.Errorf("the %s sees %d meetings of the topic, a draft among them", name, n)
			}
		}
		if _, err := s.AnnounceMeeting(bg, f.convener, m.ID, time.UTC); err != nil {
			t.Fatal(err)
		}
		if n := count(f.filer); n != 1 {
			t.Fatalf("the proposer sees %d meetings once it is announced", n)
		}
	})
}

// TestConcurrentCosigns: neighbours co-signing at once are all counted, and
// one neighbour pressing twice at once is counted once.
func TestConcurrentCosigns(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		tp := f.topic(t, s, "规划停车位")
		var neighbours []*models.Principal
		for i := 0; i < 8; i++ {
			phone := fmt.Sprintf("1390000007%d", i)
			a := mustAccount(t, s, phone, "邻居")
			if err := s.GrantRoleAsSystem(bg, a.ID, models.RoleResident, f.hh2.ID); err != nil {
				t.Fatal(err)
			}
			neighbours = append(neighbours, principal(t, s, a.ID))
		}
		neighbours = append(neighbours, neighbours[0], neighbours[0])
		var wg sync.WaitGroup
		errs := make([]error, len(neighbours))
		for i, p := range neighbours {
			wg.Add(1)
			go func(i int, p *models.Principal) {
				defer wg.Done()
				errs[i] = s.CosignTopic(bg, p, tp.ID)
			}(i, p)
		}
		wg.Wait()
		failed := 0
		for _, err := range errs {
			if err != nil {
				if !errors.Is(err, models.ErrAlreadyCosign) {
					t.Fatalf("co-sign: %v", err)
				}
				failed++
			}
		}
		v, err := s.TopicByID(bg, f.filer, tp.ID)
		if err != nil || v.Cosigners != 8 || failed != 2 {
			t.Fatalf("%d co-signers (want 8), %d refused (want 2): %v", v.Cosigners, failed, err)
		}
	})
}

// TestCouncilsForNeed checks the council picker's list against the council
// page's own rule, council by council, for every kind of viewer.
func TestCouncilsForNeed(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, _ *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		var elsewhere models.Council
		for _, c := range []models.CouncilInput{
			{PlaceID: f.com2.ID, Kind: models.CouncilResidents, Name: "二社区居民议事会"},
			{PlaceID: f.street.ID, Kind: models.CouncilResidents, Name: "街道议事会"},
		} {
			co, err := s.CreateCouncil(bg, f.admin, c)
			if err != nil {
				t.Fatal(err)
			}
			if c.PlaceID == f.com2.ID {
				elsewhere = co
			}
		}
		// Staff who sit on a council may raise the needs they handle there,
		// and not in a council whose place does not hold the need.
		for _, id := range []uint64{f.council.ID, elsewhere.ID} {
			if _, err := s.AddCouncilMember(bg, f.admin, id, f.staff1.Account.Phone, models.MemberRegular); err != nil {
				t.Fatal(err)
			}
		}
		staff := principal(t, s, f.staff1.Account.ID)
		filed := f.file(t, s, true)
		picks := map[string]int{}
		for name, p := range map[string]*models.Principal{
			"filer": f.filer, "neighbour": f.neighbour, "far away": f.farAway, "convener": f.convener,
			"member": f.member, "guest": f.guest, "staff": staff, "admin": f.admin,
		} {
			// The need as this viewer sees it: their roles on it decide.
			need, err := s.NeedByID(bg, p, filed.ID)
			if errors.Is(err, models.ErrNotFound) {
				continue // the picker is a 404 for them
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			cs, _, err := s.Councils(bg, p, 1, 50)
			if err != nil {
				t.Fatal(err)
			}
			// One council a page, so the picker's paging is checked too.
			got := map[uint64]bool{}
			for page := 1; ; page++ {
				list, total, err := s.CouncilsForNeed(bg, p, need, page, 1)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range list {
					got[c.ID] = true
				}
				if int64(page) >= total {
					if len(got) != int(total) {
						t.Errorf("%s: %d councils over the pages, total %d", name, len(got), total)
					}
					break
				}
			}
			seen := 0
			for _, c := range cs {
				v, err := s.CouncilByID(bg, p, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if want := v.MayRaiseNeed(need, p.Account.ID); got[c.ID] != want {
					t.Errorf("%s on %s: picker says %v, the council says %v", name, c.Name, got[c.ID], want)
				}
				if got[c.ID] {
					seen++
				}
			}
			if seen != len(got) {
				t.Errorf("%s: the picker offers %d councils the council list does not show", name, len(got)-seen)
			}
			picks[name] = len(got)
		}
		// The filer lives in community 1, inside the street: two councils;
		// the staff member sits on one.
		if picks["filer"] != 2 || picks["staff"] != 1 || picks["neighbour"] != 0 {
			t.Errorf("picks %v: want the filer's two councils, the staff member's seat and none for a neighbour", picks)
		}
	})
}

// TestMaySeeTopics checks the batch answer the need page links topics by
// against TopicByID, topic by topic, for every kind of viewer.
func TestMaySeeTopics(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, _ *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		other, err := s.CreateCouncil(bg, f.admin, models.CouncilInput{PlaceID: f.com2.ID, Kind: models.CouncilResidents, Name: "二社区居民议事会"})
		if err != nil {
			t.Fatal(err)
		}
		there, err := s.SubmitTopic(bg, f.farAway, other.ID, models.TopicInput{Title: "二社区的议题", Body: "二社区一组的路灯坏了很久，晚上出门看不清路。"})
		if err != nil {
			t.Fatal(err)
		}
		topics := []models.Topic{f.topic(t, s, "一社区的议题"), there, f.topic(t, s, "一社区的第二个议题")}
		stranger := principal(t, s, mustAccount(t, s, "13900000099", "路人").ID)
		seen := map[string]int{}
		for name, p := range map[string]*models.Principal{
			"filer": f.filer, "neighbour": f.neighbour, "far away": f.farAway, "convener": f.convener, "member": f.member,
			"guest": f.guest, "staff": f.staff1, "other staff": f.staff2, "admin": f.admin, "stranger": stranger,
		} {
			got, err := s.MaySeeTopics(bg, p, topics)
			if err != nil {
				t.Fatal(err)
			}
			for _, tp := range topics {
				_, err := s.TopicByID(bg, p, tp.ID)
				want, err := models.Visible(err)
				if err != nil {
					t.Fatal(err)
				}
				if got[tp.ID] != want {
					t.Errorf("%s, topic %q: batch says %v, the topic's page %v", name, tp.Title, got[tp.ID], want)
				}
				if got[tp.ID] {
					seen[name]++
				}
			}
		}
		// The guest sits on community 1's council, with no grant of their own.
		if seen["filer"] != 2 || seen["guest"] != 2 || seen["far away"] != 1 || seen["admin"] != 3 || seen["stranger"] != 0 {
			t.Errorf("topics seen: %v", seen)
		}
	})
}

// TestConcurrentAgendaAdds: an accepted topic put on two draft agendas at
// the same moment lands on exactly one; the other convener is told it is
// no longer a choice.
func TestConcurrentAgendaAdds(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		for round := range 8 {
			tp := f.accepted(t, s, fmt.Sprintf("第%d号议题", round))
			var ms [2]models.Meeting
			for i := range ms {
				m, err := s.CreateMeeting(bg, f.convener, f.council.ID, models.MeetingInput{Title: fmt.Sprintf("第%d轮会议%d", round, i), StartsAt: clock.Now().Add(4 * 24 * time.Hour), Location: "社区活动室"})
				if err != nil {
					t.Fatal(err)
				}
				ms[i] = m
			}
			var wg sync.WaitGroup
			var errs [2]error
			for i := range ms {
				wg.Go(func() { errs[i] = s.AddAgendaItem(bg, f.convener, ms[i].ID, tp.ID, 20) })
			}
			wg.Wait()
			added := 0
			for _, err := range errs {
				var fe models.FieldErrors
				switch {
				case err == nil:
					added++
				case !errors.As(err, &fe) || fe["topic_id"] != "err.invalid_choice":
					t.Fatalf("round %d: %v", round, err)
				}
			}
			var items int64
			if err := s.Tx(bg).Model(&models.AgendaItem{}).Where("topic_id = ?", tp.ID).Count(&items).Error; err != nil {
				t.Fatal(err)
			}
			if added != 1 || items != 1 {
				t.Fatalf("round %d: %d adds succeeded, topic on %d agendas", round, added, items)
			}
		}
	})
}

// TestDeclineWhileAnnouncing: a topic declined at the moment its meeting
// is announced is either on the announced agenda and its notice, or on
// neither; never in the notice but gone from the agenda.
func TestDeclineWhileAnnouncing(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		for round := range 8 {
			keep := f.accepted(t, s, fmt.Sprintf("第%d轮保留议题", round))
			tp := f.accepted(t, s, fmt.Sprintf("第%d轮撤下议题", round))
			m, err := s.CreateMeeting(bg, f.convener, f.council.ID, models.MeetingInput{Title: fmt.Sprintf("第%d轮会议", round), StartsAt: clock.Now().Add(4 * 24 * time.Hour), Location: "社区活动室"})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []uint64{keep.ID, tp.ID} {
				if err := s.AddAgendaItem(bg, f.convener, m.ID, id, 20); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			var announceErr, declineErr error
			wg.Go(func() { _, announceErr = s.AnnounceMeeting(bg, f.convener, m.ID, time.UTC) })
			wg.Go(func() { _, declineErr = s.DeclineTopic(bg, f.convener, tp.ID, "已由物业解决。") })
			wg.Wait()
			// Once the agenda is announced its topics can no longer be
			// declined.
			if announceErr != nil || (declineErr != nil && !errors.Is(declineErr, models.ErrTopicStep)) {
				t.Fatalf("round %d: announce %v, decline %v", round, announceErr, declineErr)
			}
			v, err := s.MeetingByID(bg, f.convener, m.ID)
			if err != nil || v.Notice == nil {
				t.Fatalf("round %d: meeting %v, notice %v", round, err, v.Notice)
			}
			onAgenda := false
			for _, it := range v.Items {
				onAgenda = onAgenda || it.TopicID == tp.ID
			}
			if inNotice := strings.Contains(v.Notice.Body, tp.Title); inNotice != onAgenda || onAgenda != (declineErr != nil) {
				t.Fatalf("round %d: topic in the notice %v, on the agenda %v, decline refused %v", round, inNotice, onAgenda, declineErr != nil)
			}
		}
	})
}

// TestCouncilFixedWhileSitting: while one of its meetings is in session, a
// council's members and rules stay as they are, for its votes' quorum and
// pass rule rest on them; once the meeting closes they may change again.
func TestCouncilFixedWhileSitting(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.announcedMeeting(t, s, clock)
		f.openMeeting(t, s, clock, v)
		rules := models.CouncilRules{Quorum: models.Fraction{Num: 1, Den: 2}, Pass: models.PassMajorityOfPresent, NoticeDays: 3}
		cv, err := s.CouncilByID(bg, f.staff1, f.council.ID)
		if err != nil {
			t.Fatal(err)
		}
		mustAccount(t, s, "13900000039", "新委员")
		steps := map[string]func() error{
			"rules": func() error { return s.SetCouncilRules(bg, f.staff1, f.council.ID, rules) },
			"add": func() error {
				_, err := s.AddCouncilMember(bg, f.staff1, f.council.ID, "13900000039", models.MemberRegular)
				return err
			},
			"remove": func() error {
				return s.RemoveCouncilMember(bg, f.staff1, f.council.ID, cv.Members[len(cv.Members)-1].ID)
			},
		}
		for name, step := range steps {
			if err := step(); !errors.Is(err, models.ErrCouncilSitting) {
				t.Fatalf("%s while sitting: %v", name, err)
			}
		}
		if after, _ := s.CouncilByID(bg, f.staff1, f.council.ID); len(after.Members) != len(cv.Members) {
			t.Fatalf("members while sitting: %d, were %d", len(after.Members), len(cv.Members))
		}
		if err := s.CloseMeeting(bg, f.convener, v.ID); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"rules", "add", "remove"} {
			if err := steps[name](); err != nil {
				t.Fatalf("%s after the meeting: %v", name, err)
			}
		}
	})
}

// TestNewCouncilsStartWithTheirKindsRules: a villagers' representatives'
// meeting starts with its statutory rules (two thirds present, more than
// half of those present carry a motion); other kinds with the defaults.
func TestNewCouncilsStartWithTheirKindsRules(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		for _, c := range []struct {
			kind models.CouncilKind
			want models.CouncilRules
		}{
			{models.CouncilVillageReps, models.CouncilRules{Quorum: models.Fraction{Num: 2, Den: 3}, Pass: models.PassMajorityOfPresent, NoticeDays: 3}},
			{models.CouncilResidents, models.DefaultCouncilRules},
			{models.CouncilJoint, models.DefaultCouncilRules},
		} {
			co, err := s.CreateCouncil(bg, f.staff1, models.CouncilInput{PlaceID: f.com1.ID, Kind: c.kind, Name: string(c.kind)})
			if err != nil {
				t.Fatal(err)
			}
			v, err := s.CouncilByID(bg, f.staff1, co.ID)
			if err != nil || v.Rules() != c.want {
				t.Fatalf("a new %s council's rules: %+v, want %+v (%v)", c.kind, v.Rules(), c.want, err)
			}
		}
	})
}
