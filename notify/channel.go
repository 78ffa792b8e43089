// Package notify delivers notifications outside the app: a Channel sends one
// text to one phone, and the Dispatcher drains the outbox the models write in
// the same transaction as the actions that cause them, retrying failures
// with a growing wait. Nothing here runs inside a user's request.
package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"yishi/models"
)

// Message is one outbound text.
type Message struct {
	Phone string
	Text  string
}

// Channel sends messages one way (短信, the log).
type Channel interface {
	Name() string
	Send(ctx context.Context, m Message) error
}

// LogChannel writes each message to the log instead of sending it: the
// default when no SMS gateway is configured, and handy in development.
type LogChannel struct {
	Log *slog.Logger
}

// Name is "log".
func (LogChannel) Name() string { return "log" }

// Send logs the message with the phone masked.
func (c LogChannel) Send(_ context.Context, m Message) error {
	l := c.Log
	if l == nil {
		l = slog.Default()
	}
	l.Info("notification", "channel", "log", "to", models.MaskPhone(m.Phone), "text", m.Text)
	return nil
}

// SMSGateway sends a text through an HTTP SMS gateway. URLTemplate holds
// {phone} and {text}, each replaced by its query-escaped value, for example
// "https://sms.example/send?to={phone}&text={text}". With Method POST the
// same values are also sent as a form body (phone, text). Username and
// Password give HTTP basic auth; Token is sent in TokenHeader ("Authorization:
// Bearer <token>" when TokenHeader is empty). Any status other than 2xx, a
// network error or a timeout is a failure.
type SMSGateway struct {
	URLTemplate string
	Method      string // GET (default) or POST
	Username    string
	Password    string
	Token       string
	TokenHeader string
	Timeout     time.Duration // per request; 10s when zero
	HTTPClient  *http.Client
}

// Name is "sms".
func (g *SMSGateway) Name() string { return "sms" }

// ErrGatewayStatus is a gateway answering with a status other than 2xx.
var ErrGatewayStatus = errors.New("sms gateway refused the message")

// Validate checks the configuration before serving starts.
func (g *SMSGateway) Validate() error {
	if !strings.Contains(g.URLTemplate, "{phone}") && !strings.EqualFold(g.Method, http.MethodPost) {
		return errors.New("sms gateway: the URL template needs {phone} (or use POST)")
	}
	u, err := url.Parse(strings.NewReplacer("{phone}", "x", "{text}", "x").Replace(g.URLTemplate))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("sms gateway: %q is not an http(s) URL", g.URLTemplate)
	}
	switch strings.ToUpper(g.Method) {
	case "", http.MethodGet, http.MethodPost:
	default:
		return fmt.Errorf("sms gateway: method %q is neither GET nor POST", g.Method)
	}
	return nil
}

// Send delivers one text.
func (g *SMSGateway) Send(ctx context.Context, m Message) error {
	timeout := g.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	target := strings.NewReplacer("{phone}", url.QueryEscape(m.Phone), "{text}", url.QueryEscape(m.Text)).Replace(g.URLTemplate)
	method := strings.ToUpper(g.Method)
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(url.Values{"phone": {m.Phone}, "text": {m.Text}}.Encode())
	} else {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return fmt.Errorf("sms gateway: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if g.Username != "" || g.Password != "" {
		req.SetBasicAuth(g.Username, g.Password)
	}
	if g.Token != "" {
		if g.TokenHeader == "" || strings.EqualFold(g.TokenHeader, "Authorization") {
			req.Header.Set("Authorization", "Bearer "+g.Token)
		} else {
			req.Header.Set(g.TokenHeader, g.Token)
		}
	}
	client := g.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// The error names the URL, which holds the phone and text: keep only
		// what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("sms gateway: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) //nolint:errcheck
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w: HTTP %d %s", ErrGatewayStatus, resp.StatusCode, strings.TrimSpace(string(snippet)))
	}
	return nil
}
