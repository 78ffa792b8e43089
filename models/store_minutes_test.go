package models_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// closedMeeting holds a meeting of the fixture's council with research on
// its item, a secretary, attendance by code and by the secretary, a motion
// adopted by members' votes, one rejected by a show of hands and one
// withdrawn; it returns the meeting, closed, and the secretary.
func (f *councilFixture) closedMeeting(t *testing.T, s *models.Store, clock *modeltest.Clock) (models.MeetingView, *models.Principal) {
	t.Helper()
	acct := mustAccount(t, s, "13900000033", "秘书")
	if _, err := s.AddCouncilMember(bg, f.staff1, f.council.ID, "13900000033", models.MemberSecretary); err != nil {
		t.Fatal(err)
	}
	sec := principal(t, s, acct.ID)
	v := f.announcedMeeting(t, s, clock)
	item := v.Items[0].ID
	if _, err := s.AddResearch(bg, f.member, v.ID, item, models.ResearchInput{Note: "走访30户，26户支持。", CostFen: 1500000, Canvassed: 30}); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	m1, err := s.AddMotion(bg, f.convener, v.ID, models.MotionInput{AgendaItemID: item, Text: "同意划设停车位，由物业负责划线。"})
	must(err)
	m2, err := s.AddMotion(bg, f.convener, v.ID, models.MotionInput{AgendaItemID: item, Text: "夜间临时停车每晚收费5元。"})
	must(err)
	m3, err := s.AddMotion(bg, f.convener, v.ID, models.MotionInput{AgendaItemID: item, Text: "停车位抽签分配。"})
	must(err)
	opened := f.openMeeting(t, s, clock, v)
	clock.Advance(time.Minute)
	must(s.CheckIn(bg, f.member, v.ID, opened.AttendanceCode))
	clock.Advance(time.Minute)
	must(s.CheckIn(bg, f.guest, v.ID, opened.AttendanceCode))
	must(s.MarkPresent(bg, sec, v.ID, f.convener.Account.ID))
	_, err = s.MotionStep(bg, f.convener, v.ID, m1.ID, models.MotionActOpen)
	must(err)
	_, err = s.CastMotionVote(bg, f.member, v.ID, m1.ID, models.ChoiceFor)
	must(err)
	_, err = s.CastMotionVote(bg, f.convener, v.ID, m1.ID, models.ChoiceFor)
	must(err)
	_, err = s.MotionStep(bg, f.convener, v.ID, m1.ID, models.MotionActClose)
	must(err)
	_, err = s.MotionStep(bg, f.convener, v.ID, m2.ID, models.MotionActOpen)
	must(err)
	must(s.RecordHands(bg, sec, v.ID, m2.ID, models.Hands{For: 0, Against: 1, Abstain: 1}))
	_, err = s.MotionStep(bg, f.convener, v.ID, m2.ID, models.MotionActClose)
	must(err)
	_, err = s.MotionStep(bg, f.convener, v.ID, m3.ID, models.MotionActWithdraw)
	must(err)
	if _, err := s.StartMinutes(bg, sec, v.ID); !errors.Is(err, models.ErrMinutesNotClosed) {
		t.Fatalf("minutes started before the close: %v", err)
	}
	must(s.CloseMeeting(bg, f.convener, v.ID))
	v, err = s.MeetingByID(bg, f.convener, v.ID)
	must(err)
	return v, sec
}

