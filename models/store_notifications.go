package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm/clause"
)

// Note is what Notify sends: a kind, the object it is about, a catalog key
// with its arguments and where the reader goes from it.
type Note struct {
	Kind        NotificationKind
	SubjectType string
	SubjectID   uint64
	Key         string
	Args        []string
	Link        string
}

// Notify puts a notification in the inbox of each account in accountIDs,
// except the actor's own (nobody is told of what they did themselves), and
// queues it for every outbound channel. Called inside a Store transaction it
// commits or rolls back with the action that caused it.
func (s *Store) Notify(ctx context.Context, actor *uint64, accountIDs []uint64, note Note) error {
	var to []uint64
	for _, id := range dedupe(accountIDs) {
		if id != 0 && (actor == nil || *actor != id) {
			to = append(to, id)
		}
	}
	if len(to) == 0 {
		return nil
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		now := s.Now()
		var first uint64
		for _, id := range to {
			n := Notification{AccountID: id, Kind: note.Kind, SubjectType: note.SubjectType, SubjectID: note.SubjectID,
				Key: note.Key, Args: encodeArgs(note.Args), Link: note.Link, CreatedAt: now}
			if err := s.conn(ctx).Create(&n).Error; err != nil {
				return err
			}
			if first == 0 {
				first = n.ID
			}
			for _, ch := range outboundChannels {
				m := OutboxMessage{NotificationID: n.ID, Channel: ch, Status: OutboxPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
				if err := s.conn(ctx).Create(&m).Error; err != nil {
					return err
				}
			}
		}
		return s.Record(ctx, Audit{ActorID: actor, Action: "notification.send", ObjectType: "notification", ObjectID: first,
			Detail: fmt.Sprintf("%s on %s %d to %d account(s)", note.Kind, note.SubjectType, note.SubjectID, len(to))})
	})
}

// notifyNeed sends the notifications a step on need n causes (see
// NeedNotices); former is the need's taker before the step. It runs inside
// the step's transaction.
func (s *Store) notifyNeed(ctx context.Context, actor *uint64, n Need, former *uint64, action NeedAction, from, to NeedStatus) error {
	for _, nn := range NeedNotices(action, from, to) {
		var ids []uint64
		switch nn.To {
		case ToFiler:
			ids = []uint64{n.FilerID}
		case ToTaker, ToHandler:
			if acc, err := s.takerAccount(ctx, n.TakerID); err != nil {
				return err
			} else if acc != 0 {
				ids = []uint64{acc}
			}
			if nn.To == ToHandler && len(ids) == 0 {
				var err error
				if ids, err = s.communityStaff(ctx, n.Place); err != nil {
					return err
				}
			}
		case ToFormerTaker:
			if acc, err := s.takerAccount(ctx, former); err != nil {
				return err
			} else if acc != 0 {
				ids = []uint64{acc}
			}
		case ToStaff:
			var err error
			if ids, err = s.communityStaff(ctx, n.Place); err != nil {
				return err
			}
		}
		id := strconv.FormatUint(n.ID, 10)
		err := s.Notify(ctx, actor, ids, Note{Kind: nn.Kind, SubjectType: "need", SubjectID: n.ID, Key: nn.Key, Args: []string{id}, Link: "/needs/" + id})
		if err != nil {
			return err
		}
	}
	return nil
}

// notifyWhistle tells each called department or unit that the street blew
// the whistle on need n and expects its report (报到).
func (s *Store) notifyWhistle(ctx context.Context, actor *uint64, n Need, calls []WhistleCall) error {
	var ids []uint64
	for _, c := range calls {
		if c.Taker.AccountID != nil {
			ids = append(ids, *c.Taker.AccountID)
		}
	}
	id := strconv.FormatUint(n.ID, 10)
	return s.Notify(ctx, actor, ids, Note{Kind: NotifyWhistleCalled, SubjectType: "need", SubjectID: n.ID,
		Key: "notify.whistle_called", Args: []string{id}, Link: "/needs/" + id})
}

