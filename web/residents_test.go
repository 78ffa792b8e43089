package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// chooseStep submits the verification page's place step with the option
// whose label is name.
func chooseStep(t *testing.T, c *webtest.Client, p *webtest.Page, name string) *webtest.Page {
	t.Helper()
	value := ""
	p.Doc.Find(`form[data-testid="place-step"] option`).Each(func(_ int, o *goquery.Selection) {
		if strings.TrimSpace(o.Text()) == name {
			value, _ = o.Attr("value")
		}
	})
	if value == "" {
		t.Fatalf("no choice %q on %s", name, p.URL)
	}
	return c.Get("/profile/verify?at=" + value)
}

func register(t *testing.T, c *webtest.Client, phone, name string) *webtest.Page {
	t.Helper()
	p := c.Submit(c.Get("/register"), `form[data-testid="register-form"]`, map[string]string{"phone": phone, "name": name, "password": "password-9", "confirm": "password-9"})
	if p.Status != http.StatusOK {
		t.Fatalf("register %s: %d", phone, p.Status)
	}
	return p
}

func TestVerifyRequestApprovedByStaff(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		p := register(t, c, "13700000001", "新住户")
		if p.URL.Path != "/profile/verify" {
			t.Fatalf("after registering at %s", p.URL)
		}
		// Narrow down step by step with plain GET forms.
		p = chooseStep(t, c, p, demo.CommunityNames[0])
		p = chooseStep(t, c, p, "阳光小区")
		p = chooseStep(t, c, p, "2号楼")
		p = chooseStep(t, c, p, "1单元101")
		if !strings.Contains(p.Text(`[data-testid="verify-trail"]`), "阳光小区") || !p.Has(`form[data-testid="request-form"]`) {
			t.Fatalf("no request form after choosing a household: %s", p.Body)
		}
		bad := c.Submit(p, `form[data-testid="request-form"]`, map[string]string{"name": "  "})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-name"]`) {
			t.Fatalf("blank name: %d", bad.Status)
		}
		done := c.Submit(p, `form[data-testid="request-form"]`, map[string]string{"name": "新住户"})
		if done.URL.Path != "/profile" || !done.Has(`[data-testid="profile-pending"]`) {
			t.Fatalf("after request at %s", done.URL)
		}
		if v := c.Get("/profile/verify"); !strings.Contains(v.Text(`[data-testid="verify-pending"]`), "2号楼") {
			t.Fatalf("pending household not shown: %q", v.Text(`[data-testid="verify-pending"]`))
		}

		// Staff of community 2 cannot see it; staff of community 1 approve it.
		acct, err := s.AccountByPhone(bg, "13700000001")
		if err != nil {
			t.Fatal(err)
		}
		var reg models.Registration
		if err := s.Tx(bg).Where("account_id = ?", acct.ID).First(&reg).Error; err != nil {
			t.Fatal(err)
		}
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		list := staff.Get("/console/registrations")
		if !strings.Contains(list.Text(`[data-testid="registration-list"]`), "新住户") || strings.Contains(list.Body, "13700000001") {
			t.Fatal("the request should be listed, with the phone masked")
		}
		if !strings.Contains(list.Body, "137****0001") {
			t.Fatal("masked phone missing")
		}
		one := staff.Get(fmt.Sprintf("/console/registrations/%d", reg.ID))
		if !strings.Contains(one.Text(`[data-testid="registration-household"]`), "2号楼 / 1单元101") {
			t.Fatalf("household %q", one.Text(`[data-testid="registration-household"]`))
		}
		after := staff.Submit(one, `form[data-testid="approve-form"]`, nil)
		if after.URL.Path != "/console/registrations" || !strings.Contains(after.Text(`[data-testid="flash"]`), "已通过") {
			t.Fatalf("after approving at %s: %q", after.URL, after.Text(`[data-testid="flash"]`))
		}
		home := c.Get("/")
		if !strings.Contains(home.Text(`[data-testid="home-household"]`), "1单元101") {
			t.Fatalf("resident home: %q", home.Text(`[data-testid="home-household"]`))
		}
		if again := staff.Submit(one, `form[data-testid="approve-form"]`, nil); again.Status != http.StatusConflict {
			t.Fatalf("approving twice: %d", again.Status)
		}
	})
}

