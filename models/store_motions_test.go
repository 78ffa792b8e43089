package models_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// draftMeeting is a draft meeting of the fixture's council four days
// ahead, with an accepted topic on its agenda.
func (f *councilFixture) draftMeeting(t *testing.T, s *models.Store, clock *modeltest.Clock) (models.Topic, models.Meeting) {
	t.Helper()
	tp := f.topic(t, s, "规划停车位")
	if _, err := s.AcceptTopic(bg, f.convener, tp.ID); err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMeeting(bg, f.convener, f.council.ID, models.MeetingInput{Title: "十二月居民议事会", StartsAt: clock.Now().Add(4 * 24 * time.Hour), Location: "社区活动室"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddAgendaItem(bg, f.convener, m.ID, tp.ID, 30); err != nil {
		t.Fatal(err)
	}
	return tp, m
}

// announcedMeeting is an announced meeting of the fixture's council with
// one agenda item.
func (f *councilFixture) announcedMeeting(t *testing.T, s *models.Store, clock *modeltest.Clock) models.MeetingView {
	t.Helper()
	_, m := f.draftMeeting(t, s, clock)
	if _, err := s.AnnounceMeeting(bg, f.convener, m.ID, time.UTC); err != nil {
		t.Fatal(err)
	}
	v, err := s.MeetingByID(bg, f.convener, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// openMeeting opens meeting v as its convener ten minutes before its time,
// the clock set there: no earlier than OpenEarly before it.
func (f *councilFixture) openMeeting(t *testing.T, s *models.Store, clock *modeltest.Clock, v models.MeetingView) models.Meeting {
	t.Helper()
	clock.Set(v.StartsAt.Add(-10 * time.Minute))
	m, err := s.OpenMeeting(bg, f.convener, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// openVote puts a motion on meeting v's first item and opens its vote.
func (f *councilFixture) openVote(t *testing.T, s *models.Store, v models.MeetingView, text string) models.Motion {
	t.Helper()
	m, err := s.AddMotion(bg, f.convener, v.ID, models.MotionInput{AgendaItemID: v.Items[0].ID, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MotionStep(bg, f.convener, v.ID, m.ID, models.MotionActOpen); err != nil {
		t.Fatal(err)
	}
	return m
}

func motionByID(t *testing.T, s *models.Store, p *models.Principal, meetingID, id uint64) models.Motion {
	t.Helper()
	v, err := s.MeetingByID(bg, p, meetingID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range v.Motions {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("motion %d not on meeting %d", id, meetingID)
	return models.Motion{}
}

// TestMeetingInSession walks a meeting through opening, attendance by code
// and by the secretary, motions voted by phone and by a show of hands, a
// withdrawn motion, and closing, with the steps refused on the way.
func TestMeetingInSession(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.announcedMeeting(t, s, clock)
		item := v.Items[0].ID

		// Nobody signs in before the meeting opens; a member cannot open it.
		if err := s.CheckIn(bg, f.member, v.ID, "000000"); !errors.Is(err, models.ErrMeetingStep) {
			t.Fatalf("signed in before opening: %v", err)
		}
		if _, err := s.OpenMeeting(bg, f.member, v.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member opened the meeting: %v", err)
		}
		// A motion may be prepared once the meeting is announced.
		m0, err := s.AddMotion(bg, f.convener, v.ID, models.MotionInput{AgendaItemID: item, Text: "同意在小区东侧划设20个临时停车位。"})
		if err != nil || m0.Status != models.MotionDraft {
			t.Fatalf("motion: %+v %v", m0, err)
		}
		// Not days before its time: from half an hour before it.
		clock.Set(v.StartsAt.Add(-models.OpenEarly - time.Minute))
		if _, err := s.OpenMeeting(bg, f.convener, v.ID); !errors.Is(err, models.ErrMeetingTooEarly) {
			t.Fatalf("opened 31 minutes before its time: %v", err)
		}
		clock.Set(v.StartsAt.Add(-models.OpenEarly))
		opened, err := s.OpenMeeting(bg, f.convener, v.ID)
		if err != nil || opened.Status != models.MeetingInSession || len(opened.AttendanceCode) != 6 {
			t.Fatalf("open: %+v %v", opened, err)
		}
		if _, err := s.OpenMeeting(bg, f.convener, v.ID); !errors.Is(err, models.ErrMeetingStep) {
			t.Fatalf("opened twice: %v", err)
		}
		if keys := inboxKeys(t, s, f.member); keys[0] != "notify.meeting_opened" {
			t.Fatalf("member not told the meeting opened: %v", keys)
		}
		code := opened.AttendanceCode

		// Attendance: members only, with the right code, once.
		if err := s.CheckIn(bg, f.neighbour, v.ID, code); !errors.Is(err, models.ErrNotCouncilMember) {
			t.Fatalf("a resident who is no member signed in: %v", err)
		}
		var fe models.FieldErrors
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		if err := s.CheckIn(bg, f.member, v.ID, wrong); !errors.As(err, &fe) || fe["code"] != "err.attendance_code_wrong" {
			t.Fatalf("wrong code: %v", err)
		}
		if err := s.CheckIn(bg, f.member, v.ID, code[:3]+" "+code[3:]); err != nil {
			t.Fatal(err)
		}
		if err := s.CheckIn(bg, f.member, v.ID, code); !errors.Is(err, models.ErrAlreadyPresent) {
			t.Fatalf("signed in twice: %v", err)
		}
		if err := s.CheckIn(bg, f.guest, v.ID, code); err != nil {
			t.Fatalf("a guest signs in too: %v", err)
		}
		sv, _ := s.MeetingByID(bg, f.member, v.ID)
		if sv.Quorum.Members != 2 || sv.Quorum.Present != 1 || sv.Quorum.Met || !sv.Present || len(sv.Attendance) != 2 {
			t.Fatalf("quorum with the member and a guest: %+v present=%v", sv.Quorum, sv.Present)
		}

		// Without a quorum a vote decides nothing: the motion is left
		// undecided, to be voted on again (TestVoteWithoutQuorum).
		if _, err := s.CastMotionVote(bg, f.member, v.ID, m0.ID, models.ChoiceFor); !errors.Is(err, models.ErrMotionStep) {
			t.Fatalf("voted on a draft motion: %v", err)
		}
		if _, err := s.MotionStep(bg, f.member, v.ID, m0.ID, models.MotionActOpen); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member opened a vote: %v", err)
		}
		if _, err := s.MotionStep(bg, f.convener, v.ID, m0.ID, models.MotionActOpen); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CastMotionVote(bg, f.member, v.ID, m0.ID, models.ChoiceFor); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CastMotionVote(bg, f.convener, v.ID, m0.ID, models.ChoiceFor); !errors.Is(err, models.ErrNotPresent) {
			t.Fatalf("voted without signing in: %v", err)
		}
		closed, err := s.MotionStep(bg, f.convener, v.ID, m0.ID, models.MotionActClose)
		if err != nil || closed.Status != models.MotionDraft || !closed.Undecided() || closed.Outcome != models.OutcomeNoQuorum || closed.For != 1 {
			t.Fatalf("closed without a quorum: %+v %v", closed, err)
		}

		// The secretary's word: marks the convener present; now a quorum.
		if err := s.MarkPresent(bg, f.member, v.ID, f.convener.Account.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member marked attendance: %v", err)
		}
		if err := s.MarkPresent(bg, f.staff1, v.ID, f.neighbour.Account.ID); !errors.As(err, &fe) {
			t.Fatalf("marked a non-member present: %v", err)
		}
		if err := s.MarkPresent(bg, f.staff1, v.ID, f.convener.Account.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkPresent(bg, f.staff1, v.ID, f.convener.Account.ID); !errors.Is(err, models.ErrAlreadyPresent) {
			t.Fatalf("marked present twice: %v", err)
		}
		sv, _ = s.MeetingByID(bg, f.convener, v.ID)
		if sv.Quorum.Present != 2 || !sv.Quorum.Met {
			t.Fatalf("quorum after marking: %+v", sv.Quorum)
		}

		// Motion 1 by phones: adopted with both voting members for.
		if _, err := s.AddMotion(bg, f.member, v.ID, models.MotionInput{AgendaItemID: item, Text: "由物业负责划线"}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member put a motion: %v", err)
		}
		if _, err := s.AddMotion(bg, f.convener, v.ID, models.MotionInput{AgendaItemID: item + 999, Text: "x"}); !errors.As(err, &fe) || fe["item_id"] == "" || fe["text"] == "" {
			t.Fatalf("a motion on no item of this meeting: %v", err)
		}
		m1, err := s.AddMotion(bg, f.convener, v.ID, models.MotionInput{AgendaItemID: item, Text: "同意划设停车位，由物业负责划线，费用从公共收益列支。"})
		if err != nil {
			t.Fatal(err)
		}
		m2, _ := s.AddMotion(bg, f.convener, v.ID, models.MotionInput{AgendaItemID: item, Text: "夜间临时停车每晚收费5元。"})
		m3, _ := s.AddMotion(bg, f.convener, v.ID, models.MotionInput{AgendaItemID: item, Text: "停车位抽签分配。"})
		if _, err := s.MotionStep(bg, f.convener, v.ID, m1.ID, models.MotionActOpen); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MotionStep(bg, f.convener, v.ID, m2.ID, models.MotionActOpen); !errors.Is(err, models.ErrAnotherVoting) {
			t.Fatalf("two votes at once: %v", err)
		}
		if _, err := s.CastMotionVote(bg, f.guest, v.ID, m1.ID, models.ChoiceFor); !errors.Is(err, models.ErrNoVote) {
			t.Fatalf("a guest voted: %v", err)
		}
		if _, err := s.CastMotionVote(bg, f.member, v.ID, m1.ID, "maybe"); !errors.As(err, &fe) {
			t.Fatalf("an unknown choice: %v", err)
		}
		if _, err := s.CastMotionVote(bg, f.member, v.ID, m1.ID, models.ChoiceFor); err != nil {
			t.Fatal(err)
		}
		prior, err := s.CastMotionVote(bg, f.member, v.ID, m1.ID, models.ChoiceAgainst)
		if !errors.Is(err, models.ErrMotionVoted) || prior.Choice != models.ChoiceFor {
			t.Fatalf("second vote: %+v %v", prior, err)
		}
		if live := motionByID(t, s, f.member, v.ID, m1.ID); live.For != 1 || live.Status != models.MotionVoting {
			t.Fatalf("live tally: %+v", live)
		}
		if err := s.CloseMeeting(bg, f.convener, v.ID); !errors.Is(err, models.ErrMotionsVoting) {
			t.Fatalf("closed the meeting during a vote: %v", err)
		}
		if _, err := s.CastMotionVote(bg, f.convener, v.ID, m1.ID, models.ChoiceFor); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MotionStep(bg, f.member, v.ID, m1.ID, models.MotionActClose); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member closed a vote: %v", err)
		}
		got, err := s.MotionStep(bg, f.convener, v.ID, m1.ID, models.MotionActClose)
		if err != nil || got.Status != models.MotionAdopted || got.Outcome != models.OutcomePassed || got.For != 2 || got.Members != 2 || got.Present != 2 {
			t.Fatalf("close: %+v %v", got, err)
		}
		if _, err := s.MotionStep(bg, f.convener, v.ID, m1.ID, models.MotionActClose); !errors.Is(err, models.ErrMotionStep) {
			t.Fatalf("closed twice: %v", err)
		}
		if _, err := s.CastMotionVote(bg, f.member, v.ID, m1.ID, models.ChoiceFor); !errors.Is(err, models.ErrMotionStep) {
			t.Fatalf("voted after the close: %v", err)
		}

		// Motion 2 by a show of hands: rejected, two against.
		if _, err := s.MotionStep(bg, f.convener, v.ID, m2.ID, models.MotionActOpen); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordHands(bg, f.member, v.ID, m2.ID, models.Hands{Against: 2}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member recorded hands: %v", err)
		}
		if err := s.RecordHands(bg, f.staff1, v.ID, m2.ID, models.Hands{For: 1, Against: 2}); !errors.As(err, &fe) || fe["hands"] == "" {
			t.Fatalf("three hands among two present: %v", err)
		}
		if err := s.RecordHands(bg, f.staff1, v.ID, m2.ID, models.Hands{Against: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CastMotionVote(bg, f.member, v.ID, m2.ID, models.ChoiceFor); !errors.Is(err, models.ErrHandsRecorded) {
			t.Fatalf("a phone vote after the show of hands: %v", err)
		}
		got, err = s.MotionStep(bg, f.convener, v.ID, m2.ID, models.MotionActClose)
		if err != nil || got.Status != models.MotionRejected || got.Outcome != models.OutcomeFailed || got.Against != 2 || !got.ByHands || got.HandsByID == nil || *got.HandsByID != f.staff1.Account.ID {
			t.Fatalf("close by hands: %+v %v", got, err)
		}

		// Motion 3 withdrawn; a withdrawn motion is not voted on.
		if got, err := s.MotionStep(bg, f.convener, v.ID, m3.ID, models.MotionActWithdraw); err != nil || got.Status != models.MotionWithdrawn {
			t.Fatalf("withdraw: %+v %v", got, err)
		}
		if _, err := s.MotionStep(bg, f.convener, v.ID, m3.ID, models.MotionActOpen); !errors.Is(err, models.ErrMotionStep) {
			t.Fatalf("opened a withdrawn motion: %v", err)
		}
		sv, _ = s.MeetingByID(bg, f.member, v.ID)
		if cur := sv.Current(); cur == nil || cur.ID != m2.ID {
			t.Fatalf("projector's motion: %+v", cur)
		}
		if sv.MyVotes[m1.ID] != models.ChoiceFor || len(sv.Motions) != 4 {
			t.Fatalf("member's votes %v, %d motions", sv.MyVotes, len(sv.Motions))
		}

		// Closing the meeting ends attendance and motions.
		if err := s.CloseMeeting(bg, f.member, v.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member closed the meeting: %v", err)
		}
		if err := s.CloseMeeting(bg, f.convener, v.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.CloseMeeting(bg, f.convener, v.ID); !errors.Is(err, models.ErrMeetingStep) {
			t.Fatalf("closed twice: %v", err)
		}
		if err := s.CheckIn(bg, f.guest, v.ID, code); !errors.Is(err, models.ErrMeetingStep) && !errors.Is(err, models.ErrAlreadyPresent) {
			t.Fatalf("signed in after the close: %v", err)
		}
		if _, err := s.AddMotion(bg, f.convener, v.ID, models.MotionInput{AgendaItemID: item, Text: "会后再议的事项"}); !errors.Is(err, models.ErrMeetingStep) {
			t.Fatalf("a motion after the close: %v", err)
		}
		var n int64
		if err := s.Tx(bg).Model(&models.AuditEntry{}).Where("action LIKE ?", "motion.%").Count(&n).Error; err != nil || n < 10 {
			t.Fatalf("%d motion audit entries: %v", n, err)
		}
	})
}

// TestMeetingCheckInGuessLimit: a member who enters MaxCheckInFailures
// wrong attendance codes during the session is refused from then on, the
// right code included, and must be marked present by those who run the
// council; each wrong code is in the audit trail, failed. Another member's
// attempts count for themselves only, and guesses sent all at once get no
// more than the limit.
func TestMeetingCheckInGuessLimit(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.announcedMeeting(t, s, clock)
		code := f.openMeeting(t, s, clock, v).AttendanceCode
		wrong := func(i int) string {
			w := fmt.Sprintf("%06d", i)
			if w == code {
				w = fmt.Sprintf("%06d", i+500000)
			}
			return w
		}
		var fe models.FieldErrors
		for i := 1; i < models.MaxCheckInFailures; i++ {
			clock.Advance(time.Second)
			if err := s.CheckIn(bg, f.member, v.ID, wrong(i)); !errors.As(err, &fe) || fe["code"] != "err.attendance_code_wrong" {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		if err := s.CheckIn(bg, f.member, v.ID, wrong(99)); !errors.Is(err, models.ErrCheckInLocked) {
			t.Fatalf("the last wrong code allowed: %v", err)
		}
		if err := s.CheckIn(bg, f.member, v.ID, code); !errors.Is(err, models.ErrCheckInLocked) {
			t.Fatalf("the right code after %d wrong ones: %v", models.MaxCheckInFailures, err)
		}
		if n := countRows(t, s, &models.AuditEntry{}, "action = ? AND actor_id = ? AND result = ? AND object_id = ?",
			"meeting.check_in", f.member.Account.ID, models.ResultFailed, fmt.Sprint(v.ID)); n != int64(models.MaxCheckInFailures) {
			t.Fatalf("%d failed check-ins audited, want %d", n, models.MaxCheckInFailures)
		}
		if sv, _ := s.MeetingByID(bg, f.member, v.ID); sv.Present {
			t.Fatal("a locked-out member is present")
		}
		// The convener marks the member present by hand.
		if err := s.MarkPresent(bg, f.convener, v.ID, f.member.Account.ID); err != nil {
			t.Fatalf("the convener marks the locked-out member present: %v", err)
		}
		if sv, _ := s.MeetingByID(bg, f.member, v.ID); !sv.Present {
			t.Fatal("the member marked present is not present")
		}

		// The guest's guesses, all at once: exactly the limit is recorded,
		// every other one refused, and the right code no longer helps.
		const tries = 12
		errs := make(chan error, tries)
		var wg sync.WaitGroup
		for i := range tries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.CheckIn(bg, f.guest, v.ID, wrong(1000+i))
			}()
		}
		wg.Wait()
		close(errs)
		locked := 0
		for err := range errs {
			switch {
			case errors.Is(err, models.ErrCheckInLocked):
				locked++
			case !errors.As(err, &fe):
				t.Fatalf("a guess: %v", err)
			}
		}
		if n := countRows(t, s, &models.AuditEntry{}, "action = ? AND actor_id = ? AND result = ?", "meeting.check_in", f.guest.Account.ID, models.ResultFailed); n != int64(models.MaxCheckInFailures) || locked != tries-models.MaxCheckInFailures+1 {
			t.Fatalf("%d guesses at once: %d failures recorded, %d refused", tries, n, locked)
		}
		if err := s.CheckIn(bg, f.guest, v.ID, code); !errors.Is(err, models.ErrCheckInLocked) {
			t.Fatalf("the guest's right code after the guesses: %v", err)
		}
	})
}

// TestVoteWithoutQuorum: a vote closed without a quorum decides nothing:
// the motion is neither adopted nor rejected but left undecided with what
// the vote counted, makes no resolution, and may be voted on again, from
// scratch, once enough members are present.
func TestVoteWithoutQuorum(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.announcedMeeting(t, s, clock)
		f.openMeeting(t, s, clock, v)
		if err := s.MarkPresent(bg, f.staff1, v.ID, f.member.Account.ID); err != nil {
			t.Fatal(err)
		}
		m := f.openVote(t, s, v, "同意划设停车位。")
		if _, err := s.CastMotionVote(bg, f.member, v.ID, m.ID, models.ChoiceFor); err != nil {
			t.Fatal(err)
		}
		got, err := s.MotionStep(bg, f.convener, v.ID, m.ID, models.MotionActClose)
		if err != nil || got.Status != models.MotionDraft || !got.Undecided() || got.For != 1 || got.Members != 2 || got.Present != 1 || got.ClosedAt == nil {
			t.Fatalf("closed one of two present: %+v %v", got, err)
		}
		sv, err := s.MeetingByID(bg, f.member, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if kept := motionByID(t, s, f.member, v.ID, m.ID); !kept.Undecided() || kept.For != 1 || kept.Outcome != models.OutcomeNoQuorum {
			t.Fatalf("the undecided motion as stored: %+v", kept)
		}
		if len(sv.Resolutions) != 0 {
			t.Fatalf("a vote without a quorum made resolutions: %v", sv.Resolutions)
		}
		if cur := sv.Current(); cur == nil || cur.ID != m.ID {
			t.Fatalf("projector's motion after the vote without a quorum: %+v", cur)
		}
		if _, err := s.CastMotionVote(bg, f.member, v.ID, m.ID, models.ChoiceAgainst); !errors.Is(err, models.ErrMotionStep) {
			t.Fatalf("voted on an undecided motion before its vote reopened: %v", err)
		}

		// With the convener present too, the vote is held again from scratch.
		if err := s.MarkPresent(bg, f.staff1, v.ID, f.convener.Account.ID); err != nil {
			t.Fatal(err)
		}
		reopened, err := s.MotionStep(bg, f.convener, v.ID, m.ID, models.MotionActOpen)
		if err != nil || reopened.Status != models.MotionVoting || reopened.Undecided() || reopened.For != 0 || reopened.ClosedAt != nil {
			t.Fatalf("reopened: %+v %v", reopened, err)
		}
		if live := motionByID(t, s, f.member, v.ID, m.ID); live.For != 0 || live.Outcome != "" || live.Members != 0 {
			t.Fatalf("the reopened vote's live tally: %+v", live)
		}
		for _, p := range []*models.Principal{f.member, f.convener} {
			if _, err := s.CastMotionVote(bg, p, v.ID, m.ID, models.ChoiceFor); err != nil {
				t.Fatalf("vote again: %v", err)
			}
		}
		got, err = s.MotionStep(bg, f.convener, v.ID, m.ID, models.MotionActClose)
		if err != nil || got.Status != models.MotionAdopted || got.Outcome != models.OutcomePassed || got.For != 2 || got.Present != 2 {
			t.Fatalf("closed with a quorum: %+v %v", got, err)
		}
		// The trail keeps what the vote without a quorum counted.
		var n int64
		if err := s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND detail LIKE ?", "motion.close", "%: draft: 1 for, 0 against, 0 abstain; 1 of 2 present; no_quorum").Count(&n).Error; err != nil || n != 1 {
			t.Fatalf("%d audit entries of the vote without a quorum: %v", n, err)
		}
	})
}

// TestConcurrentMotionVotes: members voting at once are all counted, and
// one member pressing 50 times at once has one vote stored; every refused
// press answers with the vote already cast.
func TestConcurrentMotionVotes(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.announcedMeeting(t, s, clock)
		var others []*models.Principal
		for i := 0; i < 8; i++ {
			phone := fmt.Sprintf("1390000008%d", i)
			a := mustAccount(t, s, phone, "委员")
			if _, err := s.AddCouncilMember(bg, f.staff1, f.council.ID, phone, models.MemberRegular); err != nil {
				t.Fatal(err)
			}
			others = append(others, principal(t, s, a.ID))
		}
		f.openMeeting(t, s, clock, v)
		for _, p := range append(others, f.member) {
			if err := s.MarkPresent(bg, f.staff1, v.ID, p.Account.ID); err != nil {
				t.Fatal(err)
			}
		}
		m := f.openVote(t, s, v, "同意划设停车位。")
		type press struct {
			p *models.Principal
			c models.MotionChoice
		}
		var presses []press
		for i := 0; i < 50; i++ {
			presses = append(presses, press{f.member, models.MotionChoices[i%3]})
		}
		for _, p := range others {
			presses = append(presses, press{p, models.ChoiceFor})
		}
		var wg sync.WaitGroup
		votes := make([]models.MotionVote, len(presses))
		errs := make([]error, len(presses))
		for i, pr := range presses {
			wg.Add(1)
			go func(i int, pr press) {
				defer wg.Done()
				votes[i], errs[i] = s.CastMotionVote(bg, pr.p, v.ID, m.ID, pr.c)
			}(i, pr)
		}
		wg.Wait()
		accepted := 0
		var stored models.MotionChoice
		for i := 0; i < 50; i++ {
			switch {
			case errs[i] == nil:
				accepted++
				stored = presses[i].c
			case !errors.Is(errs[i], models.ErrMotionVoted):
				t.Fatalf("press %d: %v", i, errs[i])
			}
		}
		if accepted != 1 {
			t.Fatalf("%d of one member's 50 presses accepted", accepted)
		}
		for i := 0; i < 50; i++ {
			if votes[i].Choice != stored || votes[i].AccountID != f.member.Account.ID {
				t.Fatalf("press %d answered with %+v, stored %s", i, votes[i], stored)
			}
		}
		for i := 50; i < len(presses); i++ {
			if errs[i] != nil {
				t.Fatalf("member %d: %v", i-50, errs[i])
			}
		}
		var rows int64
		if err := s.Tx(bg).Model(&models.MotionVote{}).Where("motion_id = ? AND account_id = ?", m.ID, f.member.Account.ID).Count(&rows).Error; err != nil || rows != 1 {
			t.Fatalf("%d rows for one member: %v", rows, err)
		}
		got, err := s.MotionStep(bg, f.convener, v.ID, m.ID, models.MotionActClose)
		if err != nil || got.For+got.Against+got.Abstain != 9 || got.Members != 10 || got.Present != 9 {
			t.Fatalf("tally after the rush: %+v %v", got, err)
		}
		wantFor := 8
		if stored == models.ChoiceFor {
			wantFor = 9
		}
		if got.For != wantFor || got.Status != models.MotionAdopted {
			t.Fatalf("for %d (want %d), %s", got.For, wantFor, got.Status)
		}
	})
}

// TestConcurrentMotionOpens: two motions of one meeting opened at once
// leave exactly one being voted on.
func TestConcurrentMotionOpens(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.announcedMeeting(t, s, clock)
		f.openMeeting(t, s, clock, v)
		var ids []uint64
		for _, text := range []string{"同意划设停车位。", "同意夜间收费。", "同意抽签分配。", "同意由物业管理。"} {
			m, err := s.AddMotion(bg, f.convener, v.ID, models.MotionInput{AgendaItemID: v.Items[0].ID, Text: text})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		if _, err := s.MotionStep(bg, f.convener, v.ID+1000, ids[0], models.MotionActOpen); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a motion through another meeting's address: %v", err)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(ids))
		for i, id := range ids {
			wg.Add(1)
			go func(i int, id uint64) {
				defer wg.Done()
				_, errs[i] = s.MotionStep(bg, f.convener, v.ID, id, models.MotionActOpen)
			}(i, id)
		}
		wg.Wait()
		opened := 0
		for _, err := range errs {
			switch {
			case err == nil:
				opened++
			case !errors.Is(err, models.ErrAnotherVoting):
				t.Fatalf("open: %v", err)
			}
		}
		sv, _ := s.MeetingByID(bg, f.convener, v.ID)
		voting := 0
		for _, m := range sv.Motions {
			if m.Status == models.MotionVoting {
				voting++
			}
		}
		if opened != 1 || voting != 1 {
			t.Fatalf("%d opened, %d voting", opened, voting)
		}
	})
}