// takerAccount returns the account acting for a taker, or 0.
func (s *Store) takerAccount(ctx context.Context, takerID *uint64) (uint64, error) {
	if takerID == nil {
		return 0, nil
	}
	var t Taker
	if err := s.conn(ctx).Where("id = ?", *takerID).Limit(1).Find(&t).Error; err != nil {
		return 0, err
	}
	if t.AccountID == nil {
		return 0, nil
	}
	return *t.AccountID, nil
}

// communityStaff returns the accounts holding the community staff role at a
// place that contains pl.
func (s *Store) communityStaff(ctx context.Context, pl Place) ([]uint64, error) {
	var grants []RoleGrant
	if err := s.conn(ctx).Preload("Place").Where("role = ?", RoleCommunityStaff).Order("account_id").Find(&grants).Error; err != nil {
		return nil, err
	}
	var out []uint64
	for _, g := range grants {
		if g.Place.Contains(pl) {
			out = append(out, g.AccountID)
		}
	}
	return dedupe(out), nil
}

// InboxPage is one page of a person's inbox.
type InboxPage struct {
	Items   []Notification
	Total   int64
	Unread  int64
	Page    int
	PerPage int
}

// Inbox lists p's notifications, newest first, with the unread count.
func (s *Store) Inbox(ctx context.Context, p *Principal, page, perPage int) (InboxPage, error) {
	if perPage <= 0 || perPage > 100 {
		perPage = 20
	}
	if page < 1 {
		page = 1
	}
	out := InboxPage{Page: page, PerPage: perPage}
	if p == nil {
		return out, ErrForbidden
	}
	db := s.conn(ctx).Model(&Notification{}).Where("account_id = ?", p.Account.ID)
	if err := db.Count(&out.Total).Error; err != nil {
		return out, err
	}
	var err error
	if out.Unread, err = s.UnreadCount(ctx, p.Account.ID); err != nil {
		return out, err
	}
	err = s.conn(ctx).Where("account_id = ?", p.Account.ID).Order("created_at DESC, id DESC").
		Offset((page - 1) * perPage).Limit(perPage).Find(&out.Items).Error
	return out, err
}

// UnreadCount is how many of an account's notifications are unread.
func (s *Store) UnreadCount(ctx context.Context, accountID uint64) (int64, error) {
	var c int64
	err := s.conn(ctx).Model(&Notification{}).Where("account_id = ? AND read_at IS NULL", accountID).Count(&c).Error
	return c, err
}

// MarkRead marks one of p's own notifications read and returns it; someone
// else's is ErrNotFound.
func (s *Store) MarkRead(ctx context.Context, p *Principal, id uint64) (Notification, error) {
	var n Notification
	if p == nil {
		return n, ErrNotFound
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Where("id = ? AND account_id = ?", id, p.Account.ID).Limit(1).Find(&n).Error; err != nil {
			return err
		}
		if n.ID == 0 {
			return ErrNotFound
		}
		if n.ReadAt != nil {
			return nil
		}
		now := s.Now()
		if err := s.conn(ctx).Model(&Notification{}).Where("id = ?", n.ID).Update("read_at", now).Error; err != nil {
			return err
		}
		n.ReadAt = &now
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "notification.read", ObjectType: "notification", ObjectID: n.ID})
	})
	return n, err
}

// MarkAllRead marks every unread notification of p read and returns how
// many it marked.
func (s *Store) MarkAllRead(ctx context.Context, p *Principal) (int64, error) {
	if p == nil {
		return 0, ErrForbidden
	}
	var marked int64
	err := s.InTx(ctx, func(ctx context.Context) error {
		res := s.conn(ctx).Model(&Notification{}).Where("account_id = ? AND read_at IS NULL", p.Account.ID).Update("read_at", s.Now())
		if res.Error != nil {
			return res.Error
		}
		marked = res.RowsAffected
		if marked == 0 {
			return nil
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "notification.read_all", ObjectType: "account", ObjectID: p.Account.ID,
			Detail: fmt.Sprintf("%d", marked)})
	})
	return marked, err
}

// Delivery is a claimed outbox message with what sending it needs.
type Delivery struct {
	Message OutboxMessage // with Notification loaded
	Phone   string
	Locale  string
}

