package web_test

import (
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
)

const elevatorTitle = "幸福社区阳光小区加装电梯意见征询结果公示"

func noticeByTitle(t *testing.T, s *models.Store, title string) models.Notice {
	t.Helper()
	var n models.Notice
	if err := s.Tx(bg).Where("title = ?", title).First(&n).Error; err != nil {
		t.Fatalf("notice %q: %v", title, err)
	}
	return n
}

func communityIDs(t *testing.T, s *models.Store) (uint64, uint64) {
	t.Helper()
	roots, err := s.Roots(bg)
	if err != nil || len(roots) == 0 {
		t.Fatalf("roots: %v", err)
	}
	cs, err := s.Children(bg, roots[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var c1, c2 uint64
	for _, c := range cs {
		switch c.Name {
		case demo.CommunityNames[0]:
			c1 = c.ID
		case demo.CommunityNames[1]:
			c2 = c.ID
		}
	}
	return c1, c2
}

func countRows(t *testing.T, s *models.Store, model any) int64 {
	t.Helper()
	var n int64
	if err := s.Tx(bg).Model(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func path(id uint64, suffix string) string { return "/notices/" + strconv.FormatUint(id, 10) + suffix }

func TestBulletinWithoutAccount(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		com1, com2 := communityIDs(t, s)
		all := c.Get("/notices")
		// The demo's three notices, the outcome of its accepted project, the
		// result of its closed ballot, its council meetings' two agendas and
		// the past meeting's minutes.
		if all.Status != http.StatusOK || all.Count(`[data-testid="bulletin-item"]`) != 8 {
			t.Fatalf("bulletin: status %d, %d items", all.Status, all.Count(`[data-testid="bulletin-item"]`))
		}
		if !all.Has(`form[data-testid="notice-filter"] select[name="place"] option[value="` + strconv.FormatUint(com1, 10) + `"]`) {
			t.Fatal("the place filter lacks community 1")
		}
		// Community 1 has seven notices (two of its own, the demo project's
		// outcome, the demo ballot's result, two meeting agendas and the
		// minutes); the street's is not inside it.
		one := c.Get("/notices?place=" + strconv.FormatUint(com1, 10))
		if n := one.Count(`[data-testid="bulletin-item"]`); n != 7 || strings.Contains(one.Text(`[data-testid="bulletin-list"]`), "和平街道2026") {
			t.Fatalf("community 1: %d items: %s", n, one.Text(`[data-testid="bulletin-list"]`))
		}
		if v, _ := one.Doc.Find(`select[name="place"] option[selected]`).Attr("value"); v != strconv.FormatUint(com1, 10) {
			t.Fatalf("the filter forgot the place: %q", v)
		}
		two := c.Get("/notices?place=" + strconv.FormatUint(com2, 10))
		if two.Count(`[data-testid="bulletin-item"]`) != 0 || !strings.Contains(two.Text(`[data-testid="empty"]`), "暂无公示") {
			t.Fatalf("community 2 should be empty: %q", two.Text(`[data-testid="empty"]`))
		}

		// The notice's page: text with its line breaks, period, how to object.
		n := noticeByTitle(t, s, elevatorTitle)
		d := c.Get(path(n.ID, ""))
		if d.Status != http.StatusOK || d.Text(`[data-testid="notice-title"]`) != elevatorTitle {
			t.Fatalf("detail: %d %q", d.Status, d.Text(`[data-testid="notice-title"]`))
		}
		if !strings.Contains(d.Text(`[data-testid="notice-place"]`), "幸福社区") || !strings.Contains(d.Text(`[data-testid="notice-body"]`), "\n") {
			t.Fatalf("place %q or line breaks lost", d.Text(`[data-testid="notice-place"]`))
		}
		if st, _ := d.Doc.Find(`[data-testid="notice-period"]`).Attr("data-state"); st != "running" {
			t.Fatalf("period state %q", st)
		}
		if st, _ := d.Doc.Find(`[data-testid="objection-standing"]`).Attr("data-standing"); st != "notices.object_sign_in" || !d.Has(`[data-testid="objection-login"]`) {
			t.Fatalf("a visitor should be asked to sign in: %q", st)
		}
		if d.Has(`[data-testid="objection-form"]`) {
			t.Fatal("a visitor must not get the objection form")
		}

		// Text is text: markup typed into a notice is shown, not run.
		staff := principalByPhone(t, s, "13800000002")
		x, err := s.PublishOutcome(bg, staff, models.NoticeInput{PlaceID: com1, Title: "<b>标题</b>", Body: "第一行<script>alert(1)</script>\n第二行"}, "test", 1)
		if err != nil {
			t.Fatal(err)
		}
		xp := c.Get(path(x.ID, ""))
		if strings.Contains(xp.Body, "<script>alert") || strings.Contains(xp.Body, "<b>标题") || !strings.Contains(xp.Text(`[data-testid="notice-body"]`), "<script>alert(1)</script>") {
			t.Fatal("notice text was not escaped")
		}

		// Drafts are not public.
		draft, err := s.CreateNotice(bg, staff, models.NoticeInput{PlaceID: com1, Title: "草稿", Body: "未发布"})
		if err != nil {
			t.Fatal(err)
		}
		for _, sfx := range []string{"", "/print", "/qr.png"} {
			if p := c.Get(path(draft.ID, sfx)); p.Status != http.StatusNotFound {
				t.Errorf("draft %s: status %d", sfx, p.Status)
			}
		}
		if p := c.Get("/notices/abc"); p.Status != http.StatusNotFound {
			t.Errorf("bad id: %d", p.Status)
		}

		// The A4 sheet: no navigation, the print stylesheet, the QR code.
		pr := c.Get(path(n.ID, "/print"))
		if pr.Status != http.StatusOK || pr.Has(".site-header") || pr.Has("nav.nav") {
			t.Fatalf("print page: %d, navigation shown", pr.Status)
		}
		if src, _ := pr.Doc.Find(`img[data-testid="notice-qr"]`).Attr("src"); src != path(n.ID, "/qr.png") {
			t.Fatalf("qr img src %q", src)
		}
		if href, _ := pr.Doc.Find(`link[rel="stylesheet"][media="print"]`).Attr("href"); !strings.Contains(href, "print") {
			t.Fatalf("print stylesheet %q", href)
		}
		if got := pr.Text(`[data-testid="notice-url"]`); got != srv.URL+path(n.ID, "") {
			t.Fatalf("printed address %q", got)
		}
		qr := c.Get(path(n.ID, "/qr.png"))
		if qr.Status != http.StatusOK || qr.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(qr.Body, "\x89PNG\r\n\x1a\n") {
			t.Fatalf("qr: %d %q", qr.Status, qr.Header.Get("Content-Type"))
		}
		if !strings.Contains(qr.Header.Get("Cache-Control"), "max-age=") {
			t.Fatalf("qr cache: %q", qr.Header.Get("Cache-Control"))
		}

		// A withdrawn notice stays readable, marked, with the reason.
		if _, err := s.WithdrawNotice(bg, staff, n.ID, "征询数据有误，更正后重新公示"); err != nil {
			t.Fatal(err)
		}
		w := c.Get(path(n.ID, ""))
		if !strings.Contains(w.Text(`[data-testid="notice-withdrawn"]`), "征询数据有误") {
			t.Fatalf("withdrawn banner: %q", w.Text(`[data-testid="notice-withdrawn"]`))
		}
		if st, _ := w.Doc.Find(`[data-testid="objection-standing"]`).Attr("data-standing"); st != "notices.object_withdrawn" {
			t.Fatalf("withdrawn standing %q", st)
		}
		if !strings.Contains(c.Get("/notices").Text(`[data-testid="bulletin-list"]`), "已撤回") {
			t.Fatal("the bulletin should mark the withdrawn notice")
		}
	})
}

func TestObjectionThroughTheForm(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		n := noticeByTitle(t, s, elevatorTitle)
		res := srv.Client()
		res.Login("13800000004", demo.Password)
		d := res.Get(path(n.ID, ""))
		if !d.Has(`form[data-testid="objection-form"]`) {
			t.Fatal("a resident of community 1 should get the objection form")
		}
		// An empty reason is refused in Chinese and stores nothing.
		bad := res.Submit(d, `form[data-testid="objection-form"]`, map[string]string{"reason": "   "})
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Text(`[data-testid="error-reason"]`), "此项必填") {
			t.Fatalf("empty reason: %d %q", bad.Status, bad.Text(`[data-testid="error-reason"]`))
		}
		if countRows(t, s, &models.Objection{}) != 0 {
			t.Fatal("an empty objection was stored")
		}
		// Without the CSRF token nothing happens.
		if p := res.Post(path(n.ID, "/objections"), url.Values{"reason": {"无令牌"}}); p.Status != http.StatusForbidden {
			t.Fatalf("no csrf: %d", p.Status)
		}
		ok := res.Submit(d, `form[data-testid="objection-form"]`, map[string]string{"reason": "电梯井挡住一楼窗户\n请调整位置"})
		if ok.Status != http.StatusOK || ok.URL.Path != path(n.ID, "") || !ok.Has(`[data-testid="flash"]`) {
			t.Fatalf("file: %d at %s", ok.Status, ok.URL)
		}
		if who := ok.Text(`[data-testid="objection-who"]`); who != "138****0004" {
			t.Fatalf("objector shown as %q", who)
		}
		if strings.Contains(ok.Body, "13800000004") || strings.Contains(ok.Text(`[data-testid="objections"]`), "陈阿姨") {
			t.Fatal("the objector's phone or name is shown")
		}
		if !ok.Has(`[data-testid="objection-waiting"]`) || ok.Has(`form[data-testid="objection-form"]`) {
			t.Fatal("the objection should wait for an answer, and no second form be offered")
		}
		if st, _ := ok.Doc.Find(`[data-testid="objection-standing"]`).Attr("data-standing"); st != "notices.object_pending" {
			t.Fatalf("standing after filing %q", st)
		}

		// A visitor sees the objection, masked.
		if who := srv.Client().Get(path(n.ID, "")).Text(`[data-testid="objection-who"]`); who != "138****0004" {
			t.Fatalf("public objector %q", who)
		}

		// Staff of community 1 answer through the console; the answer is public.
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		cp := staff.Get("/console/notices/" + strconv.FormatUint(n.ID, 10))
		empty := staff.Submit(cp, `form[data-testid="answer-form"]`, map[string]string{"answer": ""})
		if empty.Status != http.StatusUnprocessableEntity || !strings.Contains(empty.Text(`[data-testid="error-answer"]`), "此项必填") {
			t.Fatalf("empty answer: %d", empty.Status)
		}
		staff.Submit(cp, `form[data-testid="answer-form"]`, map[string]string{"answer": "已请设计单位调整电梯井位置。"})
		pub := res.Get(path(n.ID, ""))
		if !strings.Contains(pub.Text(`[data-testid="objection-answer"]`), "已请设计单位调整") {
			t.Fatalf("answer not shown: %q", pub.Text(`[data-testid="objections"]`))
		}
		if !pub.Has(`form[data-testid="objection-form"]`) {
			t.Fatal("after the answer the resident may object again")
		}

		// A verified resident of community 2 is told it is not their place,
		// and a direct post is refused.
		_, com2 := communityIDs(t, s)
		com2Place, err := s.PlaceByID(bg, com2)
		if err != nil {
			t.Fatal(err)
		}
		hhs, err := s.PlacesOfKind(bg, com2Place, models.KindHousehold)
		if err != nil || len(hhs) == 0 {
			t.Fatalf("households: %v", err)
		}
		acct, err := s.CreateAccount(bg, models.AccountInput{Phone: "13700000077", Name: "和谐居民", Password: demo.Password, Confirm: demo.Password}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.GrantRoleAsSystem(bg, acct.ID, models.RoleResident, hhs[0].ID); err != nil {
			t.Fatal(err)
		}
		other := srv.Client()
		other.Login("13700000077", demo.Password)
		op := other.Get(path(n.ID, ""))
		if st, _ := op.Doc.Find(`[data-testid="objection-standing"]`).Attr("data-standing"); st != "notices.object_not_your_place" {
			t.Fatalf("other community standing %q", st)
		}
		before := countRows(t, s, &models.Objection{})
		refused := other.Post(path(n.ID, "/objections"), url.Values{"_csrf": {op.CSRF()}, "reason": {"不同意"}})
		if refused.Status != http.StatusForbidden || !strings.Contains(refused.Text(`[data-testid="objection-refused"]`), "不涉及您所在的地点") {
			t.Fatalf("other community post: %d %q", refused.Status, refused.Text(`[data-testid="objection-refused"]`))
		}
		if countRows(t, s, &models.Objection{}) != before {
			t.Fatal("a refused objection was stored")
		}

		// When the period is over, objections close.
		clock.Advance(8 * 24 * time.Hour)
		res.Login("13800000004", demo.Password)
		late := res.Get(path(n.ID, ""))
		if st, _ := late.Doc.Find(`[data-testid="objection-standing"]`).Attr("data-standing"); st != "notices.object_period_over" {
			t.Fatalf("after the period %q", st)
		}
		if st, _ := late.Doc.Find(`[data-testid="notice-period"]`).Attr("data-state"); st != "ended" {
			t.Fatalf("period state after the end %q", st)
		}
	})
}

