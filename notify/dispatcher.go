package notify

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"yishi/models"
	"yishi/views/i18n"
)

// Dispatcher drains the outbox: it claims due messages, renders each in its
// reader's language, sends it through the channel registered for its outbox
// channel, and records the outcome. Several dispatchers may run against one
// PostgreSQL; each message is claimed by one of them at a time.
type Dispatcher struct {
	Store *models.Store
	// Channels maps an outbox channel (models.ChannelSMS) to what sends it.
	Channels map[string]Channel
	// BaseURL, when set, is put before a notification's link in the text.
	BaseURL string
	// Batch is how many messages one round claims (50 when zero).
	Batch int
	// Lease is how long a claimed message is left to its dispatcher before
	// another may try it (5 minutes when zero); keep it above the channel's
	// timeout.
	Lease time.Duration
	Log   *slog.Logger
}

// Text renders a notification for a reader whose stored locale is locale.
func (d *Dispatcher) Text(locale string, n models.Notification) string {
	loc := i18n.Match(locale)
	if loc == "" {
		loc = i18n.ZH
	}
	text := i18n.T(loc, "notify.sms_prefix") + i18n.T(loc, n.Key, n.ArgList()...)
	if d.BaseURL != "" && n.Link != "" {
		text += " " + strings.TrimRight(d.BaseURL, "/") + n.Link
	}
	return text
}

// RunOnce sends one batch and returns how many messages went out and how
// many attempts failed.
func (d *Dispatcher) RunOnce(ctx context.Context) (sent, failed int, err error) {
	lease := d.Lease
	if lease <= 0 {
		lease = 5 * time.Minute
	}
	names := make([]string, 0, len(d.Channels))
	for name := range d.Channels {
		names = append(names, name)
	}
	if len(names) == 0 {
		return 0, 0, nil
	}
	batch, err := d.Store.ClaimOutbox(ctx, names, d.Batch, lease)
	if err != nil {
		return 0, 0, err
	}
	for _, del := range batch {
		if ctx.Err() != nil {
			// Stopping: what is left is tried again when its lease runs out.
			return sent, failed, nil
		}
		ch := d.Channels[del.Message.Channel]
		serr := ch.Send(ctx, Message{Phone: del.Phone, Text: d.Text(del.Locale, del.Message.Notification)})
		if serr == nil {
			if err := d.Store.OutboxDelivered(ctx, del.Message); err != nil {
				return sent, failed, err
			}
			sent++
			continue
		}
		if ctx.Err() != nil {
			return sent, failed, nil
		}
		failed++
		status, err := d.Store.OutboxAttemptFailed(ctx, del.Message, serr)
		if err != nil {
			return sent, failed, err
		}
		d.logger().Warn("notification not delivered", "outbox", del.Message.ID, "channel", ch.Name(),
			"attempt", del.Message.Attempts, "status", string(status), "err", serr.Error())
	}
	return sent, failed, nil
}

// Run sends due messages every interval until ctx ends, draining full
// batches at once.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	Every(ctx, interval, func(ctx context.Context) error {
		for {
			sent, failed, err := d.RunOnce(ctx)
			if err != nil || sent+failed < d.batch() {
				return err
			}
		}
	}, func(err error) { d.logger().Error("notification dispatcher", "err", err.Error()) })
}

func (d *Dispatcher) batch() int {
	if d.Batch <= 0 {
		return 50
	}
	return d.Batch
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Log == nil {
		return slog.Default()
	}
	return d.Log
}

// Every runs fn every interval until ctx ends, reporting its errors to onErr
// unless ctx has ended.
func Every(ctx context.Context, interval time.Duration, fn func(context.Context) error, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := fn(ctx); err != nil && ctx.Err() == nil && onErr != nil {
				onErr(err)
			}
		}
	}
}
