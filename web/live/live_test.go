package live

import (
	"testing"
	"time"
)

// TestHubInProcess: a change wakes the subscribers of its meeting only,
// wake-ups coalesce, and an ended subscription is gone.
func TestHubInProcess(t *testing.T) {
	h := New(nil)
	a, stopA := h.Subscribe(1)
	b, stopB := h.Subscribe(2)
	defer stopB()
	h.Changed(1)
	h.Changed(1) // coalesced with the first
	select {
	case <-a:
	case <-time.After(time.Second):
		t.Fatal("meeting 1's subscriber not woken")
	}
	select {
	case <-a:
		t.Fatal("two wake-ups queued for one subscriber")
	case <-b:
		t.Fatal("meeting 2's subscriber woken by meeting 1")
	default:
	}
	stopA()
	if n := h.Subscribers(1); n != 0 {
		t.Fatalf("%d subscribers after stopping", n)
	}
	h.Changed(1) // nobody listens: no panic, no block
	if h.Listening() {
		t.Fatal("an in-process hub claims a listener")
	}
}
