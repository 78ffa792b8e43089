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
		acct, err := s.AccountByPhone(ctx, "13800000003")
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.LoadPrincipal(ctx, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
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
		if err != nil || len(meetings) != 1 || meetings[0].Status != models.MeetingAnnounced || !meetings[0].StartsAt.After(s.Now()) {
			t.Fatalf("meetings: %+v %v", meetings, err)
		}
		mv, err := s.MeetingByID(ctx, p, meetings[0].ID)
		if err != nil || len(mv.Items) != 3 || len(mv.Research) != 3 || mv.Notice == nil || mv.Notice.Status != models.NoticePublished {
			t.Fatalf("meeting: %d items, %d researched, notice %+v, %v", len(mv.Items), len(mv.Research), mv.Notice, err)
		}
	})
}
