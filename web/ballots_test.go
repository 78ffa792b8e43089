package web_test

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// demoBallot finds a demo ballot in state st.
func demoBallot(t *testing.T, s *models.Store, st models.BallotStatus) models.Ballot {
	t.Helper()
	list, _, err := s.Ballots(bg, models.BallotQuery{Status: st})
	if err != nil || len(list) == 0 {
		t.Fatalf("no %s demo ballot: %v", st, err)
	}
	return list[0]
}

func ballotPath(id uint64, rest string) string {
	return "/ballots/" + strconv.FormatUint(id, 10) + rest
}

// TestVoteContract follows the vote contract on the demo's open budget
// ballot: the form, review, confirm answering 200 with the receipt, the
// same receipt on a repeat, 403 for someone not on the roll, 422 over the
// budget, and the receipt on /profile.
func TestVoteContract(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		b := demoBallot(t, s, models.BallotOpen)
		opts, err := s.Options(bg, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		c := srv.Client()
		c.Login("13800000004", demo.Password)
		home := c.Get("/")
		if !strings.Contains(home.Text(`[data-testid="home-ballots"]`), b.Title) {
			t.Fatalf("home does not offer the open ballot: %q", home.Text(`[data-testid="home-ballots"]`))
		}
		page := c.Get(ballotPath(b.ID, ""))
		if !page.Has(`form[method="post"][action="` + ballotPath(b.ID, "/vote") + `"][data-testid="vote-form"] input[name="_csrf"]`) {
			t.Fatal("no vote form per the contract")
		}
		if !page.Has(`form[data-testid="vote-form"] button[name="step"][value="review"]`) {
			t.Fatal("no review button")
		}
		if page.Count(`form[data-testid="vote-form"] input[type="checkbox"][name="choice"]`) != len(opts) {
			t.Fatal("a budget ballot offers a checkbox per candidate")
		}
		if !page.Has(`[data-testid="results-hidden"]`) || page.Has(`[data-testid="result-table"]`) {
			t.Fatal("results must be hidden while open")
		}
		csrf := page.CSRF()
		// Over the budget: every candidate together costs more than 10万.
		all := url.Values{"_csrf": {csrf}, "step": {"review"}}
		for _, o := range opts {
			all.Add("choice", strconv.FormatUint(o.ID, 10))
		}
		over := c.Post(ballotPath(b.ID, "/vote"), all)
		if over.Status != http.StatusUnprocessableEntity || !strings.Contains(over.Text(`[data-testid="vote-error"]`), "预算") {
			t.Fatalf("over budget: status %d, %q", over.Status, over.Text(`[data-testid="vote-error"]`))
		}
		if !strings.Contains(over.Text(`[data-testid="budget-meter"]`), "超出预算") {
			t.Fatalf("meter without JS: %q", over.Text(`[data-testid="budget-meter"]`))
		}
		pick := url.Values{"_csrf": {csrf}, "step": {"review"}, "choice": {strconv.FormatUint(opts[0].ID, 10), strconv.FormatUint(opts[1].ID, 10)}}
		review := c.Post(ballotPath(b.ID, "/vote"), pick)
		if review.Status != http.StatusOK || !review.Has(`form[data-testid="confirm-form"] input[type="hidden"][name="choice"]`) {
			t.Fatalf("review: status %d", review.Status)
		}
		if st, _ := s.Eligible(bg, principalByPhone(t, s, "13800000004"), b.ID); st.Voted || !st.Eligible {
			t.Fatalf("review must not vote: %+v", st)
		}
		receipt := c.Submit(review, `form[data-testid="confirm-form"]`, nil)
		code := receipt.Text(`code[data-testid="receipt-code"]`)
		if receipt.Status != http.StatusOK || len(code) < 10 {
			t.Fatalf("confirm: status %d, receipt %q", receipt.Status, code)
		}
		again := c.Submit(review, `form[data-testid="confirm-form"]`, nil)
		if again.Status != http.StatusOK || again.Text(`code[data-testid="receipt-code"]`) != code {
			t.Fatalf("repeat: status %d, receipt %q want %q", again.Status, again.Text(`code[data-testid="receipt-code"]`), code)
		}
		prof := c.Get("/profile")
		if !strings.Contains(prof.Text(`[data-testid="my-receipt"]`), code) {
			t.Fatalf("profile receipts %q", prof.Text(`[data-testid="my-receipt"]`))
		}
		// Street staff are not on community 1's roll.
		st := srv.Client()
		st.Login("13800000001", demo.Password)
		sp := st.Get(ballotPath(b.ID, ""))
		if sp.Has(`[data-testid="vote-form"]`) || !sp.Has(`[data-testid="results-hidden"]`) {
			t.Fatal("staff see no vote form and no counts")
		}
		refused := st.Post(ballotPath(b.ID, "/vote"), url.Values{"_csrf": {sp.CSRF()}, "step": {"confirm"}, "choice": {strconv.FormatUint(opts[0].ID, 10)}})
		if refused.Status != http.StatusForbidden {
			t.Fatalf("not eligible: status %d", refused.Status)
		}
		if r := st.Get(ballotPath(b.ID, "/board.json")); r.Status != http.StatusConflict {
			t.Fatalf("board before close: %d", r.Status)
		}
		// After the close: 409 for a vote, the result for anyone.
		clock.Advance(6 * 24 * 60 * 60 * 1e9)
		c.Login("13800000004", demo.Password)
		late := c.Post(ballotPath(b.ID, "/vote"), url.Values{"_csrf": {c.Get("/profile").CSRF()}, "step": {"confirm"}, "choice": {strconv.FormatUint(opts[0].ID, 10)}})
		if late.Status != http.StatusConflict || !strings.Contains(late.Body, "不在投票时间") {
			t.Fatalf("closed: status %d", late.Status)
		}
		anon := srv.Client()
		res := anon.Get(ballotPath(b.ID, ""))
		if !res.Has(`[data-testid="result-table"]`) || res.Text(`[data-testid="turnout-total"]`) == "" {
			t.Fatal("the result is public after the close")
		}
		look := anon.Get(ballotPath(b.ID, "?receipt="+code))
		if !look.Has(`[data-testid="lookup-found"]`) || !look.Has(`[data-testid="lookup-board"]`) {
			t.Fatalf("lookup: %q", look.Text(`[data-testid="receipt-lookup"]`))
		}
		board := anon.Get(ballotPath(b.ID, "/board.json"))
		if board.Status != http.StatusOK || !strings.Contains(board.Body, code) || !strings.Contains(board.Header.Get("Content-Disposition"), "board.json") {
			t.Fatalf("board: %d", board.Status)
		}
	})
}

