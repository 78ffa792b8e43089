package models_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// TestPostponeAndCancelMeeting: postponing an announced meeting moves it
// later, publishes the change and tells the members; cancelling frees its
// topics for another meeting; neither is possible once it has opened, nor
// for a member who does not run the council.
func TestPostponeAndCancelMeeting(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.announcedMeeting(t, s, clock)
		first := v.StartsAt
		later := first.Add(48 * time.Hour)
		if _, err := s.PostponeMeeting(bg, f.member, v.ID, later, "场地冲突", time.UTC); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member postponed: %v", err)
		}
		var fe models.FieldErrors
		if _, err := s.PostponeMeeting(bg, f.convener, v.ID, first.Add(-time.Hour), "场地冲突", time.UTC); !errors.As(err, &fe) || fe["starts_at"] != "err.postpone_earlier" {
			t.Fatalf("postponed to an earlier time: %v", err)
		}
		if _, err := s.PostponeMeeting(bg, f.convener, v.ID, later, "场地冲突，社区活动室另有安排", time.UTC); err != nil {
			t.Fatal(err)
		}
		// Postponed twice, it keeps the time first announced.
		if _, err := s.PostponeMeeting(bg, f.convener, v.ID, later.Add(time.Hour), "召集人出差", time.UTC); err != nil {
			t.Fatal(err)
		}
		got, err := s.MeetingByID(bg, f.member, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != models.MeetingAnnounced || !got.StartsAt.Equal(later.Add(time.Hour)) || got.PostponedFrom == nil || !got.PostponedFrom.Equal(first) || got.ChangeReason != "召集人出差" {
			t.Fatalf("after postponing: %s at %s, from %v, %q", got.Status, got.StartsAt, got.PostponedFrom, got.ChangeReason)
		}
		if keys := inboxKeys(t, s, f.member); !strings.Contains(strings.Join(keys, ","), "notify.meeting_postponed") {
			t.Fatalf("member's inbox: %v", keys)
		}
		notices, _, err := s.PublishedNotices(bg, models.NoticeQuery{PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		postponed := 0
		for _, n := range notices {
			if n.SourceType == "meeting" && n.SourceID == v.ID && strings.Contains(n.Title, "延期") {
				postponed++
			}
		}
		if postponed != 2 {
			t.Fatalf("%d postponement notices", postponed)
		}

		// Cancelled, its topic may go on another meeting's agenda.
		if err := s.CancelMeeting(bg, f.convener, v.ID, " ", time.UTC); !errors.As(err, &fe) || fe["reason"] != "err.required" {
			t.Fatalf("cancelled without a reason: %v", err)
		}
		if err := s.CancelMeeting(bg, f.convener, v.ID, "台风红色预警", time.UTC); err != nil {
			t.Fatal(err)
		}
		if err := s.CancelMeeting(bg, f.convener, v.ID, "台风红色预警", time.UTC); !errors.Is(err, models.ErrMeetingStep) {
			t.Fatalf("cancelled twice: %v", err)
		}
		if _, err := s.OpenMeeting(bg, f.convener, v.ID); err == nil {
			t.Fatal("a cancelled meeting opened")
		}
		if keys := inboxKeys(t, s, f.member); !strings.Contains(strings.Join(keys, ","), "notify.meeting_cancelled") {
			t.Fatalf("member's inbox: %v", keys)
		}
		next, err := s.CreateMeeting(bg, f.convener, f.council.ID, models.MeetingInput{Title: "改期议事会", StartsAt: clock.Now().Add(10 * 24 * time.Hour), Location: "社区活动室"})
		if err != nil {
			t.Fatal(err)
		}
		nv, err := s.MeetingByID(bg, f.convener, next.ID)
		if err != nil || len(nv.Candidates) != 1 || nv.Candidates[0].ID != v.Items[0].TopicID {
			t.Fatalf("candidates after the cancellation: %+v %v", nv.Candidates, err)
		}

		// A draft is cancelled quietly: nothing was announced.
		before := len(inboxKeys(t, s, f.member))
		if err := s.CancelMeeting(bg, f.convener, next.ID, "并入下月例会", time.UTC); err != nil {
			t.Fatal(err)
		}
		if after := len(inboxKeys(t, s, f.member)); after != before {
			t.Fatalf("a draft's cancellation told members: %d → %d", before, after)
		}
		if _, err := s.PostponeMeeting(bg, f.convener, next.ID, later, "x", time.UTC); !errors.Is(err, models.ErrMeetingStep) {
			t.Fatalf("postponed a cancelled draft: %v", err)
		}
	})
}

// TestOpenedMeetingCannotBeCancelled: once in session, a meeting is
// neither postponed nor cancelled.
func TestOpenedMeetingCannotBeCancelled(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.announcedMeeting(t, s, clock)
		clock.Set(v.StartsAt.Add(-10 * time.Minute))
		if _, err := s.OpenMeeting(bg, f.convener, v.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.CancelMeeting(bg, f.convener, v.ID, "台风", time.UTC); !errors.Is(err, models.ErrMeetingStep) {
			t.Fatalf("cancelled in session: %v", err)
		}
		if _, err := s.PostponeMeeting(bg, f.convener, v.ID, v.StartsAt.Add(24*time.Hour), "台风", time.UTC); !errors.Is(err, models.ErrMeetingStep) {
			t.Fatalf("postponed in session: %v", err)
		}
	})
}
