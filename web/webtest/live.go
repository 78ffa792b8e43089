package webtest

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Live reads the server-sent events stream at path as c: each "board"
// event's data comes out of the channel, until stop is called, the test
// ends or the stream ends.
func (c *Client) Live(path string) (<-chan string, func()) {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		cancel()
		c.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		resp.Body.Close()
		c.t.Fatalf("live stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan string, 16)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		var event string
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			case line == "":
				if event == "board" {
					out <- strings.Join(data, "\n")
				}
				event, data = "", nil
			}
		}
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
		}
	}
	c.t.Cleanup(stop)
	return out, stop
}

// WaitBoard waits up to d for a board from events containing want.
func WaitBoard(t testing.TB, events <-chan string, want string, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case b, ok := <-events:
			if !ok {
				t.Fatalf("the stream ended before a board with %q", want)
			}
			if strings.Contains(b, want) {
				return
			}
		case <-deadline:
			t.Fatalf("no board with %q within %s", want, d)
		}
	}
}
