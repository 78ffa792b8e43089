package web_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

func TestResourcesListRegisterAndVerify(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		visitor := srv.Client()
		list := visitor.Get("/resources")
		if list.Status != http.StatusOK || list.Count(`[data-testid="offer-item"]`) < 6 {
			t.Fatalf("public list: %d, %d offers", list.Status, list.Count(`[data-testid="offer-item"]`))
		}
		html := list.Doc.Text()
		if strings.Contains(html, "社区微公益金") {
			t.Fatal("a pending offer is public")
		}
		if strings.Contains(html, "13800000021") || !strings.Contains(html, "138****0021") {
			t.Fatal("providers' phones must be masked for visitors")
		}
		if got := visitor.Get("/resources?kind=venue").Count(`[data-testid="offer-item"]`); got != 1 {
			t.Fatalf("kind filter: %d venues", got)
		}

		// A resident registers an offer for a new volunteer team.
		res := srv.Client()
		res.Login("13800000005", demo.Password)
		form := res.Get("/resources/new")
		_, vals := form.Form(`form[data-testid="offer-form"]`)
		vals.Set("provider_kind", "volunteer_team")
		vals.Set("provider_name", "银发志愿小组")
		vals.Set("kind", "hours")
		vals.Set("title", "")
		vals.Set("capacity", "100")
		vals.Set("capacity_unit", "小时")
		com1 := community1(t, s)
		vals.Add("places", strconv.FormatUint(com1.ID, 10))
		// The team is of community 1, whose staff may then withdraw its
		// offer: the form starts at the resident's own community.
		if got := vals.Get("provider_place"); got != strconv.FormatUint(com1.ID, 10) {
			t.Fatalf("the provider's place starts at %q, not the resident's community %d", got, com1.ID)
		}
		bad := res.Post("/resources", vals)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-title"]`) {
			t.Fatalf("missing title: %d", bad.Status)
		}
		vals.Set("title", "陪老人聊天读报")
		ok := res.Post("/resources", vals)
		if ok.Status != http.StatusOK || ok.URL.Path != "/resources" || !ok.Has(`[data-testid="flash"]`) {
			t.Fatalf("register: %d at %s", ok.Status, ok.URL)
		}
		if strings.Contains(ok.Doc.Text(), "陪老人聊天读报") {
			t.Fatal("an unverified offer is public")
		}

		// Staff see it first in the queue and verify it.
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		queue := staff.Get("/console/resources")
		first := queue.Doc.Find(`[data-testid="console-offer"]`).First()
		if st, _ := first.Attr("data-status"); st != "pending" {
			t.Fatalf("first in queue is %s", st)
		}
		var id string
		queue.Doc.Find(`[data-testid="console-offer"]`).Each(func(_ int, sel *goquery.Selection) {
			if strings.Contains(sel.Text(), "陪老人聊天读报") {
				id, _ = sel.Attr("data-id")
			}
		})
		if id == "" {
			t.Fatal("the new offer is not in the queue")
		}
		verified := staff.Submit(queue, `li[data-id="`+id+`"] form[data-testid="offer-verify-form"]`, nil)
		if verified.Status != http.StatusOK {
			t.Fatalf("verify: %d", verified.Status)
		}
		if !strings.Contains(visitor.Get("/resources").Doc.Text(), "陪老人聊天读报") {
			t.Fatal("the verified offer is not public")
		}
		// Withdrawing needs the confirmation box.
		page := staff.Get("/console/resources")
		sel := `li[data-id="` + id + `"] form[data-testid="offer-withdraw-form"]`
		staff.Submit(page, sel, nil)
		if !strings.Contains(visitor.Get("/resources").Doc.Text(), "陪老人聊天读报") {
			t.Fatal("withdrawn without confirmation")
		}
		staff.Submit(staff.Get("/console/resources"), sel, map[string]string{"confirm": "on"})
		if strings.Contains(visitor.Get("/resources").Doc.Text(), "陪老人聊天读报") {
			t.Fatal("a withdrawn offer is still public")
		}
	})
}

