package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// demoMeetingURL is the address of the demo council's announced meeting.
func demoMeetingURL(t *testing.T, s *models.Store) string {
	t.Helper()
	m, _ := demoMeetings(t, s)
	return "/meetings/" + strconv.FormatUint(m.ID, 10)
}

// startSoon brings meeting id forward to start ten minutes from the
// store's now, so that it may be opened (models.OpenEarly) without moving
// the clock, which would end the sessions signed in. No step of the app
// moves a meeting earlier: this is a fixture's shortcut.
func startSoon(t *testing.T, s *models.Store, id uint64) {
	t.Helper()
	if err := s.Tx(bg).Model(&models.Meeting{}).Where("id = ?", id).Update("starts_at", s.Now().Add(10*time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
}

// openedMeeting is the demo's announced meeting opened through its page:
// its address, the convener and member Zhao signed in, the convener's
// page after opening and the attendance code it shows.
type openedMeeting struct {
	url        string
	conv, zhao *webtest.Client
	page       *webtest.Page
	code       string
}

// openDemoMeeting opens the demo's announced meeting as its convener, the
// clock set ten minutes before its time.
func openDemoMeeting(t *testing.T, s *models.Store, clock *modeltest.Clock) openedMeeting {
	t.Helper()
	announced, _ := demoMeetings(t, s)
	clock.Set(announced.StartsAt.Add(-10 * time.Minute))
	srv := demoServer(t, s)
	o := openedMeeting{url: "/meetings/" + strconv.FormatUint(announced.ID, 10)}
	o.conv, o.zhao = login(srv, "13800000003"), login(srv, "13800000006")
	o.page = o.conv.Submit(o.conv.Get(o.url), `form[data-testid="open"]`, map[string]string{"confirm": "on"})
	o.code = o.page.Text(`[data-testid="attendance-code"]`)
	return o
}

// TestMeetingCheckInLockedOut: after five wrong codes a member is refused
// even with the right one, told to ask the convener, who marks them
// present from the meeting's page.
func TestMeetingCheckInLockedOut(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		o := openDemoMeeting(t, s, clock)
		url, conv, zhao, code := o.url, o.conv, o.zhao, o.code
		zp := zhao.Get(url)
		for i := range models.MaxCheckInFailures {
			wrong := strconv.Itoa(100000 + i)
			if wrong == code {
				wrong = strconv.Itoa(200000 + i)
			}
			zp = zhao.Submit(zp, `form[data-testid="checkin-form"]`, map[string]string{"code": wrong})
			if zp.Status != http.StatusUnprocessableEntity || !zp.Has(`[data-testid="error-code"]`) {
				t.Fatalf("wrong code %d: %d", i+1, zp.Status)
			}
		}
		zp = zhao.Submit(zp, `form[data-testid="checkin-form"]`, map[string]string{"code": code})
		if zp.Status != http.StatusUnprocessableEntity || !strings.Contains(zp.Text(`[data-testid="error-code"]`), "召集人") || zp.Has(`[data-testid="me-present"]`) {
			t.Fatalf("the right code after five wrong ones: %d %q", zp.Status, zp.Text(`[data-testid="error-code"]`))
		}
		mp := conv.Submit(conv.Get(url), `form[data-testid="mark-form"]`, map[string]string{"account_id": itoa(mustPhone(t, s, "13800000006"))})
		if mp.Status != http.StatusOK || !zhao.Get(url).Has(`[data-testid="me-present"]`) {
			t.Fatalf("the convener marks the member present: %d", mp.Status)
		}
	})
}