func TestStaffWriteAndPublishThroughForms(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		com1, com2 := communityIDs(t, s)
		c := srv.Client()
		c.Login("13800000002", demo.Password)
		if !c.Get("/console").Has(`[data-testid="console-notices"]`) {
			t.Fatal("console tile for notices missing")
		}
		list := c.Get("/console/notices")
		if list.Status != http.StatusOK || list.Count(`[data-testid="console-notice-row"]`) != 7 { // the street's notice is not theirs; the demo project's outcome, ballot result, two meeting agendas and the minutes are
			t.Fatalf("console list: %d, %d rows", list.Status, list.Count(`[data-testid="console-notice-row"]`))
		}
		form := c.Get("/console/notices/new")
		if form.Has(`select[name="place_id"] option[value="` + strconv.FormatUint(com2, 10) + `"]`) {
			t.Fatal("community 2 offered to community 1's staff")
		}
		notices0 := countRows(t, s, &models.Notice{})

		// Bad input: Chinese messages, what was typed kept, nothing saved.
		bad := c.Submit(form, `form[data-testid="notice-form"]`, map[string]string{"place_id": strconv.FormatUint(com1, 10), "title": "", "body": "正文保留", "period_days": "abc"})
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Text(`[data-testid="error-title"]`), "此项必填") ||
			!strings.Contains(bad.Text(`[data-testid="error-period_days"]`), "0 到 90 天") || bad.Text(`textarea[name="body"]`) != "正文保留" {
			t.Fatalf("bad input: %d %q %q", bad.Status, bad.Text(`[data-testid="error-title"]`), bad.Text(`[data-testid="error-period_days"]`))
		}
		noPeriod := c.Submit(form, `form[data-testid="notice-form"]`, map[string]string{"place_id": strconv.FormatUint(com1, 10), "title": "标题", "body": "正文", "period_days": "0", "allow_objections": "on"})
		if !strings.Contains(noPeriod.Text(`[data-testid="error-period_days"]`), "需要设定公示期") {
			t.Fatalf("objections without period: %q", noPeriod.Text(`[data-testid="error-period_days"]`))
		}
		if p := c.Submit(form, `form[data-testid="notice-form"]`, map[string]string{"place_id": strconv.FormatUint(com2, 10), "title": "越界", "body": "正文", "period_days": "7"}); p.Status != http.StatusForbidden {
			t.Fatalf("community 2 notice by community 1 staff: %d", p.Status)
		}
		if countRows(t, s, &models.Notice{}) != notices0 {
			t.Fatal("refused input saved a notice")
		}

		saved := c.Submit(form, `form[data-testid="notice-form"]`, map[string]string{"place_id": strconv.FormatUint(com1, 10), "title": "幸福社区停车收费方案公示", "body": "一、收费标准\n二、公示期内可提出异议", "period_days": "5", "allow_objections": "on"})
		if saved.Status != http.StatusOK || !strings.HasPrefix(saved.URL.Path, "/console/notices/") {
			t.Fatalf("save: %d at %s", saved.Status, saved.URL)
		}
		id, _ := strconv.ParseUint(strings.TrimPrefix(saved.URL.Path, "/console/notices/"), 10, 64)
		if st, _ := saved.Doc.Find(`[data-testid="notice-status"]`).Attr("data-status"); st != "draft" {
			t.Fatalf("new notice status %q", st)
		}
		if p := srv.Client().Get(path(id, "")); p.Status != http.StatusNotFound {
			t.Fatalf("draft public: %d", p.Status)
		}
		// Edit the draft.
		edited := c.Submit(saved, `form[data-testid="notice-form"]`, map[string]string{"title": "幸福社区停车收费方案（修订）公示"})
		if edited.Text("h1") != "幸福社区停车收费方案（修订）公示" {
			t.Fatalf("edit: %q", edited.Text("h1"))
		}
		// Publishing needs the confirmation box.
		unconfirmed := c.Submit(edited, `form[data-testid="publish-form"]`, nil)
		if unconfirmed.Status != http.StatusUnprocessableEntity || !strings.Contains(unconfirmed.Text(`[data-testid="error-confirm"]`), "请勾选确认") {
			t.Fatalf("unconfirmed publish: %d", unconfirmed.Status)
		}
		if got, _ := s.StaffNoticeByID(bg, principalByPhone(t, s, "13800000002"), id); got.Status != models.NoticeDraft {
			t.Fatalf("published without confirmation: %s", got.Status)
		}
		pub := c.Submit(edited, `form[data-testid="publish-form"]`, map[string]string{"confirm": "on"})
		if st, _ := pub.Doc.Find(`[data-testid="notice-status"]`).Attr("data-status"); st != "published" {
			t.Fatalf("after publish %q (%d)", st, pub.Status)
		}
		public := srv.Client().Get(path(id, ""))
		if public.Status != http.StatusOK || !strings.Contains(public.Text(`[data-testid="notice-period"]`), "5 天") {
			t.Fatalf("public after publish: %d %q", public.Status, public.Text(`[data-testid="notice-period"]`))
		}
		if pub.Has(`form[data-testid="notice-form"]`) {
			t.Fatal("a published notice must not be editable")
		}
		// Withdraw: a reason and the confirmation are needed.
		noReason := c.Submit(pub, `form[data-testid="withdraw-form"]`, map[string]string{"confirm": "on"})
		if noReason.Status != http.StatusUnprocessableEntity || !strings.Contains(noReason.Text(`[data-testid="error-reason"]`), "此项必填") {
			t.Fatalf("withdraw without reason: %d", noReason.Status)
		}
		w := c.Submit(pub, `form[data-testid="withdraw-form"]`, map[string]string{"reason": "收费标准需重新测算", "confirm": "on"})
		if st, _ := w.Doc.Find(`[data-testid="notice-status"]`).Attr("data-status"); st != "withdrawn" {
			t.Fatalf("after withdraw %q (%d)", st, w.Status)
		}
		if !strings.Contains(srv.Client().Get(path(id, "")).Text(`[data-testid="notice-withdrawn"]`), "收费标准需重新测算") {
			t.Fatal("withdrawal reason not public")
		}
		var actions []string
		if err := s.Tx(bg).Model(&models.AuditEntry{}).Where("object_type = ? AND object_id = ?", "notice", strconv.FormatUint(id, 10)).Order("id").Pluck("action", &actions).Error; err != nil {
			t.Fatal(err)
		}
		if strings.Join(actions, ",") != "notice.create,notice.update,notice.publish,notice.withdraw" {
			t.Fatalf("audit trail %v", actions)
		}
		// Community 2's staff cannot open it.
		s2 := srv.Client()
		if _, err := s.CreateAccount(bg, models.AccountInput{Phone: "13800000099", Name: "二社区社工", Password: demo.Password, Confirm: demo.Password}, nil); err != nil {
			t.Fatal(err)
		}
		a2, _ := s.AccountByPhone(bg, "13800000099")
		if err := s.GrantRoleAsSystem(bg, a2.ID, models.RoleCommunityStaff, com2); err != nil {
			t.Fatal(err)
		}
		s2.Login("13800000099", demo.Password)
		if p := s2.Get("/console/notices/" + strconv.FormatUint(id, 10)); p.Status != http.StatusForbidden {
			t.Fatalf("community 2 staff opened community 1's notice: %d", p.Status)
		}
		if n := s2.Get("/console/notices").Count(`[data-testid="console-notice-row"]`); n != 0 {
			t.Fatalf("community 2 staff list %d notices of others", n)
		}
	})
}

