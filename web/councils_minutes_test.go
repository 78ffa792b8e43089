package web_test

import (
	"net/http"
	"strings"
	"testing"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// demoMeetings are the demo council's announced meeting and its past,
// closed one (whose minutes are published).
func demoMeetings(t *testing.T, s *models.Store) (announced, past models.Meeting) {
	t.Helper()
	v := demoCouncil(t, s)
	ms, _, err := s.CouncilMeetings(bg, v, 1, 10)
	if err != nil || len(ms) != 2 || ms[0].Status != models.MeetingAnnounced || ms[1].Status != models.MeetingClosed {
		t.Fatalf("demo meetings: %+v %v", ms, err)
	}
	return ms[0], ms[1]
}

// demoCouncil is the demo council as its convener sees it.
func demoCouncil(t *testing.T, s *models.Store) models.CouncilView {
	t.Helper()
	conv := principalByPhone(t, s, actorPhones[convener])
	list, _, err := s.Councils(bg, conv, 1, 10)
	if err != nil || len(list) != 1 || list[0].Name != demo.CouncilName {
		t.Fatalf("demo council: %v %v", list, err)
	}
	v, err := s.CouncilByID(bg, conv, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// holdMeeting opens the demo's announced meeting, marks eight members
// present, adopts a motion by a show of hands and closes the meeting.
func holdMeeting(t *testing.T, s *models.Store, id uint64) {
	t.Helper()
	conv, sec := principalByPhone(t, s, actorPhones[convener]), principalByPhone(t, s, actorPhones[staff1])
	startSoon(t, s, id)
	if _, err := s.OpenMeeting(bg, conv, id); err != nil {
		t.Fatal(err)
	}
	for _, phone := range []string{"13800000003", "13800000002", "13800000006", "13800000007", "13800000040", "13800000041", "13800000042", "13800000043"} {
		if err := s.MarkPresent(bg, sec, id, principalByPhone(t, s, phone).Account.ID); err != nil {
			t.Fatal(err)
		}
	}
	v, err := s.MeetingByID(bg, conv, id)
	if err != nil {
		t.Fatal(err)
	}
	mo, err := s.AddMotion(bg, conv, id, models.MotionInput{AgendaItemID: v.Items[0].ID, Text: "同意按调研方案加装电梯。"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MotionStep(bg, conv, id, mo.ID, models.MotionActOpen); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordHands(bg, sec, id, mo.ID, models.Hands{For: 7, Abstain: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MotionStep(bg, conv, id, mo.ID, models.MotionActClose); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseMeeting(bg, conv, id); err != nil {
		t.Fatal(err)
	}
}

// TestMinutesThroughForms: after the meeting closes, the secretary starts
// the minutes from the meeting page's link, edits and finalises them (the
// confirmation box is required), the convener alone signs them off and
// publishes them, and an amendment needs a reason and shows in the history.
func TestMinutesThroughForms(t *testing.T) {
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		m, _ := demoMeetings(t, s)
		holdMeeting(t, s, m.ID)
		conv, sec, member, chen := login(srv, "13800000003"), login(srv, "13800000002"), login(srv, "13800000006"), login(srv, "13800000004")
		url := "/meetings/" + itoa(m.ID) + "/minutes"

		mp := sec.Get("/meetings/" + itoa(m.ID))
		if href, _ := mp.Doc.Find(`[data-testid="minutes-link"]`).Attr("href"); href != url {
			t.Fatalf("meeting page's link to the minutes: %q", href)
		}
		if p := member.Get(url); p.Has(`[data-testid="minutes-start"]`) || p.Text(`[data-testid="minutes-status"]`) != "尚未生成" {
			t.Fatal("a member may start the minutes")
		}
		p := sec.Get(url)
		p = sec.Submit(p, `form[data-testid="start"]`, nil)
		if p.Status != http.StatusOK || p.Text(`[data-testid="minutes-status"]`) != "草稿" {
			t.Fatalf("start: %d %q", p.Status, p.Text(`[data-testid="minutes-status"]`))
		}
		// The record is prefilled from the meeting.
		if p.Count(`[data-testid="minutes-present"]`) != 8 || p.Count(`[data-testid="minutes-item"]`) != 3 || p.Count(`[data-testid="minutes-research"]`) != 3 {
			t.Fatalf("record: %d present, %d items, %d research", p.Count(`[data-testid="minutes-present"]`), p.Count(`[data-testid="minutes-item"]`), p.Count(`[data-testid="minutes-research"]`))
		}
		if mo := p.Doc.Find(`[data-testid="minutes-motion"]`); mo.Length() != 1 || mo.AttrOr("data-status", "") != "adopted" || mo.AttrOr("data-for", "") != "7" || mo.AttrOr("data-hands", "") != "true" {
			t.Fatalf("motion in the record: %d", mo.Length())
		}
		if got := p.Doc.Find(`[data-testid="minutes-quorum"]`).AttrOr("data-present", ""); got != "8" {
			t.Fatalf("quorum present %q", got)
		}
		// Drafts: members read them, a resident of the place does not.
		if rp := chen.Get(url); rp.Status != http.StatusOK || !rp.Has(`[data-testid="minutes-in-preparation"]`) || rp.Has(`[data-testid="minutes-record"]`) {
			t.Fatalf("a resident reads the draft: %d", rp.Status)
		}
		if rp := chen.Get(url + "/print"); rp.Status != http.StatusNotFound {
			t.Fatalf("a resident prints the draft: %d", rp.Status)
		}
		if mp := member.Get(url); !mp.Has(`[data-testid="minutes-record"]`) || mp.Has(`form[data-testid="minutes-edit"]`) {
			t.Fatal("a member does not read the draft, or may edit it")
		}

		// Edit: the secretary writes the discussion and saves.
		note, _ := p.Doc.Find(`form[data-testid="minutes-edit"] textarea[data-testid="minutes-note"]`).First().Attr("name")
		p = sec.Submit(p, `form[data-testid="minutes-edit"]`, map[string]string{note: "成员一致认为应尽快推进。", "summary": ""})
		if p.Text(`[data-testid="minutes-item-notes"]`) != "成员一致认为应尽快推进。" {
			t.Fatalf("notes not saved: %q", p.Text(`[data-testid="minutes-item-notes"]`))
		}
		// Finalise: without the box, then without a summary, then done.
		bad := sec.Submit(p, `form[data-testid="finalise"]`, nil)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-confirm"]`) {
			t.Fatalf("finalised without confirming: %d", bad.Status)
		}
		bad = sec.Submit(p, `form[data-testid="finalise"]`, map[string]string{"confirm": "on"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-finalise-summary"]`) {
			t.Fatalf("finalised without a summary: %d", bad.Status)
		}
		p = sec.Submit(p, `form[data-testid="minutes-edit"]`, map[string]string{"summary": "会议通过加装电梯决议。"})
		p = sec.Submit(p, `form[data-testid="finalise"]`, map[string]string{"confirm": "on"})
		if p.Text(`[data-testid="minutes-status"]`) != "已定稿，待签发" || p.Has(`form[data-testid="minutes-edit"]`) || p.Has(`form[data-testid="sign"]`) {
			t.Fatalf("after finalising: %q; the secretary may still edit or sign", p.Text(`[data-testid="minutes-status"]`))
		}
		// A finalised text is not edited, even by a hand-made post.
		if x := sec.Post(url, map[string][]string{"_csrf": {p.CSRF()}, "summary": {"改写"}}); x.Status != http.StatusUnprocessableEntity || !x.Has(`[data-testid="error-step-edit"]`) {
			t.Fatalf("edited finalised minutes: %d", x.Status)
		}

		// The convener signs off and publishes.
		cp := conv.Get(url)
		bad = conv.Submit(cp, `form[data-testid="sign"]`, nil)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-confirm"]`) {
			t.Fatalf("signed without confirming: %d", bad.Status)
		}
		cp = conv.Submit(cp, `form[data-testid="sign"]`, map[string]string{"confirm": "on"})
		if cp.Text(`[data-testid="minutes-status"]`) != "已签发" || !strings.Contains(cp.Text(`[data-testid="minutes-signed"]`), "张书记") {
			t.Fatalf("after signing: %q %q", cp.Text(`[data-testid="minutes-status"]`), cp.Text(`[data-testid="minutes-signed"]`))
		}
		if rp := chen.Get(url); !rp.Has(`[data-testid="minutes-record"]`) {
			t.Fatal("a resident does not read signed minutes")
		}
		bad = conv.Submit(cp, `form[data-testid="minutes-publish"]`, map[string]string{"period_days": "0", "confirm": "on"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-period_days"]`) {
			t.Fatalf("published without a period: %d", bad.Status)
		}
		cp = conv.Submit(cp, `form[data-testid="minutes-publish"]`, map[string]string{"period_days": "5", "confirm": "on"})
		if cp.Text(`[data-testid="minutes-status"]`) != "已公示" || cp.Count(`[data-testid="minutes-notice"]`) != 1 {
			t.Fatalf("after publishing: %q", cp.Text(`[data-testid="minutes-status"]`))
		}
		np := chen.Get(cp.Doc.Find(`[data-testid="minutes-notice"]`).AttrOr("href", ""))
		if np.Status != http.StatusOK || !strings.Contains(np.Doc.Text(), "同意按调研方案加装电梯。") || !strings.Contains(np.Doc.Text(), "会议决议") {
			t.Fatalf("the notice: %d", np.Status)
		}

		// Amend: a reason is required; the history keeps the old text.
		bad = sec.Submit(sec.Get(url), `form[data-testid="minutes-amend"]`, map[string]string{"summary": "会议通过加装电梯决议，费用另议。", "reason": ""})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-reason"]`) {
			t.Fatalf("amended without a reason: %d", bad.Status)
		}
		p = sec.Submit(bad, `form[data-testid="minutes-amend"]`, map[string]string{"summary": "会议通过加装电梯决议，费用另议。", "reason": "补充费用事项"})
		if p.Count(`[data-testid="amendment"]`) != 1 || p.Text(`[data-testid="change-before"]`) != "会议通过加装电梯决议。" ||
			p.Text(`[data-testid="change-after"]`) != "会议通过加装电梯决议，费用另议。" || !strings.Contains(p.Text(`[data-testid="amendment-reason"]`), "补充费用事项") ||
			p.Count(`[data-testid="minutes-notice"]`) != 2 || !p.Has(`[data-testid="amendment-notice"]`) {
			t.Fatalf("amendment history: %d amendments, %d notices", p.Count(`[data-testid="amendment"]`), p.Count(`[data-testid="minutes-notice"]`))
		}

		// An amendment from a page loaded before that one would undo it
		// unseen: it is refused, the typed text and reason stay in the
		// form beside what was amended meanwhile, and it goes through once
		// sent again from there.
		staleAmend := map[string]string{"summary": "会议通过加装电梯决议，费用由业主分摊。", "reason": "更正费用表述"}
		again := conv.Submit(cp, `form[data-testid="minutes-amend"]`, staleAmend)
		if again.Status != http.StatusConflict || !again.Has(`[data-testid="minutes-conflict"]`) ||
			again.Text(`[data-testid="minutes-theirs-summary"]`) != "会议通过加装电梯决议，费用另议。" ||
			again.Doc.Find(`form[data-testid="minutes-amend"] textarea[name="summary"]`).Text() != staleAmend["summary"] ||
			again.Doc.Find(`form[data-testid="minutes-amend"] textarea[name="reason"]`).Text() != staleAmend["reason"] {
			t.Fatalf("a stale amendment: %d, conflict shown %v", again.Status, again.Has(`[data-testid="minutes-conflict"]`))
		}
		if msg := again.Text(`[data-testid="error-step-amend"]`); !strings.Contains(msg, "其他人已经更正") && !strings.Contains(msg, "amended these minutes") {
			t.Fatalf("the message on the stale amendment: %q", msg)
		}
		p = conv.Submit(again, `form[data-testid="minutes-amend"]`, nil)
		if p.Count(`[data-testid="amendment"]`) != 2 || p.Has(`[data-testid="minutes-conflict"]`) {
			t.Fatalf("sent again after the conflict: %d, %d amendments", p.Status, p.Count(`[data-testid="amendment"]`))
		}
	})
}

// TestMinutesEditedByTwo: the secretary and the convener edit the same
// draft. The convener's save from a page loaded before the secretary's
// save is refused: the page comes back with the convener's text still in
// the form, a message saying someone else saved meanwhile and what they
// saved; saving again then goes through. When the minutes are finalised
// while the secretary types, the save is refused and what was typed is
// shown to copy.
func TestMinutesEditedByTwo(t *testing.T) {
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		m, _ := demoMeetings(t, s)
		holdMeeting(t, s, m.ID)
		conv, sec := login(srv, "13800000003"), login(srv, "13800000002")
		url := "/meetings/" + itoa(m.ID) + "/minutes"
		sec.Submit(sec.Get(url), `form[data-testid="start"]`, nil)

		sp, cp := sec.Get(url), conv.Get(url)
		if v := sp.Doc.Find(`[data-testid="minutes-version"]`).AttrOr("value", ""); v == "" {
			t.Fatal("the edit form carries no version")
		}
		sp = sec.Submit(sp, `form[data-testid="minutes-edit"]`, map[string]string{"summary": "秘书整理的会议纪要。"})
		if sp.Status != http.StatusOK || sp.Text(`[data-testid="minutes-summary-text"]`) != "秘书整理的会议纪要。" {
			t.Fatalf("the secretary's save: %d", sp.Status)
		}
		bad := conv.Submit(cp, `form[data-testid="minutes-edit"]`, map[string]string{"summary": "召集人改写的会议纪要。"})
		if bad.Status != http.StatusConflict || !strings.Contains(bad.Text(`[data-testid="error-step-edit"]`), "其他人") {
			t.Fatalf("a save over the secretary's: %d %q", bad.Status, bad.Text(`[data-testid="error-step-edit"]`))
		}
		if got := bad.Text(`form[data-testid="minutes-edit"] textarea[data-testid="minutes-summary"]`); got != "召集人改写的会议纪要。" {
			t.Fatalf("the convener's text was lost: %q", got)
		}
		if got := bad.Text(`[data-testid="minutes-theirs-summary"]`); got != "秘书整理的会议纪要。" {
			t.Fatalf("what the secretary saved, shown to the convener: %q", got)
		}
		if got := sec.Get(url).Text(`[data-testid="minutes-summary-text"]`); got != "秘书整理的会议纪要。" {
			t.Fatalf("the secretary's save was overwritten: %q", got)
		}
		// Having seen it, the convener saves on purpose.
		cp = conv.Submit(bad, `form[data-testid="minutes-edit"]`, nil)
		if cp.Status != http.StatusOK || cp.Text(`[data-testid="minutes-summary-text"]`) != "召集人改写的会议纪要。" {
			t.Fatalf("the convener's second save: %d %q", cp.Status, cp.Text(`[data-testid="minutes-summary-text"]`))
		}

		// Finalised while the secretary types.
		sp = sec.Get(url)
		conv.Submit(cp, `form[data-testid="finalise"]`, map[string]string{"confirm": "on"})
		bad = sec.Submit(sp, `form[data-testid="minutes-edit"]`, map[string]string{"summary": "秘书刚写好的长篇纪要。"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-step-edit"]`) || bad.Has(`form[data-testid="minutes-edit"]`) {
			t.Fatalf("a save after finalising: %d", bad.Status)
		}
		if got := bad.Text(`[data-testid="minutes-unsaved-summary"]`); got != "秘书刚写好的长篇纪要。" {
			t.Fatalf("the typed text to copy: %q", got)
		}
	})
}

// TestMinutesPrint: the demo's published minutes print on A4 for a
// resident: the print stylesheet sets the page, there is no form and no
// navigation, and there are lines for the signatures.
func TestMinutesPrint(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		_, past := demoMeetings(t, s)
		chen := login(srv, "13800000004")
		page := chen.Get("/meetings/" + itoa(past.ID) + "/minutes")
		if page.Status != http.StatusOK || page.Text(`[data-testid="minutes-status"]`) != "已公示" || page.Count(`[data-testid="minutes-resolution"]`) != 2 ||
			page.Has("form[data-testid^=minutes]") || page.Count(`[data-testid="minutes-resolution-link"]`) != 2 ||
			!page.Has(`link[data-testid="minutes-stylesheet"]`) {
			t.Fatalf("published minutes as a resident sees them: %d", page.Status)
		}
		href, _ := page.Doc.Find(`[data-testid="minutes-print-link"]`).Attr("href")
		pr := chen.Get(href)
		if pr.Status != http.StatusOK || pr.Has("form") || pr.Has("nav") || pr.Has(".site-header") || !pr.Has(`[data-testid="minutes-print"]`) {
			t.Fatalf("print page: %d, with forms or navigation", pr.Status)
		}
		if pr.Count(`[data-testid="minutes-motion"]`) != 3 || !pr.Has(`[data-testid="sign-convener"]`) || !pr.Has(`[data-testid="sign-secretary"]`) ||
			!strings.Contains(pr.Text(`[data-testid="sign-convener"]`), "张书记") {
			t.Fatal("print page lacks the motions or the signature lines")
		}
		css, _ := pr.Doc.Find(`link[data-testid="minutes-stylesheet"]`).Attr("href")
		sheet := chen.Get(css)
		body := sheet.Body
		for _, want := range []string{"@media print", "@page { size: A4;", "break-inside: avoid", "form, button"} {
			if !strings.Contains(body, want) {
				t.Fatalf("print stylesheet %s (%d) lacks %q", css, sheet.Status, want)
			}
		}
	})
}
