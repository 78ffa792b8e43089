package views

import (
	"context"
	"io"

	"github.com/a-h/templ"
)

type idScopeKey struct{}

// Scoped renders c with its form fields' element ids prefixed by scope, so
// that several forms on one page may each have a field of the same name
// and every label still points at its own box.
func Scoped(scope string, c templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return c.Render(context.WithValue(ctx, idScopeKey{}, scope), w)
	})
}

func idScope(ctx context.Context) string {
	if s, ok := ctx.Value(idScopeKey{}).(string); ok && s != "" {
		return s + "-"
	}
	return ""
}

// FieldID is the element id of the form field name: "f-name", or
// "f-scope-name" inside Scoped.
func FieldID(ctx context.Context, name string) string { return "f-" + idScope(ctx) + name }

// ErrorID is the element id of the error message of the field name.
func ErrorID(ctx context.Context, name string) string { return "e-" + idScope(ctx) + name }
