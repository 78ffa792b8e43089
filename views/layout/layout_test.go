package layout

import (
	"context"
	"encoding/json"
	"testing"

	"yishi/views"
)

func TestCSRFHeader(t *testing.T) {
	for _, tok := range []string{
		"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEfG",       // as the site draws them
		`a"b<c>d&e\f` + "\u2028" + `gggggggggggggggggggggggg`, // a cookie value made up by someone
		"",
	} {
		got := csrfHeader(views.WithEnv(context.Background(), &views.Env{CSRF: tok}))
		var m map[string]string
		if err := json.Unmarshal([]byte(got), &m); err != nil {
			t.Fatalf("token %q: %s is not JSON: %v", tok, got, err)
		}
		if len(m) != 1 || m["X-CSRF-Token"] != tok {
			t.Fatalf("token %q: header %s reads back as %v", tok, got, m)
		}
	}
	if got := csrfHeader(views.WithEnv(context.Background(), &views.Env{CSRF: `x"y`})); got == `{"X-CSRF-Token":"x"y"}` {
		t.Fatalf("a quote went out unescaped: %s", got)
	}
}

func TestPrefClasses(t *testing.T) {
	for _, c := range []struct {
		large, contrast bool
		want            string
	}{
		{false, false, ""},
		{true, false, "large-text"},
		{false, true, "high-contrast"},
		{true, true, "large-text high-contrast"},
	} {
		ctx := views.WithEnv(context.Background(), &views.Env{LargeText: c.large, HighContrast: c.contrast})
		if got := prefClasses(ctx); got != c.want {
			t.Errorf("large %v, contrast %v: %q, want %q", c.large, c.contrast, got, c.want)
		}
	}
}
