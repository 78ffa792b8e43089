package views

import (
	"bytes"
	"context"
	"html"
	"testing"

	"github.com/a-h/templ"
)

// onlyWriter hides WriteString, for the path of plain writers.
type onlyWriter struct{ b *bytes.Buffer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.b.Write(p) }

// TestTextEscapesAsTempl: @views.Text(s) must write exactly what templ's
// { s } writes, for every character that needs escaping and for text
// without any.
func TestTextEscapesAsTempl(t *testing.T) {
	for _, s := range []string{
		"", "议事会 2026", `<script>alert("x")</script>`, "a & b's \"c\" <d> &amp;", "&", "'''", "结尾<",
	} {
		want := templ.EscapeString(s)
		if want != html.EscapeString(s) {
			t.Fatalf("templ escapes %q as %q, html as %q", s, want, html.EscapeString(s))
		}
		var b bytes.Buffer
		if err := Text(s).Render(context.Background(), &b); err != nil || b.String() != want {
			t.Errorf("Text(%q) wrote %q (%v), want %q", s, b.String(), err, want)
		}
		b.Reset()
		if err := Text(s).Render(context.Background(), onlyWriter{&b}); err != nil || b.String() != want {
			t.Errorf("Text(%q) to a plain writer wrote %q (%v), want %q", s, b.String(), err, want)
		}
	}
}

func TestMsg(t *testing.T) {
	ctx := WithEnv(context.Background(), &Env{Locale: "en"})
	if got, want := Msg(ctx, "nav.home"), T(ctx, "nav.home"); string(got) != want || want == "" {
		t.Fatalf("Msg %q, T %q", got, want)
	}
}

// TestURLSafe: only the URL-safe base64 alphabet passes.
func TestURLSafe(t *testing.T) {
	for s, want := range map[string]bool{
		"":         true,
		"AZaz09-_": true,
		"3q2-7_Zx0KJhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE": true, // a drawn token
		"abc=":             false, // padding is not URL-safe base64 without padding
		"a+b/c":            false, // the standard alphabet's own characters
		`x"y`:              false,
		"<b>":              false,
		"token with space": false,
		"令牌":               false,
	} {
		if got := URLSafe(s); got != want {
			t.Errorf("URLSafe(%q) = %v, want %v", s, got, want)
		}
	}
}
