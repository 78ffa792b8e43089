package web_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"yishi/web/webtest"
)

// mediaBox finds the size of the first page of a PDF, in points.
var mediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]`)

// TestBrowserMinutesPrintA4: headless Chromium prints the demo's published
// minutes on A4 (the stylesheet's page size wins), and in print media the
// link back and the site's navigation are hidden.
func TestBrowserMinutesPrintA4(t *testing.T) {
	s := demoForBrowser(t)
	_, past := demoMeetings(t, s)
	srv := webtest.Start(t, s)
	ctx, problems := headless(t, 1024, 40*time.Second)
	url := "/meetings/" + strconv.FormatUint(past.ID, 10) + "/minutes/print"
	var help string
	var pdf page.PrintToPDFResult
	yes := true
	err := chromedp.Do(ctx,
		submitLogin(srv.URL, "13800000004", url),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="minutes-print"]`)),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}),
		into(&help, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".print-help")).display`)),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) (err error) {
			pdf, err = chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes})
			return err
		}),
	)
	if err != nil {
		t.Fatalf("print: %v; the browser reported %v", err, problems.all())
	}
	if help != "none" {
		t.Fatalf("the link back shows in print (display %q)", help)
	}
	m := mediaBox.FindSubmatch(pdf.Data)
	if m == nil {
		t.Fatalf("no page size in the %d-byte PDF", len(pdf.Data))
	}
	w, _ := strconv.ParseFloat(string(m[1]), 64)
	h, _ := strconv.ParseFloat(string(m[2]), 64)
	// A4 is 595 × 842 points; US Letter, Chromium's default, 612 × 792.
	if w < 590 || w > 600 || h < 837 || h > 847 {
		t.Fatalf("printed on %.0f × %.0f points, not A4", w, h)
	}
	if p := problems.all(); len(p) > 0 {
		t.Fatalf("the browser reported %v", p)
	}
}
