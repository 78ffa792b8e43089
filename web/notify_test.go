package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

func TestInboxThroughForms(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		// Fresh accounts, so the demo's own notifications do not count.
		for _, phone := range []string{"13700000001", "13700000002"} {
			if _, err := s.CreateAccount(bg, models.AccountInput{Phone: phone, Name: "收件人", Password: demo.Password, Confirm: demo.Password}, nil); err != nil {
				t.Fatal(err)
			}
		}
		me, err := s.AccountByPhone(bg, "13700000001")
		if err != nil {
			t.Fatal(err)
		}
		// 22 notifications: the oldest leads nowhere, the others to the profile.
		for i := 0; i < 22; i++ {
			clock.Advance(time.Minute)
			link := "/profile"
			if i == 0 {
				link = ""
			}
			err := s.Notify(bg, nil, []uint64{me.ID}, models.Note{Kind: models.NotifyNeedChanged, SubjectType: "need", SubjectID: uint64(100 + i),
				Key: "notify.need_status.accepted", Args: []string{fmt.Sprint(100 + i)}, Link: link})
			if err != nil {
				t.Fatal(err)
			}
		}
		c := srv.Client()
		home := c.Login("13700000001", demo.Password)
		if got := home.Text(`[data-testid="nav-unread"]`); got != "22 条未读" {
			t.Fatalf("nav badge %q", got)
		}
		in := c.Get("/inbox")
		if in.Status != http.StatusOK || in.Count(`[data-testid="inbox-item"]`) != 20 || in.Count(`[data-testid="inbox-item"][data-unread="true"]`) != 20 {
			t.Fatalf("inbox: %d, %d items", in.Status, in.Count(`[data-testid="inbox-item"]`))
		}
		if got := in.Text(`[data-testid="inbox-item"] .inbox-text`); !strings.Contains(got, "您提出的需求 #121 已受理") {
			t.Fatalf("newest first, in Chinese: %q", got)
		}
		if !in.Has(`[data-testid="pager"]`) {
			t.Fatal("no pager")
		}
		// Open the newest: it is marked read and leads to its link.
		opened := c.Submit(in, `[data-testid="inbox-item"]:first-child form`, nil)
		if opened.URL.Path != "/profile" {
			t.Fatalf("open led to %s (%d)", opened.URL, opened.Status)
		}
		if got := opened.Text(`[data-testid="nav-unread"]`); got != "21 条未读" {
			t.Fatalf("after opening one: %q", got)
		}
		// Page 2 holds the oldest, which leads nowhere: marking it read stays here.
		p2 := c.Get("/inbox?page=2")
		if p2.Count(`[data-testid="inbox-item"]`) != 2 || !p2.Has(`[data-testid="inbox-mark-read"]`) {
			t.Fatalf("page 2: %d items", p2.Count(`[data-testid="inbox-item"]`))
		}
		back := c.Submit(p2, `[data-testid="inbox-item"]:last-child form`, nil)
		if back.URL.Path != "/inbox" || back.URL.Query().Get("page") != "2" || back.Count(`[data-testid="inbox-item"][data-unread="false"]`) != 1 {
			t.Fatalf("after marking the oldest read: %s", back.URL)
		}
		// A request without the CSRF token changes nothing.
		if p := c.Post("/inbox/read-all", url.Values{}); p.Status != http.StatusForbidden {
			t.Fatalf("read-all without CSRF: %d", p.Status)
		}
		if n, _ := s.UnreadCount(bg, me.ID); n != 20 {
			t.Fatalf("unread %d", n)
		}
		all := c.Submit(c.Get("/inbox"), `form[action="/inbox/read-all"]`, nil)
		if all.URL.Path != "/inbox" || !strings.Contains(all.Text(`[data-testid="flash"]`), "已标为已读") {
			t.Fatalf("read all: %s %q", all.URL, all.Text(`[data-testid="flash"]`))
		}
		if all.Has(`[data-testid="nav-unread"]`) || all.Has(`[data-testid="inbox-read-all"]`) || all.Count(`[data-testid="inbox-item"][data-unread="true"]`) != 0 {
			t.Fatal("still unread after reading all")
		}
		if n, _ := s.UnreadCount(bg, me.ID); n != 0 {
			t.Fatalf("unread %d after all", n)
		}

		// Someone else cannot open it.
		other := srv.Client()
		empty := other.Login("13700000002", demo.Password)
		if empty.Has(`[data-testid="nav-unread"]`) {
			t.Fatal("badge without messages")
		}
		box := other.Get("/inbox")
		if !box.Has(`[data-testid="empty"]`) || box.Has(`[data-testid="inbox-list"]`) {
			t.Fatal("no honest empty state")
		}
		pg, _ := s.Inbox(bg, &models.Principal{Account: me}, 1, 1)
		refused := other.Post(fmt.Sprintf("/inbox/%d/read", pg.Items[0].ID), url.Values{"_csrf": {box.CSRF()}})
		if refused.Status != http.StatusNotFound {
			t.Fatalf("someone else's notification: %d", refused.Status)
		}
	})
}
