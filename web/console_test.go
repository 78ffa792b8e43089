package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// community1 returns the demo's community 1.
func community1(t *testing.T, s *models.Store) models.Place {
	t.Helper()
	roots, err := s.Roots(bg)
	if err != nil || len(roots) == 0 {
		t.Fatalf("roots: %v", err)
	}
	cs, err := s.Children(bg, roots[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Name == demo.CommunityNames[0] {
			return c
		}
	}
	t.Fatal("no community 1")
	return models.Place{}
}

// getForm submits a GET form (a finder or a filter) as a browser would:
// its fields in the query string.
func getForm(c *webtest.Client, p *webtest.Page, selector string, set map[string]string) *webtest.Page {
	action, vals := p.Form(selector)
	for k, v := range set {
		vals.Set(k, v)
	}
	return c.Get(action + "?" + vals.Encode())
}

// childLink finds the link to a child named name on a place page.
func childLink(t *testing.T, p *webtest.Page, name string) string {
	t.Helper()
	href := ""
	p.Doc.Find(`[data-testid="child"] a`).Each(func(_ int, a *goquery.Selection) {
		if strings.TrimSpace(a.Text()) == name {
			href, _ = a.Attr("href")
		}
	})
	if href == "" {
		t.Fatalf("no child %q on %s", name, p.URL)
	}
	return href
}

func TestConsolePlaceTreeThroughForms(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		com1 := community1(t, s)
		c := srv.Client()
		c.Login("13800000002", demo.Password)
		con := c.Get("/console")
		for _, id := range []string{"area-places", "area-roles", "area-accounts", "area-audit"} {
			if !con.Has(`[data-testid="` + id + `"]`) {
				t.Fatalf("console lacks tile %s", id)
			}
		}
		idx := c.Get("/console/places")
		if idx.Count(`[data-testid="scope-link"]`) != 1 || !strings.Contains(idx.Text(`[data-testid="scope-link"]`), demo.CommunityNames[0]) {
			t.Fatalf("scopes: %q", idx.Text(`[data-testid="scope-list"]`))
		}
		if idx.Has(`[data-testid="add-root-form"]`) {
			t.Fatal("community staff offered to add a street")
		}
		page := c.Get(fmt.Sprintf("/console/places/%d", com1.ID))
		if page.Status != http.StatusOK || page.Has(`[data-testid="rename-form"]`) {
			t.Fatalf("community page: %d, rename offered %v", page.Status, page.Has(`[data-testid="rename-form"]`))
		}
		// Add a compound, then a building in it.
		page = c.Submit(page, `[data-testid="add-child-form"]`, map[string]string{"kind": "compound", "name": "新建小区"})
		if page.Status != http.StatusOK || page.Text(`[data-testid="flash"]`) == "" {
			t.Fatalf("add compound: %d", page.Status)
		}
		page = c.Get(childLink(t, page, "新建小区"))
		page = c.Submit(page, `[data-testid="add-child-form"]`, map[string]string{"kind": "building", "name": "8号楼"})
		if page.Count(`[data-testid="child"]`) != 1 {
			t.Fatalf("children after adding a building: %d", page.Count(`[data-testid="child"]`))
		}
		compoundURL := page.URL.Path
		// The same name twice is refused with a clear message; nothing is added.
		bad := c.Submit(page, `[data-testid="add-child-form"]`, map[string]string{"kind": "building", "name": "8号楼"})
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Text(`[data-testid="error-name"]`), "同名") {
			t.Fatalf("duplicate: %d %q", bad.Status, bad.Text(`[data-testid="error-name"]`))
		}
		if bad.Count(`[data-testid="child"]`) != 1 {
			t.Fatal("a duplicate was added")
		}
		// Rename the building.
		bld := c.Get(childLink(t, page, "8号楼"))
		bld = c.Submit(bld, `[data-testid="rename-form"]`, map[string]string{"new_name": "八号楼"})
		if got := bld.Text(`[data-testid="place-title"]`); !strings.Contains(got, "八号楼") {
			t.Fatalf("after rename: %q", got)
		}
		// Delete it: a confirmation step first, then the deletion.
		confirm := c.Get(bld.URL.Path + "/delete")
		if !confirm.Has(`[data-testid="delete-form"]`) || confirm.Has(`[data-testid="delete-blocked"]`) {
			t.Fatal("empty building: no confirmation form")
		}
		done := c.Submit(confirm, `[data-testid="delete-form"]`, nil)
		if done.URL.Path != compoundURL || done.Has(`[data-testid="child"]`) {
			t.Fatalf("after delete at %s with %d children", done.URL.Path, done.Count(`[data-testid="child"]`))
		}
		var n int64
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action IN ?", []string{"place.create", "place.rename", "place.delete"}).Count(&n)
		if n != 4 {
			t.Fatalf("%d place entries in the trail, want 4", n)
		}
		// A building with households cannot be deleted, and the page says why.
		compounds, _ := s.Children(bg, com1.ID)
		var demoCompound models.Place
		for _, cp := range compounds {
			if cp.Name != "新建小区" {
				demoCompound = cp
			}
		}
		buildings, _ := s.Children(bg, demoCompound.ID)
		blocked := c.Get(fmt.Sprintf("/console/places/%d/delete", buildings[0].ID))
		if blocked.Has(`[data-testid="delete-form"]`) || !strings.Contains(blocked.Text(`[data-testid="delete-blocked"]`), "下级地点") {
			t.Fatalf("blocked page: %q", blocked.Text(`[data-testid="delete-blocked"]`))
		}
		refused := c.Post(fmt.Sprintf("/console/places/%d/delete", buildings[0].ID), url.Values{"_csrf": {blocked.CSRF()}})
		if refused.Status != http.StatusConflict || !strings.Contains(refused.Text(`[data-testid="delete-blocked"]`), "下级地点") {
			t.Fatalf("refused delete: %d %q", refused.Status, refused.Text(`[data-testid="delete-blocked"]`))
		}
		// A household with residents: the reason is its roster.
		households, _ := s.Children(bg, buildings[0].ID)
		refused = c.Post(fmt.Sprintf("/console/places/%d/delete", households[0].ID), url.Values{"_csrf": {blocked.CSRF()}})
		if refused.Status != http.StatusConflict || !strings.Contains(refused.Text(`[data-testid="delete-blocked"]`), "居民") {
			t.Fatalf("household delete: %d %q", refused.Status, refused.Text(`[data-testid="delete-blocked"]`))
		}
		if _, err := s.PlaceByID(bg, households[0].ID); err != nil {
			t.Fatal("refused delete removed the household")
		}
	})
}

