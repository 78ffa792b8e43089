// Package live wakes the pages that show a meeting as it happens (the
// projector's tally, 实时计票) when something about the meeting changes. A
// Hub fans a change out to the pages this process serves; on PostgreSQL it
// sends the change as a NOTIFY and listens on a dedicated connection, so a
// vote stored through one `yishi serve` process wakes projectors served by
// every other one. On SQLite there is one process, and the hub stays in it.
package live

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Channel is the PostgreSQL notification channel of meeting changes; the
// payload is the meeting's id.
const Channel = "yishi_meetings"

// Hub fans out "meeting N changed" to subscribers. The zero value is not
// usable; call New.
type Hub struct {
	mu   sync.Mutex
	subs map[uint64]map[chan struct{}]struct{}
	// db sends NOTIFY once Listen runs; nil means in-process only.
	db  *gorm.DB
	log *slog.Logger
	// listening is set while a LISTEN connection is up.
	listening atomic.Bool
}

// Listening reports whether the PostgreSQL listener is connected.
func (h *Hub) Listening() bool { return h.listening.Load() }

// New returns an in-process hub.
func New(log *slog.Logger) *Hub {
	if log == nil {
		log = slog.Default()
	}
	return &Hub{subs: map[uint64]map[chan struct{}]struct{}{}, log: log}
}

// Subscribe returns a channel that receives a wake-up (coalesced: at most
// one waits) whenever meeting id changes, and the function that ends the
// subscription.
func (h *Hub) Subscribe(id uint64) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[id] == nil {
		h.subs[id] = map[chan struct{}]struct{}{}
	}
	h.subs[id][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[id], ch)
		if len(h.subs[id]) == 0 {
			delete(h.subs, id)
		}
		h.mu.Unlock()
	}
}

// Subscribers counts the subscriptions to meeting id.
func (h *Hub) Subscribers(id uint64) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[id])
}

// publish wakes the subscribers to meeting id, or to every meeting when
// all is set (after the listener reconnects and may have missed changes).
func (h *Hub) publish(id uint64, all bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for mid, set := range h.subs {
		if !all && mid != id {
			continue
		}
		for ch := range set {
			select {
			case ch <- struct{}{}:
			default: // one wake-up is already waiting
			}
		}
	}
}

func (h *Hub) pg() *gorm.DB {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.db
}

// Changed says meeting id changed. With a PostgreSQL listener running it
// notifies every process (this one hears its own notification); otherwise
// it wakes this process's subscribers.
func (h *Hub) Changed(id uint64) {
	db := h.pg()
	if db == nil {
		h.publish(id, false)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", Channel, strconv.FormatUint(id, 10)).Error; err != nil {
		// The change is stored; the projectors catch up on their next
		// refresh. Wake those here at least.
		h.log.Warn("live: notify failed", "meeting", id, "err", err.Error())
		h.publish(id, false)
	}
}

// Backoff bounds of the listener's reconnection.
const (
	minBackoff = 250 * time.Millisecond
	maxBackoff = 10 * time.Second
)

// Listen bridges the hub to PostgreSQL until ctx ends: changes go out as
// NOTIFY through db, and a dedicated connection to url LISTENs for every
// process's changes, reconnecting with backoff when it drops. It returns
// when ctx is done.
func (h *Hub) Listen(ctx context.Context, url string, db *gorm.DB) {
	h.mu.Lock()
	h.db = db
	h.mu.Unlock()
	backoff := minBackoff
	for ctx.Err() == nil {
		err := h.listenOnce(ctx, url, func() { backoff = minBackoff })
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("live: listener lost, reconnecting", "err", errText(err), "in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// listenOnce holds one listening connection until it fails or ctx ends.
func (h *Hub) listenOnce(ctx context.Context, url string, connected func()) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	connected()
	h.listening.Store(true)
	defer h.listening.Store(false)
	// Whatever changed while no connection listened: every page reloads.
	h.publish(0, true)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		id, err := strconv.ParseUint(n.Payload, 10, 64)
		if err != nil {
			continue
		}
		h.publish(id, false)
	}
}

func errText(err error) string {
	if err == nil {
		return "closed"
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	return err.Error()
}
