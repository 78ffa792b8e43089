package web_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// testJPEG is a small photo carrying an EXIF block and a comment, as a phone
// would send it.
func testJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 80, 60))
	for y := 0; y < 60; y++ {
		for x := 0; x < 80; x++ {
			img.Set(x, y, color.RGBA{uint8(3 * x), uint8(4 * y), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	payload := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08GPS-31.23N-121.47E")
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(append(append([]byte{}, b[:2]...), append(seg, payload...)...), b[2:]...)
}

// submitMultipart posts the form matched by selector as multipart, with
// fields set and files attached to the named file inputs.
func submitMultipart(t *testing.T, c *webtest.Client, p *webtest.Page, selector string, set map[string]string, files map[string][]byte) *webtest.Page {
	t.Helper()
	// The other file inputs, left empty, are sent as a browser sends them.
	return submitFiles(t, c, p, selector, set, "photos", files, models.MaxNeedPhotos-len(files))
}

// submitFiles posts the form matched by selector as multipart, with fields
// set, files (by file name) in the file input named field, and blanks empty
// file parts after them.
func submitFiles(t *testing.T, c *webtest.Client, p *webtest.Page, selector string, set map[string]string, field string, files map[string][]byte, blanks int) *webtest.Page {
	t.Helper()
	action, vals := p.Form(selector)
	for k, v := range set {
		vals.Set(k, v)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range vals {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, data := range files {
		fw, err := w.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	for i := 0; i < blanks; i++ {
		if _, err := w.CreateFormFile(field, ""); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	return c.PostMultipart(action, w.FormDataContentType(), &body)
}

func optionValue(t *testing.T, p *webtest.Page, selectName, contains string) string {
	t.Helper()
	v := ""
	p.Doc.Find(`select[name="` + selectName + `"] option`).EachWithBreak(func(_ int, o *goquery.Selection) bool {
		if strings.Contains(o.Text(), contains) {
			v, _ = o.Attr("value")
			return false
		}
		return true
	})
	if v == "" {
		t.Fatalf("no option %q in select %s", contains, selectName)
	}
	return v
}

func actionsOn(p *webtest.Page) []string {
	var out []string
	p.Doc.Find(`[data-testid="need-actions"] form`).Each(func(_ int, f *goquery.Selection) {
		id, _ := f.Attr("data-testid")
		out = append(out, strings.TrimPrefix(id, "act-"))
	})
	return out
}

func wantActions(t *testing.T, who string, p *webtest.Page, want ...string) {
	t.Helper()
	if got := strings.Join(actionsOn(p), ","); got != strings.Join(want, ",") {
		t.Fatalf("%s sees actions [%s], want [%s]", who, got, strings.Join(want, ","))
	}
}

func needStatus(t *testing.T, s *models.Store, id uint64) models.NeedStatus {
	t.Helper()
	var n models.Need
	if err := s.Tx(bg).First(&n, id).Error; err != nil {
		t.Fatal(err)
	}
	return n.Status
}

// TestNeedJourney walks a need through real forms: the resident files it
// with a photo, staff accept and dispatch it, the grid worker takes and
// completes it, and the resident rates it; each sees only their own buttons.
func TestNeedJourney(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		res := srv.Client()
		res.Login("13800000004", demo.Password)
		form := res.Get("/needs/new")
		if form.Status != http.StatusOK {
			t.Fatalf("form: %d", form.Status)
		}
		cat := optionValue(t, form, "category_id", "设施维修")
		if !strings.Contains(form.Text(`select[name="category_id"]`), "7天") {
			t.Fatalf("category time limits not shown: %q", form.Text(`select[name="category_id"]`))
		}
		if v, _ := form.Doc.Find(`select[name="place_id"] option[selected]`).Attr("value"); v == "" {
			t.Fatal("no place chosen by default")
		}

		// Bad input: too short, with a text file named .jpg. Nothing is filed.
		var before int64
		s.Tx(bg).Model(&models.Need{}).Count(&before)
		bad := submitMultipart(t, res, form, `form[data-testid="need-form"]`, map[string]string{"category_id": cat, "description": "灯坏"},
			map[string][]byte{"fake.jpg": []byte("not a photo at all, just text")})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-photos"]`) || !bad.Has(`[data-testid="error-description"]`) {
			t.Fatalf("bad input: %d photos %q description %q", bad.Status, bad.Text(`[data-testid="error-photos"]`), bad.Text(`[data-testid="error-description"]`))
		}
		if !strings.Contains(bad.Text(`[data-testid="error-photos"]`), "JPG") {
			t.Fatalf("photo error not in Chinese words: %q", bad.Text(`[data-testid="error-photos"]`))
		}
		if got := bad.Doc.Find(`textarea[name="description"]`).Text(); got != "灯坏" {
			t.Fatalf("typed text lost: %q", got)
		}
		var after int64
		s.Tx(bg).Model(&models.Need{}).Count(&after)
		if after != before {
			t.Fatal("bad input filed a need")
		}

		page := submitMultipart(t, res, form, `form[data-testid="need-form"]`,
			map[string]string{"category_id": cat, "description": "2单元楼道灯坏了半个月，晚上看不清台阶。", "visibility": "public"},
			map[string][]byte{"IMG_0001.JPG": testJPEG(t)})
		if page.Status != http.StatusOK || !strings.HasPrefix(page.URL.Path, "/needs/") {
			t.Fatalf("after filing: %d at %s", page.Status, page.URL)
		}
		if page.Text(`[data-testid="flash"]`) == "" || page.Text(`[data-testid="need-status"]`) != "待受理" {
			t.Fatalf("filed page: flash %q status %q", page.Text(`[data-testid="flash"]`), page.Text(`[data-testid="need-status"]`))
		}
		wantActions(t, "the filer of a new need", page)
		needPath := page.URL.Path
		var id uint64
		for _, part := range strings.Split(needPath, "/") {
			if n, err := parseUint(part); err == nil {
				id = n
			}
		}
		src, ok := page.Doc.Find(`[data-testid="need-photos"] img`).Attr("src")
		if !ok {
			t.Fatal("no photo on the need's page")
		}
		img := res.Get(src)
		if img.Status != http.StatusOK || img.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(img.Header.Get("Cache-Control"), "private") {
			t.Fatalf("photo: %d %q %q", img.Status, img.Header.Get("Content-Type"), img.Header.Get("Cache-Control"))
		}
		if strings.Contains(img.Body, "GPS-31.23N") || strings.Contains(img.Body, "Exif") {
			t.Fatal("the stored photo kept its EXIF block")
		}
		// A taker not (yet) sent this need sees neither it nor its photo.
		worker := srv.Client()
		worker.Login("13800000008", demo.Password)
		if p := worker.Get(needPath); p.Status != http.StatusNotFound {
			t.Fatalf("grid worker before dispatch: %d", p.Status)
		}
		if p := worker.Get(src); p.Status != http.StatusNotFound {
			t.Fatalf("grid worker fetched the photo before dispatch: %d", p.Status)
		}
		anon := srv.Client()
		if p := anon.Get(src); p.URL.Path != "/login" {
			t.Fatalf("anonymous photo fetch ended at %s (%d)", p.URL, p.Status)
		}

		// Staff accept; a decline without the confirmation box changes nothing.
		staff := srv.Client()
		staff.Login("13800000002", demo.Password)
		sp := staff.Get(needPath)
		wantActions(t, "staff on a new need", sp, "accept", "escalate", "chase", "merge", "decline")
		sp = staff.Submit(sp, `form[data-testid="act-accept"]`, nil)
		if sp.Text(`[data-testid="need-status"]`) != "已受理" {
			t.Fatalf("after accept: %q", sp.Text(`[data-testid="need-status"]`))
		}
		wantActions(t, "staff on an accepted need", sp, "dispatch", "escalate", "chase", "merge", "decline")
		bad = staff.Submit(sp, `form[data-testid="act-decline"]`, map[string]string{"reason": "不归社区管"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-confirm"]`) || needStatus(t, s, id) != models.NeedAccepted {
			t.Fatalf("decline without confirmation: %d, status %s", bad.Status, needStatus(t, s, id))
		}
		if got := bad.Doc.Find(`form[data-testid="act-decline"] textarea[name="reason"]`).Text(); got != "不归社区管" {
			t.Fatalf("reason lost: %q", got)
		}
		bad = staff.Submit(sp, `form[data-testid="act-dispatch"]`, nil)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-taker_id"]`) {
			t.Fatalf("dispatch to nobody: %d", bad.Status)
		}
		taker := optionValue(t, sp, "taker_id", "孙网格")
		sp = staff.Submit(sp, `form[data-testid="act-dispatch"]`, map[string]string{"taker_id": taker})
		if sp.Text(`[data-testid="need-status"]`) != "已派单" || !strings.Contains(sp.Text(`[data-testid="need-taker"]`), "孙网格") {
			t.Fatalf("after dispatch: %q %q", sp.Text(`[data-testid="need-status"]`), sp.Text(`[data-testid="need-taker"]`))
		}
		wantActions(t, "staff on a dispatched need", sp, "recall", "escalate", "chase")
		// A recall needs its reason; without one nothing changes.
		bad = staff.Submit(sp, `form[data-testid="act-recall"]`, nil)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`form[data-testid="act-recall"] .field-error`) || bad.Text(`[data-testid="need-status"]`) != "已派单" {
			t.Fatalf("recall without a reason: %d %q", bad.Status, bad.Text(`[data-testid="need-status"]`))
		}

		// The grid worker finds it in their list, takes it and completes it.
		list := worker.Get("/needs?tab=dispatched")
		if !list.Has(`[data-testid="need-item"][data-id="` + itoa(id) + `"]`) {
			t.Fatal("the dispatched need is not in the taker's list")
		}
		wp := worker.Get(needPath)
		wantActions(t, "the taker of a dispatched need", wp, "take", "return")
		wp = worker.Submit(wp, `form[data-testid="act-take"]`, nil)
		wantActions(t, "the taker at work", wp, "progress", "complete", "return")
		wp = worker.Submit(wp, `form[data-testid="act-progress"]`, map[string]string{"note": "已联系物业电工。"})
		bad = worker.Submit(wp, `form[data-testid="act-complete"]`, map[string]string{"confirm": "on"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-note"]`) || needStatus(t, s, id) != models.NeedInProgress {
			t.Fatalf("complete without a note: %d %s", bad.Status, needStatus(t, s, id))
		}
		wp = worker.Submit(wp, `form[data-testid="act-complete"]`, map[string]string{"note": "已更换灯泡和开关。", "confirm": "on"})
		if wp.Text(`[data-testid="need-status"]`) != "待评价" {
			t.Fatalf("after complete: %q", wp.Text(`[data-testid="need-status"]`))
		}
		wantActions(t, "the taker of a done need", wp)

		// The resident is asked to rate it, and does.
		rp := res.Get(needPath)
		if !rp.Has(`[data-testid="need-please-rate"]`) {
			t.Fatal("the filer is not asked to rate")
		}
		wantActions(t, "the filer of a done need", rp, "rate", "send_back")
		bad = res.Submit(rp, `form[data-testid="act-rate"]`, map[string]string{"rating": "5"})
		if bad.Status != http.StatusUnprocessableEntity || needStatus(t, s, id) != models.NeedDone {
			t.Fatalf("rating without confirmation: %d %s", bad.Status, needStatus(t, s, id))
		}
		bad = res.Submit(rp, `form[data-testid="act-rate"]`, map[string]string{"rating": "9", "confirm": "on"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-rating"]`) || needStatus(t, s, id) != models.NeedDone {
			t.Fatalf("rating 9: %d %s", bad.Status, needStatus(t, s, id))
		}
		rp = res.Submit(rp, `form[data-testid="act-rate"]`, map[string]string{"rating": "5", "comment": "很及时，谢谢！", "confirm": "on"})
		if rp.Text(`[data-testid="need-status"]`) != "已办结" || !strings.Contains(rp.Text(`[data-testid="need-rating"]`), "非常满意") {
			t.Fatalf("after rating: %q %q", rp.Text(`[data-testid="need-status"]`), rp.Text(`[data-testid="need-rating"]`))
		}
		wantActions(t, "the filer of a closed need", rp)
		// The timeline names every step, staff and takers by name.
		var steps []string
		rp.Doc.Find(`[data-testid="event"]`).Each(func(_ int, e *goquery.Selection) {
			a, _ := e.Attr("data-action")
			steps = append(steps, a)
		})
		if got := strings.Join(steps, ","); got != "file,accept,dispatch,take,progress,complete,rate" {
			t.Fatalf("timeline %s", got)
		}
		if tl := rp.Text(`[data-testid="need-timeline"]`); !strings.Contains(tl, "李社工") || !strings.Contains(tl, "孙网格") {
			t.Fatalf("timeline does not name staff and taker: %s", tl)
		}
		// Staff see the filer masked.
		if tl := staff.Get(needPath).Text(`[data-testid="need-timeline"]`); strings.Contains(tl, "陈阿姨") || !strings.Contains(tl, "陈**") {
			t.Fatalf("staff timeline shows the filer as: %s", tl)
		}
		home := res.Get("/")
		if !strings.Contains(home.Text(`[data-testid="home-needs-count"]`), "1") {
			t.Fatalf("home needs card: %q", home.Text(`[data-testid="home-needs-count"]`))
		}
	})
}

// TestNeedVisibility: a staff-only need is seen by its filer and staff, not
// by neighbours; a public one is seen and supported by neighbours once.
func TestNeedVisibility(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		filer := principalByPhone(t, s, "13800000004")
		hh, _, _ := s.Residency(bg, filer.Account.ID)
		cats, _ := s.NeedCategories(bg, true)
		private, err := s.FileNeed(bg, filer, models.NeedInput{CategoryID: cats[1].ID, PlaceID: *hh.ParentID, Description: "家里的事，只想让社区知道。", Public: false}, nil)
		if err != nil {
			t.Fatal(err)
		}
		public, err := s.FileNeed(bg, filer, models.NeedInput{CategoryID: cats[1].ID, PlaceID: *hh.ParentID, Description: "单元门禁坏了，门一直关不上。", Public: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		nb := srv.Client()
		nb.Login("13800000005", demo.Password)
		if p := nb.Get("/needs/" + itoa(private.ID)); p.Status != http.StatusNotFound {
			t.Fatalf("a neighbour saw a staff-only need: %d", p.Status)
		}
		list := nb.Get("/needs?tab=public")
		if list.Has(`[data-testid="need-item"][data-id="`+itoa(private.ID)+`"]`) || !list.Has(`[data-testid="need-item"][data-id="`+itoa(public.ID)+`"]`) {
			t.Fatal("the public list shows the wrong needs")
		}
		p := nb.Get("/needs/" + itoa(public.ID))
		wantActions(t, "a neighbour", p)
		if p.Text(`[data-testid="need-supporters"]`) != "0" {
			t.Fatalf("supporters %q", p.Text(`[data-testid="need-supporters"]`))
		}
		p = nb.Submit(p, `form[data-testid="act-support"]`, nil)
		if p.Text(`[data-testid="need-supporters"]`) != "1" || p.Has(`form[data-testid="act-support"]`) || !p.Has(`[data-testid="need-supported"]`) {
			t.Fatalf("after support: %q", p.Text(`[data-testid="need-supporters"]`))
		}
		again := nb.Post("/needs/"+itoa(public.ID)+"/support", url.Values{"_csrf": {p.CSRF()}})
		if again.Status != http.StatusConflict {
			t.Fatalf("second support: %d", again.Status)
		}
		// A taker sees only what was dispatched to it.
		worker := srv.Client()
		worker.Login("13800000008", demo.Password)
		for _, n := range []uint64{private.ID, public.ID} {
			if p := worker.Get("/needs/" + itoa(n)); p.Status != http.StatusNotFound {
				t.Fatalf("the grid worker saw need %d: %d", n, p.Status)
			}
		}
		wl := worker.Get("/needs?tab=dispatched")
		wl.Doc.Find(`[data-testid="need-item"]`).Each(func(_ int, it *goquery.Selection) {
			idStr, _ := it.Attr("data-id")
			n, _ := parseUint(idStr)
			var need models.Need
			s.Tx(bg).Preload("Taker").First(&need, n)
			if need.Taker == nil || need.Taker.AccountID == nil || *need.Taker.AccountID != worker0(t, s) {
				t.Errorf("need %d in the grid worker's list is not dispatched to them", n)
			}
		})
		// Staff of another community see neither.
		if p := nb.Get("/needs?tab=dispatched"); p.Status != http.StatusNotFound {
			t.Fatalf("a resident who takes nothing got the dispatched tab: %d", p.Status)
		}
	})
}

func worker0(t *testing.T, s *models.Store) uint64 {
	return principalByPhone(t, s, "13800000008").Account.ID
}

func itoa(n uint64) string { return strconvFormat(n) }

func parseUint(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) }

func strconvFormat(n uint64) string { return strconv.FormatUint(n, 10) }

// TestNeedFormRefusesAHousehold: a crafted filing at the resident's own
// household, which the form never offers, is refused on the place field
// and files nothing, so no room number reaches the neighbours.
func TestNeedFormRefusesAHousehold(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		res := login(srv, "13800000004")
		hh, _, err := s.Residency(bg, principalByPhone(t, s, "13800000004").Account.ID)
		if err != nil || hh == nil {
			t.Fatalf("residency %v", err)
		}
		form := res.Get("/needs/new")
		household := strconv.FormatUint(hh.ID, 10)
		if form.Has(`select[name="place_id"] option[value="` + household + `"]`) {
			t.Fatal("the form offers the household")
		}
		var before, after int64
		s.Tx(bg).Model(&models.Need{}).Count(&before)
		bad := submitMultipart(t, res, form, `form[data-testid="need-form"]`,
			map[string]string{"category_id": optionValue(t, form, "category_id", "设施维修"), "place_id": household, "description": "家门口的灯坏了，晚上看不见。"}, nil)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-place_id"]`) {
			t.Fatalf("household as place: %d, error %q", bad.Status, bad.Text(`[data-testid="error-place_id"]`))
		}
		s.Tx(bg).Model(&models.Need{}).Count(&after)
		if after != before {
			t.Fatal("a need was filed at a household")
		}
	})
}