func TestConsolePlaceChildrenArePaged(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		com1 := community1(t, s)
		staff, err := s.AccountByPhone(bg, "13800000002")
		if err != nil {
			t.Fatal(err)
		}
		p, _ := s.LoadPrincipal(bg, staff.ID)
		compound, err := s.CreatePlace(bg, p, models.PlaceInput{ParentID: com1.ID, Kind: models.KindCompound, Name: "大院"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 51; i++ {
			if _, err := s.CreatePlace(bg, p, models.PlaceInput{ParentID: compound.ID, Kind: models.KindHousehold, Name: fmt.Sprintf("%03d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		c := srv.Client()
		c.Login("13800000002", demo.Password)
		first := c.Get(fmt.Sprintf("/console/places/%d", compound.ID))
		if first.Count(`[data-testid="child"]`) != 50 || !first.Has(`[data-testid="pager"] a[rel="next"]`) {
			t.Fatalf("page 1: %d children", first.Count(`[data-testid="child"]`))
		}
		next, _ := first.Doc.Find(`[data-testid="pager"] a[rel="next"]`).Attr("href")
		second := c.Get(next)
		if second.Count(`[data-testid="child"]`) != 1 || !strings.Contains(second.Text(`[data-testid="child"]`), "051") {
			t.Fatalf("page 2: %q", second.Text(`[data-testid="child-list"]`))
		}
	})
}

func TestConsoleGrantAndRevokeConvener(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		com1 := community1(t, s)
		c := srv.Client()
		c.Login("13800000002", demo.Password)
		idx := c.Get("/console/roles")
		href, _ := idx.Doc.Find(`[data-testid="scope-link"]`).First().Attr("href")
		page := c.Get(href)
		if page.URL.Path != fmt.Sprintf("/console/roles/%d", com1.ID) {
			t.Fatalf("roles page at %s", page.URL.Path)
		}
		// One's own grant is listed but cannot be revoked here; the convener's can.
		own := page.Doc.Find(`[data-testid="grant"]`).FilterFunction(func(_ int, sel *goquery.Selection) bool {
			return strings.Contains(sel.Text(), "李社工")
		})
		// The demo's convener, council member and representative are revocable.
		if own.Length() != 1 || own.Find(`[data-testid="revoke-link"]`).Length() != 0 || page.Count(`[data-testid="revoke-link"]`) != 3 {
			t.Fatalf("own rows %d, revoke links %d", own.Length(), page.Count(`[data-testid="revoke-link"]`))
		}
		// A partial number finds nobody and says what is wrong.
		bad := getForm(c, page, `[data-testid="find-form"]`, map[string]string{"phone": "1380000"})
		if bad.Status != http.StatusUnprocessableEntity || bad.Text(`[data-testid="error-phone"]`) == "" || bad.Has(`[data-testid="found-account"]`) {
			t.Fatalf("partial phone: %d", bad.Status)
		}
		none := getForm(c, page, `[data-testid="find-form"]`, map[string]string{"phone": "13811112222"})
		if !none.Has(`[data-testid="not-found"]`) {
			t.Fatal("unknown number: no message")
		}
		found := getForm(c, page, `[data-testid="find-form"]`, map[string]string{"phone": "13800000005"})
		who := found.Text(`[data-testid="found-account"]`)
		if !strings.Contains(who, "刘大爷") || !strings.Contains(who, "138****0005") || strings.Contains(who, "13800000005") {
			t.Fatalf("found: %q", who)
		}
		// Community staff may grant lesser roles only.
		opts := found.Doc.Find(`[data-testid="grant-form"] select[name="role"] option`)
		if opts.Length() != 3 || found.Has(`option[value="community_staff"]`) {
			t.Fatalf("%d roles offered", opts.Length())
		}
		after := c.Submit(found, `[data-testid="grant-form"]`, map[string]string{"role": "convener"})
		if !strings.Contains(after.Text(`[data-testid="flash"]`), "已授予") {
			t.Fatalf("grant flash %q", after.Text(`[data-testid="flash"]`))
		}
		granted := after.Doc.Find(`[data-testid="grant"]`).FilterFunction(func(_ int, sel *goquery.Selection) bool {
			return strings.Contains(sel.Text(), "刘大爷")
		})
		if granted.Length() != 1 || strings.TrimSpace(granted.Find(`[data-testid="grant-role"]`).Text()) != "召集人" {
			t.Fatalf("new grant rows %d", granted.Length())
		}
		if !strings.Contains(after.Text(`[data-testid="grant-list"]`), "138****0005") || strings.Contains(after.Body, "13800000005") {
			t.Fatal("the grant list must show the phone masked")
		}
		// Granting the same again is refused, clearly.
		again := c.Submit(found, `[data-testid="grant-form"]`, map[string]string{"role": "convener"})
		if again.Status != http.StatusConflict || !again.Has(`[data-testid="grant-error"]`) {
			t.Fatalf("twice: %d", again.Status)
		}
		// Revoke it, after a confirmation step.
		link, ok := granted.Find(`[data-testid="revoke-link"]`).Attr("href")
		if !ok {
			t.Fatal("no revoke link for the new grant")
		}
		confirm := c.Get(link)
		if q := confirm.Text(`[data-testid="revoke-question"]`); !strings.Contains(q, "刘大爷") || !strings.Contains(q, "召集人") {
			t.Fatalf("confirmation: %q", q)
		}
		done := c.Submit(confirm, `[data-testid="revoke-form"]`, nil)
		if !strings.Contains(done.Text(`[data-testid="flash"]`), "已撤销") || strings.Contains(done.Text(`[data-testid="grant-list"]`), "刘大爷") {
			t.Fatalf("after revoke: %q", done.Text(`[data-testid="flash"]`))
		}
		var n int64
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action IN ?", []string{"role.grant", "role.revoke"}).Where("actor_id IS NOT NULL").Count(&n)
		if n != 2 {
			t.Fatalf("%d role entries", n)
		}
		// A forged role beyond one's rank is refused outright.
		acct, _ := s.AccountByPhone(bg, "13800000005")
		forged := c.Post(fmt.Sprintf("/console/roles/%d", com1.ID), url.Values{"_csrf": {done.CSRF()}, "account_id": {fmt.Sprint(acct.ID)}, "role": {"street_staff"}})
		if forged.Status != http.StatusForbidden {
			t.Fatalf("forged role: %d", forged.Status)
		}
	})
}

func TestConsoleUnlockAfterFiveFailures(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		user := srv.Client()
		for i := 0; i < models.MaxFailedLogins; i++ {
			p := user.Get("/login")
			user.Submit(p, `form[data-testid="login-form"]`, map[string]string{"phone": "13800000005", "password": "wrong-password"})
		}
		// Staff of another community cannot find the account.
		other := srv.Client()
		if _, err := s.CreateAccount(bg, models.AccountInput{Phone: "13800000099", Name: "二社区社工", Password: demo.Password, Confirm: demo.Password}, nil); err != nil {
			t.Fatal(err)
		}
		roots, _ := s.Roots(bg)
		cs, _ := s.Children(bg, roots[0].ID)
		a2, _ := s.AccountByPhone(bg, "13800000099")
		for _, cm := range cs {
			if cm.Name == demo.CommunityNames[1] {
				if err := s.GrantRoleAsSystem(bg, a2.ID, models.RoleCommunityStaff, cm.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		other.Login("13800000099", demo.Password)
		find := other.Get("/console/accounts")
		miss := getForm(other, find, `[data-testid="account-find-form"]`, map[string]string{"phone": "13800000005"})
		if !miss.Has(`[data-testid="not-found"]`) || strings.Contains(miss.Body, "刘大爷") {
			t.Fatal("staff of community 2 found a resident of community 1")
		}

		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		find = staff.Get("/console/accounts")
		acct := getForm(staff, find, `[data-testid="account-find-form"]`, map[string]string{"phone": "138 0000 0005"})
		state := acct.Doc.Find(`[data-testid="account-state"]`)
		if locked, _ := state.Attr("data-locked"); locked != "true" || !strings.Contains(state.Text(), "锁定") {
			t.Fatalf("state: %q at %s", state.Text(), acct.URL)
		}
		if acct.Text(`[data-testid="account-phone"]`) != "138****0005" {
			t.Fatalf("phone shown %q", acct.Text(`[data-testid="account-phone"]`))
		}
		done := staff.Submit(acct, `[data-testid="unlock-form"]`, nil)
		if !strings.Contains(done.Text(`[data-testid="flash"]`), "已解锁") || done.Has(`[data-testid="unlock-form"]`) {
			t.Fatalf("after unlock: %q", done.Text(`[data-testid="flash"]`))
		}
		if locked, _ := done.Doc.Find(`[data-testid="account-state"]`).Attr("data-locked"); locked != "false" {
			t.Fatal("still shown as locked")
		}
		// The person signs in at once, without waiting 15 minutes.
		user.Login("13800000005", demo.Password)
		// Unlocking again has nothing to do, and says so.
		again := staff.Post(done.URL.Path+"/unlock", url.Values{"_csrf": {done.CSRF()}})
		if !strings.Contains(again.Text(`[data-testid="flash"]`), "没有被锁定") {
			t.Fatalf("second unlock: %q", again.Text(`[data-testid="flash"]`))
		}
	})
}

func TestConsoleAuditTrail(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		user := srv.Client()
		p := user.Get("/login")
		user.Submit(p, `form[data-testid="login-form"]`, map[string]string{"phone": "13800000004", "password": "wrong-password"})

		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		page := staff.Get("/console/audit")
		if page.Status != http.StatusOK || page.Count(`[data-testid="audit-row"]`) == 0 {
			t.Fatalf("audit page: %d with %d rows", page.Status, page.Count(`[data-testid="audit-row"]`))
		}
		// Filter to sign-ins through the form.
		logins := getForm(staff, page, `[data-testid="audit-filter"]`, map[string]string{"action": "auth.login"})
		rows := logins.Doc.Find(`[data-testid="audit-row"]`)
		if rows.Length() == 0 {
			t.Fatal("no sign-in rows")
		}
		var failed string
		rows.Each(func(_ int, r *goquery.Selection) {
			if strings.TrimSpace(r.Find(`[data-testid="audit-result"]`).Text()) == "失败" {
				failed = strings.TrimSpace(r.Find(`[data-testid="audit-actor"]`).Text())
			}
		})
		if !strings.Contains(failed, "陈阿姨") || !strings.Contains(failed, "138****0004") {
			t.Fatalf("failed sign-in actor %q", failed)
		}
		if rows.FilterFunction(func(_ int, r *goquery.Selection) bool { a, _ := r.Attr("data-action"); return a != "auth.login" }).Length() != 0 {
			t.Fatal("the action filter let other actions through")
		}
		// Local time with UTC beside it: Shanghai is 8 hours ahead.
		ts, _ := rows.First().Find("time").Attr("datetime")
		local := strings.TrimSpace(rows.First().Find(`[data-testid="audit-time"]`).Text())
		if ts != clock.Now().Format("2006-01-02T15:04:05Z") || local != clock.Now().Add(8*time.Hour).Format("2006-01-02 15:04:05") {
			t.Fatalf("time %q local %q", ts, local)
		}
		// By actor phone: the staff member's own number is theirs to see.
		mine := staff.Get("/console/audit?actor=13800000002")
		if mine.Count(`[data-testid="audit-row"]`) == 0 || !strings.Contains(mine.Text(`[data-testid="audit-actor"]`), "13800000002") {
			t.Fatalf("own entries: %q", mine.Text(`[data-testid="audit-actor"]`))
		}
		// A date range: tomorrow has nothing; a backwards range is refused.
		tomorrow := clock.Now().Add(32 * time.Hour).Format("2006-01-02")
		if empty := staff.Get("/console/audit?from=" + tomorrow); !empty.Has(`[data-testid="empty"]`) {
			t.Fatal("entries from tomorrow")
		}
		today := clock.Now().Add(8 * time.Hour).Format("2006-01-02")
		if bad := staff.Get("/console/audit?from=" + tomorrow + "&to=" + today); bad.Status != http.StatusUnprocessableEntity || bad.Text(`[data-testid="error-to"]`) == "" {
			t.Fatalf("backwards range: %d", bad.Status)
		}
		if got := staff.Get("/console/audit?action=auth.login&from=" + today + "&to=" + today); got.Count(`[data-testid="audit-row"]`) != rows.Length() {
			t.Fatalf("today: %d rows, want %d", got.Count(`[data-testid="audit-row"]`), rows.Length())
		}
		// Staff of community 2 do not see community 1's sign-ins and may not narrow to it.
		if _, err := s.CreateAccount(bg, models.AccountInput{Phone: "13800000099", Name: "二社区社工", Password: demo.Password, Confirm: demo.Password}, nil); err != nil {
			t.Fatal(err)
		}
		com1 := community1(t, s)
		cs, _ := s.Children(bg, *com1.ParentID)
		a2, _ := s.AccountByPhone(bg, "13800000099")
		for _, cm := range cs {
			if cm.Name == demo.CommunityNames[1] {
				s.GrantRoleAsSystem(bg, a2.ID, models.RoleCommunityStaff, cm.ID)
			}
		}
		other := srv.Client()
		other.Login("13800000099", demo.Password)
		theirs := other.Get("/console/audit?action=auth.login")
		if strings.Contains(theirs.Body, "陈阿姨") {
			t.Fatal("staff of community 2 see a sign-in of community 1")
		}
		if denied := other.Get(fmt.Sprintf("/console/audit?place=%d", com1.ID)); denied.Status != http.StatusForbidden {
			t.Fatalf("community 2 narrowing to community 1: %d", denied.Status)
		}
	})
}

// TestConsoleGrantsArePaged: a place with more staff grants than a page
// holds lists them page by page; none is left out.
func TestConsoleGrantsArePaged(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		com1 := community1(t, s)
		var before int64
		s.Tx(bg).Table("role_grants g").Joins("JOIN places pl ON pl.id = g.place_id").
			Where("pl.path LIKE ? AND g.role <> ?", com1.Path+"%", models.RoleResident).Count(&before)
		for i := range models.GrantsPerPage {
			a := models.Account{Phone: fmt.Sprintf("1370000%04d", i), Name: fmt.Sprintf("代表%02d", i), PasswordHash: "x", Locale: "zh"}
			if err := s.Tx(bg).Create(&a).Error; err != nil {
				t.Fatal(err)
			}
			g := models.RoleGrant{AccountID: a.ID, Role: models.RoleRepresentative, PlaceID: com1.ID, CreatedAt: clock.Now()}
			if err := s.Tx(bg).Create(&g).Error; err != nil {
				t.Fatal(err)
			}
		}
		total := int(before) + models.GrantsPerPage
		c := srv.Client()
		c.Login("13800000002", demo.Password)
		first := c.Get(fmt.Sprintf("/console/roles/%d", com1.ID))
		if first.Count(`[data-testid="grant"]`) != models.GrantsPerPage {
			t.Fatalf("page 1: %d grants", first.Count(`[data-testid="grant"]`))
		}
		// Each row names its place in full, as the place's own label does.
		label, err := s.PlaceLabel(bg, com1)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(first.Text(`[data-testid="grant-list"]`), label) {
			t.Fatalf("no grant row names %q", label)
		}
		next, ok := first.Doc.Find(`[data-testid="pager"] a[rel="next"]`).Attr("href")
		if !ok {
			t.Fatal("no pager under the grants")
		}
		if n := c.Get(next).Count(`[data-testid="grant"]`); n != total-models.GrantsPerPage {
			t.Fatalf("page 2 (%s): %d grants, want %d", next, n, total-models.GrantsPerPage)
		}
	})
}