// TestMinutesPrefilledFromMeeting: the draft is prefilled from a real
// closed meeting, and later changes to the council do not alter it; drafts
// are for members and staff only.
func TestMinutesPrefilledFromMeeting(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v, sec := f.closedMeeting(t, s, clock)
		if _, err := s.StartMinutes(bg, f.member, v.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member started the minutes: %v", err)
		}
		if _, err := s.StartMinutes(bg, sec, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartMinutes(bg, f.convener, v.ID); !errors.Is(err, models.ErrMinutesStep) {
			t.Fatalf("started twice: %v", err)
		}
		// Later changes: the member leaves the council, the topic is renamed.
		for _, m := range v.Council.Members {
			if m.AccountID == f.member.Account.ID {
				if err := s.RemoveCouncilMember(bg, f.staff1, f.council.ID, m.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.Tx(bg).Model(&models.Topic{}).Where("id = ?", v.Items[0].TopicID).Update("title", "改过的标题").Error; err != nil {
			t.Fatal(err)
		}
		mv, err := s.MinutesOf(bg, f.guest, v.ID)
		if err != nil || !mv.Readable || mv.Status() != models.MinutesDraft {
			t.Fatalf("a guest reads the draft: %+v %v", mv.Minutes, err)
		}
		r := mv.Record
		names := func(ps []models.MinutesPerson) string {
			var out []string
			for _, p := range ps {
				out = append(out, p.Name+"/"+string(p.Method))
			}
			return strings.Join(out, ",")
		}
		switch {
		case r.Council != "一社区居民议事会" || r.Meeting != "十二月居民议事会" || r.Location != "社区活动室" || !r.StartsAt.Equal(v.StartsAt) || r.ClosedAt == nil:
			t.Fatalf("when and where: %+v", r)
		case names(r.Present) != "委员/code,召集人/marked" || names(r.Absent) != "秘书/" || names(r.Guests) != "列席/code":
			t.Fatalf("attendance: present %s, absent %s, guests %s", names(r.Present), names(r.Absent), names(r.Guests))
		case r.Count.Members != 3 || r.Count.Present != 2 || !r.Count.Met || r.Quorum != (models.Fraction{Num: 2, Den: 3}):
			t.Fatalf("quorum: %+v %+v", r.Count, r.Quorum)
		case len(r.Items) != 1 || r.Items[0].Title != "规划停车位" || r.Items[0].Minutes != 30 || len(r.Items[0].Research) != 1 || r.Items[0].Research[0].CostFen != 1500000:
			t.Fatalf("agenda: %+v", r.Items)
		case len(r.Motions) != 3 || r.Motions[0].Status != models.MotionAdopted || r.Motions[0].For != 2 || r.Motions[0].ByHands ||
			r.Motions[1].Status != models.MotionRejected || !r.Motions[1].ByHands || r.Motions[1].Against != 1 || r.Motions[1].Abstain != 1 ||
			r.Motions[2].Status != models.MotionWithdrawn:
			t.Fatalf("motions: %+v", r.Motions)
		case len(r.Resolutions()) != 1 || r.Convener != "召集人" || r.Secretary != "秘书":
			t.Fatalf("resolutions %+v, officers %q %q", r.Resolutions(), r.Convener, r.Secretary)
		}
		// A resident of the place sees the meeting but not the draft.
		rv, err := s.MinutesOf(bg, f.filer, v.ID)
		if err != nil || rv.Readable || rv.Minutes == nil || len(rv.Record.Motions) != 0 {
			t.Fatalf("a resident reads the draft: %v %v", rv.Readable, err)
		}
		if _, err := s.MinutesOf(bg, f.farAway, v.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("far away: %v", err)
		}
	})
}

// TestMinutesLifecycle edits, finalises, returns, signs, publishes and
// amends minutes, with the steps refused on the way.
func TestMinutesLifecycle(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v, sec := f.startedMinutes(t, s, clock)
		item := v.Items[0].ID
		var fe models.FieldErrors
		text := models.MinutesText{Summary: "  ", Notes: map[uint64]string{item: " 多数成员同意划设停车位。 "}}
		if err := s.SaveMinutes(bg, f.member, v.ID, minutesVersion(t, s, sec, v.ID), text); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member edited: %v", err)
		}
		if err := s.SaveMinutes(bg, sec, v.ID, minutesVersion(t, s, sec, v.ID), models.MinutesText{Notes: map[uint64]string{item + 99: "x"}}); !errors.As(err, &fe) || fe["notes"] == "" {
			t.Fatalf("a note on no item: %v", err)
		}
		if err := s.SaveMinutes(bg, sec, v.ID, minutesVersion(t, s, sec, v.ID), text); err != nil {
			t.Fatal(err)
		}
		if err := s.FinaliseMinutes(bg, sec, v.ID); !errors.As(err, &fe) || fe["summary"] != "err.minutes_summary_required" {
			t.Fatalf("finalised without a summary: %v", err)
		}
		text.Summary = "会议审议停车位议题，通过一项决议。"
		if err := s.SaveMinutes(bg, sec, v.ID, minutesVersion(t, s, sec, v.ID), text); err != nil {
			t.Fatal(err)
		}
		if err := s.FinaliseMinutes(bg, sec, v.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveMinutes(bg, sec, v.ID, minutesVersion(t, s, sec, v.ID), text); !errors.Is(err, models.ErrMinutesFixed) {
			t.Fatalf("edited finalised minutes: %v", err)
		}
		// The convener sends it back with a reason, then it is finalised again.
		if err := s.ReturnMinutes(bg, sec, v.ID, "请补充"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("the secretary returned it: %v", err)
		}
		if err := s.ReturnMinutes(bg, f.convener, v.ID, ""); !errors.As(err, &fe) || fe["reason"] == "" {
			t.Fatalf("returned without a reason: %v", err)
		}
		if err := s.ReturnMinutes(bg, f.convener, v.ID, "请补充列席人员意见"); err != nil {
			t.Fatal(err)
		}
		mv, _ := s.MinutesOf(bg, sec, v.ID)
		if mv.Status() != models.MinutesDraft || mv.Minutes.ReturnReason != "请补充列席人员意见" || mv.Minutes.FinalisedAt != nil {
			t.Fatalf("returned: %+v", mv.Minutes)
		}
		if mv.Text.Notes[item] != "多数成员同意划设停车位。" {
			t.Fatalf("notes kept trimmed: %q", mv.Text.Notes[item])
		}
		if err := s.FinaliseMinutes(bg, f.convener, v.ID); err != nil {
			t.Fatal(err)
		}
		// Only the convener signs; drafts are not public until then.
		if rv, _ := s.MinutesOf(bg, f.filer, v.ID); rv.Readable {
			t.Fatal("a resident reads finalised, unsigned minutes")
		}
		for _, p := range []*models.Principal{sec, f.staff1, f.member} {
			if err := s.SignMinutes(bg, p, v.ID); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("%s signed: %v", p.Account.Name, err)
			}
		}
		if _, err := s.PublishMinutes(bg, f.convener, v.ID, 7, time.UTC); !errors.Is(err, models.ErrMinutesStep) {
			t.Fatalf("published before signing: %v", err)
		}
		if err := s.SignMinutes(bg, f.convener, v.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.ReturnMinutes(bg, f.convener, v.ID, "签发后退回"); !errors.Is(err, models.ErrMinutesStep) {
			t.Fatalf("returned after signing: %v", err)
		}
		rv, err := s.MinutesOf(bg, f.filer, v.ID)
		if err != nil || !rv.Readable || rv.NameOf(rv.Minutes.SignedByID) != "召集人" || rv.Minutes.SignedAt == nil {
			t.Fatalf("signed minutes as a resident sees them: %+v %v", rv.Minutes, err)
		}

		// An amendment before publication: kept, no notice.
		version := func() string {
			t.Helper()
			mv, err := s.MinutesOf(bg, sec, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			return mv.Minutes.Version()
		}
		base := version()
		if _, err := s.AmendMinutes(bg, sec, v.ID, base, text, "补充", time.UTC); !errors.As(err, &fe) || fe["summary"] != "err.minutes_no_change" {
			t.Fatalf("an amendment changing nothing: %v", err)
		}
		changed := models.MinutesText{Summary: text.Summary + "会议由召集人主持。", Notes: text.Notes}
		if _, err := s.AmendMinutes(bg, sec, v.ID, base, changed, " ", time.UTC); !errors.As(err, &fe) || fe["reason"] == "" {
			t.Fatalf("an amendment without a reason: %v", err)
		}
		if _, err := s.AmendMinutes(bg, f.member, v.ID, base, changed, "补充主持人", time.UTC); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member amended: %v", err)
		}
		a1, err := s.AmendMinutes(bg, sec, v.ID, base, changed, "补充主持人", time.UTC)
		if err != nil || a1.NoticeID != nil {
			t.Fatalf("amend: %+v %v", a1, err)
		}
		// The convener amending from the page as it was before: their full
		// texts would undo the secretary's amendment unseen.
		stale := models.MinutesText{Summary: text.Summary, Notes: map[uint64]string{item: "到会成员同意划设停车位。"}}
		if _, err := s.AmendMinutes(bg, f.convener, v.ID, base, stale, "更正表述", time.UTC); !errors.Is(err, models.ErrMinutesAmendedMeanwhile) {
			t.Fatalf("an amendment over one made meanwhile: %v", err)
		}

		// Publishing: the convener (not staff) publishes with a period.
		if _, err := s.PublishMinutes(bg, sec, v.ID, 7, time.UTC); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("the secretary (not staff) published: %v", err)
		}
		if _, err := s.PublishMinutes(bg, f.convener, v.ID, 0, time.UTC); !errors.As(err, &fe) || fe["period_days"] == "" {
			t.Fatalf("published without a period: %v", err)
		}
		n, err := s.PublishMinutes(bg, f.convener, v.ID, 7, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		now := clock.Now()
		if n.Status != models.NoticePublished || n.PeriodDays != 7 || n.PeriodEndsAt == nil || !n.PeriodEndsAt.Equal(now.AddDate(0, 0, 7)) ||
			!n.AllowObjections || n.SourceType != models.MinutesSource || n.PlaceID != f.com1.ID {
			t.Fatalf("notice: %+v", n)
		}
		for _, want := range []string{"会议决议", "1. 同意划设停车位，由物业负责划线。", "通过（同意2票，反对0票，弃权0票；成员表决）", "未通过（同意0票，反对1票，弃权1票；举手表决）", "会议由召集人主持。"} {
			if !strings.Contains(n.Body, want) {
				t.Fatalf("notice body lacks %q:\n%s", want, n.Body)
			}
		}
		if keys := inboxKeys(t, s, f.member); len(keys) == 0 || keys[0] != "notify.minutes_published" {
			t.Fatalf("member's inbox: %v", keys)
		}
		if _, err := s.PublishMinutes(bg, f.convener, v.ID, 7, time.UTC); !errors.Is(err, models.ErrMinutesStep) {
			t.Fatalf("published twice: %v", err)
		}

		// An amendment after publication is published as a follow-up notice.
		clock.Advance(24 * time.Hour)
		again := models.MinutesText{Summary: changed.Summary, Notes: map[uint64]string{item: "全体到会成员同意划设停车位。"}}
		a2, err := s.AmendMinutes(bg, f.convener, v.ID, version(), again, "更正表述", time.UTC)
		if err != nil || a2.NoticeID == nil {
			t.Fatalf("amend after publication: %+v %v", a2, err)
		}
		if keys := inboxKeys(t, s, f.member); keys[0] != "notify.minutes_amended" {
			t.Fatalf("member not told of the amendment: %v", keys)
		}
		mv, err = s.MinutesOf(bg, f.filer, v.ID)
		if err != nil || mv.Status() != models.MinutesPublished || len(mv.Amendments) != 2 || len(mv.Notices) != 2 {
			t.Fatalf("published minutes: %s, %d amendments, %d notices, %v", mv.Status(), len(mv.Amendments), len(mv.Notices), err)
		}
		c1, c2 := mv.Amendments[0].ChangeList(), mv.Amendments[1].ChangeList()
		if len(c1) != 1 || c1[0].Field != "summary" || c1[0].Before != text.Summary || c1[0].After != changed.Summary || mv.Amendments[0].Author.Name != "秘书" {
			t.Fatalf("first amendment: %+v", c1)
		}
		if len(c2) != 1 || c2[0].Before != "多数成员同意划设停车位。" || c2[0].After != "全体到会成员同意划设停车位。" || mv.Amendments[1].Reason != "更正表述" {
			t.Fatalf("second amendment: %+v", c2)
		}
		if mv.Text.Notes[item] != "全体到会成员同意划设停车位。" {
			t.Fatalf("text after amending: %+v", mv.Text)
		}
		fu := mv.Notices[1]
		if fu.ID != *a2.NoticeID || fu.PeriodDays != 7 || !strings.Contains(fu.Body, "更正原因：更正表述") || !strings.Contains(fu.Body, "原文：多数成员同意划设停车位。") {
			t.Fatalf("follow-up notice: %+v", fu)
		}
		var audits int64
		if err := s.Tx(bg).Model(&models.AuditEntry{}).Where("action LIKE ?", "minutes.%").Count(&audits).Error; err != nil || audits != 10 {
			t.Fatalf("%d minutes audit entries: %v", audits, err)
		}
	})
}

