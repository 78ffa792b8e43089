package models_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// inbox returns p's notifications, newest first.
func inbox(t *testing.T, s *models.Store, p *models.Principal) []models.Notification {
	t.Helper()
	pg, err := s.Inbox(bg, p, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	return pg.Items
}

// kinds lists the kinds of notifications with their keys, newest first.
func kinds(ns []models.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, string(n.Kind)+" "+n.Key)
	}
	return out
}

func tableRows(t *testing.T, s *models.Store, table string) int64 {
	t.Helper()
	var c int64
	if err := s.DB().Table(table).Count(&c).Error; err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNeedNoticesRule(t *testing.T) {
	cases := []struct {
		action   models.NeedAction
		from, to models.NeedStatus
		want     []models.NeedNotice
	}{
		{models.NeedActAccept, models.NeedSubmitted, models.NeedAccepted, []models.NeedNotice{{To: models.ToFiler, Kind: models.NotifyNeedChanged, Key: "notify.need_status.accepted"}}},
		{models.NeedActDispatch, models.NeedAccepted, models.NeedDispatched, []models.NeedNotice{
			{To: models.ToTaker, Kind: models.NotifyNeedDispatched, Key: "notify.need_dispatched"},
			{To: models.ToFiler, Kind: models.NotifyNeedChanged, Key: "notify.need_status.dispatched"}}},
		{models.NeedActComplete, models.NeedInProgress, models.NeedDone, []models.NeedNotice{{To: models.ToFiler, Kind: models.NotifyNeedRatePlease, Key: "notify.need_rate_please"}}},
		{models.NeedActProgress, models.NeedInProgress, models.NeedInProgress, nil},
		{models.NeedActChase, models.NeedAccepted, models.NeedAccepted, []models.NeedNotice{{To: models.ToHandler, Kind: models.NotifyNeedOverdue, Key: "notify.need_overdue"}}},
		{models.NeedActReturn, models.NeedDispatched, models.NeedAccepted, []models.NeedNotice{
			{To: models.ToStaff, Kind: models.NotifyNeedReturned, Key: "notify.need_returned"},
			{To: models.ToFiler, Kind: models.NotifyNeedChanged, Key: "notify.need_status.accepted"}}},
		{models.NeedActRecall, models.NeedInProgress, models.NeedAccepted, []models.NeedNotice{
			{To: models.ToFormerTaker, Kind: models.NotifyNeedRecalled, Key: "notify.need_recalled"},
			{To: models.ToFiler, Kind: models.NotifyNeedChanged, Key: "notify.need_status.accepted"}}},
		{models.NeedActAutoClose, models.NeedDone, models.NeedClosed, []models.NeedNotice{{To: models.ToFiler, Kind: models.NotifyNeedChanged, Key: "notify.need_auto_closed"}}},
		{models.NeedActEscalate, models.NeedAccepted, models.NeedAccepted, nil},
	}
	for _, c := range cases {
		got := models.NeedNotices(c.action, c.from, c.to)
		if len(got) != len(c.want) {
			t.Errorf("%s %s→%s: %v, want %v", c.action, c.from, c.to, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s %s→%s: %v, want %v", c.action, c.from, c.to, got, c.want)
			}
		}
	}
}

func TestOutboxRetryBackoff(t *testing.T) {
	now := modeltest.Start
	want := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}
	for i, d := range want {
		next, ok := models.OutboxRetry(i+1, now)
		if !ok || !next.Equal(now.Add(d)) {
			t.Errorf("after attempt %d: %v %v, want +%v", i+1, next, ok, d)
		}
	}
	if _, ok := models.OutboxRetry(models.MaxOutboxAttempts, now); ok {
		t.Error("retried after the last attempt")
	}
}