func TestRejectReasonRequiredAndShownToApplicant(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		list := staff.Get("/console/registrations")
		if n := list.Count(`[data-testid="registration"]`); n != 3 {
			t.Fatalf("%d demo requests listed", n)
		}
		href, _ := list.Doc.Find(`[data-testid="registration"] a`).First().Attr("href")
		one := staff.Get(href)
		name := one.Text(`[data-testid="registration-name"]`)
		bad := staff.Submit(one, `form[data-testid="reject-form"]`, map[string]string{"reason": ""})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-reason"]`) {
			t.Fatalf("reject without reason: %d", bad.Status)
		}
		staff.Submit(one, `form[data-testid="reject-form"]`, map[string]string{"reason": "门牌号与登记不符，请核对"})
		if n := staff.Get("/console/registrations").Count(`[data-testid="registration"]`); n != 2 {
			t.Fatalf("%d requests left", n)
		}
		var phone string
		for _, ph := range []string{"13800000011", "13800000012", "13800000013"} {
			if a, err := s.AccountByPhone(bg, ph); err == nil && a.Name == name {
				phone = ph
			}
		}
		applicant := srv.Client()
		applicant.Login(phone, demo.Password)
		prof := applicant.Get("/profile")
		if !strings.Contains(prof.Text(`[data-testid="profile-rejected"]`), "门牌号与登记不符") {
			t.Fatalf("reason not shown: %q", prof.Text(`[data-testid="profile-rejected"]`))
		}
		if !strings.Contains(applicant.Get("/profile/verify").Text(`[data-testid="verify-rejected"]`), "门牌号与登记不符") {
			t.Fatal("reason not shown on the verification page")
		}
	})
}

func TestInviteSlipAndRedeem(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		com1 := community1(t, s)
		hhs, err := s.PlacesOfKind(bg, com1, models.KindHousehold)
		if err != nil {
			t.Fatal(err)
		}
		hh := hhs[10]
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		page := staff.Get(fmt.Sprintf("/console/residents/households/%d", hh.ID))
		slip := staff.Submit(page, `form[data-testid="invite-create-form"]`, nil)
		code := slip.Text(`[data-testid="slip-code"]`)
		if slip.Status != http.StatusOK || len(code) != models.InviteCodeLen+1 || !strings.Contains(slip.Text(`[data-testid="slip-household"]`), hh.Name) {
			t.Fatalf("slip %d %q", slip.Status, code)
		}
		if slip.Header.Get("Cache-Control") != "no-store" {
			t.Fatal("the slip may be cached")
		}
		// The print button waits for app.js; without it the hint remains.
		if !slip.Has(`button[data-testid="slip-print"][data-print][hidden]`) {
			t.Fatal("the slip has no print button hidden until JavaScript shows it")
		}
		if strings.Contains(staff.Get(fmt.Sprintf("/console/residents/households/%d", hh.ID)).Body, code) {
			t.Fatal("the code is shown again after the slip")
		}

		c := srv.Client()
		register(t, c, "13700000002", "持码人")
		v := c.Get("/profile/verify")
		wrong := c.Submit(v, `form[data-testid="invite-form"]`, map[string]string{"code": "ABCDE-FGHJK"})
		if wrong.Status != http.StatusUnprocessableEntity || !strings.Contains(wrong.Text(`[data-testid="error-code"]`), "无效") {
			t.Fatalf("wrong code: %d %q", wrong.Status, wrong.Text(`[data-testid="error-code"]`))
		}
		if v, _ := wrong.Doc.Find(`input[name="code"]`).Attr("value"); v != "ABCDE-FGHJK" {
			t.Fatalf("typed code lost: %q", v)
		}
		ok := c.Submit(v, `form[data-testid="invite-form"]`, map[string]string{"code": strings.ToLower(code)})
		if ok.URL.Path != "/" || !strings.Contains(ok.Text(`[data-testid="home-household"]`), hh.Name) {
			t.Fatalf("after redeeming at %s: %q", ok.URL, ok.Text(`[data-testid="home-household"]`))
		}
		// Staff see the code as used, and the new resident on the roster, phone masked.
		page = staff.Get(fmt.Sprintf("/console/residents/households/%d", hh.ID))
		if !strings.Contains(page.Text(`[data-testid="invite-list"]`), "已使用") || !strings.Contains(page.Body, "137****0002") || strings.Contains(page.Body, "13700000002") {
			t.Fatal("household page does not show the used code and the masked new resident")
		}

		// Guessing is limited.
		g := srv.Client()
		register(t, g, "13700000003", "猜码人")
		var last *webtest.Page
		for i := 0; i <= models.MaxInviteFailures; i++ {
			last = g.Submit(g.Get("/profile/verify"), `form[data-testid="invite-form"]`, map[string]string{"code": fmt.Sprintf("ZZZZZ2222%d", i+2)})
		}
		if last.Status != http.StatusTooManyRequests || !strings.Contains(last.Text(`[data-testid="error-code"]`), "1 小时") {
			t.Fatalf("after too many guesses: %d %q", last.Status, last.Text(`[data-testid="error-code"]`))
		}
	})
}

