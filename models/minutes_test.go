package models

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestMinutesSteps tries every step from every status (and before the
// minutes are started) for every standing, on a closed meeting.
func TestMinutesSteps(t *testing.T) {
	t.Parallel()
	convener := MinutesStanding{Role: MemberConvener}
	secretary := MinutesStanding{Role: MemberSecretary}
	staff := MinutesStanding{Manage: true}
	member := MinutesStanding{Role: MemberRegular}
	guest := MinutesStanding{Role: MemberGuest}
	resident := MinutesStanding{}
	standings := map[string]MinutesStanding{"convener": convener, "secretary": secretary, "staff": staff, "member": member, "guest": guest, "resident": resident}
	// who may take a step at all
	who := map[MinutesAction][]string{
		MinutesActStart:    {"convener", "secretary", "staff"},
		MinutesActEdit:     {"convener", "secretary", "staff"},
		MinutesActFinalise: {"convener", "secretary", "staff"},
		MinutesActAmend:    {"convener", "secretary", "staff"},
		MinutesActReturn:   {"convener"},
		MinutesActSign:     {"convener"},
		MinutesActPublish:  {"convener", "staff"},
	}
	// where each step leads from each status; absent: not allowed
	steps := map[MinutesAction]map[MinutesStatus]MinutesStatus{
		MinutesActStart:    {"": MinutesDraft},
		MinutesActEdit:     {MinutesDraft: MinutesDraft},
		MinutesActFinalise: {MinutesDraft: MinutesFinal},
		MinutesActReturn:   {MinutesFinal: MinutesDraft},
		MinutesActSign:     {MinutesFinal: MinutesSigned},
		MinutesActPublish:  {MinutesSigned: MinutesPublished},
		MinutesActAmend:    {MinutesFinal: MinutesFinal, MinutesSigned: MinutesSigned, MinutesPublished: MinutesPublished},
	}
	froms := append([]MinutesStatus{""}, MinutesStatuses...)
	for _, a := range MinutesActions {
		for name, w := range standings {
			allowed := false
			for _, x := range who[a] {
				allowed = allowed || x == name
			}
			for _, from := range froms {
				to, err := MinutesStep(MeetingClosed, from, a, w)
				want, ok := steps[a][from]
				switch {
				case !allowed:
					if !errors.Is(err, ErrForbidden) || to != from {
						t.Errorf("%s may %s from %q: %s, %v", name, a, from, to, err)
					}
				case ok:
					if err != nil || to != want {
						t.Errorf("%s %s from %q: %s, %v; want %s", name, a, from, to, err, want)
					}
				case a == MinutesActEdit && from.Fixed():
					if !errors.Is(err, ErrMinutesFixed) {
						t.Errorf("%s edited fixed minutes (%s): %v", name, from, err)
					}
				default:
					if !errors.Is(err, ErrMinutesStep) || to != from {
						t.Errorf("%s %s from %q: %s, %v; want refused", name, a, from, to, err)
					}
				}
			}
		}
	}
	// Nothing happens to minutes before the meeting is closed.
	for _, st := range []MeetingStatus{MeetingDraft, MeetingAnnounced, MeetingInSession} {
		if _, err := MinutesStep(st, "", MinutesActStart, convener); !errors.Is(err, ErrMinutesNotClosed) {
			t.Errorf("minutes started at a meeting %s: %v", st, err)
		}
	}
}

func TestMinutesVisibility(t *testing.T) {
	t.Parallel()
	cases := []struct {
		w      MinutesStanding
		drafts bool
	}{
		{MinutesStanding{Role: MemberConvener}, true},
		{MinutesStanding{Role: MemberSecretary}, true},
		{MinutesStanding{Role: MemberRegular}, true},
		{MinutesStanding{Role: MemberGuest}, true},
		{MinutesStanding{Manage: true}, true},
		{MinutesStanding{}, false},
	}
	for _, c := range cases {
		if c.w.ReadsDrafts() != c.drafts {
			t.Errorf("%+v reads drafts: %v", c.w, !c.drafts)
		}
	}
	public := map[MinutesStatus]bool{MinutesDraft: false, MinutesFinal: false, MinutesSigned: true, MinutesPublished: true}
	for st, want := range public {
		if st.Public() != want {
			t.Errorf("%s public: %v", st, !want)
		}
	}
}

func minutesRecord() MinutesRecord {
	return MinutesRecord{Items: []MinutesItem{{ID: 7, Position: 1, Title: "加装电梯"}, {ID: 9, Position: 2, Title: "停车位"}}}
}

func TestMinutesTextAndAmendment(t *testing.T) {
	t.Parallel()
	r := minutesRecord()
	long := strings.Repeat("字", MaxMinutesNote+1)
	cases := []struct {
		name  string
		text  MinutesText
		final bool
		want  FieldErrors
	}{
		{"empty draft", MinutesText{}, false, FieldErrors{}},
		{"finalised without a summary", MinutesText{Notes: map[uint64]string{7: "讨论"}}, true, FieldErrors{"summary": "err.minutes_summary_required"}},
		{"final", MinutesText{Summary: "会议形成两项决议。"}, true, FieldErrors{}},
		{"a note on another meeting's item", MinutesText{Notes: map[uint64]string{8: "x"}}, false, FieldErrors{"notes": "err.invalid_choice"}},
		{"a note too long", MinutesText{Notes: map[uint64]string{9: long}}, false, FieldErrors{"note_9": "err.too_long"}},
		{"summary too long", MinutesText{Summary: strings.Repeat("字", MaxMinutesSummary+1)}, false, FieldErrors{"summary": "err.too_long"}},
	}
	for _, c := range cases {
		got := c.text.Normalize().Validate(r, c.final)
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("%s: %s=%q, want %q", c.name, k, got[k], v)
			}
		}
	}

	before := MinutesText{Summary: "会议形成两项决议。", Notes: map[uint64]string{7: "同意成立协调小组"}}
	after := MinutesText{Summary: "会议形成两项决议。", Notes: map[uint64]string{7: "同意成立协调小组", 9: "多数同意征询意见"}}
	amend := []struct {
		name   string
		after  MinutesText
		reason string
		field  string // the field refused, "" when accepted
	}{
		{"no reason", after, "  ", "reason"},
		{"reason too short", after, "漏", "reason"},
		{"nothing changed", before, "补充讨论情况", "summary"},
		{"summary removed", MinutesText{Notes: before.Notes}, "删去纪要", "summary"},
		{"a note added", after, "补充第二项讨论情况", ""},
	}
	for _, c := range amend {
		changes, err := CheckAmendment(r, before, c.after.Normalize(), c.reason)
		var fe FieldErrors
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (!errors.As(err, &fe) || fe[c.field] == ""):
			t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
		}
		if c.field == "" && (len(changes) != 1 || changes[0].Field != "note_9" || changes[0].Before != "" || changes[0].After != "多数同意征询意见") {
			t.Errorf("%s: changes %+v", c.name, changes)
		}
	}
}

