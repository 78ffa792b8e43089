package councils

import (
	"context"
	"fmt"

	"yishi/models"
	"yishi/views"
	"yishi/views/components"
)

// mayVote reports whether the viewer may vote on m now.
func mayVote(d MeetingData, m models.Motion) bool {
	_, voted := d.Meeting.MyVotes[m.ID]
	return models.CheckMotionVote(d.Meeting.Status, m, d.Meeting.Council.MyRole, d.Meeting.Present, voted, models.ChoiceFor) == nil
}

func motionURL(meeting, motion uint64, step string) string {
	return fmt.Sprintf("/meetings/%d/motions/%d/%s", meeting, motion, step)
}

func motionForm(id uint64) string { return "motion-" + views.Itoa(id) }

func motionStatusName(ctx context.Context, s models.MotionStatus) string {
	return named(ctx, "motion_status.", s)
}

func choiceName(ctx context.Context, c models.MotionChoice) string { return named(ctx, "choice.", c) }

// motionState names where motion m stands: its status, or 未形成决定 when
// its vote closed without a quorum.
func motionState(ctx context.Context, m models.Motion) string {
	if m.Undecided() {
		return views.T(ctx, "motion_status.undecided")
	}
	return motionStatusName(ctx, m.Status)
}

func motionBadge(m models.Motion) string {
	switch {
	case m.Status == models.MotionAdopted:
		return "badge badge-ok"
	case m.Status == models.MotionVoting:
		return "badge badge-open"
	case m.Status == models.MotionRejected, m.Undecided():
		return "badge badge-warn"
	}
	return "badge"
}

// showsTally reports whether motion m has a tally to show: it is being
// voted on, or a vote on it closed.
func showsTally(m models.Motion) bool {
	return m.Status == models.MotionVoting || m.Status == models.MotionAdopted || m.Status == models.MotionRejected || m.Undecided()
}

// itemTitle is the topic of the agenda item a motion is on.
func itemTitle(d MeetingData, itemID uint64) string {
	for _, it := range d.Meeting.Items {
		if it.ID == itemID {
			return it.Topic.Title
		}
	}
	return ""
}

func itemOptions(ctx context.Context, d MeetingData) []components.Option {
	return optionsOf(choose(ctx), d.Meeting.Items, func(it models.AgendaItem) string { return views.Itoa(it.ID) },
		func(it models.AgendaItem) string { return fmt.Sprintf("%d. %s", it.Position, it.Topic.Title) })
}

// absentOptions are the members not yet present, for the secretary to mark.
func absentOptions(ctx context.Context, d MeetingData) []components.Option {
	present := d.Meeting.PresentIDs()
	var absent []models.CouncilMember
	for _, m := range d.Meeting.Council.Members {
		if !present[m.AccountID] {
			absent = append(absent, m)
		}
	}
	return optionsOf(choose(ctx), absent, func(m models.CouncilMember) string { return views.Itoa(m.AccountID) },
		func(m models.CouncilMember) string {
			return views.T(ctx, "common.name_role", m.Account.Name, roleName(ctx, m.Role))
		})
}

// quorumText says the live quorum in a sentence.
func quorumText(ctx context.Context, q models.Quorum) string {
	key := "meetings.quorum_not_met"
	if q.Met {
		key = "meetings.quorum_met"
	}
	return views.T(ctx, "meetings.quorum_line", q.Members, q.Present, q.Need) + views.T(ctx, key)
}

// tallyText is a motion's count in a sentence.
func tallyText(ctx context.Context, m models.Motion) string {
	return views.T(ctx, "meetings.tally", m.For, m.Against, m.Abstain)
}

func attendName(ctx context.Context, a models.Attendance) string {
	return a.Account.Name + " · " + named(ctx, "attend.", a.Method)
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