// The console offers to verify an offer only to staff at or above its
// provider's place: staff of a community it merely serves see it without
// the action, and so do staff who registered it for their own unit.
func TestResourcesConsoleVerifyOnlyAtTheProvidersPlace(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		com1, com2 := community1(t, s), placeNamed(t, s, demo.CommunityNames[1])
		acct, err := s.CreateAccount(bg, models.AccountInput{Phone: "13800000098", Name: "二社区社工", Password: demo.Password, Confirm: demo.Password}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.GrantRoleAsSystem(bg, acct.ID, models.RoleCommunityStaff, com2.ID); err != nil {
			t.Fatal(err)
		}
		shared, err := s.RegisterOffer(bg, principalByPhone(t, s, "13800000005"), 0,
			models.ProviderInput{Kind: models.ProviderVolunteerTeam, Name: "一社区志愿队", Phone: "13800000005", PlaceID: com1.ID},
			models.OfferInput{Kind: models.OfferHours, Title: "两社区助老", Capacity: 50, CapacityUnit: "小时", PlaceIDs: []uint64{com1.ID, com2.ID}, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		own, err := s.RegisterOffer(bg, principalByPhone(t, s, "13800000002"), 0,
			models.ProviderInput{Kind: models.ProviderUnit, Name: "社工的共建单位", Phone: "13700000003", PlaceID: com1.ID},
			models.OfferInput{Kind: models.OfferVenue, Title: "社工的活动室", Capacity: 20, CapacityUnit: "人", PlaceIDs: []uint64{com1.ID}, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		verifyForm := func(id uint64) string {
			return `li[data-id="` + strconv.FormatUint(id, 10) + `"] form[data-testid="offer-verify-form"]`
		}
		listed := func(id uint64) string { return `li[data-id="` + strconv.FormatUint(id, 10) + `"]` }

		staff2 := srv.Client()
		staff2.Login("13800000098", demo.Password)
		q2 := staff2.Get("/console/resources")
		if !q2.Has(listed(shared.ID)) || q2.Has(verifyForm(shared.ID)) {
			t.Fatalf("staff of a served community: listed %v, may verify %v", q2.Has(listed(shared.ID)), q2.Has(verifyForm(shared.ID)))
		}
		if p := staff2.Post("/console/resources/"+strconv.FormatUint(shared.ID, 10)+"/verify", map[string][]string{"_csrf": {q2.CSRF()}}); p.Status != http.StatusForbidden {
			t.Fatalf("staff of a served community verifying: %d", p.Status)
		}

		staff1 := srv.Client()
		staff1.Login("13800000002", demo.Password)
		q1 := staff1.Get("/console/resources")
		if !q1.Has(listed(own.ID)) || q1.Has(verifyForm(own.ID)) {
			t.Fatal("staff are offered to verify the offer they registered themselves")
		}
		if !q1.Has(verifyForm(shared.ID)) {
			t.Fatal("staff at the provider's place are not offered to verify")
		}
		if p := staff1.Submit(q1, verifyForm(shared.ID), nil); p.Status != http.StatusOK || p.Has(verifyForm(shared.ID)) {
			t.Fatalf("verify: %d", p.Status)
		}

		admin := srv.Client()
		admin.Login("13800000000", demo.Password)
		if p := admin.Submit(admin.Get("/console/resources"), verifyForm(own.ID), nil); p.Status != http.StatusOK || p.Has(verifyForm(own.ID)) {
			t.Fatalf("admin verifying staff's own offer: %d", p.Status)
		}
	})
}

// pngBytes is a small valid PNG.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func postProgress(t *testing.T, c *webtest.Client, path, csrf, percent, note string, photo []byte) *webtest.Page {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", csrf)
	_ = w.WriteField("percent", percent)
	_ = w.WriteField("progress_note", note)
	if photo != nil {
		fw, err := w.CreateFormFile("photos", "site.png")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(photo)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return c.PostMultipart(path, w.FormDataContentType(), &body)
}

// TestProjectFromNeedToRating follows one matter end to end through the
// forms: a resident's need becomes a project, a suggested offer is matched,
// the work is reported with a photo, accepted against the checklist, rated
// by a resident and published; the project's page shows the whole chain.
func TestProjectFromNeedToRating(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		filer := principalByPhone(t, s, "13800000004")
		staffP := principalByPhone(t, s, "13800000002")
		cats, err := s.NeedCategories(bg, true)
		if err != nil {
			t.Fatal(err)
		}
		home, _, err := s.Residency(bg, filer.Account.ID)
		if err != nil || home == nil {
			t.Fatalf("residency %v", err)
		}
		need, err := s.FileNeed(bg, filer, models.NeedInput{CategoryID: cats[0].ID, PlaceID: *home.ParentID, Description: "单元门门禁坏了，陌生人随便进出。"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptNeed(bg, staffP, need.ID); err != nil {
			t.Fatal(err)
		}
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		form := staff.Get("/projects/new?need=" + strconv.FormatUint(need.ID, 10))
		if !form.Has(`input[name="needs"][value="` + strconv.FormatUint(need.ID, 10) + `"][checked]`) {
			t.Fatal("the need is not preselected")
		}
		com1 := community1(t, s)
		_, vals := form.Form(`form[data-testid="project-form"]`)
		vals.Set("title", "单元门禁维修")
		vals.Set("place_id", strconv.FormatUint(com1.ID, 10))
		vals.Set("budget", "abc")
		vals.Add("want_kinds", "hours")
		bad := staff.Post("/projects", vals)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-budget"]`) {
			t.Fatalf("bad budget: %d", bad.Status)
		}
		vals.Set("budget", "1,200.5")
		page := staff.Post("/projects", vals)
		if page.Status != http.StatusOK || !strings.HasPrefix(page.URL.Path, "/projects/") {
			t.Fatalf("create: %d at %s", page.Status, page.URL)
		}
		path := page.URL.Path
		if got := page.Text(`[data-testid="project-budget"]`); !strings.Contains(got, "1,200.50") {
			t.Fatalf("budget shown as %q", got)
		}
		if !page.Has(`[data-testid="project-need"] a[href="/needs/` + strconv.FormatUint(need.ID, 10) + `"]`) {
			t.Fatal("the source need is not linked")
		}
		// A visitor cannot read the draft.
		visitor := srv.Client()
		if p := visitor.Get(path); p.URL.Path != "/login" {
			t.Fatalf("visitor reached a draft: %d at %s", p.Status, p.URL)
		}
		// Match the best suggestion (the volunteer hours offer).
		if page.Count(`[data-testid="suggestion"]`) == 0 {
			t.Fatal("no suggestions")
		}
		best, _ := page.Doc.Find(`[data-testid="suggestion"]`).First().Attr("data-offer")
		page = staff.Submit(page, `[data-testid="suggestion"] form[data-testid="match-form"]`, map[string]string{"amount": "12", "match_note": "志愿者协助"})
		if !page.Has(`[data-testid="project-offer"][data-offer="` + best + `"]`) {
			t.Fatal("the matched offer is not shown")
		}
		page = staff.Submit(page, `form[data-testid="start-form"]`, nil)
		// Out of draft, the need's page links forward to the project.
		if np := staff.Get("/needs/" + strconv.FormatUint(need.ID, 10)); !np.Has(`[data-testid="need-projects"] a[href="` + path + `"]`) {
			t.Fatal("the need does not link to its project")
		}
		page = staff.Submit(page, `form[data-testid="milestone-form"]`, map[string]string{"milestone_title": "更换门禁主板", "due_on": clock.Now().AddDate(0, 0, 7).Format("2006-01-02")})
		if page.Count(`[data-testid="milestone"]`) != 1 {
			t.Fatal("milestone not added")
		}
		// Progress with a photo; a lower percent later is refused.
		page = postProgress(t, staff, path+"/progress", page.CSRF(), "100", "门禁已修好", pngBytes(t))
		if page.Status != http.StatusOK || page.Count(`[data-testid="progress-photo"]`) != 1 {
			t.Fatalf("progress: %d, %d photos", page.Status, page.Count(`[data-testid="progress-photo"]`))
		}
		src, _ := page.Doc.Find(`[data-testid="progress-photo"]`).Attr("src")
		if ph := visitor.Get(src); ph.Status != http.StatusOK {
			t.Fatalf("photo: %d", ph.Status)
		}
		if p := postProgress(t, staff, path+"/progress", page.CSRF(), "90", "倒退", nil); p.Status != http.StatusUnprocessableEntity || !p.Has(`[data-testid="error-percent"]`) {
			t.Fatalf("percent going down: %d", p.Status)
		}
		page = staff.Submit(staff.Get(path), `[data-testid="milestone"] form`, nil)
		page = staff.Submit(page, `form[data-testid="submit-form"]`, map[string]string{"confirm": "on"})
		if st, _ := page.Doc.Find(`[data-testid="project-status"]`).Attr("data-status"); st != "awaiting_acceptance" {
			t.Fatalf("after submit: %s", st)
		}
		// Acceptance: one item unchecked is refused and changes nothing.
		acc := staff.Get(path + "/accept")
		action, av := acc.Form(`form[data-testid="accept-form"]`)
		var items []string
		acc.Doc.Find(`[data-testid="check-item"]`).Each(func(_ int, sel *goquery.Selection) {
			v, _ := sel.Attr("value")
			items = append(items, v)
		})
		if len(items) != len(models.AcceptanceChecklist)+1 {
			t.Fatalf("checklist %v", items)
		}
		av.Set("decision", "accept")
		av.Set("note", "门禁工作正常")
		av["checked"] = items[1:]
		if p := staff.Post(action, av); p.Status != http.StatusUnprocessableEntity || !p.Has(`[data-testid="error-checked"]`) {
			t.Fatalf("accepted with an item unchecked: %d", p.Status)
		}
		av["checked"] = items
		page = staff.Post(action, av)
		if st, _ := page.Doc.Find(`[data-testid="project-status"]`).Attr("data-status"); st != "accepted" || !page.Has(`[data-testid="acceptance"][data-accepted="yes"]`) {
			t.Fatalf("after acceptance: %s", st)
		}
		// A resident of the place rates it, once.
		res := srv.Client()
		res.Login("13800000004", demo.Password)
		rp := res.Get(path)
		rp = res.Submit(rp, `form[data-testid="rate-form"]`, map[string]string{"rating": "5", "comment": "修得快"})
		if !rp.Has(`[data-testid="my-rating"]`) || rp.Has(`form[data-testid="rate-form"]`) {
			t.Fatal("rating not recorded")
		}
		if again := res.Post(path+"/rate", map[string][]string{"_csrf": {rp.CSRF()}, "rating": {"1"}}); again.Status != http.StatusConflict {
			t.Fatalf("second rating: %d", again.Status)
		}
		// Staff publish the outcome; the project links to the notice.
		pub := staff.Get(path + "/publish")
		notice := staff.Submit(pub, `form[data-testid="publish-form"]`, nil)
		if !strings.HasPrefix(notice.URL.Path, "/notices/") || notice.Status != http.StatusOK {
			t.Fatalf("publish: %d at %s", notice.Status, notice.URL)
		}
		// Posting the same form again (a second tab, a double tap) is
		// refused and publishes nothing more.
		if again := staff.Submit(pub, `form[data-testid="publish-form"]`, nil); again.Status != http.StatusConflict || !strings.Contains(again.Doc.Text(), "已经公示") {
			t.Fatalf("second publication: %d", again.Status)
		}
		if again := staff.Get(path + "/publish"); !again.Has(`[data-testid="project-published"] a[href="`+notice.URL.Path+`"]`) || again.Has(`form[data-testid="publish-form"]`) {
			t.Fatal("the publish page offers a second publication")
		}
		id, _ := strconv.ParseUint(strings.TrimPrefix(path, "/projects/"), 10, 64)
		if notices, err := s.NoticesForSource(bg, models.ProjectSource, id); err != nil || len(notices) != 1 {
			t.Fatalf("%d notices after publishing twice: %v", len(notices), err)
		}
		chain := visitor.Get(path)
		for _, sel := range []string{`[data-testid="project-need"]`, `[data-testid="project-offer"]`, `[data-testid="milestone"][data-done="yes"]`,
			`[data-testid="progress-photo"]`, `[data-testid="acceptance"]`, `[data-testid="rating-summary"]`,
			`[data-testid="project-notice"] a[href="` + notice.URL.Path + `"]`} {
			if !chain.Has(sel) {
				t.Errorf("the public page lacks %s", sel)
			}
		}
		if chain.Has(`[data-testid="project-actions"]`) || chain.Has(`form[data-testid="rate-form"]`) {
			t.Error("a visitor is offered actions")
		}
	})
}

// TestProjectPageKeepsPrivateNeedsPrivate: a project's page names the
// needs it answers, but what a filer wrote in a need for staff only is
// shown only to those who may read that need (its filer, staff), never to
// visitors or other residents.
func TestProjectPageKeepsPrivateNeedsPrivate(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		var pn models.ProjectNeed
		if err := s.DB().Joins("JOIN projects ON projects.id = project_needs.project_id").
			Where("projects.status <> ?", models.ProjectDraft).Order("project_needs.project_id, project_needs.need_id").First(&pn).Error; err != nil {
			t.Fatal(err)
		}
		var n models.Need
		if err := s.DB().First(&n, pn.NeedID).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.DB().Model(&models.Need{}).Where("id = ?", n.ID).Update("public", false).Error; err != nil {
			t.Fatal(err)
		}
		var filer models.Account
		if err := s.DB().First(&filer, n.FilerID).Error; err != nil {
			t.Fatal(err)
		}
		srv := demoServer(t, s)
		page := "/projects/" + strconv.FormatUint(pn.ProjectID, 10)
		text := func(c *webtest.Client) string {
			t.Helper()
			p := c.Get(page)
			if p.Status != http.StatusOK || !p.Has(`[data-testid="project-need"]`) {
				t.Fatalf("%s: %d, needs shown: %v", page, p.Status, p.Has(`[data-testid="project-need"]`))
			}
			return p.Text(`[data-testid="project-needs"]`)
		}
		words := []rune(strings.TrimSpace(n.Description))
		secret := string(words[:min(len(words), 10)])
		other := "13800000005"
		if filer.Phone == other {
			other = "13800000004"
		}
		for who, c := range map[string]*webtest.Client{"a visitor": srv.Client(), "another resident": login(srv, other)} {
			if strings.Contains(text(c), secret) {
				t.Errorf("%s reads the staff-only need %d on %s", who, n.ID, page)
			}
		}
		for who, c := range map[string]*webtest.Client{"its filer": login(srv, filer.Phone), "staff": login(srv, "13800000002")} {
			if !strings.Contains(text(c), secret) {
				t.Errorf("%s does not read need %d on %s", who, n.ID, page)
			}
		}
	})
}