// TestObjectionsArePaged: a notice with more objections than a page holds
// lists them page by page, oldest first, on its public and console pages;
// none is left out.
func TestObjectionsArePaged(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		n := noticeByTitle(t, s, elevatorTitle)
		var res models.Account
		if err := s.Tx(bg).Where("phone = ?", "13800000004").First(&res).Error; err != nil {
			t.Fatal(err)
		}
		total := models.ObjectionsPerPage + 3
		for i := range total {
			at := clock.Now()
			o := models.Objection{NoticeID: n.ID, AccountID: res.ID, Reason: fmt.Sprintf("意见第%03d条", i+1), Answer: "已答复",
				AnsweredAt: &at, CreatedAt: at}
			if err := s.Tx(bg).Create(&o).Error; err != nil {
				t.Fatal(err)
			}
		}
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		for _, base := range []string{path(n.ID, ""), "/console/notices/" + strconv.FormatUint(n.ID, 10)} {
			first := staff.Get(base)
			if first.Count(`[data-testid="objection"]`) != models.ObjectionsPerPage || !strings.Contains(first.Text(`[data-testid="objection"]`), "意见第001条") {
				t.Fatalf("%s page 1: %d objections", base, first.Count(`[data-testid="objection"]`))
			}
			next, ok := first.Doc.Find(`[data-testid="objections"] [data-testid="pager"] a[rel="next"]`).Attr("href")
			if !ok {
				t.Fatalf("%s: no pager under the objections", base)
			}
			second := staff.Get(next)
			if second.Count(`[data-testid="objection"]`) != 3 || !strings.Contains(second.Text(`[data-testid="objection"]`), fmt.Sprintf("意见第%03d条", models.ObjectionsPerPage+1)) {
				t.Fatalf("%s page 2 (%s): %d objections", base, next, second.Count(`[data-testid="objection"]`))
			}
		}
	})
}