// startedMinutes is closedMeeting with its minutes started by the
// secretary.
func (f *councilFixture) startedMinutes(t *testing.T, s *models.Store, clock *modeltest.Clock) (models.MeetingView, *models.Principal) {
	t.Helper()
	v, sec := f.closedMeeting(t, s, clock)
	if _, err := s.StartMinutes(bg, sec, v.ID); err != nil {
		t.Fatal(err)
	}
	return v, sec
}

// minutesVersion is the version of the texts of a meeting's minutes as
// saved now, the one an edit form loaded now would carry.
func minutesVersion(t *testing.T, s *models.Store, p *models.Principal, meetingID uint64) string {
	t.Helper()
	mv, err := s.MinutesOf(bg, p, meetingID)
	if err != nil || mv.Minutes == nil {
		t.Fatalf("minutes of meeting %d: %v", meetingID, err)
	}
	return mv.Minutes.Version()
}

// TestMinutesSaveConflict: the secretary and the convener edit the same
// draft; the second save, made over the version both started from, is
// refused and saves nothing, so the first is not silently overwritten. A
// save over the version now saved goes through.
func TestMinutesSaveConflict(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v, sec := f.startedMinutes(t, s, clock)
		item := v.Items[0].ID
		base := minutesVersion(t, s, sec, v.ID)
		mine := models.MinutesText{Summary: "秘书写的纪要。", Notes: map[uint64]string{item: "秘书记录的讨论。"}}
		theirs := models.MinutesText{Summary: "召集人改写的纪要。"}
		if err := s.SaveMinutes(bg, sec, v.ID, base, mine); err != nil {
			t.Fatal(err)
		}
		// Same clock tick, same starting version: refused.
		if err := s.SaveMinutes(bg, f.convener, v.ID, base, theirs); !errors.Is(err, models.ErrMinutesConflict) {
			t.Fatalf("a save over a stale version: %v", err)
		}
		mv, err := s.MinutesOf(bg, sec, v.ID)
		if err != nil || mv.Text.Summary != mine.Summary || mv.Text.Notes[item] != mine.Notes[item] {
			t.Fatalf("the first save was overwritten: %+v %v", mv.Text, err)
		}
		if mv.Minutes.Version() == base {
			t.Fatal("saving new texts kept the version")
		}
		// Having seen what was saved, the convener saves over it.
		if err := s.SaveMinutes(bg, f.convener, v.ID, mv.Minutes.Version(), theirs); err != nil {
			t.Fatalf("a save over the current version: %v", err)
		}
		if mv, _ = s.MinutesOf(bg, sec, v.ID); mv.Text.Summary != theirs.Summary || len(mv.Text.Notes) != 0 {
			t.Fatalf("after the deliberate save: %+v", mv.Text)
		}
		var edits int64
		if err := s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ?", "minutes.edit").Count(&edits).Error; err != nil || edits != 2 {
			t.Fatalf("%d edits audited, want 2: %v", edits, err)
		}
	})
}

