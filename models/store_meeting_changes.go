package models

import (
	"context"
	"fmt"
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
		if err := s.moveRow(ctx, &Meeting{}, id, MeetingAnnounced, set); err != nil {
			return err
		}
		if err := s.notifyMembers(ctx, p, v, NotifyMeetingPostponed, "notify.meeting_postponed", v.Council.Name, old, when); err != nil {
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
		if err := s.moveRow(ctx, &Meeting{}, id, v.Status, set); err != nil {
			return err
		}
		told := 0
		if v.Status == MeetingAnnounced {
			when := v.StartsAt.In(tz).Format("2006-01-02 15:04")
			body := fmt.Sprintf("原定于%s在%s召开的%s“%s”取消。\n取消原因：%s", when, v.Location, v.Council.Name, v.Title, reason)
			if _, err := s.meetingNotice(ctx, p, v, "会议取消公告：", body); err != nil {
				return err
			}
			if err := s.notifyMembers(ctx, p, v, NotifyMeetingCancelled, "notify.meeting_cancelled", v.Council.Name, when, reason); err != nil {
				return err
			}
			told = len(v.Council.Members)
		}
		return s.auditMeeting(ctx, p, v, "cancel", fmt.Sprintf("from %s, %d member(s) told: %s", v.Status, told, reason))
	})
}
