package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"yishi/models/demo"
)

// lockedBuffer collects a child's output across goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// server is a running `yishi serve`.
type server struct {
	cmd    *exec.Cmd
	addr   string // host:port
	stderr *lockedBuffer
	exited chan error
}

// startServe runs `yishi serve` with args on a free port and waits until it
// says where it listens.
func startServe(t *testing.T, c *cli, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + c.dir}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill() //nolint:errcheck
		}
	})
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		io.Copy(io.Discard, r) //nolint:errcheck
		s.exited <- cmd.Wait()
	}()
	select {
	case line := <-lines:
		const prefix = "yishi listening on http://"
		if !strings.HasPrefix(line, prefix) {
			t.Fatalf("serve said %q first; stderr: %s", line, s.stderr.String())
		}
		s.addr = strings.TrimSpace(strings.TrimPrefix(line, prefix))
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start; stderr: %s", s.stderr.String())
	}
	return s
}

// wait waits for the process to end and returns its exit code.
func (s *server) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case err := <-s.exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(within):
		t.Fatalf("serve still running %s after SIGTERM; stderr: %s", within, s.stderr.String())
	}
	return -1
}

// TestServeGracefulShutdown starts `yishi serve --demo` on a free port, checks
// the probes and the structured log, holds a sign-in request open mid-body,
// sends SIGTERM and checks that the server stops taking connections, still
// answers that request, and exits 0 with the audit trail sealed.
func TestServeGracefulShutdown(t *testing.T) {
	forEachDB(t, func(t *testing.T, dbURL string) {
		c := newCLI(t)
		srv := startServe(t, c, "--demo", "--db", dbURL)
		base := "http://" + srv.addr
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		for _, probe := range []string{"/healthz", "/readyz"} {
			resp, err := client.Get(base + probe)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", probe, resp.StatusCode)
			}
		}
		// The sign-in page sets the CSRF cookie the form needs.
		resp, err := client.Get(base + "/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		u, _ := url.Parse(base)
		csrf := ""
		for _, ck := range jar.Cookies(u) {
			if ck.Name == "yishi_csrf" {
				csrf = ck.Value
			}
		}
		if csrf == "" {
			t.Fatal("no CSRF cookie from /login")
		}

		// A sign-in whose body arrives in two parts: the handler is busy
		// reading it when the signal comes.
		body := url.Values{"_csrf": {csrf}, "phone": {"13800000004"}, "password": {demo.Password}}.Encode()
		conn, err := net.Dial("tcp", srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nCookie: yishi_csrf=%s\r\n\r\n%s",
			srv.addr, len(body), csrf, body[:10])
		time.Sleep(300 * time.Millisecond)
		if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}

		// The listener closes at once, but the process waits for the request.
		deadline := time.Now().Add(5 * time.Second)
		for {
			probe, err := net.DialTimeout("tcp", srv.addr, time.Second)
			if err != nil {
				break
			}
			probe.Close()
			if time.Now().After(deadline) {
				t.Fatal("serve still accepts connections after SIGTERM")
			}
			time.Sleep(50 * time.Millisecond)
		}
		select {
		case err := <-srv.exited:
			t.Fatalf("serve exited (%v) with a request in flight; stderr: %s", err, srv.stderr.String())
		case <-time.After(300 * time.Millisecond):
		}

		if _, err := io.WriteString(conn, body[10:]); err != nil {
			t.Fatal(err)
		}
		conn.SetReadDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck
		answer, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("the request in flight got no answer: %v; stderr: %s", err, srv.stderr.String())
		}
		answer.Body.Close()
		// 303 with a session: the demo resident (loaded by --demo) signed in.
		if answer.StatusCode != http.StatusSeeOther || !strings.Contains(strings.Join(answer.Header.Values("Set-Cookie"), "\n"), "yishi_session=") {
			t.Fatalf("the sign-in in flight was answered %d %v", answer.StatusCode, answer.Header)
		}

		if code := srv.wait(t, 30*time.Second); code != 0 {
			t.Fatalf("serve exited %d after SIGTERM; stderr: %s", code, srv.stderr.String())
		}

		// Every log line is one JSON object; the story is all there.
		var msgs []string
		sawLogin, head := false, ""
		for _, line := range strings.Split(strings.TrimSpace(srv.stderr.String()), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line is not JSON: %q", line)
			}
			msg, _ := rec["msg"].(string)
			msgs = append(msgs, msg)
			if msg == "request" && rec["path"] == "/login" && rec["method"] == "POST" && rec["status"] == float64(http.StatusSeeOther) {
				sawLogin = true
			}
			if msg == "audit head" {
				head, _ = rec["head"].(string)
			}
			if strings.Contains(line, demo.Password) {
				t.Fatalf("the password was logged: %s", line)
			}
		}
		all := strings.Join(msgs, "|")
		for _, want := range []string{"serving", "shutting down: finishing requests in flight", "stopped"} {
			if !strings.Contains(all, want) {
				t.Fatalf("log lacks %q: %v", want, msgs)
			}
		}
		if !sawLogin {
			t.Fatalf("the sign-in in flight was not logged: %s", srv.stderr.String())
		}

		// The last requests' audit entries were sealed on the way out, and
		// the log's last head is the chain's end.
		r := c.ok("audit", "verify", "--db", dbURL, "--head", head)
		if !strings.Contains(r.stdout, ", 0 not yet sealed; head "+head+"\n") {
			t.Fatalf("audit after a clean stop: %s; the log's last head: %q", r.stdout, head)
		}
	})
}

// TestServeTwiceWithDemo shows that `serve --demo` on an existing demo
// database starts (the load is idempotent) and stops on SIGINT too.
func TestServeTwiceWithDemo(t *testing.T) {
	c := newCLI(t)
	dbURL := "y.db" // relative to the working directory
	c.ok("demo", "--db", dbURL)
	db := openDB(t, filepath.Join(c.dir, dbURL))
	before := countDemo(t, db)
	srv := startServe(t, c, "--demo", "--db", dbURL)
	resp, err := http.Get("http://" + srv.addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %d", resp.StatusCode)
	}
	if err := srv.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := srv.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("serve exited %d after SIGINT; stderr: %s", code, srv.stderr.String())
	}
	if after := countDemo(t, db); after != before {
		t.Fatalf("serve --demo loaded the demo again:\nbefore %+v\nafter  %+v", before, after)
	}
}