// ClaimOutbox takes up to batch due messages for the given channels and
// leases them for lease: their next attempt moves past the lease and their
// attempt count goes up, so no other dispatcher takes them meanwhile, and a
// dispatcher that dies mid-send leaves them to be tried again when the lease
// runs out. On PostgreSQL rows another dispatcher is claiming are skipped
// (FOR UPDATE SKIP LOCKED); SQLite has one writer. The claim is bookkeeping:
// the outcome of each attempt goes into the audit trail (see
// OutboxDelivered and OutboxAttemptFailed).
func (s *Store) ClaimOutbox(ctx context.Context, channels []string, batch int, lease time.Duration) ([]Delivery, error) {
	if batch <= 0 {
		batch = 50
	}
	var out []Delivery
	err := s.InTx(ctx, func(ctx context.Context) error {
		now := s.Now()
		db := s.conn(ctx).Where("status = ? AND next_attempt_at <= ? AND channel IN ?", OutboxPending, now, channels).
			Order("next_attempt_at, id").Limit(batch)
		if s.conn(ctx).Dialector.Name() == "postgres" {
			db = db.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		var msgs []OutboxMessage
		if err := db.Find(&msgs).Error; err != nil {
			return err
		}
		for _, m := range msgs {
			m.Attempts++
			m.NextAttemptAt, m.UpdatedAt = now.Add(lease), now
			err := s.conn(ctx).Model(&OutboxMessage{}).Where("id = ?", m.ID).Updates(map[string]any{
				"attempts": m.Attempts, "next_attempt_at": m.NextAttemptAt, "updated_at": now,
			}).Error
			if err != nil {
				return err
			}
			if err := s.conn(ctx).First(&m.Notification, m.NotificationID).Error; err != nil {
				return err
			}
			var a Account
			if err := s.conn(ctx).Select("id, phone, locale").First(&a, m.Notification.AccountID).Error; err != nil {
				return err
			}
			out = append(out, Delivery{Message: m, Phone: a.Phone, Locale: a.Locale})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// OutboxDelivered marks a claimed message sent. A message whose claim was
// overtaken (its lease ran out and another dispatcher took it) is left alone.
func (s *Store) OutboxDelivered(ctx context.Context, m OutboxMessage) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		now := s.Now()
		res := s.conn(ctx).Model(&OutboxMessage{}).Where("id = ? AND status = ? AND attempts = ?", m.ID, OutboxPending, m.Attempts).
			Updates(map[string]any{"status": OutboxSent, "sent_at": now, "last_error": "", "updated_at": now})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return s.Record(ctx, Audit{Action: "notification.deliver", ObjectType: "outbox", ObjectID: m.ID,
			Detail: fmt.Sprintf("%s, attempt %d", m.Channel, m.Attempts)})
	})
}

// OutboxAttemptFailed records a failed attempt: the message is tried again
// after a growing wait, or fails for good after MaxOutboxAttempts. It
// returns the status the message is left in.
func (s *Store) OutboxAttemptFailed(ctx context.Context, m OutboxMessage, cause error) (OutboxStatus, error) {
	status := OutboxPending
	err := s.InTx(ctx, func(ctx context.Context) error {
		now := s.Now()
		next, retry := OutboxRetry(m.Attempts, now)
		if !retry {
			status = OutboxFailed
		}
		msg := truncate(strings.TrimSpace(cause.Error()), 500)
		res := s.conn(ctx).Model(&OutboxMessage{}).Where("id = ? AND status = ? AND attempts = ?", m.ID, OutboxPending, m.Attempts).
			Updates(map[string]any{"status": status, "next_attempt_at": next, "last_error": msg, "updated_at": now})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return s.Record(ctx, Audit{Action: "notification.deliver", ObjectType: "outbox", ObjectID: m.ID, Result: ResultFailed,
			Detail: fmt.Sprintf("%s, attempt %d, %s: %s", m.Channel, m.Attempts, status, msg)})
	})
	return status, err
}

// OutboxByID returns one outbox message (for tests and the admin).
func (s *Store) OutboxByID(ctx context.Context, id uint64) (OutboxMessage, error) {
	var m OutboxMessage
	if err := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&m).Error; err != nil {
		return m, err
	}
	if m.ID == 0 {
		return m, ErrNotFound
	}
	return m, nil
}
