package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Notification kinds of meetings changed after their announcement.
const (
	NotifyMeetingPostponed NotificationKind = "meeting_postponed" // a meeting of your council moves to a later time
	NotifyMeetingCancelled NotificationKind = "meeting_cancelled" // a meeting of your council is called off
)

// PostponeMeeting moves an announced meeting to a later time, with a
// reason (会议延期). The members are told and the change goes on the
// bulletin beside the announcement, which stands: members have had at
// least the notice they were given.
func (s *Store) PostponeMeeting(ctx context.Context, p *Principal, id uint64, starts time.Time, reason string, tz *time.Location) (Meeting, error) {
	var out Meeting
	err := s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.changeMeeting(ctx, p, id, MeetingActPostpone)
		if err != nil {
			return err
		}
		now, reason := s.Now(), strings.TrimSpace(reason)
		if err := CheckPostpone(v.Meeting, starts, reason, now).Err(); err != nil {
			return err
		}
		from := v.StartsAt
		if v.PostponedFrom != nil {
			from = *v.PostponedFrom
		}
		old, when := v.StartsAt.In(tz).Format("2006-01-02 15:04"), starts.In(tz).Format("2006-01-02 15:04")
		body := fmt.Sprintf("原定于%s在%s召开的%s“%s”改于%s召开，地点不变。\n延期原因：%s", old, v.Location, v.Council.Name, v.Title, when, reason)
		if _, err := s.meetingNotice(ctx, p, v, "会议延期公告：", body); err != nil {
			return err
		}
		set := map[string]any{"starts_at": starts.UTC(), "postponed_from": from.UTC(), "change_reason": reason, "updated_at": now}
		if err := s.moveMeeting(ctx, id, MeetingAnnounced, set); err != nil {
			return err
		}
		err = s.Notify(ctx, actorOf(p), v.Council.MemberIDs(), Note{Kind: NotifyMeetingPostponed, SubjectType: "meeting", SubjectID: id,
			Key: "notify.meeting_postponed", Args: []string{v.Council.Name, old, when}, Link: "/meetings/" + strconv.FormatUint(id, 10)})
		if err != nil {
			return err
		}
		out = v.Meeting
		out.StartsAt, out.PostponedFrom, out.ChangeReason = starts.UTC(), &from, reason
		return s.auditMeeting(ctx, p, v, "postpone", fmt.Sprintf("%s → %s: %s", v.StartsAt.UTC().Format(time.RFC3339), starts.UTC().Format(time.RFC3339), reason))
	})
	return out, err
}

// CancelMeeting calls off a draft or announced meeting, with a reason
// (会议取消). An announced one's members are told and the cancellation goes
// on the bulletin. The topics on its agenda are free for another meeting.
func (s *Store) CancelMeeting(ctx context.Context, p *Principal, id uint64, reason string, tz *time.Location) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.changeMeeting(ctx, p, id, MeetingActCancel)
		if err != nil {
			return err
		}
		now, reason := s.Now(), strings.TrimSpace(reason)
		if err := CheckCancel(reason).Err(); err != nil {
			return err
		}
		set := map[string]any{"status": MeetingCancelled, "cancelled_at": now, "change_reason": reason, "updated_at": now}
		if err := s.moveMeeting(ctx, id, v.Status, set); err != nil {
			return err
		}
		told := 0
		if v.Status == MeetingAnnounced {
			when := v.StartsAt.In(tz).Format("2006-01-02 15:04")
			body := fmt.Sprintf("原定于%s在%s召开的%s“%s”取消。\n取消原因：%s", when, v.Location, v.Council.Name, v.Title, reason)
			if _, err := s.meetingNotice(ctx, p, v, "会议取消公告：", body); err != nil {
				return err
			}
			members := v.Council.MemberIDs()
			err = s.Notify(ctx, actorOf(p), members, Note{Kind: NotifyMeetingCancelled, SubjectType: "meeting", SubjectID: id,
				Key: "notify.meeting_cancelled", Args: []string{v.Council.Name, when, reason}, Link: "/meetings/" + strconv.FormatUint(id, 10)})
			if err != nil {
				return err
			}
			told = len(members)
		}
		return s.auditMeeting(ctx, p, v, "cancel", fmt.Sprintf("from %s, %d member(s) told: %s", v.Status, told, reason))
	})
}

// changeMeeting locks a meeting for one who runs its council and checks
// that action a may be taken from its status.
func (s *Store) changeMeeting(ctx context.Context, p *Principal, id uint64, a MeetingAction) (MeetingView, error) {
	return s.editMeeting(ctx, p, id, func(st MeetingStatus) bool {
		_, ok := MeetingTransition(st, a)
		return ok
	})
}