// TestBulletinNamesABuildingByItsCommunity: the bulletin's place list stops
// above buildings, yet a notice at a building says whose building it is.
func TestBulletinNamesABuildingByItsCommunity(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, _ *modeltest.Clock) {
		com1, _ := communityIDs(t, s)
		var b models.Place
		if err := s.Tx(bg).Where("kind = ? AND path LIKE ?", models.KindBuilding, "%/"+strconv.FormatUint(com1, 10)+"/%").Order("id").First(&b).Error; err != nil {
			t.Fatalf("a building of community 1: %v", err)
		}
		staff := principalByPhone(t, s, "13800000002")
		const title = "楼栋电梯停运检修公示"
		if _, err := s.PublishOutcome(bg, staff, models.NoticeInput{PlaceID: b.ID, Title: title, Body: "周三停运"}, "test", 1); err != nil {
			t.Fatal(err)
		}
		srv := demoServer(t, s)
		page := srv.Client().Get("/notices")
		var meta string
		page.Doc.Find(`[data-testid="bulletin-item"]`).Each(func(_ int, li *goquery.Selection) {
			if strings.Contains(li.Text(), title) {
				meta = li.Find(".meta").Text()
			}
		})
		if want := demo.CommunityNames[0] + " / "; !strings.Contains(meta, want) || !strings.Contains(meta, b.Name) {
			t.Fatalf("the building's notice is placed as %q, want %q… and %q", meta, want, b.Name)
		}
		// The staff console names it the same way.
		console := login(srv, "13800000002").Get("/console/notices")
		row := ""
		console.Doc.Find(`tr`).Each(func(_ int, tr *goquery.Selection) {
			if strings.Contains(tr.Text(), title) {
				row = tr.Text()
			}
		})
		if !strings.Contains(row, demo.CommunityNames[0]+" / ") || !strings.Contains(row, b.Name) {
			t.Fatalf("the console's row: %q", row)
		}
	})
}