// uploadRoster posts a file through the import form.
func uploadRoster(t *testing.T, c *webtest.Client, scope uint64, name string, data []byte) *webtest.Page {
	t.Helper()
	form := c.Get("/console/residents/import")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", form.CSRF())
	_ = w.WriteField("scope", fmt.Sprint(scope))
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return c.PostMultipart("/console/residents/import", w.FormDataContentType(), &body)
}

func TestImportPreviewWithErrorImportsNothing(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		com1 := community1(t, s)
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		var before int64
		s.Tx(bg).Model(&models.Resident{}).Count(&before)
		csv := "\ufeff社区,小区,楼栋,户,姓名,手机号,出生年份,户主\n" +
			"幸福社区,阳光小区,1号楼,1单元101,导入甲,13700000011,1980,否\n" +
			"幸福社区,阳光小区,9号楼,1单元101,导入乙,,1990,否\n"
		p := uploadRoster(t, staff, com1.ID, "名册.csv", []byte(csv))
		if p.Status != http.StatusOK || !p.Has(`[data-testid="import-has-errors"]`) {
			t.Fatalf("preview %d at %s", p.Status, p.URL)
		}
		if p.Count(`[data-testid="import-row"]`) != 2 || !strings.Contains(p.Text(`[data-testid="import-row-error"]`), "找不到这一户") {
			t.Fatalf("row error not shown: %q", p.Text(`[data-testid="import-row-error"]`))
		}
		if p.Has(`form[data-testid="import-commit-form"]`) {
			t.Fatal("a preview with errors offers to import")
		}
		// Posting the commit anyway changes nothing.
		commit := staff.Post(p.URL.Path+"/commit", map[string][]string{"_csrf": {p.CSRF()}})
		if commit.Status != http.StatusConflict {
			t.Fatalf("forced commit: %d", commit.Status)
		}
		var after int64
		s.Tx(bg).Model(&models.Resident{}).Count(&after)
		if after != before {
			t.Fatalf("%d residents added by a refused import", after-before)
		}
		// A file that is not a roster is refused with a clear message.
		bad := uploadRoster(t, staff, com1.ID, "x.csv", []byte("a,b\n1,2\n"))
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Text(`[data-testid="error-file"]`), "表头") {
			t.Fatalf("bad header: %d %q", bad.Status, bad.Text(`[data-testid="error-file"]`))
		}
		// The same roster saved by Excel as plain "CSV" on a Chinese
		// system is GBK, and previews alike, names intact.
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(strings.TrimPrefix(csv, "\ufeff"))
		if err != nil {
			t.Fatal(err)
		}
		g := uploadRoster(t, staff, com1.ID, "名册.csv", []byte(gbk))
		if g.Status != http.StatusOK || g.Count(`[data-testid="import-row"]`) != 2 || !strings.Contains(g.Text(`[data-testid="import-row"]`), "导入甲") {
			t.Fatalf("gbk preview %d: %q", g.Status, g.Text(`[data-testid="import-row"]`))
		}
		enc := uploadRoster(t, staff, com1.ID, "x.csv", []byte("\xff\xfe\xfd,\x80\n"))
		if enc.Status != http.StatusUnprocessableEntity || !strings.Contains(enc.Text(`[data-testid="error-file"]`), "GBK") {
			t.Fatalf("unknown encoding: %d %q", enc.Status, enc.Text(`[data-testid="error-file"]`))
		}
		big := uploadRoster(t, staff, com1.ID, "x.csv", bytes.Repeat([]byte("a"), models.MaxImportBytes+10))
		if big.Status != http.StatusUnprocessableEntity || !strings.Contains(big.Text(`[data-testid="error-file"]`), "2 MB") {
			t.Fatalf("big file: %d %q", big.Status, big.Text(`[data-testid="error-file"]`))
		}
	})
}

