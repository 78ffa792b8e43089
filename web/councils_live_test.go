package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"yishi/migrations"
	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web"
	"yishi/web/live"
	"yishi/web/webtest"
)

// sessionWithVote opens the demo meeting, signs a member in and opens a
// vote on a motion; it returns the meeting's id and address and the
// member.
func sessionWithVote(t *testing.T, s *models.Store) (uint64, string, *models.Principal) {
	t.Helper()
	announced, _ := demoMeetings(t, s)
	id := announced.ID
	conv := principalByPhone(t, s, actorPhones[convener])
	zhao := principalByPhone(t, s, "13800000006")
	startSoon(t, s, id)
	m, err := s.OpenMeeting(bg, conv, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckIn(bg, zhao, id, m.AttendanceCode); err != nil {
		t.Fatal(err)
	}
	v, err := s.MeetingByID(bg, conv, id)
	if err != nil {
		t.Fatal(err)
	}
	mo, err := s.AddMotion(bg, conv, id, models.MotionInput{AgendaItemID: v.Items[0].ID, Text: "同意按调研方案实施。"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MotionStep(bg, conv, id, mo.ID, models.MotionActOpen); err != nil {
		t.Fatal(err)
	}
	return id, "/meetings/" + strconv.FormatUint(id, 10), zhao
}

// TestProjectorLiveInProcess: the projector's stream sends the board at
// once and again when a member votes through the page, and ends when the
// projector goes away.
func TestProjectorLiveInProcess(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		id, url, _ := sessionWithVote(t, s)
		conv, zhao := login(srv, "13800000003"), login(srv, "13800000006")
		pj := conv.Get(url + "/projector")
		if live, _ := pj.Doc.Find(`[data-testid="board"]`).Attr("data-live"); live != url+"/live" || !strings.Contains(pj.Body, `<noscript><meta http-equiv="refresh" content="5">`) {
			t.Fatalf("projector's live address %q, or no refresh without JavaScript", live)
		}
		events, stop := conv.Live(url + "/live")
		webtest.WaitBoard(t, events, `data-for="0"`, 5*time.Second)
		zhao.Submit(zhao.Get(url), `form[data-testid="vote-form"]`, map[string]string{"choice": "for"})
		webtest.WaitBoard(t, events, `data-for="1"`, 5*time.Second)
		stop()
		for range events {
		}
		// The handler ended with its client: no subscription is left.
		for deadline := time.Now().Add(5 * time.Second); srv.Live.Subscribers(id) != 0; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the stream outlived its client")
			}
		}
		// Not an EventSource: the board once, and the answer ends.
		if p := conv.Get(url + "/live"); p.Status != http.StatusOK || !strings.Contains(p.Body, `data-for="1"`) {
			t.Fatalf("a one-off board: %d", p.Status)
		}
	})
}

// TestProjectorLiveAcrossProcesses: two servers, each with its own store
// and hub listening on one PostgreSQL database, stand for two `yishi serve`
// processes: a vote cast through one shows on a projector served by the
// other within a few seconds.
func TestProjectorLiveAcrossProcesses(t *testing.T) {
	t.Parallel()
	u := modeltest.PostgresURL(t)
	sa, sb := models.NewStore(modeltest.OpenURL(t, u), nil), models.NewStore(modeltest.OpenURL(t, u), nil)
	if _, err := migrations.Up(bg, sa.DB()); err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(bg, sa); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	servers := []*webtest.Server{}
	hubs := []*live.Hub{}
	for _, st := range []*models.Store{sa, sb} {
		h := live.New(nil)
		go h.Listen(ctx, u, st.DB())
		hubs = append(hubs, h)
		servers = append(servers, webtest.StartWith(t, st, web.Config{Live: h, Done: done}))
	}
	t.Cleanup(func() { close(done); cancel() })
	for deadline := time.Now().Add(5 * time.Second); !hubs[0].Listening() || !hubs[1].Listening(); {
		if time.Now().After(deadline) {
			t.Fatal("the listeners did not connect")
		}
		time.Sleep(20 * time.Millisecond)
	}
	id, url, _ := sessionWithVote(t, sa)
	conv := login(servers[1], "13800000003")
	zhao := login(servers[0], "13800000006")
	events, _ := conv.Live(url + "/live")
	webtest.WaitBoard(t, events, `data-for="0"`, 5*time.Second)
	if n := hubs[1].Subscribers(id); n != 1 {
		t.Fatalf("%d projectors subscribed on the second server", n)
	}
	zhao.Submit(zhao.Get(url), `form[data-testid="vote-form"]`, map[string]string{"choice": "for"})
	webtest.WaitBoard(t, events, `data-for="1"`, 5*time.Second)
}