// TestMinutesRecordTakenAtClose: the minutes started after the council
// changed (a member who was present left it, a new one joined, the rules
// changed) still show the meeting as it stood when it closed.
func TestMinutesRecordTakenAtClose(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.announcedMeeting(t, s, clock)
		f.openMeeting(t, s, clock, v)
		if err := s.MarkPresent(bg, f.convener, v.ID, f.member.Account.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.CloseMeeting(bg, f.convener, v.ID); err != nil {
			t.Fatal(err)
		}
		closed := clock.Now()
		clock.Advance(48 * time.Hour)
		cv, err := s.CouncilByID(bg, f.staff1, f.council.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range cv.Members {
			if m.AccountID == f.member.Account.ID {
				if err := s.RemoveCouncilMember(bg, f.staff1, f.council.ID, m.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		mustAccount(t, s, "13900000038", "后来的委员")
		if _, err := s.AddCouncilMember(bg, f.staff1, f.council.ID, "13900000038", models.MemberRegular); err != nil {
			t.Fatal(err)
		}
		before := cv.Rules()
		if err := s.SetCouncilRules(bg, f.staff1, f.council.ID, models.CouncilRules{Quorum: models.Fraction{Num: 1, Den: 2}, Pass: models.PassTwoThirds, NoticeDays: 5}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartMinutes(bg, f.convener, v.ID); err != nil {
			t.Fatal(err)
		}
		mv, err := s.MinutesOf(bg, f.convener, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		r := mv.Record
		names := func(ps []models.MinutesPerson) string {
			var out []string
			for _, p := range ps {
				out = append(out, p.Name)
			}
			return strings.Join(out, "、")
		}
		if !strings.Contains(names(r.Present), "委员") || strings.Contains(names(r.Present)+names(r.Absent), "后来的委员") {
			t.Fatalf("present %q, absent %q", names(r.Present), names(r.Absent))
		}
		if r.Pass != before.Pass || r.Quorum != before.Quorum || !r.SnapshotAt.Equal(closed) || r.ClosedAt == nil || !r.ClosedAt.Equal(closed) {
			t.Fatalf("record: pass %s quorum %v at %v closed %v; want %s %v at %v", r.Pass, r.Quorum, r.SnapshotAt, r.ClosedAt, before.Pass, before.Quorum, closed)
		}
	})
}
