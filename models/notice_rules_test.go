package models

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNoticeInputValidate(t *testing.T) {
	cases := []struct {
		name string
		in   NoticeInput
		want map[string]string
	}{
		{"valid without period", NoticeInput{PlaceID: 1, Title: " 标题 ", Body: "正文"}, nil},
		{"valid with period and objections", NoticeInput{PlaceID: 1, Title: "标题", Body: "正文", PeriodDays: 7, AllowObjections: true}, nil},
		{"ninety days is the limit", NoticeInput{PlaceID: 1, Title: "标题", Body: "正文", PeriodDays: 90}, nil},
		{"everything missing", NoticeInput{Title: "  ", Body: "\n"}, map[string]string{"place_id": "err.required", "title": "err.required", "body": "err.required"}},
		{"title too long", NoticeInput{PlaceID: 1, Title: strings.Repeat("长", 121), Body: "正文"}, map[string]string{"title": "err.too_long"}},
		{"body too long", NoticeInput{PlaceID: 1, Title: "标题", Body: strings.Repeat("字", 20001)}, map[string]string{"body": "err.too_long"}},
		{"negative period", NoticeInput{PlaceID: 1, Title: "标题", Body: "正文", PeriodDays: -1}, map[string]string{"period_days": "err.period_days_invalid"}},
		{"period over 90", NoticeInput{PlaceID: 1, Title: "标题", Body: "正文", PeriodDays: 91}, map[string]string{"period_days": "err.period_days_invalid"}},
		{"objections need a period", NoticeInput{PlaceID: 1, Title: "标题", Body: "正文", AllowObjections: true}, map[string]string{"period_days": "err.objections_need_period"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			fe := in.Validate()
			if len(fe) != len(c.want) {
				t.Fatalf("got %v, want %v", fe, c.want)
			}
			for k, v := range c.want {
				if fe[k] != v {
					t.Fatalf("%s: got %q, want %q", k, fe[k], v)
				}
			}
			if len(fe) == 0 && (in.Title != strings.TrimSpace(c.in.Title) || in.Body != strings.TrimSpace(c.in.Body)) {
				t.Fatalf("input not trimmed: %+v", in)
			}
		})
	}
}

func TestNoticePeriod(t *testing.T) {
	if PeriodEnd(t0, 0) != nil {
		t.Fatal("no period should have no end")
	}
	end := PeriodEnd(t0, 7)
	if end == nil || !end.Equal(t0.AddDate(0, 0, 7)) {
		t.Fatalf("7 days from %v ends %v", t0, end)
	}
	pub := Notice{Status: NoticePublished, PublishedAt: &t0, PeriodDays: 7, PeriodEndsAt: end, AllowObjections: true}
	noPeriod := Notice{Status: NoticePublished, PublishedAt: &t0}
	withdrawn := pub
	withdrawn.Status = NoticeWithdrawn
	draft := pub
	draft.Status, draft.PublishedAt, draft.PeriodEndsAt = NoticeDraft, nil, nil
	noObjections := pub
	noObjections.AllowObjections = false
	cases := []struct {
		name                     string
		n                        Notice
		at                       time.Time
		inPeriod, ended, accepts bool
	}{
		{"first minute", pub, t0.Add(time.Minute), true, false, true},
		{"last second", pub, end.Add(-time.Second), true, false, true},
		{"at the end", pub, *end, false, true, false},
		{"after the end", pub, end.Add(time.Hour), false, true, false},
		{"no period", noPeriod, t0.Add(time.Hour), false, false, false},
		{"withdrawn in period", withdrawn, t0.Add(time.Hour), false, false, false},
		{"draft", draft, t0.Add(time.Hour), false, false, false},
		{"objections not taken", noObjections, t0.Add(time.Hour), true, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.n.InPeriod(c.at); got != c.inPeriod {
				t.Errorf("InPeriod = %v", got)
			}
			if got := c.n.PeriodEnded(c.at); got != c.ended {
				t.Errorf("PeriodEnded = %v", got)
			}
			if got := c.n.AcceptsObjections(c.at); got != c.accepts {
				t.Errorf("AcceptsObjections = %v", got)
			}
		})
	}
}

func TestObjectionAllowed(t *testing.T) {
	end := t0.AddDate(0, 0, 7)
	n := Notice{Status: NoticePublished, PublishedAt: &t0, PeriodDays: 7, PeriodEndsAt: &end, AllowObjections: true}
	com1 := place(2, KindCommunity, "/1/2/")
	hh1 := place(9, KindHousehold, "/1/2/5/7/9/")
	hh2 := place(19, KindHousehold, "/1/3/15/17/19/")
	street := place(1, KindStreet, "/1/")
	cases := []struct {
		name  string
		scope Place
		hh    *Place
		at    time.Time
		want  error
	}{
		{"resident of the community", com1, &hh1, t0.Add(time.Hour), nil},
		{"street notice reaches every community", street, &hh2, t0.Add(time.Hour), nil},
		{"resident of another community", com1, &hh2, t0.Add(time.Hour), ErrNotResidentHere},
		{"not a verified resident", com1, nil, t0.Add(time.Hour), ErrNotResidentHere},
		{"period over", com1, &hh1, end, ErrObjectionsClosed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := ObjectionAllowed(n, c.scope, c.hh, c.at); !errors.Is(err, c.want) && !(err == nil && c.want == nil) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestNoticeTextRules(t *testing.T) {
	if fe := ValidateWithdrawReason("  "); fe["reason"] != "err.required" {
		t.Fatalf("empty reason: %v", fe)
	}
	if fe := ValidateWithdrawReason(strings.Repeat("因", MaxWithdrawReason+1)); fe["reason"] != "err.too_long" {
		t.Fatalf("long reason: %v", fe)
	}
	if fe := ValidateWithdrawReason("内容有误，更正后重新发布"); len(fe) != 0 {
		t.Fatalf("good reason: %v", fe)
	}
	if fe := ValidateObjectionText("reason", strings.Repeat("异", 2001)); fe["reason"] != "err.too_long" {
		t.Fatalf("long objection: %v", fe)
	}
	if fe := ValidateObjectionText("answer", ""); fe["answer"] != "err.required" {
		t.Fatalf("empty answer: %v", fe)
	}
	for _, c := range []struct {
		typ  string
		id   uint64
		fail bool
	}{{"ballot", 3, false}, {"", 3, true}, {"ballot", 0, true}, {strings.Repeat("x", 33), 1, true}} {
		if err := ValidateSource(c.typ, c.id); (err != nil) != c.fail {
			t.Errorf("ValidateSource(%q, %d) = %v", c.typ, c.id, err)
		}
	}
	if err := NoticeTransition(NoticeDraft, NoticePublished); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]NoticeStatus{{NoticePublished, NoticePublished}, {NoticeDraft, NoticeWithdrawn}, {NoticeWithdrawn, NoticePublished}} {
		if err := NoticeTransition(bad[0], bad[1]); !errors.Is(err, ErrConflict) {
			t.Errorf("%s → %s: %v", bad[0], bad[1], err)
		}
	}
}
