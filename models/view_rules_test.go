package models

import (
	"testing"
	"time"
)

func TestTopicProposerNameFor(t *testing.T) {
	topic := Topic{ProposerID: 7, Proposer: Account{Name: "欧阳娜娜"}}
	cases := []struct {
		name   string
		viewer uint64
		run    bool
		want   string
	}{
		{"the proposer sees the whole name", 7, false, "欧阳娜娜"},
		{"one who runs the council sees the whole name", 9, true, "欧阳娜娜"},
		{"another member sees it masked", 9, false, "欧***"},
		{"an anonymous viewer sees it masked", 0, false, "欧***"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := topic.ProposerNameFor(c.viewer, c.run); got != c.want {
				t.Errorf("ProposerNameFor(%d, %v) = %q, want %q", c.viewer, c.run, got, c.want)
			}
		})
	}
}

func meetingAs(run bool, role MemberRole, st MeetingStatus) MeetingView {
	v := MeetingView{Meeting: Meeting{Status: st}}
	v.Council.Run = run
	v.Council.MyRole = role
	return v
}

func TestMeetingViewMay(t *testing.T) {
	cases := []struct {
		name string
		run  bool
		st   MeetingStatus
		a    MeetingAction
		want bool
	}{
		{"runner postpones an announced meeting", true, MeetingAnnounced, MeetingActPostpone, true},
		{"no postponing a draft", true, MeetingDraft, MeetingActPostpone, false},
		{"a member may not postpone", false, MeetingAnnounced, MeetingActPostpone, false},
		{"runner cancels a draft", true, MeetingDraft, MeetingActCancel, true},
		{"runner cancels an announced meeting", true, MeetingAnnounced, MeetingActCancel, true},
		{"no cancelling in session", true, MeetingInSession, MeetingActCancel, false},
		{"runner opens an announced meeting", true, MeetingAnnounced, MeetingActOpen, true},
		{"runner closes a meeting in session", true, MeetingInSession, MeetingActClose, true},
		{"a member may not close", false, MeetingInSession, MeetingActClose, false},
		{"no closing a closed meeting", true, MeetingClosed, MeetingActClose, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := meetingAs(c.run, "", c.st).May(c.a); got != c.want {
				t.Errorf("May(%s) in %s, run=%v = %v", c.a, c.st, c.run, got)
			}
		})
	}
}

