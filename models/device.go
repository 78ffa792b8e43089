package models

import (
	"slices"
	"strings"
	"time"
)

// SignInDevice is a browser an account has signed in from before (登录设备),
// known by a cookie that holds a random token; only its hash is
// kept. Wrong passwords tried from a known device count against the device
// and not against the account, and sign-ins from it pass the limits that
// strangers' failures put on the account and on the network address: a
// resident is not locked out by someone guessing at their phone number, nor
// by a neighbour on the same mobile network's shared address. The device's
// own count locks it by the same rule (EvaluateLogin), so a copied cookie
// guesses no faster than anyone else.
type SignInDevice struct {
	ID           string `gorm:"primaryKey"` // the token's hash
	AccountID    uint64
	FailedLogins int
	LockedUntil  *time.Time
	CreatedAt    time.Time
	LastUsedAt   time.Time
	// Agent is the kind of browser and system the device is, as its last
	// sign-in's User-Agent said (DeviceAgent): "android/wechat"; "" when
	// unknown.
	Agent string
}

const (
	// DeviceTTL is how long a device stays known after its last sign-in.
	DeviceTTL = 365 * 24 * time.Hour
	// maxDevices bounds the devices kept per account; the least recently
	// used beyond it are forgotten.
	maxDevices = 10
)

// DeviceIDOf is the ID of the device whose cookie holds tok.
func DeviceIDOf(tok string) string { return hashToken(tok) }

// deviceSystems and deviceBrowsers are the User-Agent marks DeviceAgent
// looks for, in order: the first found names the system or the browser.
// Apps that show pages (WeChat, DingTalk, QQ) come before the engines their
// User-Agent also names, and Edge before the Chrome it also claims to be.
var (
	deviceSystems = []struct{ mark, name string }{
		{"HarmonyOS", "harmony"}, {"OpenHarmony", "harmony"},
		{"iPhone", "iphone"}, {"iPad", "ipad"},
		{"Android", "android"},
		{"Windows", "windows"},
		{"Macintosh", "mac"},
		{"Linux", "linux"}, {"CrOS", "linux"},
	}
	deviceBrowsers = []struct{ mark, name string }{
		{"MicroMessenger", "wechat"},
		{"DingTalk", "dingtalk"},
		{"QQBrowser", "qqbrowser"},
		{" QQ/", "qq"},
		{"UCBrowser", "uc"},
		{"Quark", "quark"},
		{"HuaweiBrowser", "huawei"},
		{"MiuiBrowser", "miui"},
		{"Edg/", "edge"}, {"EdgA/", "edge"}, {"EdgiOS/", "edge"},
		{"Firefox/", "firefox"}, {"FxiOS/", "firefox"},
		{"CriOS/", "chrome"}, {"Chrome/", "chrome"},
		{"Safari/", "safari"},
	}
)

// DeviceAgent is the kind of a browser by its User-Agent header: its
// system and browser as "system/browser" from fixed lists, either part ""
// when not recognised, and "" when neither is. Only these names are kept,
// never the header itself, which may identify a phone's model and build.
func DeviceAgent(ua string) string {
	sys, br := firstMark(ua, deviceSystems), firstMark(ua, deviceBrowsers)
	if sys == "" && br == "" {
		return ""
	}
	return sys + "/" + br
}

// DeviceKinds are the names DeviceAgent gives systems and browsers.
func DeviceKinds() (systems, browsers []string) {
	for _, m := range deviceSystems {
		systems = append(systems, m.name)
	}
	for _, m := range deviceBrowsers {
		browsers = append(browsers, m.name)
	}
	return slices.Compact(systems), slices.Compact(browsers)
}

func firstMark(ua string, marks []struct{ mark, name string }) string {
	for _, m := range marks {
		if strings.Contains(ua, m.mark) {
			return m.name
		}
	}
	return ""
}