func TestMinutesRecordFromMeeting(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 10, 11, 0, 0, 0, time.UTC)
	later := at.Add(5 * time.Minute)
	acct := func(id uint64, name string) Account { return Account{ID: id, Name: name} }
	v := MeetingView{
		Meeting: Meeting{ID: 3, Title: "十一月居民议事会", StartsAt: at, Location: "会议室", Status: MeetingClosed},
		Council: CouncilView{Council: Council{Name: "议事会", QuorumNum: 2, QuorumDen: 3, PassRule: PassMajorityOfMembers}, Members: []CouncilMember{
			{AccountID: 1, Role: MemberConvener, Account: acct(1, "张")}, {AccountID: 2, Role: MemberSecretary, Account: acct(2, "李")},
			{AccountID: 3, Role: MemberRegular, Account: acct(3, "赵")}, {AccountID: 4, Role: MemberGuest, Account: acct(4, "孙")},
			{AccountID: 5, Role: MemberGuest, Account: acct(5, "钱")},
		}},
		Items:    []AgendaItem{{ID: 7, Position: 1, Minutes: 30, Topic: Topic{Title: "加装电梯"}}},
		Research: map[uint64][]Research{7: {{Note: "走访24户", CostFen: 100, Canvassed: 24, Author: acct(3, "赵")}}},
		Sitting: Sitting{
			Attendance: []Attendance{{AccountID: 2, Method: AttendMarked, CreatedAt: later}, {AccountID: 1, Method: AttendCode, CreatedAt: at}, {AccountID: 4, Method: AttendCode, CreatedAt: at}},
			Quorum:     Quorum{Members: 3, Present: 2, Need: 2, Met: true},
			Motions: []Motion{{ID: 11, AgendaItemID: 7, Text: "同意", Status: MotionAdopted, For: 2, Outcome: OutcomePassed, ByHands: true},
				{ID: 12, AgendaItemID: 7, Text: "不同意", Status: MotionRejected, Against: 2, Outcome: OutcomeFailed}},
		},
	}
	r := NewMinutesRecord(v, "幸福社区", at)
	switch {
	case r.Convener != "张" || r.Secretary != "李" || r.Place != "幸福社区":
		t.Fatalf("officers: %+v", r)
	case len(r.Present) != 2 || r.Present[0].Name != "张" || r.Present[0].Method != AttendCode || r.Present[1].Method != AttendMarked:
		t.Fatalf("present, in the order they signed in: %+v", r.Present)
	case len(r.Absent) != 1 || r.Absent[0].Name != "赵":
		t.Fatalf("absent: %+v", r.Absent)
	case len(r.Guests) != 1 || r.Guests[0].Name != "孙":
		t.Fatalf("guests present (the absent guest is not listed): %+v", r.Guests)
	case len(r.Items) != 1 || r.Items[0].Minutes != 30 || len(r.Items[0].Research) != 1 || r.Items[0].Research[0].Canvassed != 24:
		t.Fatalf("items: %+v", r.Items)
	case len(r.Resolutions()) != 1 || r.Resolutions()[0].ID != 11 || len(r.MotionsOn(7)) != 2:
		t.Fatalf("motions: %+v", r.Motions)
	}
	if got := MotionResultText(r.Motions[0]); got != "通过（同意2票，反对0票，弃权0票；举手表决）" {
		t.Fatalf("result text %q", got)
	}
	// A motion whose vote had no quorum is recorded as undecided, with
	// what that vote counted.
	undecided := MinutesMotion{Status: MotionDraft, Outcome: OutcomeNoQuorum, For: 1, Members: 3, Present: 1}
	if got := MotionResultText(undecided); !undecided.Undecided() || got != "未形成决定（未达法定人数）（同意1票，反对0票，弃权0票；成员表决）" {
		t.Fatalf("undecided result text %q", got)
	}
	if got := MotionResultText(MinutesMotion{Status: MotionDraft}); got != "未表决" {
		t.Fatalf("a motion never voted on: %q", got)
	}
}