var _ = webtest.Start

// TestKiosk: staff check a resident in person at the service station, the
// resident votes on the device, and the receipt page returns to the staff
// check by itself; the voter handed over cannot be swapped, and the hand-over
// holds on another process of the site (or after a restart).
func TestKiosk(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		b := demoBallot(t, s, models.BallotOpen)
		opts, err := s.Options(bg, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		kiosk := "/console/ballots/" + strconv.FormatUint(b.ID, 10) + "/kiosk"
		// In the staff member's own session the device cannot take votes:
		// it must first become a service station.
		page := staff.Get(kiosk)
		if page.Has(`form[data-testid="kiosk-form"]`) || !page.Has(`form[data-testid="kiosk-start-form"]`) {
			t.Fatal("the kiosk check is offered in a full staff session")
		}
		_, startVals := page.Form(`form[data-testid="kiosk-start-form"]`)
		if res := staff.Post(kiosk, url.Values{"_csrf": startVals["_csrf"], "who": {"13800000005"}, "id_checked": {"yes"}}); res.Status != http.StatusConflict {
			t.Fatalf("a kiosk check in a full staff session: %d", res.Status)
		}
		if res := staff.Submit(page, `form[data-testid="kiosk-start-form"]`, map[string]string{"pin": "2468"}); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("station mode without the confirmation: %d", res.Status)
		}
		if res := staff.Submit(page, `form[data-testid="kiosk-start-form"]`, map[string]string{"confirm": "yes", "pin": "24"}); res.Status != http.StatusUnprocessableEntity ||
			!res.Has(`[data-testid="error-pin"]`) {
			t.Fatalf("station mode with a two-digit PIN: %d", res.Status)
		}
		staffCookie := staff.Cookie("yishi_session")
		page = staff.Submit(page, `form[data-testid="kiosk-start-form"]`, map[string]string{"confirm": "yes", "pin": "2468"})
		if page.Status != http.StatusOK || !page.Has(`form[data-testid="kiosk-form"]`) || !page.Has(`[data-testid="nav-station"]`) || page.Has(`[data-testid="nav-console"]`) {
			t.Fatalf("station mode: %d", page.Status)
		}
		// The staff member's session on this device is over; the station's
		// reaches only the kiosk.
		if _, err := s.ResumeSession(bg, staffCookie); !errors.Is(err, models.ErrSessionExpired) {
			t.Fatalf("the staff session survived station mode: %v", err)
		}
		for _, path := range []string{"/console", "/console/ballots/" + strconv.FormatUint(b.ID, 10), "/console/ballots/" + strconv.FormatUint(b.ID, 10) + "/paper", "/profile", "/needs", "/inbox"} {
			if res := staff.Get(path); res.Status != http.StatusOK || !res.Has(`form[data-testid="kiosk-form"]`) {
				t.Fatalf("%s from the station: %d, not the kiosk", path, res.Status)
			}
		}
		// The station's display switches belong to the device: the staff
		// member's account keeps its own.
		lt := staff.Submit(staff.Get(kiosk), `form[action="/prefs"]`, map[string]string{"large_text": "on", "lang": "en"})
		if class, _ := lt.Doc.Find("html").Attr("class"); !strings.Contains(class, "large-text") || !lt.Has(`form[data-testid="kiosk-form"]`) {
			t.Fatalf("large text at the station: %q", class)
		}
		if lang, _ := lt.Doc.Find("html").Attr("lang"); lang != "en" {
			t.Fatalf("language at the station: %q", lang)
		}
		if a, err := s.AccountByPhone(bg, "13800000002"); err != nil || a.LargeText || a.Locale == "en" {
			t.Fatalf("the station's switches reached the staff account: %+v %v", a, err)
		}
		staff.Submit(lt, `form[action="/prefs"]`, map[string]string{"large_text": "off", "lang": "zh"})
		check := func(who, pin string) *webtest.Page {
			t.Helper()
			return staff.Submit(staff.Get(kiosk), `form[data-testid="kiosk-form"]`, map[string]string{"who": who, "id_checked": "yes", "pin": pin})
		}
		// Whoever holds the device cannot check anyone without the PIN,
		// and learns nothing of the roll trying.
		if res := check("13800000004", "1357"); res.Status != http.StatusUnprocessableEntity || !res.Has(`[data-testid="error-pin"]`) ||
			res.Has(`form[data-testid="vote-form"]`) || res.Has(`[data-testid="refused"]`) {
			t.Fatalf("a check with a wrong PIN: %d", res.Status)
		}
		if res := check("", ""); res.Status != http.StatusUnprocessableEntity || !res.Has(`[data-testid="error-pin"]`) || !res.Has(`[data-testid="error-who"]`) {
			t.Fatalf("an empty check: %d", res.Status)
		}
		// A hand-over lasts while it is used, on this station only: a
		// resident who walked away cannot be voted for later from the
		// device's history, nor on another station.
		checkPage := staff.Get(kiosk)
		stale := staff.Submit(checkPage, `form[data-testid="kiosk-form"]`, map[string]string{"who": "13800000004", "id_checked": "yes", "pin": "2468"})
		if stale.Status != http.StatusOK || !stale.Has(`form[data-testid="vote-form"] input[name="voter"]`) {
			t.Fatalf("handover to 13800000004: %d %s", stale.Status, stale.Text(`[data-testid="refused"]`))
		}
		if strings.Contains(stale.Body, principalByPhone(t, s, "13800000004").Account.Phone) {
			t.Fatal("the vote form names the resident's phone")
		}
		// The check resent from the history hands nothing over again.
		if res := staff.Submit(checkPage, `form[data-testid="kiosk-form"]`, map[string]string{"who": "13800000004", "id_checked": "yes", "pin": "2468"}); res.Status != http.StatusConflict ||
			res.Has(`form[data-testid="vote-form"]`) || !res.Has(`[data-testid="refused"]`) {
			t.Fatalf("a resent check: %d %q", res.Status, res.Text(`[data-testid="refused"]`))
		}
		// The resend showed a new check form, which ended the hand-over.
		staleAction, staleVals := stale.Form(`form[data-testid="vote-form"]`)
		staleVals.Set("step", "review")
		staleVals.Add("choice", strconv.FormatUint(opts[0].ID, 10))
		if res := staff.Post(staleAction, staleVals); res.Status != http.StatusConflict || !res.Has(`form[data-testid="kiosk-form"]`) {
			t.Fatalf("a cancelled hand-over: %d", res.Status)
		}
		stale = check("13800000004", "2468")
		staleAction, staleVals = stale.Form(`form[data-testid="vote-form"]`)
		staleVals.Set("step", "review")
		staleVals.Add("choice", strconv.FormatUint(opts[0].ID, 10))
		other := srv.Client()
		other.Login("13800000002", demo.Password)
		other.Submit(other.Get(kiosk), `form[data-testid="kiosk-start-form"]`, map[string]string{"confirm": "yes", "pin": "1357"})
		elsewhere := url.Values{"_csrf": {other.Cookie("yishi_csrf")}, "voter": staleVals["voter"], "step": {"review"}, "choice": staleVals["choice"]}
		if res := other.Post(staleAction, elsewhere); res.Status != http.StatusConflict || res.Has(`form[data-testid="confirm-form"]`) {
			t.Fatalf("a hand-over carried to another station: %d", res.Status)
		}
		clock.Advance(models.KioskHandOver + time.Second)
		if res := staff.Post(staleAction, staleVals); res.Status != http.StatusConflict || !strings.Contains(res.Text(`[data-testid="refused"]`), "10") ||
			!res.Has(`form[data-testid="kiosk-form"]`) {
			t.Fatalf("a stale hand-over: %d %q", res.Status, res.Text(`[data-testid="refused"]`))
		}
		if st, err := s.Eligible(bg, principalByPhone(t, s, "13800000004"), b.ID); err != nil || st.Voted {
			t.Fatalf("a stale hand-over voted: %+v %v", st, err)
		}
		if res := staff.Submit(staff.Get(kiosk), `form[data-testid="kiosk-form"]`, map[string]string{"who": "13800000005", "pin": "2468"}); res.Status != http.StatusUnprocessableEntity || !res.Has(`[data-testid="error-id_checked"]`) {
			t.Fatalf("without the identity tick: %d", res.Status)
		}
		vote := check("13800000005", "2468")
		if vote.Status != http.StatusOK || !vote.Has(`form[data-testid="vote-form"] input[name="voter"]`) {
			t.Fatalf("handover: %d %s", vote.Status, vote.Text(`[data-testid="refused"]`))
		}
		action, vals := vote.Form(`form[data-testid="vote-form"]`)
		forged := url.Values{"_csrf": vals["_csrf"], "voter": {vals.Get("voter") + "x"}, "step": {"confirm"}, "choice": {strconv.FormatUint(opts[0].ID, 10)}}
		if res := staff.Post(action, forged); res.Status != http.StatusConflict || res.Has(`[data-testid="receipt-code"]`) {
			t.Fatalf("forged voter: %d", res.Status)
		}
		// The refusal showed the check form, which ends any hand-over:
		// staff check the resident again.
		if res := staff.Post(action, vals); res.Status != http.StatusConflict {
			t.Fatalf("a hand-over after the check form came back: %d", res.Status)
		}
		vote = check("13800000005", "2468")
		action, vals = vote.Form(`form[data-testid="vote-form"]`)
		// A display switch pressed in the middle of the vote, on the vote
		// form or on the review, comes back to the vote form with the
		// hand-over kept, not to the staff check.
		handedOver := func(p *webtest.Page, large bool) {
			t.Helper()
			class, _ := p.Doc.Find("html").Attr("class")
			if p.Status != http.StatusOK || strings.Contains(class, "large-text") != large || p.Has(`form[data-testid="kiosk-form"]`) ||
				p.Doc.Find(`form[data-testid="vote-form"] input[name="voter"]`).AttrOr("value", "") != vals.Get("voter") {
				t.Fatalf("a display switch in the middle of a vote: %d, class %q, staff check shown %v", p.Status, class, p.Has(`form[data-testid="kiosk-form"]`))
			}
		}
		handedOver(staff.Submit(vote, `form[action="/prefs"]`, map[string]string{"large_text": "on"}), true)
		midReview := staff.Post(action, url.Values{"_csrf": vals["_csrf"], "voter": vals["voter"], "step": {"review"}, "choice": {strconv.FormatUint(opts[0].ID, 10)}})
		if !midReview.Has(`form[data-testid="confirm-form"]`) {
			t.Fatalf("review after the switch: %d", midReview.Status)
		}
		handedOver(staff.Submit(midReview, `form[action="/prefs"]`, map[string]string{"large_text": "off"}), false)
		// The device's next request reaches another process: the
		// hand-over is the site's, not the process's. Nine minutes at the
		// review hold, for each step renews the hand-over.
		staff = staff.On(webtest.Start(t, models.NewStore(s.DB(), clock.Now)))
		vals.Add("choice", strconv.FormatUint(opts[0].ID, 10))
		vals.Set("step", "review")
		clock.Advance(9 * time.Minute)
		review := staff.Post(action, vals)
		if review.Status != http.StatusOK {
			t.Fatalf("kiosk review: %d", review.Status)
		}
		clock.Advance(9 * time.Minute)
		done := staff.Submit(review, `form[data-testid="confirm-form"]`, nil)
		if done.Text(`[data-testid="receipt-code"]`) == "" || !done.Has(`meta[http-equiv="refresh"][content*="`+kiosk+`"]`) || !done.Has(`[data-testid="kiosk-next"]`) {
			t.Fatalf("kiosk receipt: %d %q", done.Status, done.Text(`[data-testid="refused"]`))
		}
		st, err := s.Eligible(bg, principalByPhone(t, s, "13800000005"), b.ID)
		if err != nil || !st.Voted || st.Channel != models.ChannelKiosk || st.Receipt != done.Text(`[data-testid="receipt-code"]`) {
			t.Fatalf("the kiosk vote counts for the resident: %+v %v", st, err)
		}
		// A double tap: the same resident is shown the same receipt, and
		// nothing more is counted.
		twice := staff.Submit(review, `form[data-testid="confirm-form"]`, nil)
		if twice.Status != http.StatusOK || !twice.Has(`[data-testid="receipt-repeat"]`) || twice.Text(`[data-testid="receipt-code"]`) != st.Receipt {
			t.Fatalf("a double tap: %d", twice.Status)
		}
		// The vote form's own address, where the switches return, hands
		// nothing over once the vote is cast.
		if res := staff.Get(kiosk + "/vote?voter=" + url.QueryEscape(vals.Get("voter"))); res.Status != http.StatusConflict ||
			res.Has(`form[data-testid="vote-form"]`) || !res.Has(`form[data-testid="kiosk-form"]`) {
			t.Fatalf("the vote form after the vote: %d", res.Status)
		}
		// The next person at the device replays the confirmation from its
		// history: it is refused, and the code is not shown; the station's
		// pages are never kept for the back button.
		clock.Advance(models.KioskRepeat + time.Second)
		replay := staff.Submit(review, `form[data-testid="confirm-form"]`, nil)
		if replay.Status != http.StatusConflict || !replay.Has(`form[data-testid="kiosk-form"]`) || replay.Has(`[data-testid="receipt-code"]`) ||
			strings.Contains(replay.Body, st.Receipt) {
			t.Fatalf("a replayed kiosk vote: %d", replay.Status)
		}
		if cc := replay.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("a station page may be cached: %q", cc)
		}
		if st, err := s.Eligible(bg, principalByPhone(t, s, "13800000005"), b.ID); err != nil || st.Receipt != done.Text(`[data-testid="receipt-code"]`) {
			t.Fatalf("after the replay: %+v %v", st, err)
		}
		again := check("13800000005", "2468")
		if again.Status != http.StatusConflict || !again.Has(`[data-testid="refused"]`) {
			t.Fatalf("second kiosk vote: %d", again.Status)
		}
		// Five wrong PINs in a row end station mode.
		for i := range models.KioskPINTries - 1 {
			if res := check("13800000004", "0000"); res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("wrong PIN %d: %d", i+1, res.Status)
			}
		}
		if res := check("13800000004", "0000"); !res.Has(`[data-testid="nav-login"]`) || res.Has(`form[data-testid="kiosk-form"]`) ||
			!slices.Contains([]string{"服务站口令连续输错5次，服务站模式已结束。请工作人员重新登录后再开启。",
				"The station PIN was wrong 5 times in a row, so station mode has ended. Staff sign in again to start it."}, res.Text(`[data-testid="flash"]`)) {
			t.Fatalf("the last wrong PIN: %d", res.Status)
		}
		if res := staff.Get(kiosk); res.Has(`form[data-testid="kiosk-form"]`) {
			t.Fatal("the kiosk still answers after its PINs ran out")
		}
		// Ending station mode signs the device out.
		staff = srv.Client()
		staff.Login("13800000002", demo.Password)
		staff.Submit(staff.Get(kiosk), `form[data-testid="kiosk-start-form"]`, map[string]string{"confirm": "yes", "pin": "2468"})
		// Ending station mode signs the device out.
		out := staff.Submit(staff.Get(kiosk), `form[data-testid="kiosk-end-form"]`, nil)
		if out.Status != http.StatusOK || !out.Has(`[data-testid="nav-login"]`) {
			t.Fatalf("end of station mode: %d", out.Status)
		}
		if res := staff.Get(kiosk); res.Has(`form[data-testid="kiosk-form"]`) {
			t.Fatal("the kiosk still answers after station mode ended")
		}
	})
}