// TestProjectPageWithholdsPrivateOffers: an offer whose provider did not
// let it be public is kept off /resources, and on a project it is matched
// to, visitors see only that a verified resource of its kind helps, not
// who offers it nor what; staff of the project's place see it whole.
func TestProjectPageWithholdsPrivateOffers(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		var po models.ProjectOffer
		if err := s.DB().Joins("JOIN projects ON projects.id = project_offers.project_id").Where("projects.status <> ?", models.ProjectDraft).
			Order("project_offers.project_id, project_offers.offer_id").Preload("Offer").Preload("Offer.Provider").First(&po).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.DB().Model(&models.ProjectOffer{}).Where("project_id = ? AND offer_id = ?", po.ProjectID, po.OfferID).Update("note", "每周二上午由张师傅带队").Error; err != nil {
			t.Fatal(err)
		}
		if err := s.DB().Model(&models.Offer{}).Where("id = ?", po.OfferID).Update("public", false).Error; err != nil {
			t.Fatal(err)
		}
		srv := demoServer(t, s)
		page := "/projects/" + strconv.FormatUint(po.ProjectID, 10)
		offer := `[data-testid="project-offer"][data-offer="` + strconv.FormatUint(po.OfferID, 10) + `"]`
		secrets := []string{po.Offer.Title, po.Offer.Provider.Name, "张师傅"}
		for who, c := range map[string]*webtest.Client{"a visitor": srv.Client(), "a resident": login(srv, "13800000004")} {
			p := c.Get(page)
			if p.Status != http.StatusOK || !p.Has(offer+`[data-withheld]`) || !strings.Contains(p.Text(offer), "一项已核实的资源") {
				t.Fatalf("%s: %d, withheld offer line %q", who, p.Status, p.Text(offer))
			}
			for _, secret := range secrets {
				if strings.Contains(p.Doc.Text(), secret) {
					t.Errorf("%s reads %q of a non-public offer on %s", who, secret, page)
				}
			}
		}
		p := login(srv, "13800000001").Get(page)
		if p.Has(offer+`[data-withheld]`) || !strings.Contains(p.Text(offer), po.Offer.Title) || !strings.Contains(p.Text(offer), po.Offer.Provider.Name) ||
			!strings.Contains(p.Text(offer), "张师傅") {
			t.Fatalf("staff do not see the whole offer: %q", p.Text(offer))
		}
	})
}

