package models

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestQuorum(t *testing.T) {
	cases := []struct {
		name             string
		quorum           Fraction
		members, present int
		want             bool
	}{
		{"two thirds of 12 is 8", Fraction{Num: 2, Den: 3}, 12, 8, true},
		{"one short of two thirds", Fraction{Num: 2, Den: 3}, 12, 7, false},
		{"two thirds of 10 rounds up to 7", Fraction{Num: 2, Den: 3}, 10, 7, true},
		{"6.66 is not two thirds of 10", Fraction{Num: 2, Den: 3}, 10, 6, false},
		{"exactly half is half", Fraction{Num: 1, Den: 2}, 10, 5, true},
		{"below half", Fraction{Num: 1, Den: 2}, 10, 4, false},
		{"everyone", Fraction{Num: 4, Den: 5}, 5, 5, true},
		{"no voting members", Fraction{Num: 1, Den: 2}, 0, 0, false},
		{"more than half: exactly half of 10 is not", Fraction{Num: 1, Den: 2, Over: true}, 10, 5, false},
		{"more than half: 6 of 10", Fraction{Num: 1, Den: 2, Over: true}, 10, 6, true},
		{"more than half: 5 of 9", Fraction{Num: 1, Den: 2, Over: true}, 9, 5, true},
		{"more than half: 4 of 9", Fraction{Num: 1, Den: 2, Over: true}, 9, 4, false},
		{"more than half: 1 of 1", Fraction{Num: 1, Den: 2, Over: true}, 1, 1, true},
		{"more than half: no voting members", Fraction{Num: 1, Den: 2, Over: true}, 0, 0, false},
	}
	for _, c := range cases {
		r := CouncilRules{Quorum: c.quorum, Pass: PassMajorityOfMembers}
		if got := r.QuorumMet(c.members, c.present); got != c.want {
			t.Errorf("%s: QuorumMet(%d, %d) = %v", c.name, c.members, c.present, got)
		}
		// The count the session page says is needed is the least that
		// makes the quorum: one fewer does not.
		if c.members > 0 {
			need := c.quorum.Least(c.members)
			if !r.QuorumMet(c.members, need) || r.QuorumMet(c.members, need-1) {
				t.Errorf("%s: Least(%d) = %d is not the least present that makes the quorum", c.name, c.members, need)
			}
		}
	}
}

func TestFractionText(t *testing.T) {
	for _, f := range QuorumChoices {
		if got := ParseFraction(f.String()); got != f {
			t.Errorf("ParseFraction(%q) = %+v, want %+v", f.String(), got, f)
		}
	}
	if s := (Fraction{Num: 1, Den: 2, Over: true}).String(); s != ">1/2" {
		t.Errorf("more than half spelt %q", s)
	}
	for _, bad := range []string{"", "2", "a/b", ">", "1/", "/2", "1/2/3", "<1/2"} {
		if got := ParseFraction(bad); got != (Fraction{}) {
			t.Errorf("ParseFraction(%q) = %+v, want the zero Fraction", bad, got)
		}
	}
}

