package models

import (
	"encoding/json"
	"time"
)

// NotificationKind says what a notification is about.
type NotificationKind string

// Notification kinds.
const (
	NotifyNeedDispatched NotificationKind = "need_dispatched"  // a need was dispatched to you (派单)
	NotifyNeedChanged    NotificationKind = "need_changed"     // your need changed status
	NotifyNeedRatePlease NotificationKind = "need_rate_please" // your need is done: please rate it (评单)
	NotifyNeedOverdue    NotificationKind = "need_overdue"     // a need you handle is overdue (催办)
	NotifyNeedReturned   NotificationKind = "need_returned"    // a taker returned a need (退单): dispatch it again
	NotifyNeedSentBack   NotificationKind = "need_sent_back"   // the filer sent a need back to you (发回重办)
	NotifyNeedRecalled   NotificationKind = "need_recalled"    // staff took a need dispatched to you back (撤回)
	NotifyWhistleCalled  NotificationKind = "whistle_called"   // the street blew the whistle and called you (吹哨报到)
)

// Notification is one message in a person's inbox (站内通知). Its text is a
// catalog key with arguments, so it reads in the reader's language; Link is
// where it leads.
type Notification struct {
	ID          uint64 `gorm:"primaryKey"`
	AccountID   uint64
	Kind        NotificationKind
	SubjectType string
	SubjectID   uint64
	Key         string
	Args        string // JSON array of strings
	Link        string
	CreatedAt   time.Time
	ReadAt      *time.Time
}

// Unread reports whether the notification has not been read.
func (n Notification) Unread() bool { return n.ReadAt == nil }

// ArgList returns the message arguments.
func (n Notification) ArgList() []any {
	var ss []string
	if n.Args != "" {
		_ = json.Unmarshal([]byte(n.Args), &ss) // written by encodeArgs only
	}
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func encodeArgs(args []string) string {
	if len(args) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(args) // a slice of strings always encodes
	return string(b)
}

// Outbound channels a notification is also sent through.
const (
	ChannelSMS = "sms" // a text message to the account's phone (短信)
)

// outboundChannels are the channels every notification is queued for.
var outboundChannels = []string{ChannelSMS}

// OutboxStatus is where an outbound message stands.
type OutboxStatus string

// Outbox states.
const (
	OutboxPending OutboxStatus = "pending" // waiting for its next attempt
	OutboxSent    OutboxStatus = "sent"    // delivered to the channel
	OutboxFailed  OutboxStatus = "failed"  // given up after MaxOutboxAttempts
)

// OutboxMessage is one notification waiting to go out through one channel
// (待发消息). It is written in the same transaction as the action that
// caused it, so nothing is lost, and sent later by a dispatcher, so a slow
// or broken channel never holds the action up.
type OutboxMessage struct {
	ID             uint64 `gorm:"primaryKey"`
	NotificationID uint64
	Channel        string
	Status         OutboxStatus
	Attempts       int
	NextAttemptAt  time.Time
	LastError      string
	SentAt         *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time

	Notification Notification `gorm:"foreignKey:NotificationID"`
}

// TableName keeps the table name short.
func (OutboxMessage) TableName() string { return "outbox" }

// MaxOutboxAttempts is how often a message is tried before it fails.
const MaxOutboxAttempts = 6

// outboxBackoff is the wait after each failed attempt.
var outboxBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// OutboxRetry tells, after failed attempt number attempts (1 for the first),
// when to try again, or ok=false when the message has failed for good.
func OutboxRetry(attempts int, now time.Time) (next time.Time, ok bool) {
	if attempts >= MaxOutboxAttempts {
		return now, false
	}
	i := attempts - 1
	if i < 0 {
		i = 0
	}
	if i >= len(outboxBackoff) {
		i = len(outboxBackoff) - 1
	}
	return now.Add(outboxBackoff[i]), true
}

// Recipient is whom a need notification goes to.
type Recipient string

// Need notification recipients.
const (
	ToFiler   Recipient = "filer"   // who filed the need
	ToTaker   Recipient = "taker"   // the account acting for the need's taker
	ToStaff   Recipient = "staff"   // community staff whose place holds the need
	ToHandler Recipient = "handler" // the taker if it has an account, else the staff
	// ToFormerTaker is the account acting for the taker the need had before
	// the step (the one a recall takes it from).
	ToFormerTaker Recipient = "former_taker"
)

// NeedNotice is one notification a step on a need sends.
type NeedNotice struct {
	To   Recipient
	Kind NotificationKind
	Key  string
}

// NeedNotices decides who hears of a step on a need: the taker when it is
// dispatched to them or sent back, and the one it had when staff recall it;
// the filer on every change of status (asked to rate when it is done); the
// handler when it is chased; the staff when a taker returns it.
func NeedNotices(action NeedAction, from, to NeedStatus) []NeedNotice {
	var out []NeedNotice
	switch action {
	case NeedActDispatch:
		out = append(out, NeedNotice{ToTaker, NotifyNeedDispatched, "notify.need_dispatched"})
	case NeedActSendBack:
		out = append(out, NeedNotice{ToTaker, NotifyNeedSentBack, "notify.need_sent_back"})
	case NeedActReturn:
		out = append(out, NeedNotice{ToStaff, NotifyNeedReturned, "notify.need_returned"})
	case NeedActRecall:
		out = append(out, NeedNotice{ToFormerTaker, NotifyNeedRecalled, "notify.need_recalled"})
	case NeedActChase:
		out = append(out, NeedNotice{ToHandler, NotifyNeedOverdue, "notify.need_overdue"})
	}
	if from != to {
		switch {
		case to == NeedDone:
			out = append(out, NeedNotice{ToFiler, NotifyNeedRatePlease, "notify.need_rate_please"})
		case action == NeedActAutoClose:
			out = append(out, NeedNotice{ToFiler, NotifyNeedChanged, "notify.need_auto_closed"})
		default:
			out = append(out, NeedNotice{ToFiler, NotifyNeedChanged, "notify.need_status." + string(to)})
		}
	}
	return out
}