// addCompound adds a compound named name to the demo's community 1 through
// the console's form, as c, and returns the compound's page.
func addCompound(t *testing.T, c *webtest.Client, s *models.Store, name string) *webtest.Page {
	t.Helper()
	page := c.Get(fmt.Sprintf("/console/places/%d", community1(t, s).ID))
	page = c.Submit(page, `[data-testid="add-child-form"]`, map[string]string{"kind": "compound", "name": name})
	return c.Get(childLink(t, page, name))
}

// placeIDOf is the id at the end of a console place page's address.
func placeIDOf(t *testing.T, p *webtest.Page) uint64 {
	t.Helper()
	var id uint64
	if _, err := fmt.Sscanf(p.URL.Path, "/console/places/%d", &id); err != nil {
		t.Fatalf("not a place page: %s", p.URL.Path)
	}
	return id
}

// TestConsoleKeepsAPlaceACouncilNames: staff add a compound and set up a
// council there before anyone lives in it; the compound cannot be deleted,
// the page lists the council among what refers to it, and the council
// stays reachable.
func TestConsoleKeepsAPlaceACouncilNames(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		c := demoServer(t, s).Client()
		c.Login("13800000002", demo.Password)
		page := addCompound(t, c, s, "新建小区")
		compoundID := placeIDOf(t, page)
		co, err := s.CreateCouncil(bg, principalByPhone(t, s, "13800000002"), models.CouncilInput{PlaceID: compoundID, Kind: models.CouncilResidents, Name: "新建小区居民议事会"})
		if err != nil {
			t.Fatal(err)
		}
		confirm := c.Get(page.URL.Path + "/delete")
		if confirm.Has(`[data-testid="delete-form"]`) || !confirm.Has(`[data-testid="delete-blocked"]`) {
			t.Fatal("a compound with a council offered for deletion")
		}
		if got := confirm.Text(`[data-testid="place-usage"] li[data-key="console.usage_councils"]`); got != "议事会：1 个" {
			t.Fatalf("usage: %q", confirm.Text(`[data-testid="place-usage"]`))
		}
		refused := c.Post(page.URL.Path+"/delete", url.Values{"_csrf": {confirm.CSRF()}})
		if refused.Status != http.StatusConflict || !refused.Has(`[data-testid="place-usage"] li[data-key="console.usage_councils"]`) {
			t.Fatalf("refused delete: %d %q", refused.Status, refused.Text(`[data-testid="delete-blocked"]`))
		}
		if _, err := s.PlaceByID(bg, compoundID); err != nil {
			t.Fatalf("the compound is gone: %v", err)
		}
		if p := c.Get(fmt.Sprintf("/councils/%d", co.ID)); p.Status != http.StatusOK {
			t.Fatalf("the council: %d", p.Status)
		}
		// In English too.
		c.Submit(confirm, `form[action="/prefs"]`, map[string]string{"lang": "en"})
		if got := c.Get(page.URL.Path + "/delete").Text(`[data-testid="place-usage"] li[data-key="console.usage_councils"]`); got != "Councils: 1" {
			t.Fatalf("English usage: %q", got)
		}
	})
}