// TestBallotPageCandidatesReused: an open ballot's candidates are rendered
// once per language and reused; the reused page is the freshly rendered
// one, and a visitor in another language gets their own.
func TestBallotPageCandidatesReused(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		b := demoBallot(t, s, models.BallotOpen)
		path := ballotPath(b.ID, "")
		zh := srv.Client()
		first, second := zh.Get(path), zh.Get(path)
		if first.Status != http.StatusOK || second.Status != http.StatusOK {
			t.Fatalf("ballot page: %d, %d", first.Status, second.Status)
		}
		sel := `[data-testid="ballot-candidates"]`
		if first.Text(sel) == "" || first.Text(sel) != second.Text(sel) {
			t.Fatalf("candidates differ when reused:\n%s\n---\n%s", first.Text(sel), second.Text(sel))
		}
		en := srv.Client()
		en.Header.Set("Accept-Language", "en")
		page := en.Get(path)
		if !strings.Contains(first.Text(sel), "工程类") || !strings.Contains(page.Text(sel), "Works") || strings.Contains(page.Text(sel), "工程类") {
			t.Fatalf("English visitor after a Chinese one: %s", page.Text(sel))
		}
	})
}

// TestBallotResultSpreadsheet: after the close anyone downloads the result
// the page shows, candidate by candidate and area by area; before it there
// is none.
func TestBallotResultSpreadsheet(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		visitor := srv.Client()
		open := demoBallot(t, s, models.BallotOpen)
		if res := visitor.Get(ballotPath(open.ID, "/result.xlsx")); res.Status != http.StatusConflict {
			t.Fatalf("result of an open ballot: %d", res.Status)
		}
		closed := demoBallot(t, s, models.BallotClosed)
		path := ballotPath(closed.ID, "")
		page := visitor.Get(path)
		if !page.Has(`a[data-testid="result-xlsx"]`) {
			t.Fatal("the result has no download link")
		}
		res := visitor.Get(path + "/result.xlsx")
		rows := readSheet(t, res, "投票结果")
		var pageRows []string
		page.Doc.Find(`[data-testid="result-row"]`).Each(func(_ int, sel *goquery.Selection) {
			pageRows = append(pageRows, strings.TrimSpace(sel.Find("td").Eq(1).Text())+"="+strings.TrimSpace(sel.Find(`[data-testid="result-votes"]`).Text()))
		})
		if len(rows) != len(pageRows)+1 || len(pageRows) == 0 {
			t.Fatalf("%d sheet rows for %d result rows", len(rows), len(pageRows))
		}
		for i, want := range pageRows {
			if got := rows[i+1][1] + "=" + rows[i+1][2]; got != want {
				t.Fatalf("row %d: %s, the page says %s", i+1, got, want)
			}
		}
		r, err := s.Results(bg, nil, closed.ID)
		if err != nil || r == nil {
			t.Fatalf("results: %v", err)
		}
		turnout := readSheet(t, res, "参与情况")
		want := []string{"全部", strconv.Itoa(r.Electorate), strconv.Itoa(r.Voted), strconv.Itoa(r.Online), strconv.Itoa(r.Paper), strconv.Itoa(r.Kiosk)}
		if strings.Join(turnout[1], "|") != strings.Join(want, "|") || len(turnout) != 2+len(r.Detail.Places) {
			t.Fatalf("turnout sheet %v, want first row %v and %d areas", turnout, want, len(r.Detail.Places))
		}
	})
}