// TestBulletinFiltersByAnyPlace: the bulletin's place list is bounded, yet
// a community beyond it filters the bulletin and shows as chosen in the
// list; a place that does not exist, or a household, says so and shows no
// notice rather than all of them.
func TestBulletinFiltersByAnyPlace(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		com1, com2 := communityIDs(t, s)
		street, err := s.PlaceByID(bg, com1)
		if err != nil || street.ParentID == nil {
			t.Fatalf("community 1: %v", err)
		}
		if street, err = s.PlaceByID(bg, *street.ParentID); err != nil {
			t.Fatal(err)
		}
		// More compounds than the list holds, in community 2, then a
		// community whose path sorts after all of them (by bytes, and by a
		// collation that skips the slashes).
		const first = 8000000
		fill := make([]models.Place, models.BulletinPlacesMax+1)
		for i := range fill {
			id := uint64(first + i)
			fill[i] = models.Place{ID: id, ParentID: &com2, Kind: models.KindCompound, Name: fmt.Sprintf("填充小区%04d", i),
				Path: fmt.Sprintf("%s%d/%d/", street.Path, com2, id)}
		}
		if err := s.Tx(bg).CreateInBatches(fill, 500).Error; err != nil {
			t.Fatal(err)
		}
		far := models.Place{ID: 9000000, ParentID: &street.ID, Kind: models.KindCommunity, Name: "远方社区", Path: street.Path + "9000000/"}
		if err := s.Tx(bg).Create(&far).Error; err != nil {
			t.Fatal(err)
		}
		listed, err := s.BulletinPlaces(bg)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range listed {
			if p.ID == far.ID {
				t.Fatal("the far community is within the list's bound: the test proves nothing")
			}
		}
		const title = "远方社区停水通知公示"
		if _, err := s.PublishOutcome(bg, principalByPhone(t, s, "13800000000"), models.NoticeInput{PlaceID: far.ID, Title: title, Body: "周三停水"}, "test", 1); err != nil {
			t.Fatal(err)
		}

		c := demoServer(t, s).Client()
		page := c.Get(fmt.Sprintf("/notices?place=%d", far.ID))
		if page.Status != http.StatusOK || page.Count(`[data-testid="bulletin-item"]`) != 1 || !strings.Contains(page.Text(`[data-testid="bulletin-list"]`), title) {
			t.Fatalf("far community: status %d, %d items: %s", page.Status, page.Count(`[data-testid="bulletin-item"]`), page.Text(`[data-testid="bulletin-list"]`))
		}
		opts := page.Doc.Find(`select[name="place"] option`)
		if opts.Length() > models.BulletinPlacesMax+2 {
			t.Fatalf("the list holds %d places", opts.Length())
		}
		chosen := page.Doc.Find(`select[name="place"] option[selected]`)
		if v, _ := chosen.Attr("value"); v != fmt.Sprint(far.ID) || strings.TrimSpace(chosen.Text()) != "远方社区" {
			t.Fatalf("chosen in the list: %q %q", v, chosen.Text())
		}

		hh := demoHousehold(t, s, com1)
		for _, q := range []string{"1099511627776", "abc", "0", fmt.Sprint(hh)} {
			p := c.Get("/notices?place=" + q)
			if p.Status != http.StatusNotFound || !p.Has(`[data-testid="place-unknown"]`) || p.Has(`[data-testid="bulletin-item"]`) {
				t.Fatalf("place=%s: status %d, %d items", q, p.Status, p.Count(`[data-testid="bulletin-item"]`))
			}
			if !strings.Contains(p.Text(`[data-testid="place-unknown"]`), "没有这个地点") {
				t.Fatalf("place=%s: message %q", q, p.Text(`[data-testid="place-unknown"]`))
			}
		}
	})
}

// demoHousehold is a household of the demo's community com.
func demoHousehold(t *testing.T, s *models.Store, com uint64) uint64 {
	t.Helper()
	var hh models.Place
	if err := s.Tx(bg).Where("kind = ? AND path LIKE ?", models.KindHousehold, "%/"+strconv.FormatUint(com, 10)+"/%").Order("id").First(&hh).Error; err != nil {
		t.Fatalf("a household of community %d: %v", com, err)
	}
	return hh.ID
}
