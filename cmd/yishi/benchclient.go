package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// voter is one synthetic resident's browser: the session cookie it was
// given and the CSRF cookie the site hands it on the first page.
type voter struct {
	session string
	csrf    string
}

// browser fetches pages and submits forms the way a browser does, with
// the cookies it keeps per voter. It parses only what a person would look
// at: the vote form's fields and the receipt code.
type browser struct {
	client *http.Client
}

func newBrowser(conns int, timeout time.Duration) *browser {
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, DisableCompression: true, IdleConnTimeout: time.Minute}
	return &browser{client: &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) close() { b.client.CloseIdleConnections() }

// statusError is an answer other than the one expected.
type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("status %d: %.200s", e.code, e.body)
}

// sendCookies adds v's cookies to req.
func (v *voter) sendCookies(req *http.Request) {
	if v.session != "" {
		req.AddCookie(&http.Cookie{Name: "yishi_session", Value: v.session})
	}
	if v.csrf != "" {
		req.AddCookie(&http.Cookie{Name: "yishi_csrf", Value: v.csrf})
	}
}

// keepCookies takes the cookies the site set in resp.
func (v *voter) keepCookies(resp *http.Response) {
	if len(resp.Header["Set-Cookie"]) == 0 {
		return
	}
	for _, ck := range resp.Cookies() {
		switch ck.Name {
		case "yishi_csrf":
			v.csrf = ck.Value
		case "yishi_session":
			v.session = ck.Value
		}
	}
}

func (b *browser) do(req *http.Request, v *voter) ([]byte, int, error) {
	v.sendCookies(req)
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, err
	}
	v.keepCookies(resp)
	return body, resp.StatusCode, nil
}

// get fetches a page; anything but 200 is a statusError.
func (b *browser) get(u string, v *voter) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	body, code, err := b.do(req, v)
	if err == nil && code != http.StatusOK {
		err = &statusError{code, string(body)}
	}
	return body, err
}

// post submits a form and returns the answer whatever its status.
func (b *browser) post(u string, v *voter, form url.Values) ([]byte, int, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req, v)
}

// voteForm is what the ballot page's vote form offers.
type voteForm struct {
	csrf    string
	choices []string // the values of the choice inputs, in page order
}

// errNoVoteForm: the page has no vote form (not eligible, voted, closed).
var errNoVoteForm = errors.New("the ballot page shows no vote form")

// parseVoteForm reads the form marked data-testid="vote-form".
func parseVoteForm(page []byte) (voteForm, error) {
	var f voteForm
	i := bytes.Index(page, []byte(`data-testid="vote-form"`))
	if i < 0 {
		return f, errNoVoteForm
	}
	form := page[i:]
	if j := bytes.Index(form, []byte("</form>")); j >= 0 {
		form = form[:j]
	}
	for {
		k := bytes.Index(form, []byte("<input"))
		if k < 0 {
			break
		}
		form = form[k+len("<input"):]
		end := bytes.IndexByte(form, '>')
		if end < 0 {
			break
		}
		attrs := attributes(form[:end])
		switch attrs["name"] {
		case "_csrf":
			f.csrf = attrs["value"]
		case "choice":
			f.choices = append(f.choices, attrs["value"])
		}
		form = form[end:]
	}
	if f.csrf == "" || len(f.choices) == 0 {
		return f, fmt.Errorf("the vote form lacks its CSRF field or its choices")
	}
	return f, nil
}

// attributes parses name="value" pairs of one tag.
func attributes(tag []byte) map[string]string {
	out := map[string]string{}
	s := string(tag)
	for {
		eq := strings.Index(s, `="`)
		if eq < 0 {
			return out
		}
		name := strings.TrimSpace(s[:eq])
		if sp := strings.LastIndexAny(name, " \t\n"); sp >= 0 {
			name = name[sp+1:]
		}
		rest := s[eq+2:]
		end := strings.IndexByte(rest, '"')
		if end < 0 {
			return out
		}
		out[name] = html.UnescapeString(rest[:end])
		s = rest[end+1:]
	}
}

// parseReceipt reads the code in <code data-testid="receipt-code">.
func parseReceipt(page []byte) (string, bool) {
	i := bytes.Index(page, []byte(`data-testid="receipt-code"`))
	if i < 0 {
		return "", false
	}
	rest := page[i:]
	gt := bytes.IndexByte(rest, '>')
	if gt < 0 {
		return "", false
	}
	rest = rest[gt+1:]
	lt := bytes.IndexByte(rest, '<')
	if lt < 0 {
		return "", false
	}
	code := strings.TrimSpace(html.UnescapeString(string(rest[:lt])))
	return code, code != ""
}