func TestMeetingViewMayOthers(t *testing.T) {
	cases := []struct {
		name string
		v    MeetingView
		got  func(MeetingView) bool
		want bool
	}{
		{"runner edits a draft", meetingAs(true, "", MeetingDraft), MeetingView.MayEdit, true},
		{"no editing once announced", meetingAs(true, "", MeetingAnnounced), MeetingView.MayEdit, false},
		{"a member does not edit", meetingAs(false, MemberRegular, MeetingDraft), MeetingView.MayEdit, false},
		{"a voting member researches an announced meeting", meetingAs(false, MemberRegular, MeetingAnnounced), MeetingView.MayResearch, true},
		{"no research in session", meetingAs(true, "", MeetingInSession), MeetingView.MayResearch, false},
		{"an outsider does not research", meetingAs(false, "", MeetingDraft), MeetingView.MayResearch, false},
		{"runner adds motions once announced", meetingAs(true, "", MeetingAnnounced), MeetingView.MayAddMotion, true},
		{"runner adds motions in session", meetingAs(true, "", MeetingInSession), MeetingView.MayAddMotion, true},
		{"no motions to a closed meeting", meetingAs(true, "", MeetingClosed), MeetingView.MayAddMotion, false},
		{"a member does not add motions", meetingAs(false, MemberRegular, MeetingInSession), MeetingView.MayAddMotion, false},
		{"a member checks in during session", meetingAs(false, MemberRegular, MeetingInSession), MeetingView.MayCheckIn, true},
		{"no checking in before the meeting opens", meetingAs(false, MemberRegular, MeetingAnnounced), MeetingView.MayCheckIn, false},
		{"an outsider does not check in", meetingAs(true, "", MeetingInSession), MeetingView.MayCheckIn, false},
		{"a member present does not check in again", func() MeetingView {
			v := meetingAs(false, MemberRegular, MeetingInSession)
			v.Present = true
			return v
		}(), MeetingView.MayCheckIn, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.got(c.v); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestMeetingStatusOpened(t *testing.T) {
	want := map[MeetingStatus]bool{MeetingDraft: false, MeetingAnnounced: false, MeetingInSession: true, MeetingClosed: true, MeetingCancelled: false}
	for st, w := range want {
		if got := st.Opened(); got != w {
			t.Errorf("%s.Opened() = %v, want %v", st, got, w)
		}
	}
}

func TestMeetingViewMayMotion(t *testing.T) {
	cases := []struct {
		name string
		run  bool
		st   MeetingStatus
		m    MotionStatus
		a    MotionAction
		want bool
	}{
		{"open a draft motion in session", true, MeetingInSession, MotionDraft, MotionActOpen, true},
		{"no opening a vote before the meeting opens", true, MeetingAnnounced, MotionDraft, MotionActOpen, false},
		{"no opening a motion already voting", true, MeetingInSession, MotionVoting, MotionActOpen, false},
		{"close a vote in session", true, MeetingInSession, MotionVoting, MotionActClose, true},
		{"no closing a draft", true, MeetingInSession, MotionDraft, MotionActClose, false},
		{"withdraw a draft before the meeting opens", true, MeetingAnnounced, MotionDraft, MotionActWithdraw, true},
		{"withdraw a vote in session", true, MeetingInSession, MotionVoting, MotionActWithdraw, true},
		{"no withdrawing in a closed meeting", true, MeetingClosed, MotionDraft, MotionActWithdraw, false},
		{"no withdrawing an adopted motion", true, MeetingInSession, MotionAdopted, MotionActWithdraw, false},
		{"a member takes no steps", false, MeetingInSession, MotionDraft, MotionActOpen, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := meetingAs(c.run, "", c.st)
			if got := v.MayMotion(Motion{Status: c.m}, c.a); got != c.want {
				t.Errorf("MayMotion(%s, %s) in %s = %v", c.m, c.a, c.st, got)
			}
		})
	}
}

func TestTopicViewMay(t *testing.T) {
	cases := []struct {
		name   string
		run    bool
		st     TopicStatus
		locked bool
		a      TopicAction
		want   bool
	}{
		{"runner accepts a submitted topic", true, TopicSubmitted, false, TopicActAccept, true},
		{"a locked topic may still be accepted", true, TopicSubmitted, true, TopicActAccept, true},
		{"runner merges an accepted topic", true, TopicAccepted, false, TopicActMerge, true},
		{"a locked topic is not merged", true, TopicAccepted, true, TopicActMerge, false},
		{"a locked topic is not declined", true, TopicSubmitted, true, TopicActDecline, false},
		{"runner declines a submitted topic", true, TopicSubmitted, false, TopicActDecline, true},
		{"no accepting twice", true, TopicAccepted, false, TopicActAccept, false},
		{"no steps on a declined topic", true, TopicDeclined, false, TopicActMerge, false},
		{"a member takes no steps", false, TopicSubmitted, false, TopicActAccept, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := TopicView{Topic: Topic{Status: c.st}, Locked: c.locked}
			v.Council.Run = c.run
			if got := v.May(c.a); got != c.want {
				t.Errorf("May(%s) on %s locked=%v run=%v = %v", c.a, c.st, c.locked, c.run, got)
			}
		})
	}
}

func TestMayEver(t *testing.T) {
	cases := []struct {
		name   string
		a      ResolutionAction
		actors []ResolutionActor
		want   bool
	}{
		{"a runner assigns", ResolutionActAssign, []ResolutionActor{ResolutionByRunner}, true},
		{"an owner does not assign", ResolutionActAssign, []ResolutionActor{ResolutionByOwner}, false},
		{"an owner reports progress", ResolutionActProgress, []ResolutionActor{ResolutionByOwner}, true},
		{"an owner finishes", ResolutionActDone, []ResolutionActor{ResolutionByOwner}, true},
		{"an owner does not abandon", ResolutionActAbandon, []ResolutionActor{ResolutionByOwner}, false},
		{"a runner who owns it abandons", ResolutionActAbandon, []ResolutionActor{ResolutionByOwner, ResolutionByRunner}, true},
		{"nobody takes no step", ResolutionActDone, nil, false},
		{"only the system chases", ResolutionActChase, []ResolutionActor{ResolutionByRunner}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MayEver(c.a, c.actors...); got != c.want {
				t.Errorf("MayEver(%s, %v) = %v", c.a, c.actors, got)
			}
		})
	}
}