// TestProjectPageNamesItsSource: a project made from a resolution or a
// ballot names its source in the reader's language and links to its page;
// a source of a type with no known page is named as plain text, never by
// its raw type.
func TestProjectPageNamesItsSource(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		var b models.Ballot
		if err := s.DB().Order("id").First(&b).Error; err != nil {
			t.Fatal(err)
		}
		var r models.Resolution
		if err := s.DB().Order("id").First(&r).Error; err != nil {
			t.Fatal(err)
		}
		type want struct{ zh, en, path string }
		cases := map[string]struct {
			id uint64
			want
		}{
			models.ResolutionSource: {r.ID, want{"决议 #", "Resolution #", "/resolutions/"}},
			models.BallotSource:     {b.ID, want{"票决 #", "Ballot #", "/ballots/"}},
			"elsewhere":             {42, want{"其他记录 #", "Another record #", ""}},
		}
		for _, st := range models.ProjectSourceTypes {
			if _, ok := cases[st]; !ok {
				t.Fatalf("project source type %q is not tested", st)
			}
		}
		staff := principalByPhone(t, s, "13800000002")
		srv := demoServer(t, s)
		for st, tc := range cases {
			known := st
			if !slices.Contains(models.ProjectSourceTypes, st) {
				known = models.BallotSource // refused now; a row of another kind is written by hand below
			}
			pr, err := s.CreateProject(bg, staff, models.ProjectInput{Title: "来源为" + st + "的项目", Summary: "加装扶手", PlaceID: community1(t, s).ID,
				SourceType: known, SourceID: tc.id})
			if err != nil {
				t.Fatal(err)
			}
			if known != st {
				if err := s.Tx(bg).Model(&models.Project{}).Where("id = ?", pr.ID).Update("source_type", st).Error; err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.StartProject(bg, staff, pr.ID); err != nil {
				t.Fatal(err)
			}
			id := strconv.FormatUint(tc.id, 10)
			for lang, label := range map[string]string{"zh-CN": tc.zh + id, "en": tc.en + id} {
				c := srv.Client()
				c.Header.Set("Accept-Language", lang)
				p := c.Get("/projects/" + strconv.FormatUint(pr.ID, 10))
				src := p.Doc.Find(`[data-testid="project-source"]`)
				href, linked := src.Attr("href")
				if p.Status != http.StatusOK || strings.TrimSpace(src.Text()) != label || strings.Contains(p.Body, st+" #") {
					t.Fatalf("%s in %s: %d, %q, want %q", st, lang, p.Status, src.Text(), label)
				}
				if tc.path == "" && linked || tc.path != "" && href != tc.path+id {
					t.Fatalf("%s in %s links to %q, want %q", st, lang, href, tc.path+id)
				}
			}
			if st != models.ResolutionSource {
				continue
			}
			// Signed in, the resolution is linked only for those who may
			// open it: for the others the link would end on "not allowed".
			seen := map[bool]bool{}
			var accounts []models.Account
			if err := s.DB().Where("phone LIKE ?", "1380000%").Order("id").Find(&accounts).Error; err != nil {
				t.Fatal(err)
			}
			for _, a := range accounts {
				_, err := s.ResolutionByID(bg, principalByPhone(t, s, a.Phone), tc.id)
				may := err == nil
				c := srv.Client()
				c.Login(a.Phone, demo.Password)
				_, linked := c.Get("/projects/" + strconv.FormatUint(pr.ID, 10)).Doc.Find(`[data-testid="project-source"]`).Attr("href")
				if linked != may {
					t.Fatalf("%s (may open the resolution: %v) is shown a link: %v", a.Phone, may, linked)
				}
				seen[may] = true
			}
			if !seen[true] || !seen[false] {
				t.Fatalf("the demo has no account on one side of the resolution: %v", seen)
			}
		}
	})
}
