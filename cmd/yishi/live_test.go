package main

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

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
	// Brought forward to start soon, since a meeting opens only from
	// models.OpenEarly before its time (no step of the app does this).
	if err := db.Model(&m).Update("starts_at", s.Now().Add(10*time.Minute)).Error; err != nil {
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
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the second process's log: %s", two.stderr.String())
		}
	})
	meeting := "/meetings/" + strconv.FormatUint(m.ID, 10)
	projector := webtest.NewClient(t, "http://"+two.addr)
	projector.Login("13800000003", demo.Password)
	boards, _ := projector.Live(meeting + "/live")
	webtest.WaitBoard(t, boards, `data-for="0"`, 10*time.Second)

	member := webtest.NewClient(t, "http://"+one.addr)
	member.Login("13800000006", demo.Password)
	voted := member.Submit(member.Get(meeting), `form[data-testid="vote-form"]`, map[string]string{"choice": "for"})
	if c, _ := voted.Doc.Find(`[data-testid="my-vote"]`).Attr("data-choice"); voted.Status != http.StatusOK || c != "for" || voted.Has(`[data-testid="vote-form"]`) {
		t.Fatalf("vote through the first process: %d, recorded %q", voted.Status, c)
	}
	if tally, _ := voted.Doc.Find(`[data-testid="motion-tally"]`).Attr("data-for"); tally != "1" {
		t.Fatalf("tally after the vote: %q for", tally)
	}
	webtest.WaitBoard(t, boards, `data-for="1"`, 10*time.Second)
}