func TestNotificationsFollowANeed(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		n := f.file(t, s, false)
		if got := inbox(t, s, f.filer); len(got) != 0 {
			t.Fatalf("filer told of their own filing: %v", kinds(got))
		}
		clock.Advance(time.Minute)
		if _, err := s.AcceptNeed(bg, f.staff1, n.ID); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if _, err := s.DispatchNeed(bg, f.staff1, n.ID, f.gridTaker.ID); err != nil {
			t.Fatal(err)
		}
		got := inbox(t, s, f.worker)
		if len(got) != 1 || got[0].Kind != models.NotifyNeedDispatched || got[0].SubjectID != n.ID || got[0].Link == "" || !got[0].Unread() {
			t.Fatalf("taker's inbox: %v", kinds(got))
		}
		if args := got[0].ArgList(); len(args) != 1 || args[0] != strconv.FormatUint(n.ID, 10) {
			t.Fatalf("args %v", args)
		}
		if got := inbox(t, s, f.staff1); len(got) != 0 {
			t.Fatalf("staff told of their own steps: %v", kinds(got))
		}
		clock.Advance(time.Minute)
		if _, err := s.TakeNeed(bg, f.worker, n.ID); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if _, err := s.CompleteNeed(bg, f.worker, n.ID, "灯已换好"); err != nil {
			t.Fatal(err)
		}
		if got := inbox(t, s, f.worker); len(got) != 1 {
			t.Fatalf("taker told of their own steps: %v", kinds(got))
		}
		got = inbox(t, s, f.filer)
		want := []string{
			"need_rate_please notify.need_rate_please",
			"need_changed notify.need_status.in_progress",
			"need_changed notify.need_status.dispatched",
			"need_changed notify.need_status.accepted",
		}
		if len(got) != len(want) {
			t.Fatalf("filer's inbox: %v", kinds(got))
		}
		for i := range want {
			if kinds(got)[i] != want[i] {
				t.Fatalf("filer's inbox: %v, want %v", kinds(got), want)
			}
		}
		// Unhappy, the filer sends it back: the taker hears of it.
		clock.Advance(time.Minute)
		if _, err := s.SendBackNeed(bg, f.filer, n.ID, "灯还是不亮"); err != nil {
			t.Fatal(err)
		}
		if got := inbox(t, s, f.worker); len(got) != 2 || got[0].Kind != models.NotifyNeedSentBack {
			t.Fatalf("taker after send-back: %v", kinds(got))
		}
		// Every notification is queued once for the phone.
		if nots, out := tableRows(t, s, "notifications"), tableRows(t, s, "outbox"); nots != out || nots != 6 {
			t.Fatalf("%d notifications, %d outbox rows", nots, out)
		}
	})
}

func TestNotificationsOnReturnWhistleAndAutoClose(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		n := f.file(t, s, false)
		for _, step := range []func() (models.Need, error){
			func() (models.Need, error) { return s.AcceptNeed(bg, f.staff1, n.ID) },
			func() (models.Need, error) { return s.DispatchNeed(bg, f.staff1, n.ID, f.gridTaker.ID) },
			func() (models.Need, error) { return s.ReturnNeed(bg, f.worker, n.ID, "不在我的网格") },
		} {
			if _, err := step(); err != nil {
				t.Fatal(err)
			}
		}
		if got := inbox(t, s, f.staff1); len(got) != 1 || got[0].Kind != models.NotifyNeedReturned {
			t.Fatalf("staff after return: %v", kinds(got))
		}
		if got := inbox(t, s, f.staff2); len(got) != 0 {
			t.Fatalf("staff of another community told: %v", kinds(got))
		}
		if _, _, err := s.EscalateNeed(bg, f.staff1, n.ID, "", nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.EscalateNeed(bg, f.admin, n.ID, "需要城管", []uint64{f.deptTaker.ID}); err != nil {
			t.Fatal(err)
		}
		if got := inbox(t, s, f.dept); len(got) != 1 || got[0].Kind != models.NotifyWhistleCalled {
			t.Fatalf("department after whistle: %v", kinds(got))
		}
		for _, step := range []func() (models.Need, error){
			func() (models.Need, error) { return s.DispatchNeed(bg, f.staff1, n.ID, f.deptTaker.ID) },
			func() (models.Need, error) { return s.TakeNeed(bg, f.dept, n.ID) },
			func() (models.Need, error) { return s.CompleteNeed(bg, f.dept, n.ID, "已处理") },
		} {
			if _, err := step(); err != nil {
				t.Fatal(err)
			}
		}
		clock.Advance(models.NeedRatingWindow + time.Minute)
		if c, err := s.AutoCloseNeeds(bg); c != 1 || err != nil {
			t.Fatalf("auto close %d %v", c, err)
		}
		if got := inbox(t, s, f.filer); len(got) == 0 || got[0].Key != "notify.need_auto_closed" {
			t.Fatalf("filer after auto close: %v", kinds(got))
		}
	})
}

