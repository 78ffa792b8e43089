package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// notCrawled are links that are not pages to read: signing out, files,
// photos and downloads.
var notCrawled = regexp.MustCompile(`^/logout|^/static/|/photos/|\.(csv|xlsx|json|png|jpe?g|webp|pdf)(\?|$)|/export|/download`)

// crawlerPerRole bounds each visitor's walk: the demo's staff reach
// thousands of pages (every page of every list), the others a hundred or so.
const crawlerPerRole = 160

// TestNoDeadLinks walks the demo site as a visitor and as each kind of
// user, following every link a page shows, and fails on any link that
// ends on an error page: a link to what the viewer may not open (a draft
// project from a ballot's result, another resident's need from a project,
// a meeting from its public notice for someone outside the council, a
// council the viewer cannot raise a need in) is a dead end, most of all
// for an elderly resident who cannot tell why.
func TestNoDeadLinks(t *testing.T) {
	t.Parallel()
	visitors := []struct{ name, phone string }{
		{"visitor", ""},
		{"resident", "13800000004"},
		{"other household", "13800000005"},
		{"convener", "13800000003"},
		{"member", "13800000006"},
		{"guest member", "13800000047"},
		{"community staff", "13800000002"},
		{"street staff", "13800000001"},
		{"grid worker", "13800000008"},
		{"department", "13800000009"},
		{"village staff", "13800000050"},
	}
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		for _, v := range visitors {
			c := srv.Client()
			if v.phone != "" {
				c = login(srv, v.phone)
			}
			pages, dead := crawl(c, crawlerPerRole)
			for _, d := range dead {
				t.Errorf("%s: %s", v.name, d)
			}
			if pages < 30 {
				t.Errorf("%s: only %d pages reached; is the walk broken?", v.name, pages)
			}
		}
	})
}

// crawl walks the site breadth-first from the home page as c, up to limit
// pages (each list's further pages count once), and returns how many it
// read and each link that ended on an error, with the page showing it.
func crawl(c *webtest.Client, limit int) (pages int, dead []string) {
	type link struct{ to, from string }
	queue := []link{{"/", ""}}
	seen := map[string]bool{"/": true}
	paged := map[string]bool{} // paths whose further pages are queued
	for len(queue) > 0 && pages < limit {
		l := queue[0]
		queue = queue[1:]
		p := c.Get(l.to)
		pages++
		if p.Status != http.StatusOK {
			dead = append(dead, l.to+" ("+http.StatusText(p.Status)+") linked from "+l.from)
			continue
		}
		p.Doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			u, err := url.Parse(href)
			if err != nil || u.IsAbs() || !strings.HasPrefix(u.Path, "/") || notCrawled.MatchString(href) {
				return
			}
			u.Fragment = ""
			to := u.String()
			if seen[to] {
				return
			}
			if u.Query().Has("page") {
				if paged[u.Path] {
					return
				}
				paged[u.Path] = true
			}
			seen[to] = true
			queue = append(queue, link{to, l.to})
		})
	}
	return pages, dead
}
