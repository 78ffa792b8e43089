package views_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"yishi/views"
	"yishi/views/components"
)

// TestScopedFieldIDs: two forms with a field of the same name get distinct
// ids, each label pointing at its own box.
func TestScopedFieldIDs(t *testing.T) {
	var buf bytes.Buffer
	ctx := context.Background()
	for _, scope := range []string{"chase", "escalate"} {
		if err := views.Scoped(scope, components.TextArea("note", "common.submit", "", 2, nil, nil)).Render(ctx, &buf); err != nil {
			t.Fatal(err)
		}
	}
	if err := components.TextArea("note", "common.submit", "", 2, nil, nil).Render(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`for="f-chase-note"`, `id="f-chase-note"`, `for="f-escalate-note"`, `id="f-escalate-note"`, `for="f-note"`, `id="f-note"`} {
		if strings.Count(html, want) != 1 {
			t.Errorf("%s appears %d times in\n%s", want, strings.Count(html, want), html)
		}
	}
}
