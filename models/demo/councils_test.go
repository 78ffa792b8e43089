package demo_test

import (
	"context"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

func TestDemoCouncil(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		ctx := context.Background()
		clock.Set(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		p := principalOf(t, s, "13800000003")
		list, total, err := s.Councils(ctx, p, 1, 10)
		if err != nil || total != 1 || list[0].Name != demo.CouncilName || list[0].Place.Name != demo.CommunityNames[0] {
			t.Fatalf("convener's councils: %+v %d %v", list, total, err)
		}
		v, err := s.CouncilByID(ctx, p, list[0].ID)
		if err != nil || len(v.Members) != 12 || v.MyRole != models.MemberConvener || v.Voting() != 11 {
			t.Fatalf("council: %d members, role %s, %d voting, %v", len(v.Members), v.MyRole, v.Voting(), err)
		}
		topics, total, err := s.CouncilTopics(ctx, v.ID, models.TopicFilter{PerPage: 20})
		if err != nil || total != 6 {
			t.Fatalf("%d topics: %v", total, err)
		}
		seen, fromNeed := map[models.TopicStatus]int{}, 0
		for _, tp := range topics {
			seen[tp.Status]++
			if tp.NeedID != nil {
				fromNeed++
			}
		}
		if seen[models.TopicAccepted] != 3 || seen[models.TopicSubmitted] != 1 || seen[models.TopicMerged] != 1 || seen[models.TopicDeclined] != 1 || fromNeed != 1 {
			t.Fatalf("topic statuses %v, %d from a need", seen, fromNeed)
		}
		meetings, _, err := s.CouncilMeetings(ctx, v, 1, 10)
		if err != nil || len(meetings) != 2 || meetings[0].Status != models.MeetingAnnounced || !meetings[0].StartsAt.After(s.Now()) ||
			meetings[1].Status != models.MeetingClosed || !meetings[1].StartsAt.Before(s.Now()) {
			t.Fatalf("meetings: %+v %v", meetings, err)
		}
		// The past meeting: held with a quorum, three motions, two adopted
		// (one from an accepted topic by members' votes), its minutes signed
		// and published with a publicity period still running.
		rp := principalOf(t, s, "13800000004")
		mins, err := s.MinutesOf(ctx, rp, meetings[1].ID)
		if err != nil || mins.Status() != models.MinutesPublished || !mins.Readable || mins.Minutes.SignedByID == nil || *mins.Minutes.SignedByID != p.Account.ID {
			t.Fatalf("past meeting's minutes as a resident sees them: %+v %v", mins.Minutes, err)
		}
		r := mins.Record
		if len(r.Present) != 9 || len(r.Absent) != 2 || len(r.Guests) != 1 || !r.Count.Met || len(r.Items) != 2 || len(r.Motions) != 3 || len(r.Resolutions()) != 2 {
			t.Fatalf("record: %d present, %d absent, %d guests, %d items, %d motions, %d resolutions", len(r.Present), len(r.Absent), len(r.Guests), len(r.Items), len(r.Motions), len(r.Resolutions()))
		}
		if m := r.Motions[0]; m.ByHands || m.For != 8 || m.Abstain != 1 || !m.Adopted() || r.Motions[2].Status != models.MotionRejected {
			t.Fatalf("motions: %+v", r.Motions)
		}
		accepted := map[uint64]bool{}
		for _, tp := range topics {
			accepted[tp.ID] = tp.Status == models.TopicAccepted
		}
		for _, it := range r.Items {
			if !accepted[it.TopicID] {
				t.Fatalf("agenda item %q is not an accepted topic", it.Title)
			}
		}
		if len(mins.Notices) != 1 || !mins.Notices[0].InPeriod(s.Now()) || mins.Text.Summary == "" || len(mins.Text.Notes) != 2 {
			t.Fatalf("minutes' notice %+v, summary %q", mins.Notices, mins.Text.Summary)
		}
		// Both resolutions are in execution, one of them overdue.
		open, _, err := s.CouncilResolutions(ctx, v.ID, models.ResolutionTabOpen, 1, 10)
		if err != nil || len(open) != 2 {
			t.Fatalf("open resolutions %+v: %v", open, err)
		}
		for _, res := range open {
			if res.Status != models.ResolutionInProgress || res.OwnerID == nil || res.Percent == 0 {
				t.Fatalf("resolution not in execution: %+v", res)
			}
		}
		if overdue, _, err := s.CouncilResolutions(ctx, v.ID, models.ResolutionTabOverdue, 1, 10); err != nil || len(overdue) != 1 {
			t.Fatalf("overdue resolutions %+v: %v", overdue, err)
		}
		mv, err := s.MeetingByID(ctx, p, meetings[0].ID)
		if err != nil || len(mv.Items) != 3 || len(mv.Research) != 3 || mv.Notice == nil || mv.Notice.Status != models.NoticePublished {
			t.Fatalf("meeting: %d items, %d researched, notice %+v, %v", len(mv.Items), len(mv.Research), mv.Notice, err)
		}
	})
}
