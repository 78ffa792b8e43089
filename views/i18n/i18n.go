// Package i18n is Yishi's message catalog: every user-visible string, in
// Simplified Chinese first and English, looked up by key. Each area adds its
// messages from its own file with add, as {zh-CN, en} pairs, so that no key
// can exist in one language only.
package i18n

import (
	"fmt"
	"sort"
	"strings"
)

// The supported locales; the first is the default.
const (
	ZH = "zh-CN"
	EN = "en"
)

// Locales lists the supported locales, default first.
var Locales = []string{ZH, EN}

var catalog = map[string][2]string{}

// add registers messages; a key registered twice is a programming error.
func add(m map[string][2]string) {
	for k, v := range m {
		if _, dup := catalog[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		catalog[k] = v
	}
}

// T returns the message for key in locale, formatted with args when given.
// An unknown key is returned as itself, bracketed, so it stands out (a test
// makes sure no code uses one).
func T(locale, key string, args ...any) string {
	v, ok := catalog[key]
	if !ok {
		return "[" + key + "]"
	}
	s := v[0]
	if locale == EN {
		s = v[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key is in the catalog.
func Has(key string) bool {
	_, ok := catalog[key]
	return ok
}

// Keys returns every key, sorted.
func Keys() []string {
	out := make([]string, 0, len(catalog))
	for k := range catalog {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Pair returns both texts of a key (for tests).
func Pair(key string) (zh, en string) {
	v := catalog[key]
	return v[0], v[1]
}

// Match picks a supported locale from a stored preference or an
// Accept-Language header; "" when nothing matches.
func Match(s string) string {
	for _, part := range strings.Split(s, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case tag == "":
			continue
		case strings.HasPrefix(tag, "zh"):
			return ZH
		case strings.HasPrefix(tag, "en"):
			return EN
		}
	}
	return ""
}