// TestScheduledBallotNotReady: staff are warned, before opening, that a
// ballot's candidates do not fit its method, and the warning goes once
// they do. Still so at the opening, the ballot stalls: residents are told
// why they cannot vote and staff may mend it; closed so, it was not held.
func TestScheduledBallotNotReady(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		staffP := principalByPhone(t, s, "13800000002")
		place := demoBallot(t, s, models.BallotOpen).PlaceID
		b, err := s.CreateBallot(bg, staffP, models.BallotInput{PlaceID: place, Title: "只有一个候选的票决", Electorate: models.ElectorateAdults,
			Method: models.MethodSingle, Seats: 1, OpensAt: s.Now().Add(24 * time.Hour), ClosesAt: s.Now().Add(72 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		never, err := s.CreateBallot(bg, staffP, models.BallotInput{PlaceID: place, Title: "一直没有补齐的票决", Electorate: models.ElectorateAdults,
			Method: models.MethodSingle, Seats: 1, OpensAt: s.Now().Add(24 * time.Hour), ClosesAt: s.Now().Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		var cands []models.Candidate
		for _, title := range []string{"单元门禁维修", "楼道照明更换", "信报箱更换"} {
			c, err := s.CreateCandidate(bg, staffP, models.CandidateInput{PlaceID: place, Title: title, CostFen: 10_000_00, Kind: models.CandidateWorks}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c, err = s.ReviewCandidate(bg, staffP, c.ID, models.ReviewInput{Feasible: true, Reason: "在上限以内"}); err != nil {
				t.Fatal(err)
			}
			cands = append(cands, c)
		}
		if err := s.AddCandidate(bg, staffP, b.ID, cands[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.AddCandidate(bg, staffP, never.ID, cands[2].ID); err != nil {
			t.Fatal(err)
		}
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		manage := "/console/ballots/" + strconv.FormatUint(b.ID, 10)
		if page := staff.Get(manage); !page.Has(`[data-testid="not-ready"]`) {
			t.Fatal("one candidate on a single-choice ballot: no warning")
		}
		if err := s.AddCandidate(bg, staffP, b.ID, cands[1].ID); err != nil {
			t.Fatal(err)
		}
		if page := staff.Get(manage); page.Status != http.StatusOK || page.Has(`[data-testid="not-ready"]`) {
			t.Fatalf("two candidates: %d, still warned", page.Status)
		}
		// Left with one at the opening time, the ballot stalls: residents
		// are told why they cannot vote, staff may still mend it.
		if err := s.RemoveCandidate(bg, staffP, b.ID, cands[1].ID); err != nil {
			t.Fatal(err)
		}
		clock.Advance(25 * time.Hour)
		resident := srv.Client()
		resident.Login("13800000005", demo.Password)
		page := resident.Get(ballotPath(b.ID, ""))
		if page.Status != http.StatusOK || !page.Has(`[data-testid="ballot-stalled"]`) || page.Has(`form[data-testid="vote-form"]`) {
			t.Fatalf("a stalled ballot's page: %d", page.Status)
		}
		if home := resident.Get("/"); strings.Contains(home.Body, ballotPath(b.ID, "")) {
			t.Fatal("a stalled ballot offered on the home page")
		}
		// Lists say it is on hold, not open.
		cardStatus := func(c *webtest.Client, list, href string) string {
			t.Helper()
			page := c.Get(list)
			return strings.TrimSpace(page.Doc.Find(`[data-testid="ballot-card"]:has(a[href="` + href + `"]) [data-testid="ballot-status"]`).Text())
		}
		if st := cardStatus(resident, "/ballots", ballotPath(b.ID, "")); st != "暂缓开始" {
			t.Fatalf("a stalled ballot listed as %q", st)
		}
		csrf := resident.Cookie("yishi_csrf")
		review := resident.Post(ballotPath(b.ID, "/vote"), url.Values{"_csrf": {csrf}, "step": {"review"}, "choice": {strconv.FormatUint(cands[0].ID, 10)}})
		if review.Status != http.StatusConflict || review.Has(`form[data-testid="confirm-form"]`) {
			t.Fatalf("the review step of a stalled ballot: %d", review.Status)
		}
		staff.Login("13800000002", demo.Password) // signed out by the day that passed
		if res := staff.Get(manage + "/paper"); res.Status != http.StatusConflict || !strings.Contains(res.Body, "候选") {
			t.Fatalf("paper entry for a stalled ballot: %d", res.Status)
		}
		mp := staff.Get(manage)
		if !mp.Has(`[data-testid="not-ready"]`) || !mp.Has(`form[data-testid="add-candidate-form"]`) || !mp.Has(`[data-testid="edit-definition"]`) {
			t.Fatalf("staff cannot mend a stalled ballot: %d", mp.Status)
		}
		mp = staff.Submit(mp, `form[data-testid="add-candidate-form"]`, map[string]string{"candidate_id": strconv.FormatUint(cands[1].ID, 10)})
		if mp.Status != http.StatusOK {
			t.Fatalf("adding a candidate to a stalled ballot: %d", mp.Status)
		}
		// Mended, it waits for staff to open it: they may add more first.
		if !mp.Has(`[data-testid="not-ready"]`) || !mp.Has(`form[data-testid="open-form"]`) || !mp.Has(`form[data-testid="add-candidate-form"]`) {
			t.Fatalf("a mended ballot opened by itself: %d", mp.Status)
		}
		if page := resident.Get(ballotPath(b.ID, "")); !page.Has(`[data-testid="ballot-stalled"]`) || page.Has(`form[data-testid="vote-form"]`) {
			t.Fatal("mended, the ballot took votes before staff opened it")
		}
		if res := staff.Submit(mp, `form[data-testid="open-form"]`, map[string]string{"confirm": "yes"}); res.Status != http.StatusOK || res.Has(`[data-testid="not-ready"]`) {
			t.Fatalf("opening a mended ballot: %d", res.Status)
		}
		if page := resident.Get(ballotPath(b.ID, "")); page.Has(`[data-testid="ballot-stalled"]`) || !page.Has(`form[data-testid="vote-form"]`) {
			t.Fatal("mended and opened, the ballot does not take votes")
		}
		// The other closes stalled: it was not held, and neither its pages
		// nor its console offer a result to read, download or publish.
		clock.Advance(24 * time.Hour)
		staff.Login("13800000002", demo.Password)
		resident.Login("13800000005", demo.Password)
		if page := resident.Get(ballotPath(never.ID, "")); page.Status != http.StatusOK || !page.Has(`[data-testid="results-not-held"]`) {
			t.Fatalf("a ballot never held: %d", page.Status)
		}
		if st := cardStatus(resident, "/ballots?status=closed", ballotPath(never.ID, "")); st != "未举行" {
			t.Fatalf("a ballot never held listed as %q", st)
		}
		if st := cardStatus(staff, "/console/ballots", "/console/ballots/"+strconv.FormatUint(never.ID, 10)); st != "未举行" {
			t.Fatalf("a ballot never held listed to staff as %q", st)
		}
		mp = staff.Get("/console/ballots/" + strconv.FormatUint(never.ID, 10))
		if mp.Status != http.StatusOK || !mp.Has(`[data-testid="not-held"]`) || mp.Has(`form[data-testid="publish-form"]`) {
			t.Fatalf("the console of a ballot never held: %d", mp.Status)
		}
		for _, path := range []string{"/board.json", "/result.xlsx"} {
			if res := resident.Get(ballotPath(never.ID, path)); res.Status != http.StatusConflict || !strings.Contains(res.Body, "没有举行") {
				t.Fatalf("%s of a ballot never held: %d", path, res.Status)
			}
		}
	})
}
