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
	"net/http/httputil"
	"net/url"
	"slices"
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

// appendCookies appends the value of the Cookie header that sends v's
// cookies, empty when it has none.
func (v *voter) appendCookies(b []byte) []byte {
	sep := ""
	if v.session != "" {
		b = append(b, "yishi_session="...)
		b = append(b, v.session...)
		sep = "; "
	}
	if v.csrf != "" {
		b = append(b, sep+"yishi_csrf="...)
		b = append(b, v.csrf...)
	}
	return b
}

// keepCookies takes the cookies the site set in resp.
func (v *voter) keepCookies(resp *http.Response) {
	for _, line := range resp.Header["Set-Cookie"] {
		v.takeCookie(line)
	}
}

// takeCookie takes a cookie of the site's from the value of a Set-Cookie
// header.
func (v *voter) takeCookie(line string) {
	ck, err := http.ParseSetCookie(line)
	if err != nil {
		return
	}
	switch ck.Name {
	case "yishi_csrf":
		v.csrf = ck.Value
	case "yishi_session":
		v.session = ck.Value
	}
}

func (b *browser) do(req *http.Request, v *voter) ([]byte, int, error) {
	if ck := v.appendCookies(nil); len(ck) > 0 {
		req.Header.Set("Cookie", string(ck))
	}
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
// the client's goroutine without a Transport: it writes the request a
// browser sends for a form (method, path, Host, Content-Type,
// Content-Length, Cookie, the urlencoded body) and reads the answer's
// status line, headers and body itself. A Transport passes every request
// to two goroutines of its connection and back, and net/http's request
// and response types build headers, cookies and readers for every
// request: in bench votes that was time the server under test did not
// get on two cores, while the raw baseline it is compared with has no
// HTTP client at all.
// bench pages keeps the browser type, as both of its sides go through it.
type wire struct {
	addr    string // host:port
	timeout time.Duration
	conn    net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	req     []byte // the request being sent
	body    []byte // the last answer's body
}

func newWire(base string, timeout time.Duration) (*wire, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("wire: %q is not an http://host:port address", base)
	}
	return &wire{addr: u.Host, timeout: timeout}, nil
}

func (c *wire) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// post submits form to u, an address on c's host, as v. The body it
// returns is valid until the next call.
func (c *wire) post(u string, v *voter, form url.Values) ([]byte, int, error) {
	path, ok := strings.CutPrefix(u, "http://"+c.addr)
	if !ok || !strings.HasPrefix(path, "/") {
		return nil, 0, fmt.Errorf("wire: %q is not on %s", u, c.addr)
	}
	c.request(path, v, form.Encode())
	// A connection the server closed while it was idle fails on the write
	// or ends before the first byte of an answer: the request is sent once
	// more on a new connection, as a browser does. For a vote that is safe,
	// as a repeated submission is answered with the original receipt.
	for fresh := c.conn == nil; ; fresh = true {
		err := c.send()
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
	}
	code, err := c.answer(v)
	if err != nil {
		c.close()
		return nil, code, err
	}
	return c.body, code, nil
}

// request writes the bytes of a form POST to path into c.req.
func (c *wire) request(path string, v *voter, body string) {
	b := c.req[:0]
	b = append(b, "POST "...)
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, c.addr...)
	b = append(b, "\r\nUser-Agent: yishi-bench\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	if v.session != "" || v.csrf != "" {
		b = v.appendCookies(append(b, "\r\nCookie: "...))
	}
	b = append(b, "\r\n\r\n"...)
	c.req = append(b, body...)
}

// send writes c.req, dialling first when no connection is open.
func (c *wire) send() error {
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
	if _, err := c.w.Write(c.req); err != nil {
		return err
	}
	return c.w.Flush()
}

// answer reads one HTTP/1.1 response into c.body and returns its status.
// It takes the cookies the site sets for v, and closes the connection
// after an answer that says so or that has no length.
func (c *wire) answer(v *voter) (int, error) {
	line, err := c.line()
	if err != nil {
		return 0, err
	}
	proto, rest, _ := strings.Cut(line, " ")
	codeText, _, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(codeText)
	if !strings.HasPrefix(proto, "HTTP/1.") || err != nil || code < 100 {
		return 0, fmt.Errorf("wire: malformed status line %q", line)
	}
	length, chunked, closing := int64(-1), false, false
	for {
		line, err := c.line()
		if err != nil {
			return code, err
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return code, fmt.Errorf("wire: malformed header %q", line)
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			if length, err = strconv.ParseInt(value, 10, 64); err != nil || length < 0 {
				return code, fmt.Errorf("wire: bad Content-Length %q", value)
			}
		case "transfer-encoding":
			chunked = strings.EqualFold(value, "chunked")
		case "connection":
			closing = strings.EqualFold(value, "close")
		case "set-cookie":
			v.takeCookie(value)
		}
	}
	c.body = c.body[:0]
	switch {
	case code < 200 || code == http.StatusNoContent || code == http.StatusNotModified:
	case chunked:
		err = c.readBody(httputil.NewChunkedReader(c.r))
		for line := "-"; err == nil && line != ""; { // the trailer, up to its empty line
			line, err = c.line()
		}
	case length >= 0:
		c.body = slices.Grow(c.body, int(length))[:length]
		_, err = io.ReadFull(c.r, c.body)
	default: // the body runs to the end of the connection
		err, closing = c.readBody(c.r), true
	}
	if err != nil {
		return code, err
	}
	if closing {
		c.close()
	}
	return code, nil
}

// readBody reads r to its end into c.body, reusing its array.
func (c *wire) readBody(r io.Reader) error {
	buf := bytes.NewBuffer(c.body[:0])
	_, err := buf.ReadFrom(r)
	c.body = buf.Bytes()
	return err
}

// line reads one header line without its CRLF.
func (c *wire) line() (string, error) {
	b, err := c.r.ReadSlice('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
