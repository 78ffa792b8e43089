package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
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

var cst = time.FixedZone("CST", 8*3600)

// login signs a fresh browser in.
func login(srv *webtest.Server, phone string) *webtest.Client {
	c := srv.Client()
	c.Login(phone, demo.Password)
	return c
}

func placeIDNamed(t *testing.T, s *models.Store, name string) uint64 {
	t.Helper()
	places, err := s.BulletinPlaces(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range places {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("no place %s", name)
	return 0
}

// TestBallotThroughTheForms runs a secret budget ballot from candidates to
// funded projects through the pages: staff propose and review candidates,
// define the ballot and open it; two residents vote online; a paper ballot
// waits for a second staff account; nobody sees a count before the close;
// after it the result is public, the receipts can be looked up, and the
// published result funds projects. On the way, no staff page of the secret
// ballot shows a voter next to choices.
func TestBallotThroughTheForms(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		if err := demo.Load(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		srv, logs := webtest.StartLogged(t, s)
		com1 := placeIDNamed(t, s, "幸福社区")
		staff := login(srv, "13800000002")

		// Candidates: proposed, then reviewed with a reason.
		titles := []string{"楼顶防水补漏", "儿童游乐区围栏", "社区图书角书架"}
		costs := []string{"40000", "35000", "30000"}
		for i, title := range titles {
			page := staff.Get("/console/candidates")
			res := staff.Submit(page, `form[data-testid="candidate-form"]`, map[string]string{"place_id": strconv.FormatUint(com1, 10), "title": title,
				"description": "居民提出", "kind": "works", "cost": costs[i]})
			if res.Status != http.StatusOK || !res.Has(`[data-testid="flash"]`) {
				t.Fatalf("propose %s: status %d %s", title, res.Status, res.Text(`[data-testid="form-errors"]`))
			}
		}
		bad := staff.Submit(staff.Get("/console/candidates"), `form[data-testid="candidate-form"]`, map[string]string{"place_id": strconv.FormatUint(com1, 10), "title": "", "kind": "works", "cost": "abc"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-title"]`) || !bad.Has(`[data-testid="error-cost"]`) {
			t.Fatalf("bad proposal: status %d", bad.Status)
		}
		for range titles {
			page := staff.Get("/console/candidates?status=proposed")
			noReason := staff.Submit(page, `form[data-testid="review-form"]`, map[string]string{"feasible": "no"})
			if noReason.Status != http.StatusUnprocessableEntity {
				t.Fatalf("infeasible without a reason: %d", noReason.Status)
			}
			res := staff.Submit(page, `form[data-testid="review-form"]`, map[string]string{"feasible": "yes", "reason": "在上限以内，属于社区公共事务。"})
			if res.Status != http.StatusOK {
				t.Fatalf("review: %d", res.Status)
			}
		}
		if !strings.Contains(staff.Get("/console/candidates?status=feasible").Text(`[data-testid="candidate-list"]`), "在上限以内") {
			t.Fatal("the review's reason is shown")
		}
		staffP := principalByPhone(t, s, "13800000002")
		feasible, _, err := s.Candidates(bg, staffP, models.CandidateQuery{Status: models.CandidateFeasible, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]uint64{}
		for _, c := range feasible {
			ids[c.Title] = c.ID
		}

		// Define the ballot.
		now := clock.Now().In(cst)
		form := staff.Get("/console/ballots/new")
		created := staff.Submit(form, `form[data-testid="ballot-form"]`, map[string]string{"place_id": strconv.FormatUint(com1, 10),
			"title": "屋顶与儿童设施票决", "electorate": "adults", "method": "budget", "budget": "70000", "secret": "on",
			"opens_at": now.Add(time.Hour).Format("2006-01-02T15:04"), "closes_at": now.Add(48 * time.Hour).Format("2006-01-02T15:04"), "turnout": "0"})
		if created.Status != http.StatusOK || !strings.HasPrefix(created.URL.Path, "/console/ballots/") {
			t.Fatalf("create: %d at %s %s", created.Status, created.URL, created.Text(`[data-testid="form-errors"]`))
		}
		bid, _ := strconv.ParseUint(strings.TrimPrefix(created.URL.Path, "/console/ballots/"), 10, 64)
		manage := "/console/ballots/" + strconv.FormatUint(bid, 10)
		for _, title := range titles {
			page := staff.Get(manage)
			res := staff.Submit(page, `form[data-testid="add-candidate-form"]`, map[string]string{"candidate_id": strconv.FormatUint(ids[title], 10)})
			if res.Status != http.StatusOK {
				t.Fatalf("add %s: %d", title, res.Status)
			}
		}
		if n := staff.Get(manage).Count(`[data-testid="on-ballot"]`); n != 3 {
			t.Fatalf("%d candidates on the ballot", n)
		}

		// Open early: the confirmation tick is needed, then the
		// fingerprint shows.
		page := staff.Get(manage)
		if !page.Has(`[data-testid="results-hidden"]`) {
			t.Fatal("a scheduled ballot shows no result")
		}
		if res := staff.Submit(page, `form[data-testid="open-form"]`, nil); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("open without the tick: %d", res.Status)
		}
		opened := staff.Submit(page, `form[data-testid="open-form"]`, map[string]string{"confirm": "yes"})
		if opened.Status != http.StatusOK || len(opened.Text(`[data-testid="ballot-fingerprint"]`)) != 64 || opened.Text(`[data-testid="ballot-status"]`) != "投票中" {
			t.Fatalf("open: %d %q", opened.Status, opened.Text(`[data-testid="ballot-fingerprint"]`))
		}

		// Two residents vote online.
		receipts := map[string]string{}
		for phone, pick := range map[string][]string{"13800000004": {"楼顶防水补漏", "社区图书角书架"}, "13800000005": {"儿童游乐区围栏", "社区图书角书架"}} {
			r := login(srv, phone)
			p := r.Get(ballotPath(bid, ""))
			_, vals := p.Form(`form[data-testid="vote-form"]`)
			for _, title := range pick {
				vals.Add("choice", strconv.FormatUint(ids[title], 10))
			}
			vals.Set("step", "review")
			review := r.Post(ballotPath(bid, "/vote"), vals)
			if review.Status != http.StatusOK || !strings.Contains(review.Text(`[data-testid="review-total"]`), "70,000.00") {
				t.Fatalf("review %s: %d %q", phone, review.Status, review.Text(`[data-testid="review"]`))
			}
			done := r.Submit(review, `form[data-testid="confirm-form"]`, nil)
			receipts[phone] = done.Text(`[data-testid="receipt-code"]`)
			if done.Status != http.StatusOK || receipts[phone] == "" {
				t.Fatalf("confirm %s: %d", phone, done.Status)
			}
			if again := r.Submit(review, `form[data-testid="confirm-form"]`, nil); again.Text(`[data-testid="receipt-code"]`) != receipts[phone] {
				t.Fatal("a repeat shows the original receipt")
			}
		}

		// A paper ballot for a roster resident without an account.
		paper := staff.Get(manage + "/paper")
		var pick string
		paper.Doc.Find(`[data-testid="roll-pick"]`).Each(func(_ int, sel *goquery.Selection) {
			if href, _ := sel.Attr("href"); pick == "" && strings.Contains(href, "voter=r:") {
				pick = href
			}
		})
		if pick == "" {
			t.Fatal("no roster resident to enter a paper ballot for")
		}
		slip := staff.Get(pick)
		voterName := strings.TrimPrefix(slip.Text(`[data-testid="paper-voter"] h2`), "为 ")
		voterName = strings.TrimSuffix(voterName, " 录入纸质选票")
		_, vals := slip.Form(`form[data-testid="vote-form"]`)
		vals.Add("choice", strconv.FormatUint(ids["儿童游乐区围栏"], 10))
		entered := staff.Post(manage+"/paper", vals)
		if entered.Status != http.StatusOK || entered.Text(`[data-testid="paper-receipt"]`) == "" {
			t.Fatalf("paper entry: %d %s", entered.Status, entered.Text(`[data-testid="refused"]`))
		}
		queue := staff.Get(manage)
		if queue.Count(`[data-testid="paper-pending"]`) != 1 || queue.Has(`[data-testid="paper-confirm-form"]`) {
			t.Fatal("the staff member who entered a slip may not confirm it")
		}
		pv, err := s.PendingPaperVotes(bg, staffP, bid)
		if err != nil || len(pv) != 1 {
			t.Fatalf("pending paper: %v %d", err, len(pv))
		}
		same := staff.Post(manage+"/paper/"+strconv.FormatUint(pv[0].ID, 10)+"/confirm", urlValues("_csrf", queue.CSRF(), "confirm", "yes"))
		if same.Status != http.StatusConflict || !strings.Contains(same.Text(`[data-testid="refused"]`), "另一位") {
			t.Fatalf("same staff confirm: %d", same.Status)
		}
		second := login(srv, "13800000001")
		q2 := second.Get(manage)
		if res := second.Submit(q2, `form[data-testid="paper-confirm-form"]`, map[string]string{"confirm": "yes"}); res.Status != http.StatusOK || res.Count(`[data-testid="paper-pending"]`) != 0 {
			t.Fatalf("second staff confirm: %d", res.Status)
		}

		// Secrecy: no staff page of this secret ballot shows a voter's name
		// or phone on the same page as choices.
		var voters []string
		for _, phone := range []string{"13800000004", "13800000005"} {
			a, _ := s.AccountByPhone(bg, phone)
			voters = append(voters, a.Name, phone)
		}
		voters = append(voters, voterName)
		for _, path := range []string{manage, manage + "/paper", manage + "/paper?q=" + voterName, manage + "/kiosk", "/console/ballots", ballotPath(bid, ""), "/console/candidates"} {
			for _, viewer := range []*webtest.Client{staff, second} {
				p := viewer.Get(path)
				if p.Status != http.StatusOK {
					t.Fatalf("%s: %d", path, p.Status)
				}
				choiceDetail := p.Has(`[data-testid="paper-pending"]`) || p.Has(`[data-testid="result-table"]`) || p.Has(`[data-testid="review-choices"]`)
				for _, v := range voters {
					if choiceDetail && strings.Contains(p.Body, v) {
						t.Errorf("%s shows voter %q next to choices", path, v)
					}
				}
			}
		}

		// Before the close nobody sees counts, admin included, nor the board.
		for _, phone := range []string{"13800000000", "13800000001", "13800000002", "13800000004"} {
			c := login(srv, phone)
			p := c.Get(ballotPath(bid, ""))
			if !p.Has(`[data-testid="results-hidden"]`) || p.Has(`[data-testid="result-table"]`) || p.Has(`[data-testid="turnout-total"]`) {
				t.Fatalf("%s sees results before the close", phone)
			}
			if m := c.Get(manage); m.Status == http.StatusOK && m.Has(`[data-testid="result-table"]`) {
				t.Fatalf("%s sees results on the console before the close", phone)
			}
			if b := c.Get(ballotPath(bid, "/board.json")); b.Status != http.StatusConflict {
				t.Fatalf("%s: board before close %d", phone, b.Status)
			}
		}

		// Close by the clock; staff publish.
		clock.Advance(48 * time.Hour)
		staff = login(srv, "13800000002")
		closed := staff.Get(manage)
		pub := staff.Submit(closed, `form[data-testid="publish-form"]`, map[string]string{"confirm": "yes", "period_days": "7"})
		if pub.Status != http.StatusOK || !pub.Has(`[data-testid="result-notice"]`) {
			t.Fatalf("publish: %d %s", pub.Status, pub.Text(`[data-testid="refused"]`))
		}
		if early := staff.Submit(pub, `form[data-testid="fund-form"]`, map[string]string{"confirm": "yes"}); early.Status != http.StatusConflict {
			t.Fatalf("fund during publicity: %d", early.Status)
		}
		// A withdrawn result notice brings the publish form back, and the
		// result is published again.
		var noticeID uint64
		if err := s.Tx(bg).Model(&models.Ballot{}).Where("id = ?", bid).Select("notice_id").Scan(&noticeID).Error; err != nil || noticeID == 0 {
			t.Fatalf("notice of the ballot: %d %v", noticeID, err)
		}
		acct, err := s.AccountByPhone(bg, "13800000002")
		if err != nil {
			t.Fatal(err)
		}
		staffP, perr := s.LoadPrincipal(bg, acct.ID)
		if perr != nil {
			t.Fatal(perr)
		}
		if _, err := s.WithdrawNotice(bg, staffP, noticeID, "公示文字有误"); err != nil {
			t.Fatal(err)
		}
		again := staff.Get(manage)
		if !again.Has(`[data-testid="notice-withdrawn"]`) || again.Has(`form[data-testid="fund-form"]`) {
			t.Fatal("after withdrawal the console should offer publishing again, not funding")
		}
		pub = staff.Submit(again, `form[data-testid="publish-form"]`, map[string]string{"confirm": "yes", "period_days": "7"})
		if pub.Status != http.StatusOK || pub.Has(`[data-testid="notice-withdrawn"]`) || !pub.Has(`form[data-testid="fund-form"]`) {
			t.Fatalf("publish again: %d %s", pub.Status, pub.Text(`[data-testid="refused"]`))
		}

		// An anonymous visitor reads the result; residents find receipts.
		anon := srv.Client()
		res := anon.Get(ballotPath(bid, ""))
		if got := res.Text(`[data-testid="turnout-channels"]`); !strings.Contains(got, "线上 2") || !strings.Contains(got, "纸质 1") {
			t.Fatalf("channels %q", got)
		}
		if res.Count(`[data-testid="result-row"]`) != 3 || res.Text(`[data-testid="board-head"]`) == "" {
			t.Fatal("result rows and board head")
		}
		for phone, code := range receipts {
			look := anon.Get(ballotPath(bid, "?receipt="+strings.ToLower(code)))
			if !look.Has(`[data-testid="lookup-found"]`) {
				t.Fatalf("lookup %s", phone)
			}
			if look.Has(`[data-testid="lookup-found"] ol`) {
				t.Fatal("a secret ballot's lookup shows no choices")
			}
			prof := login(srv, phone).Get("/profile")
			if !strings.Contains(prof.Text(`[data-testid="profile-receipts"]`), code) {
				t.Fatalf("%s profile lacks the receipt", phone)
			}
		}
		if miss := anon.Get(ballotPath(bid, "?receipt=XXXXXXXXXXXX")); !miss.Has(`[data-testid="lookup-missing"]`) {
			t.Fatal("unknown receipt")
		}
		board := anon.Get(ballotPath(bid, "/board.json"))
		if board.Status != http.StatusOK {
			t.Fatalf("board: %d", board.Status)
		}
		for _, v := range voters {
			if strings.Contains(board.Body, v) {
				t.Fatalf("board names voter %q", v)
			}
		}

		// After the publicity period the funded candidates become projects.
		clock.Advance(8 * 24 * time.Hour)
		staff = login(srv, "13800000002")
		funded := staff.Submit(staff.Get(manage), `form[data-testid="fund-form"]`, map[string]string{"confirm": "yes"})
		if funded.Status != http.StatusOK || !funded.Has(`[data-testid="funded-projects"] a`) {
			t.Fatalf("fund: %d %s", funded.Status, funded.Text(`[data-testid="refused"]`))
		}
		// The projects start as drafts: staff follow them from the ballot
		// page, everybody else reads that they are being prepared.
		if !staff.Get(ballotPath(bid, "")).Has(`[data-testid="candidate-project"]`) {
			t.Fatal("the ballot page does not link staff to the projects")
		}
		if pub := anon.Get(ballotPath(bid, "")); pub.Has(`[data-testid="candidate-project"]`) || !pub.Has(`[data-testid="candidate-project-preparing"]`) {
			t.Fatal("the ballot page links visitors to draft projects")
		}

		// The server's log of the whole run never puts a voter next to a
		// choice: no line that names a voter holds a candidate or a choice.
		for _, phone := range []string{"13800000004", "13800000005"} {
			a, err := s.AccountByPhone(bg, phone)
			if err != nil {
				t.Fatal(err)
			}
			mark := fmt.Sprintf(`"account":%d`, a.ID)
			lines := 0
			for _, line := range strings.Split(logs.String(), "\n") {
				if !strings.Contains(line, mark) && !strings.Contains(line, phone) && !strings.Contains(line, maskPhone(phone)) {
					continue
				}
				lines++
				for _, bad := range append([]string{"choice", "rank_"}, titles...) {
					if strings.Contains(line, bad) {
						t.Fatalf("a log line names voter %s next to %q: %s", phone, bad, line)
					}
				}
				for title, id := range ids {
					if strings.Contains(line, fmt.Sprintf("candidate %d", id)) || strings.Contains(line, fmt.Sprintf(`"candidate":%d`, id)) {
						t.Fatalf("a log line names voter %s next to candidate %s: %s", phone, title, line)
					}
				}
			}
			if lines == 0 {
				t.Fatalf("the log never mentions voter %s: the check above checked nothing", phone)
			}
		}
	})
}

// maskPhone masks a phone as pages and logs do: 138****0004.
func maskPhone(p string) string { return p[:3] + "****" + p[len(p)-4:] }

func urlValues(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}
