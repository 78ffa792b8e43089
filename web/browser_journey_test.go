package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yishi/models"
	"yishi/models/demo"
	"yishi/web/webtest"
)

// TestBrowserNeedJourney follows one need through headless Chromium with
// JavaScript on, every step by its own person through the pages: the
// resident files it with a photo, community staff accept and dispatch it,
// the grid worker takes and completes it, the resident rates it 5, and the
// satisfaction figure on the staff dashboard moves.
func TestBrowserNeedJourney(t *testing.T) {
	s := demoForBrowser(t)
	srv := webtest.Start(t, s)

	// A photo to upload: a small JPEG written to disk.
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for x := 0; x < 320; x++ {
		for y := 0; y < 240; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "lamp.jpg")
	if err := os.WriteFile(photo, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var repair models.NeedCategory
	cats, err := s.NeedCategories(bg, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		if c.Code == "repair" {
			repair = c
		}
	}

	ctx, problems := headless(t, 420, 60*time.Second)

	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v; the browser reported %v", step, err, problems.all())
		}
	}
	signOut := chromedp.Steps(
		chromedp.Click(chromedp.CSS(`[data-testid="logout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/login"]`)),
	)
	// satisfaction reads community 1's 满意率 and its parts off the dashboard.
	satisfaction := func(dst *string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(srv.URL+"/console/dashboard"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="dash-communities"]`)),
			into(dst, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
				for (const row of document.querySelectorAll('[data-testid="dash-communities"] [data-testid="dash-row"]')) {
					if (row.querySelector('[data-testid="dash-name"]').textContent.trim() === %q) {
						return row.querySelector('[data-testid="dash-satisfaction"]').parentElement.textContent.replace(/\s+/g, ' ').trim();
					}
				}
				return "missing";
			})()`, demo.CommunityNames[0]))),
		)
	}

	var before, after, location, status, photoWidth string
	run("staff reads the dashboard", signIn(srv.URL, "13800000002", "/console"), satisfaction(&before), signOut)

	run("resident files a need with a photo",
		signIn(srv.URL, "13800000004", "/needs/new"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="need-form"]`)),
		chromedp.SetValue(chromedp.CSS(`select[name="category_id"]`), strconv.FormatUint(repair.ID, 10)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="description"]`), "单元门口的路灯坏了，晚上看不清台阶。"),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="photo-1"]`), []string{photo}),
		chromedp.Click(chromedp.CSS(`[data-testid="vis-staff"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="need-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="need-title"]`)),
		into(&location, chromedp.Location()),
		into(&status, chromedp.Text(chromedp.CSS(`[data-testid="need-status"]`))),
		signOut,
	)
	id, err := strconv.ParseUint(location[strings.LastIndex(location, "/")+1:], 10, 64)
	if err != nil || status != "待受理" {
		t.Fatalf("filed at %s with status %q", location, status)
	}
	d, err := s.NeedByID(bg, principalByPhone(t, s, "13800000002"), id)
	if err != nil || len(d.Photos) != 1 {
		t.Fatalf("stored need: %d photos, %v", len(d.Photos), err)
	}
	var grid uint64
	takers, err := s.TakersFor(bg, d.Place)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range takers {
		if tk.AccountID != nil && tk.Kind == models.TakerGridWorker {
			if a, err := s.AccountByID(bg, *tk.AccountID); err == nil && a.Phone == "13800000008" {
				grid = tk.ID
			}
		}
	}
	if grid == 0 {
		t.Fatal("the demo grid worker is not a taker here")
	}

	run("staff accept and dispatch",
		signIn(srv.URL, "13800000002", "/needs/"+strconv.FormatUint(id, 10)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="need-photos"] img`)),
		into(&photoWidth, chromedp.Evaluate[string](`(() => { const i = document.querySelector('[data-testid="need-photos"] img'); return i.complete ? String(i.naturalWidth) : "0"; })()`)),
		chromedp.Click(chromedp.CSS(`[data-testid="submit-accept"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="act-dispatch"]`)),
		chromedp.SetValue(chromedp.CSS(`form[data-testid="act-dispatch"] select[name="taker_id"]`), strconv.FormatUint(grid, 10)),
		chromedp.Click(chromedp.CSS(`[data-testid="submit-dispatch"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="need-status"][data-status="dispatched"]`)),
		signOut,
	)
	if photoWidth == "0" || photoWidth == "" {
		t.Fatalf("the photo did not load for staff (width %q)", photoWidth)
	}
	run("the grid worker takes and completes it",
		signIn(srv.URL, "13800000008", "/needs/"+strconv.FormatUint(id, 10)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="act-take"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="submit-take"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="act-complete"]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-testid="act-complete"] textarea[name="note"]`), "已更换灯泡，楼道恢复照明。"),
		chromedp.Click(chromedp.CSS(`form[data-testid="act-complete"] input[name="confirm"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="submit-complete"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="need-status"][data-status="done"]`)),
		signOut,
	)
	run("the resident rates it",
		signIn(srv.URL, "13800000004", "/needs/"+strconv.FormatUint(id, 10)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="need-please-rate"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="rating-5"]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-testid="act-rate"] textarea[name="comment"]`), "修得很快"),
		chromedp.Click(chromedp.CSS(`form[data-testid="act-rate"] input[name="confirm"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="submit-rate"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="need-status"][data-status="closed"]`)),
		signOut,
	)
	run("staff read the dashboard again", signIn(srv.URL, "13800000002", "/console"), satisfaction(&after))

	// "71.4% 5 / 7" becomes "75.0% 6 / 8": one more rated, one more satisfied.
	parts := func(s string) (rated, happy int) {
		if _, err := fmt.Sscanf(s[strings.Index(s, " ")+1:], "%d / %d", &happy, &rated); err != nil {
			t.Fatalf("cannot read %q: %v", s, err)
		}
		return
	}
	r0, h0 := parts(before)
	r1, h1 := parts(after)
	if r1 != r0+1 || h1 != h0+1 || before == after {
		t.Fatalf("satisfaction before %q, after %q", before, after)
	}
	if p := problems.all(); len(p) > 0 {
		t.Fatalf("the browser reported problems: %v", p)
	}
	got, err := s.NeedByID(bg, principalByPhone(t, s, "13800000004"), id)
	if err != nil || got.Status != models.NeedClosed || got.Rating != 5 {
		t.Fatalf("stored: %s %d %v", got.Status, got.Rating, err)
	}
}
