package models

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestMeetingTransitions tries every action from every state.
func TestMeetingTransitions(t *testing.T) {
	allowed := map[[2]string]MeetingStatus{
		{"draft", "announce"}:     MeetingAnnounced,
		{"announced", "open"}:     MeetingInSession,
		{"in_session", "close"}:   MeetingClosed,
		{"announced", "postpone"}: MeetingAnnounced,
		{"draft", "cancel"}:       MeetingCancelled,
		{"announced", "cancel"}:   MeetingCancelled,
	}
	for _, from := range MeetingStatuses {
		for _, a := range MeetingActions {
			to, ok := MeetingTransition(from, a)
			want, wantOK := allowed[[2]string{string(from), string(a)}]
			if ok != wantOK || ok && to != want || !ok && to != from {
				t.Errorf("%s --%s--> %s, %v; want %s, %v", from, a, to, ok, want, wantOK)
			}
		}
	}
}

// TestPostponeAndCancelRules: a reason always; a postponed meeting moves
// later and stays in the future.
func TestPostponeAndCancelRules(t *testing.T) {
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	m := Meeting{StartsAt: now.Add(72 * time.Hour)}
	long := strings.Repeat("因", MaxChangeReason+1)
	for _, c := range []struct {
		name   string
		starts time.Time
		reason string
		want   FieldErrors
	}{
		{"later", m.StartsAt.Add(time.Hour), "场地冲突", FieldErrors{}},
		{"no reason", m.StartsAt.Add(time.Hour), "  ", FieldErrors{"reason": "err.required"}},
		{"reason too long", m.StartsAt.Add(time.Hour), long, FieldErrors{"reason": "err.too_long"}},
		{"same time", m.StartsAt, "场地冲突", FieldErrors{"starts_at": "err.postpone_earlier"}},
		{"earlier", m.StartsAt.Add(-time.Hour), "场地冲突", FieldErrors{"starts_at": "err.postpone_earlier"}},
		{"past", now.Add(-time.Minute), "场地冲突", FieldErrors{"starts_at": "err.meeting_in_past"}},
		{"no time", time.Time{}, "场地冲突", FieldErrors{"starts_at": "err.required"}},
	} {
		if got := CheckPostpone(m, c.starts, c.reason, now); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if fe := CheckCancel(""); fe["reason"] != "err.required" {
		t.Errorf("cancel without a reason: %v", fe)
	}
	if fe := CheckCancel("台风预警"); len(fe) != 0 {
		t.Errorf("cancel with a reason: %v", fe)
	}
}

// TestMotionTransitions tries every action from every state, closing with
// each outcome.
func TestMotionTransitions(t *testing.T) {
	type key struct {
		from MotionStatus
		a    MotionAction
		o    Outcome
	}
	outcomes := []Outcome{OutcomePassed, OutcomeFailed, OutcomeNoQuorum}
	want := map[key]MotionStatus{}
	for _, o := range outcomes {
		want[key{MotionDraft, MotionActOpen, o}] = MotionVoting
		want[key{MotionDraft, MotionActWithdraw, o}] = MotionWithdrawn
		want[key{MotionVoting, MotionActWithdraw, o}] = MotionWithdrawn
		want[key{MotionVoting, MotionActClose, o}] = MotionRejected
	}
	want[key{MotionVoting, MotionActClose, OutcomePassed}] = MotionAdopted
	// Without a quorum nothing is decided: the motion waits for another vote.
	want[key{MotionVoting, MotionActClose, OutcomeNoQuorum}] = MotionDraft
	for _, from := range MotionStatuses {
		for _, a := range MotionActions {
			for _, o := range outcomes {
				to, ok := MotionTransition(from, a, o)
				w, wok := want[key{from, a, o}]
				if ok != wok || ok && to != w || !ok && to != from {
					t.Errorf("%s --%s (%s)--> %s, %v; want %s, %v", from, a, o, to, ok, w, wok)
				}
				if from.Final() && ok {
					t.Errorf("a final motion (%s) moved on %s", from, a)
				}
			}
		}
	}
}

func TestCheckMotionVote(t *testing.T) {
	voting := Motion{Status: MotionVoting}
	cases := []struct {
		name    string
		meeting MeetingStatus
		m       Motion
		role    MemberRole
		present bool
		voted   bool
		c       MotionChoice
		want    error
	}{
		{"a present member votes for", MeetingInSession, voting, MemberRegular, true, false, ChoiceFor, nil},
		{"the convener abstains", MeetingInSession, voting, MemberConvener, true, false, ChoiceAbstain, nil},
		{"the secretary votes against", MeetingInSession, voting, MemberSecretary, true, false, ChoiceAgainst, nil},
		{"a guest never votes", MeetingInSession, voting, MemberGuest, true, false, ChoiceFor, ErrNoVote},
		{"not signed in", MeetingInSession, voting, MemberRegular, false, false, ChoiceFor, ErrNotPresent},
		{"a second vote", MeetingInSession, voting, MemberRegular, true, true, ChoiceAgainst, ErrMotionVoted},
		{"a draft motion", MeetingInSession, Motion{Status: MotionDraft}, MemberRegular, true, false, ChoiceFor, ErrMotionStep},
		{"an adopted motion", MeetingInSession, Motion{Status: MotionAdopted}, MemberRegular, true, false, ChoiceFor, ErrMotionStep},
		{"a closed meeting", MeetingClosed, voting, MemberRegular, true, false, ChoiceFor, ErrMotionStep},
		{"after a show of hands", MeetingInSession, Motion{Status: MotionVoting, ByHands: true}, MemberRegular, true, false, ChoiceFor, ErrHandsRecorded},
	}
	for _, c := range cases {
		if err := CheckMotionVote(c.meeting, c.m, c.role, c.present, c.voted, c.c); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	var fe FieldErrors
	if err := CheckMotionVote(MeetingInSession, voting, MemberRegular, true, false, "maybe"); !errors.As(err, &fe) || fe["choice"] == "" {
		t.Errorf("an unknown choice: %v", err)
	}
}

func TestQuorumOfAndHands(t *testing.T) {
	members := []CouncilMember{{AccountID: 1, Role: MemberConvener}, {AccountID: 2, Role: MemberSecretary}, {AccountID: 3, Role: MemberRegular},
		{AccountID: 4, Role: MemberRegular}, {AccountID: 5, Role: MemberGuest}}
	r := CouncilRules{Quorum: Fraction{Num: 2, Den: 3}, Pass: PassMajorityOfMembers}
	q := QuorumOf(r, members, map[uint64]bool{1: true, 2: true, 5: true})
	if q.Members != 4 || q.Present != 2 || q.Need != 3 || q.Met {
		t.Errorf("two of four present (and a guest): %+v", q)
	}
	q = QuorumOf(r, members, map[uint64]bool{1: true, 2: true, 3: true})
	if q.Present != 3 || !q.Met {
		t.Errorf("three of four present: %+v", q)
	}
	if fe := ValidateHands(Hands{For: 2, Against: 1, Abstain: 1}, 3); fe["hands"] == "" {
		t.Error("four hands among three present")
	}
	if fe := ValidateHands(Hands{For: -1}, 3); fe["for"] == "" {
		t.Error("negative hands")
	}
	if fe := ValidateHands(Hands{For: 2, Abstain: 1}, 3); len(fe) != 0 {
		t.Errorf("a valid show of hands: %v", fe)
	}
	for in, want := range map[string]string{"123 456": "123456", "１２３４５６": "123456", "12-34-56": "123456", "12a456": "12a456"} {
		if got := NormalizeCode(in); got != want {
			t.Errorf("NormalizeCode(%q) = %q", in, got)
		}
	}
	code, err := NewAttendanceCode()
	if err != nil || len(code) != AttendanceCodeLen || NormalizeCode(code) != code {
		t.Errorf("code %q: %v", code, err)
	}
}
