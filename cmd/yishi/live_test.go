package main

import (
	"bufio"
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

// webUser is a signed-in browser of one `yishi serve`.
type webUser struct {
	t    *testing.T
	base string
	http *http.Client
}

// signIn signs phone in at the server listening on addr, as a browser
// does: the CSRF cookie from the form page, then the form.
func signIn(t *testing.T, addr, phone string) *webUser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &webUser{t: t, base: "http://" + addr, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	resp, err := u.http.Get(u.base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp = u.post("/login", url.Values{"phone": {phone}, "password": {demo.Password}})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/login" {
		t.Fatalf("%s did not sign in at %s: %d at %s", phone, addr, resp.StatusCode, resp.Request.URL)
	}
	return u
}

// post sends a form with the CSRF token the server set as a cookie.
func (u *webUser) post(path string, form url.Values) *http.Response {
	u.t.Helper()
	base, _ := url.Parse(u.base)
	for _, ck := range u.http.Jar.Cookies(base) {
		if ck.Name == "yishi_csrf" {
			form.Set("_csrf", ck.Value)
		}
	}
	resp, err := u.http.PostForm(u.base+path, form)
	if err != nil {
		u.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestProjectorAcrossServeProcesses: two `yishi serve` processes on one
// PostgreSQL database; a member votes through the first, and the projector
// stream of the second shows the vote within seconds (LISTEN/NOTIFY).
func TestProjectorAcrossServeProcesses(t *testing.T) {
	t.Parallel()
	dbURL := modeltest.PostgresURL(t)
	c := newCLI(t)
	c.ok("demo", "--db", dbURL)

	// The demo's announced meeting, opened, a member signed in and a vote
	// open on a motion, as the convener and the member would do.
	db := openDB(t, dbURL)
	s := models.NewStore(db, nil)
	ctx := context.Background()
	who := func(phone string) *models.Principal {
		a, err := s.AccountByPhone(ctx, phone)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.LoadPrincipal(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	conv, zhao := who("13800000003"), who("13800000006")
	var m models.Meeting
	if err := db.Where("status = ?", models.MeetingAnnounced).First(&m).Error; err != nil {
		t.Fatal(err)
	}
	opened, err := s.OpenMeeting(ctx, conv, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckIn(ctx, zhao, m.ID, opened.AttendanceCode); err != nil {
		t.Fatal(err)
	}
	v, err := s.MeetingByID(ctx, conv, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	mo, err := s.AddMotion(ctx, conv, m.ID, models.MotionInput{AgendaItemID: v.Items[0].ID, Text: "同意按调研方案实施。"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MotionStep(ctx, conv, m.ID, mo.ID, models.MotionActOpen); err != nil {
		t.Fatal(err)
	}

	one, two := startServe(t, c, "--db", dbURL), startServe(t, c, "--db", dbURL)
	meeting := "/meetings/" + strconv.FormatUint(m.ID, 10)
	projector := signIn(t, two.addr, "13800000003")
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, _ := http.NewRequestWithContext(rctx, http.MethodGet, projector.base+meeting+"/live", nil)
	req.Header.Set("Accept", "text/event-stream")
	stream := &http.Client{Jar: projector.http.Jar} // no timeout: the stream stays open
	resp, err := stream.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("projector stream: %d", resp.StatusCode)
	}
	boards := make(chan string, 16)
	go func() {
		defer close(boards)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "data: ") {
				boards <- line
			}
		}
	}()
	wait := func(want string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case b, ok := <-boards:
				if !ok {
					t.Fatalf("the stream ended before %s", want)
				}
				if strings.Contains(b, want) {
					return
				}
			case <-deadline:
				t.Fatalf("no board with %s from the second process; its log: %s", want, two.stderr.String())
			}
		}
	}
	wait(`data-for="0"`)

	member := signIn(t, one.addr, "13800000006")
	voted := member.post(meeting+"/motions/"+strconv.FormatUint(mo.ID, 10)+"/vote", url.Values{"choice": {"for"}})
	if voted.StatusCode != http.StatusOK {
		t.Fatalf("vote through the first process: %d", voted.StatusCode)
	}
	wait(`data-for="1"`)
}