// TestConsoleAuditShowsDeletedPlacesToAdmins: entries filed at a place
// deleted since stay in the administrator's trail, marked as such.
func TestConsoleAuditShowsDeletedPlacesToAdmins(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		page := addCompound(t, staff, s, "临时小区")
		id := placeIDOf(t, page)
		page = staff.Submit(page, `[data-testid="rename-form"]`, map[string]string{"new_name": "临时小区二"})
		confirm := staff.Get(page.URL.Path + "/delete")
		if done := staff.Submit(confirm, `[data-testid="delete-form"]`, nil); done.Status != http.StatusOK {
			t.Fatalf("delete: %d", done.Status)
		}
		if _, err := s.PlaceByID(bg, id); err == nil {
			t.Fatal("the compound was not deleted")
		}
		rename := func(c *webtest.Client) (rows int, place string) {
			p := c.Get("/console/audit?action=place.rename")
			p.Doc.Find(`[data-testid="audit-row"]`).Each(func(_ int, r *goquery.Selection) {
				if strings.Contains(r.Text(), "临时小区二") {
					rows++
					place = strings.TrimSpace(r.Find(`[data-testid="audit-place"]`).Text())
				}
			})
			return rows, place
		}
		admin := srv.Client()
		admin.Login("13800000000", demo.Password)
		if n, place := rename(admin); n != 1 || place != fmt.Sprintf("已删除的地点 #%d", id) {
			t.Fatalf("admin: %d renames of the deleted compound, placed %q", n, place)
		}
		if n, _ := rename(staff); n != 0 {
			t.Fatalf("staff see %d renames of a place no longer in their scope", n)
		}
	})
}