// TestVoteWithoutQuorumThroughForms: a vote closed with too few members
// present leaves the motion undecided; the meeting's page and the
// projector say so, with what the vote counted, and the convener may hold
// the vote again.
func TestVoteWithoutQuorumThroughForms(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		o := openDemoMeeting(t, s, clock)
		url, conv, zhao, mp, code := o.url, o.conv, o.zhao, o.page, o.code
		zhao.Submit(zhao.Get(url), `form[data-testid="checkin-form"]`, map[string]string{"code": code})
		item, _ := mp.Doc.Find(`form[data-testid="motion-form"] select[name="item_id"] option`).Eq(1).Attr("value")
		mp = conv.Submit(mp, `form[data-testid="motion-form"]`, map[string]string{"item_id": item, "text": "同意按调研方案实施。"})
		if mp = conv.Submit(mp, `form[data-testid="motion-open"]`, nil); mp.Count(`[data-testid="motion"][data-status="voting"]`) != 1 {
			t.Fatalf("vote not open: %d", mp.Status)
		}
		zp := zhao.Submit(zhao.Get(url), `form[data-testid="vote-form"]`, map[string]string{"choice": "for"})
		if c, _ := zp.Doc.Find(`[data-testid="my-vote"]`).Attr("data-choice"); c != "for" {
			t.Fatalf("the member's vote: %q", c)
		}

		// One of eleven present: the close decides nothing.
		mp = conv.Submit(conv.Get(url), `form[data-testid="motion-close"]`, map[string]string{"confirm": "on"})
		if mp.Status != http.StatusOK || mp.Count(`[data-testid="motion"][data-status="draft"]`) != 1 {
			t.Fatalf("after closing without a quorum: %d, %d undecided", mp.Status, mp.Count(`[data-testid="motion"][data-status="draft"]`))
		}
		if got := mp.Text(`[data-testid="motion-status"]`); got != "未形成决定" {
			t.Fatalf("motion's status %q", got)
		}
		if got := mp.Text(`[data-testid="motion-no-quorum"]`); !strings.Contains(got, "未达法定人数") || !strings.Contains(got, "1 人") {
			t.Fatalf("no word of the missing quorum: %q", got)
		}
		if f, _ := mp.Doc.Find(`[data-testid="motion-tally"]`).Attr("data-for"); f != "1" || mp.Has(`[data-testid="motion-resolution"]`) {
			t.Fatalf("the undecided vote's tally: for %q, resolution %v", f, mp.Has(`[data-testid="motion-resolution"]`))
		}
		if !mp.Has(`form[data-testid="motion-open"]`) {
			t.Fatal("the undecided motion cannot be voted on again")
		}
		if got := zhao.Get(url + "/projector").Text(`[data-testid="projector-status"]`); got != "未形成决定" {
			t.Fatalf("projector after the vote without a quorum: %q", got)
		}
		mp = conv.Submit(mp, `form[data-testid="motion-open"]`, nil)
		if mp.Count(`[data-testid="motion"][data-status="voting"]`) != 1 || mp.Has(`[data-testid="motion-no-quorum"]`) {
			t.Fatalf("the vote held again: %d", mp.Status)
		}
		if zp := zhao.Get(url); !zp.Has(`[data-testid="vote-form"]`) {
			t.Fatal("the member cannot vote again")
		}
	})
}