// pickChoices picks between 1 and most of the offered choices at random,
// in page order.
func pickChoices(rng *rand.Rand, offered []string, most int) []string {
	k := 1 + rng.IntN(min(most, len(offered)))
	idx := rng.Perm(len(offered))[:k]
	out := make([]string, k)
	for i, j := range idx {
		out[i] = offered[j]
	}
	return out
}

// voteResult is one vote as a browser saw it.
type voteResult struct {
	receipt string
	latency time.Duration // of the confirming POST
}

// voteForm opens the ballot page as v and reads its vote form.
func (b *browser) voteForm(base string, ballotID uint64, v *voter) (voteForm, error) {
	body, err := b.get(base+"/ballots/"+strconv.FormatUint(ballotID, 10), v)
	if err != nil {
		return voteForm{}, err
	}
	return parseVoteForm(body)
}

// poster submits a form as v and returns the answer whatever its status:
// a browser, or a client's own wire.
type poster interface {
	post(u string, v *voter, form url.Values) ([]byte, int, error)
}

// vote casts v's vote through p as the page's form f does: choices picked
// among the form's, step=confirm and v's CSRF token. It returns the
// receipt of a 200 answer; any other status is a statusError.
func vote(p poster, base string, ballotID uint64, v *voter, f voteForm, rng *rand.Rand, most int) (voteResult, error) {
	form := url.Values{"_csrf": {v.csrf}, "step": {"confirm"}, "choice": pickChoices(rng, f.choices, most)}
	return confirm(p, base+"/ballots/"+strconv.FormatUint(ballotID, 10)+"/vote", v, form)
}

// confirm posts a confirmed vote form through p and reads the receipt.
func confirm(p poster, action string, v *voter, form url.Values) (voteResult, error) {
	start := time.Now()
	body, code, err := p.post(action, v, form)
	lat := time.Since(start)
	if err != nil {
		return voteResult{}, err
	}
	if code != http.StatusOK {
		return voteResult{}, &statusError{code, string(body)}
	}
	rc, ok := parseReceipt(body)
	if !ok {
		return voteResult{}, fmt.Errorf("200 without a receipt code")
	}
	return voteResult{receipt: rc, latency: lat}, nil
}

// wire is one load client's own keep-alive HTTP/1.1 connection, driven in
// the client's goroutine without a Transport: a request is written with
// net/http's (*Request).Write and its answer read with http.ReadResponse,
// so what goes over the wire is what the browser type sends. A Transport
// passes every request to two goroutines of its connection and back; in
// bench votes the client's share of the process's CPU (about a third) was
// time the server under test did not get on two cores, while the raw
// baseline it is compared with has no HTTP client at all. bench pages
// keeps the browser type, as both of its sides go through it.
type wire struct {
	addr    string // host:port
	timeout time.Duration
	conn    net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	body    bytes.Buffer
}

func newWire(base string, timeout time.Duration) (*wire, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return &wire{addr: u.Host, timeout: timeout}, nil
}

func (c *wire) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// post submits form to u as v. The body it returns is valid until the
// next call.
func (c *wire) post(u string, v *voter, form url.Values) ([]byte, int, error) {
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	v.sendCookies(req)
	// A connection the server closed while it was idle fails on the write
	// or ends before the first byte of an answer: the request is sent once
	// more on a new connection, as a browser does. For a vote that is safe,
	// as a repeated submission is answered with the original receipt.
	for fresh := c.conn == nil; ; fresh = true {
		err := c.send(req)
		if err == nil {
			_, err = c.r.Peek(1)
		}
		if err == nil {
			break
		}
		c.close()
		if fresh {
			return nil, 0, err
		}
		req.Body = io.NopCloser(strings.NewReader(body))
	}
	resp, err := http.ReadResponse(c.r, req)
	if err != nil {
		c.close()
		return nil, 0, err
	}
	c.body.Reset()
	_, err = c.body.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.close()
	}
	if err != nil {
		return nil, resp.StatusCode, err
	}
	v.keepCookies(resp)
	return c.body.Bytes(), resp.StatusCode, nil
}

// send writes req, dialling first when no connection is open.
func (c *wire) send(req *http.Request) error {
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", c.addr, c.timeout)
		if err != nil {
			return err
		}
		c.conn, c.r, c.w = conn, bufio.NewReader(conn), bufio.NewWriter(conn)
	}
	if err := c.conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return err
	}
	if err := req.Write(c.w); err != nil {
		return err
	}
	return c.w.Flush()
}
