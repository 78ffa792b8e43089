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
	if key := actionKey(action); i18n.Has(key) {
		return views.T(ctx, key)
	}
	return action
}

// ObjectName is an audit entry's object type in the request's language
// ("audit_object.place"), else the type's code.
func ObjectName(ctx context.Context, objectType string) string {
	if key := objectKey(objectType); i18n.Has(key) {
		return views.T(ctx, key)
	}
	return objectType
}

// actionKey is the catalog key naming an audit action: "place.create" is
// "audit_action.place_create".
func actionKey(action string) string {
	return "audit_action." + strings.ReplaceAll(action, ".", "_")
}

// objectKey is the catalog key naming an audit object type.
func objectKey(objectType string) string { return "audit_object." + objectType }