// TestMeetingInSessionThroughForms runs the demo meeting through its
// forms: the convener opens it (not days before its time), a member signs in with the room's code,
// the secretary marks the others present, a motion is put and voted on by
// phone (a second vote answers with the first), the projector shows the
// tally, the secretary records a show of hands, the convener closes the
// vote and the meeting.
func TestMeetingInSessionThroughForms(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		announced, _ := demoMeetings(t, s)
		url := "/meetings/" + strconv.FormatUint(announced.ID, 10)

		// Days before its time the meeting is not opened, and the page says
		// why.
		conv := login(srv, "13800000003")
		mp := conv.Get(url)
		if !mp.Has(`[data-testid="open-meeting"]`) || mp.Has(`[data-testid="checkin-form"]`) {
			t.Fatal("the announced meeting offers no opening, or already a sign-in")
		}
		early := conv.Submit(mp, `form[data-testid="open"]`, map[string]string{"confirm": "on"})
		if early.Status != http.StatusUnprocessableEntity || !strings.Contains(early.Text(`[data-testid="error-open"]`), "30分钟") ||
			early.Text(`[data-testid="meeting-status"]`) != "已公告" {
			t.Fatalf("opened days early: %d %q", early.Status, early.Text(`[data-testid="error-open"]`))
		}

		// Twenty minutes before its time (signed in afresh: the sessions
		// lapsed meanwhile), opening needs the confirmation box.
		clock.Set(announced.StartsAt.Add(-20 * time.Minute))
		conv, sec, zhao, chen := login(srv, "13800000003"), login(srv, "13800000002"), login(srv, "13800000006"), login(srv, "13800000004")
		mp = conv.Get(url)
		bad := conv.Submit(mp, `form[data-testid="open"]`, nil)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-confirm"]`) {
			t.Fatalf("opened without confirming: %d", bad.Status)
		}
		mp = conv.Submit(bad, `form[data-testid="open"]`, map[string]string{"confirm": "on"})
		code := mp.Text(`[data-testid="attendance-code"]`)
		if mp.Text(`[data-testid="meeting-status"]`) != "会议中" || len(code) != 6 {
			t.Fatalf("after opening: %q, code %q", mp.Text(`[data-testid="meeting-status"]`), code)
		}

		// A member signs in with the code; a wrong code is said so.
		zp := zhao.Get(url)
		if zp.Has(`[data-testid="attendance-code"]`) {
			t.Fatal("a member sees the code on the page instead of in the room")
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		bad = zhao.Submit(zp, `form[data-testid="checkin-form"]`, map[string]string{"code": wrong})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-code"]`) {
			t.Fatalf("wrong code: %d", bad.Status)
		}
		zp = zhao.Submit(bad, `form[data-testid="checkin-form"]`, map[string]string{"code": code})
		if !zp.Has(`[data-testid="me-present"]`) || zp.Has(`[data-testid="checkin-form"]`) {
			t.Fatalf("not signed in: %d", zp.Status)
		}
		if p := chen.Post(url+"/checkin", map[string][]string{"_csrf": {chen.Get(url).CSRF()}, "code": {code}}); p.Status != http.StatusForbidden {
			t.Fatalf("a resident who is no member signed in: %d", p.Status)
		}

		// The secretary marks seven more present: eight of eleven is a quorum.
		sp := sec.Get(url)
		if got, _ := sp.Doc.Find(`[data-testid="quorum"]`).Attr("data-met"); got != "false" {
			t.Fatalf("quorum with one present: %s", got)
		}
		for _, phone := range []string{"13800000003", "13800000007", "13800000040", "13800000041", "13800000042", "13800000043", "13800000044"} {
			sp = sec.Submit(sp, `form[data-testid="mark-form"]`, map[string]string{"account_id": itoa(mustPhone(t, s, phone))})
			if sp.Status != http.StatusOK {
				t.Fatalf("mark %s: %d", phone, sp.Status)
			}
		}
		if met, _ := sp.Doc.Find(`[data-testid="quorum"]`).Attr("data-met"); met != "true" || sp.Count(`[data-testid="present"]`) != 8 {
			t.Fatalf("quorum %s with %d present", met, sp.Count(`[data-testid="present"]`))
		}

		// The convener puts a motion and opens its vote.
		mp = conv.Get(url)
		bad = conv.Submit(mp, `form[data-testid="motion-form"]`, map[string]string{"text": ""})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-text"]`) || !bad.Has(`[data-testid="error-item_id"]`) {
			t.Fatalf("empty motion: %d", bad.Status)
		}
		item, _ := bad.Doc.Find(`form[data-testid="motion-form"] select[name="item_id"] option`).Eq(1).Attr("value")
		mp = conv.Submit(bad, `form[data-testid="motion-form"]`, map[string]string{"item_id": item, "text": "同意按调研方案实施，费用从公共收益列支。"})
		if mp.Count(`[data-testid="motion"][data-status="draft"]`) != 1 {
			t.Fatalf("motion not put: %d", mp.Status)
		}
		mp = conv.Submit(mp, `form[data-testid="motion-open"]`, nil)
		if mp.Count(`[data-testid="motion"][data-status="voting"]`) != 1 {
			t.Fatalf("vote not open: %d", mp.Status)
		}

		// A voting member not signed in is told to sign in first.
		if wp := login(srv, "13800000045").Get(url); !wp.Has(`[data-testid="sign-in-to-vote"]`) || wp.Has(`[data-testid="vote-form"]`) {
			t.Fatal("a member not signed in is offered the vote, or not told to sign in")
		}
		// A member votes on the phone; pressing again answers with the
		// vote already cast, not an error page.
		zp = zhao.Get(url)
		stale := zp
		zp = zhao.Submit(zp, `form[data-testid="vote-form"]`, map[string]string{"choice": "for"})
		if c, _ := zp.Doc.Find(`[data-testid="my-vote"]`).Attr("data-choice"); c != "for" || zp.Has(`[data-testid="vote-form"]`) {
			t.Fatalf("after voting: %q", c)
		}
		again := zhao.Submit(stale, `form[data-testid="vote-form"]`, map[string]string{"choice": "against"})
		if c, _ := again.Doc.Find(`[data-testid="my-vote"]`).Attr("data-choice"); again.Status != http.StatusOK || c != "for" || again.Text(`[data-testid="flash"]`) != "您已对这项表决投过票" {
			t.Fatalf("second vote: %d, %q, flash %q", again.Status, c, again.Text(`[data-testid="flash"]`))
		}
		if tally, _ := again.Doc.Find(`[data-testid="motion-tally"]`).Attr("data-for"); tally != "1" {
			t.Fatalf("tally after two presses: %s for", tally)
		}

		// The projector shows the tally; the code only to those running it.
		pj := conv.Get(url + "/projector")
		if got, _ := pj.Doc.Find(`[data-testid="projector-tally"]`).Attr("data-for"); got != "1" || pj.Text(`[data-testid="projector-code"]`) != code {
			t.Fatalf("projector: for %q, code %q", got, pj.Text(`[data-testid="projector-code"]`))
		}
		if zj := zhao.Get(url + "/projector"); zj.Status != http.StatusOK || zj.Has(`[data-testid="projector-code"]`) {
			t.Fatalf("member's projector: %d", zj.Status)
		}

		// The secretary records a show of hands: not more hands than present.
		sp = sec.Get(url)
		bad = sec.Submit(sp, `form[data-testid="hands-form"]`, map[string]string{"for": "8", "against": "1", "abstain": "0"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-hands"]`) {
			t.Fatalf("nine hands among eight: %d", bad.Status)
		}
		sp = sec.Submit(bad, `form[data-testid="hands-form"]`, map[string]string{"for": "7", "against": "1", "abstain": "0"})
		if got, _ := sp.Doc.Find(`[data-testid="motion-tally"]`).Attr("data-for"); got != "7" {
			t.Fatalf("tally by hands: %s for", got)
		}

		// Closing the vote needs confirming; seven of eleven carry it.
		mp = conv.Get(url)
		bad = conv.Submit(mp, `form[data-testid="motion-close"]`, nil)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-confirm"]`) {
			t.Fatalf("closed a vote without confirming: %d", bad.Status)
		}
		bad = conv.Submit(mp, `form[data-testid="close"]`, map[string]string{"confirm": "on"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-close"]`) {
			t.Fatalf("closed the meeting during a vote: %d", bad.Status)
		}
		mp = conv.Submit(mp, `form[data-testid="motion-close"]`, map[string]string{"confirm": "on"})
		if mp.Count(`[data-testid="motion"][data-status="adopted"]`) != 1 {
			t.Fatalf("motion not adopted: %d", mp.Status)
		}
		if pj := zhao.Get(url + "/projector"); pj.Text(`[data-testid="projector-motion"] .projector-status`) != "通过" {
			t.Fatalf("projector after the close: %q", pj.Text(`[data-testid="projector-motion"] .projector-status`))
		}
		mp = conv.Submit(mp, `form[data-testid="close"]`, map[string]string{"confirm": "on"})
		if mp.Text(`[data-testid="meeting-status"]`) != "已结束" || mp.Has(`[data-testid="mark-form"]`) || mp.Has(`[data-testid="motion-form"]`) {
			t.Fatalf("after closing: %q", mp.Text(`[data-testid="meeting-status"]`))
		}
	})
}

