package views

import (
	"context"
	"io"
)

// Text is a string that renders as escaped HTML text. In a template,
// @views.Text(s) writes what { s } writes, without the formatting call and
// the two allocations templ spends on each { } expression. The templates
// under load use it for whole-element text: the layout and the shared
// components every page renders, the ballot page and its receipt.
type Text string

// Render writes t escaped as html.EscapeString escapes it.
func (t Text) Render(_ context.Context, w io.Writer) error {
	return writeEscaped(w, string(t))
}

// Msg is the catalog text of key in the reader's language (T) as Text.
func Msg(ctx context.Context, key string, args ...any) Text {
	return Text(T(ctx, key, args...))
}

// URLSafe reports whether s holds only characters of URL-safe base64
// (A–Z, a–z, 0–9, - and _): a token the site drew, which needs no escaping
// in HTML, JSON or a URL.
func URLSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// writeEscaped writes s with &, ', <, > and " escaped, in runs between the
// characters that need it.
func writeEscaped(w io.Writer, s string) error {
	sw, ok := w.(io.StringWriter)
	if !ok {
		sw = stringWriter{w}
	}
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		default:
			continue
		}
		if _, err := sw.WriteString(s[last:i]); err != nil {
			return err
		}
		if _, err := sw.WriteString(esc); err != nil {
			return err
		}
		last = i + 1
	}
	_, err := sw.WriteString(s[last:])
	return err
}

// stringWriter writes strings to a writer that takes only bytes.
type stringWriter struct{ w io.Writer }

func (s stringWriter) WriteString(str string) (int, error) { return s.w.Write([]byte(str)) }