func TestImportXLSXThenExport(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		com1 := community1(t, s)
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)

		// A workbook as staff would fill it in Excel, with the household path
		// column and a numeric phone and year.
		f := excelize.NewFile()
		rows := [][]any{
			{"住户路径", "姓名", "手机号", "出生年份", "户主"},
			{"幸福社区/翠苑小区/2号楼/1单元101", "表格甲", 13700000021, 1975, "是"},
			{"幸福社区/翠苑小区/2号楼/1单元101", "表格乙", "", 2012, "否"},
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		p := uploadRoster(t, staff, com1.ID, "名册.xlsx", buf.Bytes())
		if p.Status != http.StatusOK || p.Has(`[data-testid="import-has-errors"]`) || p.Count(`[data-testid="import-row"]`) != 2 {
			t.Fatalf("preview %d: %s", p.Status, p.Text(`[data-testid="import-row-error"]`))
		}
		if !strings.Contains(p.Body, "137****0021") || strings.Contains(p.Body, "13700000021") {
			t.Fatal("the preview should mask phones")
		}
		done := staff.Submit(p, `form[data-testid="import-commit-form"]`, nil)
		if !done.Has(`[data-testid="import-committed"]`) {
			t.Fatalf("after commit at %s: %d", done.URL, done.Status)
		}
		found := staff.Get(fmt.Sprintf("/console/residents?place=%d&q=%s", com1.ID, "表格"))
		if n := found.Count(`[data-testid="resident-row"]`); n != 2 {
			t.Fatalf("search finds %d imported residents", n)
		}
		if !strings.Contains(found.Text(`[data-testid="resident-table"]`), "翠苑小区 / 2号楼 / 1单元101") {
			t.Fatal("household label missing in the roster")
		}
		exp := staff.Get(fmt.Sprintf("/console/residents/export.csv?place=%d", com1.ID))
		if exp.Status != http.StatusOK || !strings.Contains(exp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export %d", exp.Status)
		}
		if !strings.Contains(exp.Body, "幸福社区,翠苑小区,2号楼,1单元101,表格甲,13700000021,1975,是") {
			t.Fatal("exported CSV lacks the imported row")
		}
		back, err := models.ReadRosterCSV(strings.NewReader(exp.Body), s.Now())
		if err != nil || len(back) < 100 {
			t.Fatalf("export read back: %d rows, %v", len(back), err)
		}
		x := staff.Get(fmt.Sprintf("/console/residents/export.xlsx?place=%d", com1.ID))
		xrows, err := models.ReadRosterXLSX(strings.NewReader(x.Body), s.Now())
		if err != nil || len(xrows) != len(back) {
			t.Fatalf("xlsx export: %d rows, %v", len(xrows), err)
		}
		tpl := staff.Get("/console/residents/template.xlsx")
		if trows, err := models.ReadRosterXLSX(strings.NewReader(tpl.Body), s.Now()); err != nil || len(trows) != len(models.TemplateRows) {
			t.Fatalf("template: %v", err)
		}
	})
}