func TestResolutionCheckSpawn(t *testing.T) {
	community := place(2, KindCommunity, "/1/2/")
	other := place(3, KindCommunity, "/1/3/")
	staff := &Principal{Grants: []RoleGrant{{Role: RoleCommunityStaff, Place: community}}}
	elsewhere := &Principal{Grants: []RoleGrant{{Role: RoleCommunityStaff, Place: other}}}
	convener := &Principal{Grants: []RoleGrant{{Role: RoleConvener, Place: community}}}
	view := func(run bool, st ResolutionStatus) ResolutionView {
		v := ResolutionView{Resolution: Resolution{Status: st}}
		v.Council.Run = run
		v.Council.Place = community
		return v
	}
	cases := []struct {
		name  string
		v     ResolutionView
		p     *Principal
		perm  Permission
		taken bool
		want  error
	}{
		{"staff who run it make a project", view(true, ResolutionPending), staff, PermManageProjects, false, nil},
		{"staff who run it make a ballot", view(true, ResolutionInProgress), staff, PermManageBallots, false, nil},
		{"one project only", view(true, ResolutionAssigned), staff, PermManageProjects, true, ErrResolutionSpawn},
		{"nothing from an ended resolution", view(true, ResolutionDone), staff, PermManageProjects, false, ErrResolutionSpawn},
		{"a runner without the permission is refused", view(true, ResolutionPending), convener, PermManageProjects, false, ErrForbidden},
		{"staff elsewhere are refused", view(true, ResolutionPending), elsewhere, PermManageBallots, false, ErrForbidden},
		{"one who does not run the council is refused", view(false, ResolutionPending), staff, PermManageProjects, false, ErrForbidden},
		{"refusal comes before the status", view(false, ResolutionAbandoned), staff, PermManageProjects, true, ErrForbidden},
		{"nobody is refused", view(true, ResolutionPending), nil, PermManageProjects, false, ErrForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.v.CheckSpawn(c.p, c.perm, c.taken); got != c.want {
				t.Errorf("CheckSpawn = %v, want %v", got, c.want)
			}
		})
	}
	v := view(true, ResolutionPending)
	id := uint64(9)
	v.ProjectID = &id
	if v.CheckSpawnProject(staff) != ErrResolutionSpawn || v.CheckSpawnBallot(staff) != nil || v.MaySpawnProject(staff) || !v.MaySpawnBallot(staff) {
		t.Errorf("a resolution with a project still takes a ballot, not another project")
	}
}

func TestNeedMayRaiseTopic(t *testing.T) {
	cases := []struct {
		name   string
		st     NeedStatus
		roles  []NeedActor
		viewer uint64
		want   bool
	}{
		{"the filer raises a submitted need", NeedSubmitted, []NeedActor{NeedByFiler}, 7, true},
		{"staff raise an accepted need", NeedAccepted, []NeedActor{NeedByStaff}, 9, true},
		{"staff raise a closed need", NeedClosed, []NeedActor{NeedByStaff}, 9, true},
		{"a taker does not", NeedDispatched, []NeedActor{NeedByTaker}, 9, false},
		{"a neighbour does not", NeedSubmitted, nil, 9, false},
		{"nobody signed in does not", NeedSubmitted, nil, 0, false},
		{"not a declined need", NeedDeclined, []NeedActor{NeedByFiler}, 7, false},
		{"not a merged need, even by staff", NeedMerged, []NeedActor{NeedByStaff}, 9, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := NeedDetail{Need: Need{FilerID: 7, Status: c.st}, Roles: c.roles}
			if got := d.MayRaiseTopic(c.viewer); got != c.want {
				t.Errorf("MayRaiseTopic(%d) = %v", c.viewer, got)
			}
		})
	}
}

func TestMatterCheckNext(t *testing.T) {
	now := time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2026, 5, d, 0, 0, 0, 0, time.UTC) }
	view := func(status MatterStatus, done int, held ...time.Time) MatterView {
		v := MatterView{Matter: Matter{Status: status, Done: done}}
		v.Procedure.Steps = []ProcedureStep{{Kind: StepPublication}, {Kind: StepPublication}, {Kind: StepPublication}}
		for _, h := range held {
			v.Records = append(v.Records, MatterStep{HeldOn: h})
		}
		return v
	}
	pub := func(on time.Time) StepInput {
		return StepInput{HeldOn: on, Text: "  公示方案  ", Channels: []string{PublishChannels[0]}, PeriodDays: 7}
	}
	cases := []struct {
		name string
		v    MatterView
		in   StepInput
		want FieldErrors
	}{
		{"the first step on any past day", view(MatterOpen, 0), pub(day(1)), FieldErrors{}},
		{"the next step on the previous step's day", view(MatterOpen, 1, day(10)), pub(day(10)), FieldErrors{}},
		{"not before the previous step", view(MatterOpen, 2, day(3), day(10)), pub(day(9)), FieldErrors{"held_on": "village.err.date_before_previous"}},
		{"not in the future", view(MatterOpen, 1, day(10)), pub(day(21)), FieldErrors{"held_on": "village.err.date_future"}},
		{"the step's own rules", view(MatterOpen, 1, day(10)), StepInput{HeldOn: day(11), Text: "x", PeriodDays: 7}, FieldErrors{"channels": "village.err.channels_required"}},
		{"nothing to check once ended", view(MatterRejected, 1, day(10)), StepInput{}, FieldErrors{}},
		{"nothing to check once every step is recorded", view(MatterOpen, 3, day(1), day(2), day(3)), StepInput{}, FieldErrors{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			got := c.v.CheckNext(&in, now)
			if len(got) != len(c.want) {
				t.Fatalf("CheckNext = %v, want %v", got, c.want)
			}
			for k, code := range c.want {
				if got[k] != code {
					t.Errorf("CheckNext[%s] = %q, want %q", k, got[k], code)
				}
			}
		})
	}
	in := pub(day(1))
	view(MatterOpen, 0).CheckNext(&in, now)
	if in.Text != "公示方案" {
		t.Errorf("the input is not trimmed: %q", in.Text)
	}
}