func TestOverdueChaseNotifiesTakerOrStaff(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		waiting := f.file(t, s, false) // nobody responds to it
		taken := f.file(t, s, false)
		for _, step := range []func() (models.Need, error){
			func() (models.Need, error) { return s.AcceptNeed(bg, f.staff1, taken.ID) },
			func() (models.Need, error) { return s.DispatchNeed(bg, f.staff1, taken.ID, f.gridTaker.ID) },
			func() (models.Need, error) { return s.TakeNeed(bg, f.worker, taken.ID) },
		} {
			if _, err := step(); err != nil {
				t.Fatal(err)
			}
		}
		before := len(inbox(t, s, f.worker))
		clock.Advance(8 * 24 * time.Hour)
		chased, err := s.ChaseOverdue(bg)
		if err != nil || len(chased) != 2 {
			t.Fatalf("chased %d: %v", len(chased), err)
		}
		got := inbox(t, s, f.worker)
		if len(got) != before+1 || got[0].Kind != models.NotifyNeedOverdue || got[0].SubjectID != taken.ID {
			t.Fatalf("taker after chase: %v", kinds(got))
		}
		got = inbox(t, s, f.staff1)
		if len(got) != 1 || got[0].Kind != models.NotifyNeedOverdue || got[0].SubjectID != waiting.ID {
			t.Fatalf("staff after chase: %v", kinds(got))
		}
		if got := inbox(t, s, f.staff2); len(got) != 0 {
			t.Fatalf("staff of community 2 chased: %v", kinds(got))
		}
	})
}

func TestNotificationsCommitWithTheirAction(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		n := f.file(t, s, false)
		if _, err := s.AcceptNeed(bg, f.staff1, n.ID); err != nil {
			t.Fatal(err)
		}
		nots, out := tableRows(t, s, "notifications"), tableRows(t, s, "outbox")
		// A dispatch that fails writes nothing.
		if _, err := s.DispatchNeed(bg, f.staff1, n.ID, 999999); err == nil {
			t.Fatal("dispatched to nobody")
		}
		// A transaction that notifies and then fails leaves no trace either.
		boom := errors.New("boom")
		err := s.InTx(bg, func(ctx context.Context) error {
			if err := s.Notify(ctx, nil, []uint64{f.filer.Account.ID}, models.Note{Kind: models.NotifyNeedChanged, SubjectType: "need", SubjectID: n.ID, Key: "notify.need_status.accepted", Args: []string{"1"}}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if a, b := tableRows(t, s, "notifications"), tableRows(t, s, "outbox"); a != nots || b != out {
			t.Fatalf("failed actions wrote notifications: %d→%d, outbox %d→%d", nots, a, out, b)
		}
	})
}

func TestInboxReadAndPaging(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		for i := 0; i < 23; i++ {
			clock.Advance(time.Minute)
			if err := s.Notify(bg, nil, []uint64{f.filer.Account.ID}, models.Note{Kind: models.NotifyNeedChanged, SubjectType: "need", SubjectID: uint64(i + 1), Key: "notify.need_status.accepted", Args: []string{"x"}, Link: "/needs/1"}); err != nil {
				t.Fatal(err)
			}
		}
		pg, err := s.Inbox(bg, f.filer, 2, 20)
		if err != nil || pg.Total != 23 || pg.Unread != 23 || len(pg.Items) != 3 || pg.Items[2].SubjectID != 1 {
			t.Fatalf("page 2: %+v %v", pg, err)
		}
		first := pg.Items[0]
		if _, err := s.MarkRead(bg, f.neighbour, first.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("someone else marked it read: %v", err)
		}
		if got, err := s.MarkRead(bg, f.filer, first.ID); err != nil || got.ReadAt == nil {
			t.Fatalf("mark read: %+v %v", got, err)
		}
		if c, _ := s.UnreadCount(bg, f.filer.Account.ID); c != 22 {
			t.Fatalf("unread %d", c)
		}
		if c, err := s.MarkAllRead(bg, f.neighbour); c != 0 || err != nil {
			t.Fatalf("neighbour marked %d: %v", c, err)
		}
		if c, err := s.MarkAllRead(bg, f.filer); c != 22 || err != nil {
			t.Fatalf("mark all %d %v", c, err)
		}
		if c, _ := s.UnreadCount(bg, f.filer.Account.ID); c != 0 {
			t.Fatalf("unread after all %d", c)
		}
		var audits int64
		s.DB().Model(&models.AuditEntry{}).Where("action IN ?", []string{"notification.read", "notification.read_all"}).Count(&audits)
		if audits != 2 {
			t.Fatalf("%d audit entries for reading", audits)
		}
	})
}
