// Package views holds Yishi's templ components. This root package carries the
// per-request environment every component reads (locale, CSRF token, the
// signed-in principal, display preferences) and the helpers for messages,
// times and masking; layout/, components/ and one folder per area build on it.
package views

import (
	"context"
	"strconv"
	"strings"
	"time"

	"yishi/models"
	"yishi/views/i18n"
)

// Env is what every page needs to know about the request.
type Env struct {
	Locale       string
	CSRF         string
	Principal    *models.Principal
	LargeText    bool
	HighContrast bool
	Path         string // the request path with query, for return links
	Back         string // a page that exists to return to after the display switches: Path on a GET
	Flash        string // a catalog key, shown once
	FlashKind    string // "ok" or "error"
	TZ           *time.Location
	Now          time.Time
	Asset        func(name string) string
	BaseURL      string
	Unread       int64 // the signed-in person's unread notifications
}

type envKey struct{}

// WithEnv returns ctx carrying e.
func WithEnv(ctx context.Context, e *Env) context.Context { return context.WithValue(ctx, envKey{}, e) }

// E returns the request's Env; outside a request, a default one.
func E(ctx context.Context) *Env {
	if e, ok := ctx.Value(envKey{}).(*Env); ok && e != nil {
		return e
	}
	return &Env{Locale: i18n.ZH, TZ: shanghai, Asset: func(n string) string { return "/static/" + n }}
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// T translates key in the request's locale.
func T(ctx context.Context, key string, args ...any) string {
	return i18n.T(E(ctx).Locale, key, args...)
}

// SignedIn reports whether someone is signed in.
func SignedIn(ctx context.Context) bool { return E(ctx).Principal != nil }

// Me is the signed-in principal, or nil.
func Me(ctx context.Context) *models.Principal { return E(ctx).Principal }

// FormatTime shows t in the deployment's time zone, "2026-11-22 15:04".
func FormatTime(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(E(ctx).TZ).Format("2006-01-02 15:04")
}

// FormatTimePtr is FormatTime for an optional time ("" when nil).
func FormatTimePtr(ctx context.Context, t *time.Time) string {
	if t == nil {
		return ""
	}
	return FormatTime(ctx, *t)
}

// FormatDate shows the date of t in the deployment's time zone.
func FormatDate(ctx context.Context, t time.Time) string {
	return t.In(E(ctx).TZ).Format("2006-01-02")
}

// Mask is models.MaskPhone, for templates.
func Mask(phone string) string { return models.MaskPhone(phone) }

// RoleName is the role's name in the request's locale.
func RoleName(ctx context.Context, r models.Role) string { return T(ctx, "role."+string(r)) }

// DeviceName names a known device by its kind (models.DeviceAgent): its
// browser and its system in the request's locale, or that it is unknown.
func DeviceName(ctx context.Context, agent string) string {
	sys, br, _ := strings.Cut(agent, "/")
	var parts []string
	if br != "" && i18n.Has("device.browser."+br) {
		parts = append(parts, T(ctx, "device.browser."+br))
	}
	if sys != "" && i18n.Has("device.system."+sys) {
		parts = append(parts, T(ctx, "device.system."+sys))
	}
	if len(parts) == 0 {
		return T(ctx, "device.unknown")
	}
	return strings.Join(parts, " · ")
}

// KindName is the place kind's name in the request's locale.
func KindName(ctx context.Context, k models.PlaceKind) string {
	return T(ctx, "place_kind."+string(k))
}

// Itoa formats an integer for templates.
func Itoa[T ~int | ~int64 | ~uint64 | ~uint | ~int32](n T) string {
	if n < 0 {
		return strconv.FormatInt(int64(n), 10)
	}
	return strconv.FormatUint(uint64(n), 10)
}

// FieldError translates the error recorded for field, or "".
func FieldError(ctx context.Context, fe models.FieldErrors, field string) string {
	if code, ok := fe[field]; ok {
		return T(ctx, code)
	}
	return ""
}