func TestDecide(t *testing.T) {
	twoThirds := Fraction{Num: 2, Den: 3}
	cases := []struct {
		name             string
		pass             PassRule
		members, present int
		tally            Hands
		want             Outcome
	}{
		{"members: 7 of 12 carries", PassMajorityOfMembers, 12, 10, Hands{7, 3, 0}, OutcomePassed},
		{"members: a tie of 6 of 12 fails", PassMajorityOfMembers, 12, 12, Hands{6, 6, 0}, OutcomeFailed},
		{"members: 6 of 12 present with abstentions fails", PassMajorityOfMembers, 12, 9, Hands{6, 0, 3}, OutcomeFailed},
		{"present: 5 of 9 present carries", PassMajorityOfPresent, 12, 9, Hands{5, 4, 0}, OutcomePassed},
		{"present: a tie fails", PassMajorityOfPresent, 12, 10, Hands{5, 5, 0}, OutcomeFailed},
		{"present: abstentions weigh against", PassMajorityOfPresent, 12, 10, Hands{5, 1, 4}, OutcomeFailed},
		{"present: more for than against is not enough", PassMajorityOfPresent, 12, 9, Hands{4, 2, 3}, OutcomeFailed},
		{"two thirds: exactly 8 of 12 carries", PassTwoThirds, 12, 12, Hands{8, 4, 0}, OutcomePassed},
		{"two thirds: 7 of 12 fails", PassTwoThirds, 12, 12, Hands{7, 5, 0}, OutcomeFailed},
		{"two thirds: 6.67 of 10 needs 7", PassTwoThirds, 10, 10, Hands{7, 3, 0}, OutcomePassed},
		{"two thirds: 6 of 10 fails", PassTwoThirds, 10, 10, Hands{6, 0, 4}, OutcomeFailed},
		{"no quorum decides nothing however the tally", PassMajorityOfPresent, 12, 7, Hands{7, 0, 0}, OutcomeNoQuorum},
	}
	for _, c := range cases {
		r := CouncilRules{Quorum: twoThirds, Pass: c.pass, NoticeDays: 3}
		if got := r.Decide(c.members, c.present, c.tally); got != c.want {
			t.Errorf("%s: Decide = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestGuestsDoNotCount(t *testing.T) {
	ms := []CouncilMember{{Role: MemberConvener}, {Role: MemberSecretary}, {Role: MemberRegular}, {Role: MemberRegular}, {Role: MemberGuest}, {Role: MemberGuest}}
	if n := VotingMembers(ms); n != 4 {
		t.Fatalf("voting members %d, want 4", n)
	}
	// 3 of 4 voting members carry under more-than-half; counting the two
	// guests as members would make 3 of 6 fail.
	r := CouncilRules{Quorum: Fraction{Num: 1, Den: 2}, Pass: PassMajorityOfMembers}
	if got := r.Decide(VotingMembers(ms), 4, Hands{3, 1, 0}); got != OutcomePassed {
		t.Fatalf("outcome %s", got)
	}
	if MemberGuest.Votes() || !MemberSecretary.Votes() || MemberRole("chair").Votes() {
		t.Fatal("who votes")
	}
}

func TestCouncilRulesValidate(t *testing.T) {
	cases := []struct {
		r     CouncilRules
		field string
	}{
		{DefaultCouncilRules, ""},
		{CouncilRules{Quorum: Fraction{Num: 1, Den: 3}, Pass: PassTwoThirds, NoticeDays: 2}, "quorum"},
		{CouncilRules{Quorum: Fraction{Num: 2, Den: 3}, Pass: "unanimous", NoticeDays: 2}, "pass_rule"},
		{CouncilRules{Quorum: Fraction{Num: 2, Den: 3}, Pass: PassTwoThirds, NoticeDays: -1}, "notice_days"},
		{CouncilRules{Quorum: Fraction{Num: 2, Den: 3}, Pass: PassTwoThirds, NoticeDays: 31}, "notice_days"},
		{CouncilRules{Quorum: Fraction{Num: 3, Den: 4}, Pass: PassMajorityOfPresent, NoticeDays: 0}, ""},
		{CouncilRules{Quorum: Fraction{Num: 1, Den: 2, Over: true}, Pass: PassMajorityOfPresent, NoticeDays: 3}, ""},
		{CouncilRules{Quorum: Fraction{Num: 2, Den: 3, Over: true}, Pass: PassMajorityOfPresent, NoticeDays: 3}, "quorum"},
	}
	for _, c := range cases {
		fe := c.r.Validate()
		if c.field == "" && len(fe) != 0 || c.field != "" && fe[c.field] == "" {
			t.Errorf("%+v: errors %v, want one on %q", c.r, fe, c.field)
		}
	}
}

func TestTopicTransitions(t *testing.T) {
	// Every status against every action: what is not listed is refused.
	allowed := map[TopicStatus]map[TopicAction]TopicStatus{
		TopicSubmitted: {TopicActAccept: TopicAccepted, TopicActMerge: TopicMerged, TopicActDecline: TopicDeclined},
		TopicAccepted:  {TopicActMerge: TopicMerged, TopicActDecline: TopicDeclined},
	}
	for _, from := range TopicStatuses {
		for _, a := range append(append([]TopicAction{}, TopicActions...), "vote") {
			want, ok := allowed[from][a]
			if !ok {
				want = from
			}
			if to, got := TopicTransition(from, a); to != want || got != ok {
				t.Errorf("%s --%s--> %s %v, want %s %v", from, a, to, got, want, ok)
			}
		}
	}
	for _, s := range TopicStatuses {
		if s.TakesCosigns() == s.Final() {
			t.Errorf("%s: co-signs %v but final %v", s, s.TakesCosigns(), s.Final())
		}
	}
}

func TestMeetingTransitionsAndAnnounceRule(t *testing.T) {
	for _, s := range []MeetingStatus{MeetingDraft, MeetingAnnounced, MeetingInSession, MeetingClosed} {
		to, ok := MeetingTransition(s, MeetingActAnnounce)
		if (s == MeetingDraft) != ok || ok && to != MeetingAnnounced {
			t.Errorf("announce from %s: %s %v", s, to, ok)
		}
		if s.Editable() != (s == MeetingDraft) || s.TakesResearch() != (s == MeetingDraft || s == MeetingAnnounced) {
			t.Errorf("%s: editable %v research %v", s, s.Editable(), s.TakesResearch())
		}
	}
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	m := Meeting{Status: MeetingDraft, StartsAt: now.Add(3 * 24 * time.Hour)}
	cases := []struct {
		name  string
		m     Meeting
		items int
		days  int
		want  error
	}{
		{"exactly the notice days ahead", m, 2, 3, nil},
		{"a minute short", Meeting{Status: MeetingDraft, StartsAt: m.StartsAt.Add(-time.Minute)}, 2, 3, ErrNoticeTooLate},
		{"no notice needed", Meeting{Status: MeetingDraft, StartsAt: now.Add(time.Hour)}, 1, 0, nil},
		{"empty agenda", m, 0, 3, ErrAgendaEmpty},
		{"announced twice", Meeting{Status: MeetingAnnounced, StartsAt: m.StartsAt}, 2, 3, ErrMeetingStep},
	}
	for _, c := range cases {
		if err := CheckAnnounce(c.m, c.items, c.days, now); !errors.Is(err, c.want) && !(err == nil && c.want == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestCheckOpen(t *testing.T) {
	starts := time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)
	announced := Meeting{Status: MeetingAnnounced, StartsAt: starts}
	cases := []struct {
		name string
		m    Meeting
		now  time.Time
		want error
	}{
		{"days before its time", announced, starts.Add(-3 * 24 * time.Hour), ErrMeetingTooEarly},
		{"a minute too early", announced, starts.Add(-OpenEarly - time.Minute), ErrMeetingTooEarly},
		{"half an hour before", announced, starts.Add(-OpenEarly), nil},
		{"on time", announced, starts, nil},
		{"late", announced, starts.Add(2 * time.Hour), nil},
		{"a draft", Meeting{Status: MeetingDraft, StartsAt: starts}, starts, ErrMeetingStep},
		{"cancelled", Meeting{Status: MeetingCancelled, StartsAt: starts}, starts, ErrMeetingStep},
		{"already open", Meeting{Status: MeetingInSession, StartsAt: starts}, starts, ErrMeetingStep},
	}
	for _, c := range cases {
		if err := CheckOpen(c.m, c.now); !errors.Is(err, c.want) && !(err == nil && c.want == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// TestMeetingsLockAndHoldTopics: which meetings fix the topics on their
// agenda (no merging or declining) and which keep them off another agenda.
func TestMeetingsLockAndHoldTopics(t *testing.T) {
	cases := []struct {
		s           MeetingStatus
		locks, hold bool
	}{
		{MeetingDraft, false, true},
		{MeetingAnnounced, true, true},
		{MeetingInSession, true, true},
		{MeetingClosed, true, false},
		{MeetingCancelled, false, false},
	}
	if len(cases) != len(MeetingStatuses) {
		t.Fatalf("%d cases for %d statuses", len(cases), len(MeetingStatuses))
	}
	for _, c := range cases {
		if got := c.s.LocksTopics(); got != c.locks {
			t.Errorf("%s locks topics: %v, want %v", c.s, got, c.locks)
		}
		if got := slices.Contains(MeetingsHoldingTopics, c.s); got != c.hold {
			t.Errorf("%s holds topics: %v, want %v", c.s, got, c.hold)
		}
	}
}

func TestMeetingInputValidate(t *testing.T) {
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	ok := MeetingInput{Title: "十二月议事会", StartsAt: now.Add(96 * time.Hour), Location: "社区活动室", OnlineURL: "https://meeting.example.cn/123"}
	if fe := ok.Validate(now); len(fe) != 0 {
		t.Fatalf("valid meeting: %v", fe)
	}
	for field, in := range map[string]MeetingInput{
		"starts_at":  {Title: "x", StartsAt: now.Add(-time.Hour), Location: "y"},
		"location":   {Title: "x", StartsAt: now.Add(time.Hour), Location: " "},
		"online_url": {Title: "x", StartsAt: now.Add(time.Hour), Location: "y", OnlineURL: "javascript:alert(1)"},
		"title":      {StartsAt: now.Add(time.Hour), Location: "y"},
	} {
		if fe := in.Validate(now); fe[field] == "" {
			t.Errorf("%s: want an error, got %v", field, fe)
		}
	}
	if !ValidTimeBox(MinTimeBox) || !ValidTimeBox(MaxTimeBox) || ValidTimeBox(MinTimeBox-1) || ValidTimeBox(MaxTimeBox+1) {
		t.Fatal("time box bounds")
	}
}
