package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
	"yishi/notify"
)

var bg = context.Background()

// world is a street with one community, a resident who files needs, the
// community's staff and a grid worker acting for a taker.
type world struct {
	filer, staff, worker *models.Principal
	taker                models.Taker
	building             models.Place
	category             uint64
}

func newWorld(t *testing.T, s *models.Store) *world {
	t.Helper()
	w := &world{}
	street := models.Place{Kind: models.KindStreet, Name: "测试街道", Path: "/"}
	if err := s.Tx(bg).Create(&street).Error; err != nil {
		t.Fatal(err)
	}
	street.Path = fmt.Sprintf("/%d/", street.ID)
	if err := s.Tx(bg).Model(&street).Update("path", street.Path).Error; err != nil {
		t.Fatal(err)
	}
	account := func(phone, name string) models.Account {
		a, err := s.CreateAccount(bg, models.AccountInput{Phone: phone, Name: name, Password: "password-1", Confirm: "password-1"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	load := func(id uint64) *models.Principal {
		p, err := s.LoadPrincipal(bg, id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	admin := account("13900000000", "管理员")
	if err := s.GrantRoleAsSystem(bg, admin.ID, models.RoleAdmin, street.ID); err != nil {
		t.Fatal(err)
	}
	ap := load(admin.ID)
	mk := func(parent models.Place, kind models.PlaceKind, name string) models.Place {
		p, err := s.CreatePlace(bg, ap, models.PlaceInput{ParentID: parent.ID, Kind: kind, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	com := mk(street, models.KindCommunity, "一社区")
	w.building = mk(mk(com, models.KindCompound, "小区"), models.KindBuilding, "1号楼")
	hh := mk(w.building, models.KindHousehold, "101")
	filer, staff, worker := account("13900000010", "居民"), account("13900000001", "社工"), account("13900000020", "网格员")
	if err := s.GrantRoleAsSystem(bg, filer.ID, models.RoleResident, hh.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GrantRole(bg, ap, staff.ID, models.RoleCommunityStaff, com.ID); err != nil {
		t.Fatal(err)
	}
	w.filer, w.staff, w.worker = load(filer.ID), load(staff.ID), load(worker.ID)
	var err error
	if w.taker, err = s.CreateTaker(bg, w.staff, models.TakerInput{Kind: models.TakerGridWorker, Name: "一网格", PlaceID: com.ID, AccountID: &worker.ID}); err != nil {
		t.Fatal(err)
	}
	cats, err := s.NeedCategories(bg, true)
	if err != nil || len(cats) == 0 {
		t.Fatalf("categories: %v", err)
	}
	w.category = cats[0].ID
	return w
}

// dispatched files a need and dispatches it: the filer hears twice, the
// worker once.
func (w *world) dispatched(t *testing.T, s *models.Store) models.Need {
	t.Helper()
	n, err := s.FileNeed(bg, w.filer, models.NeedInput{CategoryID: w.category, PlaceID: w.building.ID, Description: "楼道灯坏了，晚上看不见"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptNeed(bg, w.staff, n.ID); err != nil {
		t.Fatal(err)
	}
	if n, err = s.DispatchNeed(bg, w.staff, n.ID, w.taker.ID); err != nil {
		t.Fatal(err)
	}
	return n
}

// outbox returns every outbox row, oldest first.
func outbox(t *testing.T, s *models.Store) []models.OutboxMessage {
	t.Helper()
	var out []models.OutboxMessage
	if err := s.Tx(bg).Order("id").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// gateway is a local fake SMS gateway.
type gateway struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
	status   int
	delay    time.Duration
}

func (g *gateway) start(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.requests = append(g.requests, r)
		g.bodies = append(g.bodies, string(b))
		status, delay := g.status, g.delay
		g.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		fmt.Fprint(w, `{"code":"`+http.StatusText(status)+`"}`)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestSMSGatewayDeliversAndMarksSent(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		w := newWorld(t, s)
		if err := s.SetPreferences(bg, w.worker.Account.ID, "en", false, false); err != nil {
			t.Fatal(err)
		}
		n := w.dispatched(t, s)
		g := &gateway{}
		srv := g.start(t)
		sms := &notify.SMSGateway{URLTemplate: srv.URL + "/send?to={phone}&text={text}", Username: "yishi", Password: "p&ss word"}
		d := &notify.Dispatcher{Store: s, Channels: map[string]notify.Channel{models.ChannelSMS: sms}, BaseURL: "https://yishi.example/"}
		sent, failed, err := d.RunOnce(bg)
		if err != nil || sent != 3 || failed != 0 {
			t.Fatalf("sent %d failed %d: %v", sent, failed, err)
		}
		if len(g.requests) != 3 {
			t.Fatalf("%d requests", len(g.requests))
		}
		texts := map[string][]string{}
		for _, r := range g.requests {
			if r.Method != http.MethodGet || r.URL.Path != "/send" {
				t.Fatalf("request %s %s", r.Method, r.URL)
			}
			if u, p, ok := r.BasicAuth(); !ok || u != "yishi" || p != "p&ss word" {
				t.Fatalf("basic auth %q %q %v", u, p, ok)
			}
			// The text arrives whole: escaping kept its spaces, '#', '&' and Chinese.
			to := r.URL.Query().Get("to")
			texts[to] = append(texts[to], r.URL.Query().Get("text"))
		}
		link := fmt.Sprintf("https://yishi.example/needs/%d", n.ID)
		want := fmt.Sprintf("[Yishi] Need #%d has been dispatched to you. Please take it on promptly. %s", n.ID, link)
		if got := texts[w.worker.Account.Phone]; len(got) != 1 || got[0] != want {
			t.Fatalf("worker's text %q, want %q", got, want)
		}
		filer := texts[w.filer.Account.Phone]
		if len(filer) != 2 || !strings.HasPrefix(filer[0], "【议事】您提出的需求 #") || !strings.HasSuffix(filer[1], link) {
			t.Fatalf("filer's texts %q", filer)
		}
		if !strings.Contains(g.requests[0].URL.RawQuery, "%E3%80%90") || strings.Contains(g.requests[0].URL.RawQuery, " ") {
			t.Fatalf("text not escaped: %s", g.requests[0].URL.RawQuery)
		}
		for _, m := range outbox(t, s) {
			if m.Status != models.OutboxSent || m.Attempts != 1 || m.SentAt == nil {
				t.Fatalf("outbox row %+v", m)
			}
		}
		if sent, _, _ := d.RunOnce(bg); sent != 0 {
			t.Fatalf("sent %d twice", sent)
		}
	})
}

func TestSMSGatewayPostWithToken(t *testing.T) {
	g := &gateway{}
	srv := g.start(t)
	sms := &notify.SMSGateway{URLTemplate: srv.URL + "/v1/messages", Method: "post", Token: "s3cret", TokenHeader: "X-Api-Key"}
	if err := sms.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := sms.Send(bg, notify.Message{Phone: "13900000010", Text: "你好 a&b=c"}); err != nil {
		t.Fatal(err)
	}
	r := g.requests[0]
	if r.Method != http.MethodPost || r.Header.Get("X-Api-Key") != "s3cret" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("request %s %v", r.Method, r.Header)
	}
	if g.bodies[0] != "phone=13900000010&text=%E4%BD%A0%E5%A5%BD+a%26b%3Dc" {
		t.Fatalf("body %q", g.bodies[0])
	}
	bearer := &notify.SMSGateway{URLTemplate: srv.URL + "/s?to={phone}", Token: "t0k"}
	if err := bearer.Send(bg, notify.Message{Phone: "13900000010", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := g.requests[1].Header.Get("Authorization"); got != "Bearer t0k" {
		t.Fatalf("authorization %q", got)
	}
	g.status = http.StatusBadGateway
	if err := bearer.Send(bg, notify.Message{Phone: "13900000010", Text: "x"}); !errors.Is(err, notify.ErrGatewayStatus) || !strings.Contains(err.Error(), "502") {
		t.Fatalf("a 502 answer: %v", err)
	}
	for _, bad := range []notify.SMSGateway{{URLTemplate: "ftp://x/{phone}"}, {URLTemplate: "https://sms.example/send"}, {URLTemplate: "https://sms.example/{phone}", Method: "PUT"}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestFailedDeliveryIsRetriedWithBackoffThenFails(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		w := newWorld(t, s)
		g := &gateway{status: http.StatusInternalServerError}
		srv := g.start(t)
		// The gateway is broken, yet the need is filed and dispatched.
		n := w.dispatched(t, s)
		if n.Status != models.NeedDispatched {
			t.Fatalf("status %s", n.Status)
		}
		sms := &notify.SMSGateway{URLTemplate: srv.URL + "/send?to={phone}&text={text}"}
		d := &notify.Dispatcher{Store: s, Channels: map[string]notify.Channel{models.ChannelSMS: sms}, Batch: 1}
		waits := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}
		first := outbox(t, s)[0]
		for attempt := 1; attempt <= models.MaxOutboxAttempts; attempt++ {
			sent, failed, err := d.RunOnce(bg)
			if err != nil || sent != 0 || failed != 1 {
				t.Fatalf("attempt %d: sent %d failed %d %v", attempt, sent, failed, err)
			}
			m, err := s.OutboxByID(bg, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			if m.Attempts != attempt || !strings.Contains(m.LastError, "HTTP 500") {
				t.Fatalf("attempt %d: %+v", attempt, m)
			}
			if attempt == models.MaxOutboxAttempts {
				if m.Status != models.OutboxFailed {
					t.Fatalf("after the last attempt: %s", m.Status)
				}
				break
			}
			wait := waits[attempt-1]
			if m.Status != models.OutboxPending || !m.NextAttemptAt.Equal(clock.Now().Add(wait)) {
				t.Fatalf("attempt %d: %s next %v, want now+%v", attempt, m.Status, m.NextAttemptAt, wait)
			}
			// The other messages take their turns in between; then the
			// first waits its full backoff.
			for i := 0; i < 2; i++ {
				d.RunOnce(bg) //nolint:errcheck
			}
			clock.Advance(wait - time.Second)
			if c, _ := s.ClaimOutbox(bg, []string{"none"}, 10, time.Minute); len(c) != 0 {
				t.Fatal("claimed a channel nobody sends")
			}
			if m2, _ := s.OutboxByID(bg, first.ID); m2.Attempts != attempt {
				t.Fatalf("retried before its wait: %d", m2.Attempts)
			}
			clock.Advance(time.Second)
		}
		if d, err := s.NeedByID(bg, w.staff, n.ID); err != nil || d.Status != models.NeedDispatched {
			t.Fatalf("need after failed deliveries: %s %v", d.Status, err)
		}
		var failures int64
		s.DB().Model(&models.AuditEntry{}).Where("action = ? AND result = ?", "notification.deliver", models.ResultFailed).Count(&failures)
		if failures < models.MaxOutboxAttempts {
			t.Fatalf("%d failed attempts in the audit trail", failures)
		}
	})
}

func TestGatewayTimeoutSchedulesRetry(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		w := newWorld(t, s)
		w.dispatched(t, s)
		g := &gateway{delay: 2 * time.Second}
		srv := g.start(t)
		sms := &notify.SMSGateway{URLTemplate: srv.URL + "/send?to={phone}&text={text}", Timeout: 100 * time.Millisecond}
		d := &notify.Dispatcher{Store: s, Channels: map[string]notify.Channel{models.ChannelSMS: sms}, Batch: 1}
		start := time.Now()
		if sent, failed, err := d.RunOnce(bg); err != nil || sent != 0 || failed != 1 {
			t.Fatalf("sent %d failed %d %v", sent, failed, err)
		}
		if time.Since(start) > time.Second {
			t.Fatal("the timeout did not cut the request short")
		}
		m := outbox(t, s)[0]
		if m.Status != models.OutboxPending || m.Attempts != 1 || !m.NextAttemptAt.Equal(clock.Now().Add(time.Minute)) || !strings.Contains(m.LastError, "deadline") {
			t.Fatalf("after timeout: %+v", m)
		}
		if strings.Contains(m.LastError, w.filer.Account.Phone) || strings.Contains(m.LastError, w.worker.Account.Phone) {
			t.Fatalf("the error keeps the phone number: %q", m.LastError)
		}
	})
}

// countingChannel records how often each text was sent.
type countingChannel struct {
	mu    sync.Mutex
	texts map[string]int
}

func (c *countingChannel) Name() string { return "counting" }

func (c *countingChannel) Send(_ context.Context, m notify.Message) error {
	time.Sleep(2 * time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.texts[m.Text]++
	return nil
}

func TestTwoDispatchersNeverSendARowTwice(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		w := newWorld(t, s)
		const total = 60
		for i := 0; i < total; i++ {
			err := s.Notify(bg, nil, []uint64{w.filer.Account.ID}, models.Note{Kind: models.NotifyNeedChanged, SubjectType: "need", SubjectID: uint64(i + 1),
				Key: "notify.need_status.accepted", Args: []string{fmt.Sprint(i)}})
			if err != nil {
				t.Fatal(err)
			}
		}
		ch := &countingChannel{texts: map[string]int{}}
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := &notify.Dispatcher{Store: s, Channels: map[string]notify.Channel{models.ChannelSMS: ch}, Batch: 7}
				for {
					sent, _, err := d.RunOnce(bg)
					if err != nil {
						errs <- err
						return
					}
					if sent == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(ch.texts) != total {
			t.Fatalf("%d distinct texts sent, want %d", len(ch.texts), total)
		}
		for text, n := range ch.texts {
			if n != 1 {
				t.Fatalf("%q sent %d times", text, n)
			}
		}
		for _, m := range outbox(t, s) {
			if m.Status != models.OutboxSent || m.Attempts != 1 {
				t.Fatalf("row %+v", m)
			}
		}
	})
}

func TestLogChannelNeverFails(t *testing.T) {
	var c notify.Channel = notify.LogChannel{}
	if c.Name() != "log" || c.Send(bg, notify.Message{Phone: "13900000010", Text: "x"}) != nil {
		t.Fatal("log channel")
	}
}
