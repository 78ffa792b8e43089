// Package webtest drives the real echo server over HTTP in tests the way a
// browser without JavaScript does: fetch a page, read its form (CSRF token
// included), post it, follow the redirect and read the HTML with goquery.
package webtest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"yishi/models"
	"yishi/web"
	"yishi/web/live"
)

// Server is a running test server.
type Server struct {
	*httptest.Server
	Store *models.Store
	// Live is the server's hub of live updates (projectors).
	Live *live.Hub
	t    testing.TB
}

// Start serves the app on store until the test ends.
func Start(t testing.TB, store *models.Store) *Server {
	t.Helper()
	return StartWith(t, store, web.Config{})
}

// StartWith serves the app on store with cfg (its logger discarded when
// unset) until the test ends.
func StartWith(t testing.TB, store *models.Store, cfg web.Config) *Server {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Live == nil {
		cfg.Live = live.New(cfg.Logger)
	}
	e := web.New(cfg, store)
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	return &Server{Server: ts, Store: store, Live: cfg.Live, t: t}
}

// Client is one browser: its own cookies, following redirects.
type Client struct {
	t    testing.TB
	base string
	HTTP *http.Client
	// Header is added to every request (for example Accept-Language, HX-Request).
	Header http.Header
}

// Client returns a new browser of s with an empty cookie jar.
func (s *Server) Client() *Client { return NewClient(s.t, s.URL) }

// NewClient returns a new browser with an empty cookie jar of the site at
// baseURL (a server started elsewhere, such as a `yishi serve` process).
func NewClient(t testing.TB, baseURL string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, base: baseURL, HTTP: &http.Client{Jar: jar}, Header: http.Header{}}
}

// On returns this browser pointed at another server of the same site (a
// restarted or second process): the same cookies, the same headers.
func (c *Client) On(s *Server) *Client {
	return &Client{t: c.t, base: s.URL, HTTP: c.HTTP, Header: c.Header.Clone()}
}

// Cookie is the value of the cookie name this browser would send to the
// site, "" when it has none.
func (c *Client) Cookie(name string) string {
	u, err := url.Parse(c.base + "/")
	if err != nil {
		c.t.Fatal(err)
	}
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// Page is a fetched response.
type Page struct {
	Status int
	URL    *url.URL // after redirects
	Header http.Header
	Body   string
	Doc    *goquery.Document
	t      testing.TB
}

func (c *Client) do(req *http.Request) *Page {
	c.t.Helper()
	for k, v := range c.Header {
		req.Header[k] = v
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	return &Page{Status: resp.StatusCode, URL: resp.Request.URL, Header: resp.Header, Body: string(b), Doc: doc, t: c.t}
}

// Get fetches path.
func (c *Client) Get(path string) *Page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// Post sends form values to path as a browser form post would.
func (c *Client) Post(path string, form url.Values) *Page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// PostMultipart sends a multipart body (for file uploads) with its content type.
func (c *Client) PostMultipart(path, contentType string, body io.Reader) *Page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return c.do(req)
}

// Form returns the action and current values of the form matched by
// selector: inputs (checked boxes only), selects and textareas, hidden
// fields and the CSRF token included.
func (p *Page) Form(selector string) (string, url.Values) {
	p.t.Helper()
	f := p.Doc.Find(selector).First()
	if f.Length() == 0 {
		p.t.Fatalf("no form %q on %s (status %d)", selector, p.URL, p.Status)
	}
	action, _ := f.Attr("action")
	if action == "" {
		action = p.URL.RequestURI()
	}
	vals := url.Values{}
	f.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		name, ok := s.Attr("name")
		if !ok || name == "" {
			return
		}
		switch goquery.NodeName(s) {
		case "input":
			typ, _ := s.Attr("type")
			switch typ {
			case "checkbox", "radio":
				if _, checked := s.Attr("checked"); !checked {
					return
				}
			case "submit", "button", "file":
				return
			}
			v, _ := s.Attr("value")
			vals.Add(name, v)
		case "select":
			opt := s.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			v, _ := opt.Attr("value")
			vals.Add(name, v)
		case "textarea":
			vals.Add(name, s.Text())
		}
	})
	return action, vals
}

// Submit posts the form matched by selector on p with some fields set.
func (c *Client) Submit(p *Page, selector string, set map[string]string) *Page {
	c.t.Helper()
	action, vals := p.Form(selector)
	for k, v := range set {
		vals.Set(k, v)
	}
	return c.Post(action, vals)
}

// CSRF returns the token of the first form on p.
func (p *Page) CSRF() string {
	v, _ := p.Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	return v
}

// Text returns the trimmed text of the first element matched by selector.
func (p *Page) Text(selector string) string {
	return strings.TrimSpace(p.Doc.Find(selector).First().Text())
}

// Has reports whether selector matches anything.
func (p *Page) Has(selector string) bool { return p.Doc.Find(selector).Length() > 0 }

// Count is how many elements selector matches.
func (p *Page) Count(selector string) int { return p.Doc.Find(selector).Length() }

// Login signs in through the form and fails the test unless it works.
func (c *Client) Login(phone, password string) *Page {
	c.t.Helper()
	p := c.Get("/login")
	p = c.Submit(p, `form[data-testid="login-form"]`, map[string]string{"phone": phone, "password": password})
	if p.Status != http.StatusOK || p.Has(`[data-testid="login-error"]`) {
		c.t.Fatalf("login %s: status %d, error %q", phone, p.Status, p.Text(`[data-testid="login-error"]`))
	}
	return p
}

// Logout signs out through the header form.
func (c *Client) Logout() *Page {
	c.t.Helper()
	p := c.Get("/profile")
	return c.Submit(p, `form[action="/logout"]`, nil)
}

// StartLogged is Start with the server's structured log captured, for tests
// that check what is logged (and what is not).
func StartLogged(t testing.TB, store *models.Store) (*Server, *LogBuffer) {
	t.Helper()
	buf := &LogBuffer{}
	e := web.New(web.Config{Logger: slog.New(slog.NewJSONHandler(buf, nil))}, store)
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	return &Server{Server: ts, Store: store, t: t}, buf
}

// LogBuffer collects log output safely across goroutines.
type LogBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

// Write appends p.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
