package console

import (
	"context"
	"strings"

	"yishi/views"
	"yishi/views/i18n"
)

// ActionName is an audit action in the request's language when the catalog
// knows it ("audit_action.place_create"), else the action code itself: the
// trail holds actions of every area, named by their code.
func ActionName(ctx context.Context, action string) string {
	key := "audit_action." + strings.ReplaceAll(action, ".", "_")
	if i18n.Has(key) {
		return views.T(ctx, key)
	}
	return action
}

// ObjectName is an audit entry's object type in the request's language
// ("audit_object.place"), else the type's code.
func ObjectName(ctx context.Context, objectType string) string {
	key := "audit_object." + objectType
	if i18n.Has(key) {
		return views.T(ctx, key)
	}
	return objectType
}