// TestCouncilFormsWhileSitting: while its meeting is in session the
// council's page refuses a change of members or rules, saying why and
// keeping what was typed.
func TestCouncilFormsWhileSitting(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		announced, _ := demoMeetings(t, s)
		o := openDemoMeeting(t, s, clock)
		staff := login(webtest.Start(t, s), "13800000002")
		page := staff.Get("/councils/" + strconv.FormatUint(announced.CouncilID, 10))
		if !page.Has(`form[data-testid="member-form"]`) || !page.Has(`form[data-testid="rules-form"]`) {
			t.Fatalf("staff see no member or rules form: %d", page.Status)
		}
		for _, f := range []struct{ form, field, value string }{{"member", "phone", "13800000005"}, {"rules", "notice_days", "5"}} {
			res := staff.Submit(page, `form[data-testid="`+f.form+`-form"]`, map[string]string{f.field: f.value})
			msg := res.Text(`[data-testid="error-step-` + f.form + `"]`)
			if res.Status != http.StatusUnprocessableEntity || !(strings.Contains(msg, "正在开会") || strings.Contains(msg, "is sitting")) {
				t.Fatalf("%s form while sitting: %d %q", f.form, res.Status, msg)
			}
			if v := res.Doc.Find(`form[data-testid="`+f.form+`-form"] [name="`+f.field+`"]`).AttrOr("value", ""); v != f.value {
				t.Fatalf("%s form lost %s: %q", f.form, f.field, v)
			}
		}
		if o.page.Text(`[data-testid="meeting-status"]`) != "会议中" {
			t.Fatalf("the meeting is not in session: %q", o.page.Text(`[data-testid="meeting-status"]`))
		}
	})
}