func TestRosterAddEditRemoveThroughForms(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		console := staff.Get("/console")
		if !console.Has(`[data-testid="tile-registrations"]`) || !console.Has(`[data-testid="tile-residents"]`) {
			t.Fatal("console tiles missing")
		}
		// Browse from the community down to a household.
		p := staff.Get(console.Doc.Find(`[data-testid="tile-residents"]`).AttrOr("href", ""))
		if p.Text(`[data-testid="residents-place"]`) != demo.CommunityNames[0] || !p.Has(`[data-testid="pager"]`) {
			t.Fatalf("roster front page: %q", p.Text(`[data-testid="residents-place"]`))
		}
		for _, name := range []string{"阳光小区", "3号楼", "2单元602"} {
			href := ""
			p.Doc.Find(`[data-testid="residents-children"] a`).Each(func(_ int, a *goquery.Selection) {
				if strings.TrimSpace(a.Text()) == name {
					href, _ = a.Attr("href")
				}
			})
			if href == "" {
				t.Fatalf("no link to %s", name)
			}
			p = staff.Get(href)
		}
		if !strings.Contains(p.Text(`[data-testid="household-label"]`), "2单元602") {
			t.Fatalf("household page: %q", p.Text(`[data-testid="household-label"]`))
		}
		before := p.Count(`[data-testid="resident-row"]`)
		bad := staff.Submit(p, `form[data-testid="resident-add-form"]`, map[string]string{"name": "新成员", "birth_year": "一九八零"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-birth_year"]`) {
			t.Fatalf("bad year: %d", bad.Status)
		}
		if v, _ := bad.Doc.Find(`input[name="name"]`).Attr("value"); v != "新成员" {
			t.Fatal("typed name lost")
		}
		p = staff.Submit(p, `form[data-testid="resident-add-form"]`, map[string]string{"name": "新成员", "phone": "13700000031", "birth_year": "1980"})
		if p.Count(`[data-testid="resident-row"]`) != before+1 || !strings.Contains(p.Body, "137****0031") {
			t.Fatalf("after adding: %d rows", p.Count(`[data-testid="resident-row"]`))
		}
		var edit string
		p.Doc.Find(`[data-testid="resident-row"]`).Each(func(_ int, r *goquery.Selection) {
			if r.Find(`[data-testid="resident-name"]`).Text() == "新成员" {
				edit, _ = r.Find(`[data-testid="resident-edit"]`).Attr("href")
			}
		})
		form := staff.Get(edit)
		if v, _ := form.Doc.Find(`input[name="phone"]`).Attr("value"); v != "13700000031" {
			t.Fatalf("edit form phone %q", v)
		}
		p = staff.Submit(form, `form[data-testid="resident-edit-form"]`, map[string]string{"name": "新成员改"})
		if !strings.Contains(p.Text(`[data-testid="resident-table"]`), "新成员改") {
			t.Fatal("edit not saved")
		}
		confirm := staff.Get(strings.Replace(edit, "/edit", "/remove", 1))
		if !strings.Contains(confirm.Text(`[data-testid="remove-question"]`), "新成员改") {
			t.Fatalf("confirmation: %q", confirm.Text(`[data-testid="remove-question"]`))
		}
		p = staff.Submit(confirm, `form[data-testid="resident-remove-form"]`, nil)
		if p.Count(`[data-testid="resident-row"]`) != before || strings.Contains(p.Text(`[data-testid="resident-table"]`), "新成员改") {
			t.Fatal("not removed")
		}
		resident := srv.Client()
		resident.Login("13800000004", demo.Password)
		if resident.Get("/console/residents").Status != http.StatusForbidden {
			t.Fatal("a resident opens the roster")
		}
	})
}

func TestVerifyRequestRefusesAPlaceThatIsNoHousehold(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		c := srv.Client()
		register(t, c, "13700000041", "选错的人")
		p := c.Get("/profile/verify")
		p = chooseStep(t, c, p, demo.CommunityNames[0])
		// A hand-made post naming the community instead of a household.
		bad := c.Post("/profile/verify", map[string][]string{"_csrf": {p.CSRF()}, "household": {p.URL.Query().Get("at")}, "name": {"选错的人"}})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-household"]`) || !bad.Has(`form[data-testid="place-step"]`) {
			t.Fatalf("status %d", bad.Status)
		}
		if _, pending, _ := s.Residency(bg, mustPhone(t, s, "13700000041")); pending {
			t.Fatal("a request was filed for a community")
		}
	})
}

func mustPhone(t *testing.T, s *models.Store, phone string) uint64 {
	t.Helper()
	a, err := s.AccountByPhone(bg, phone)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}
