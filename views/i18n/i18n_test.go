package i18n_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"yishi/models"
	"yishi/views/i18n"
)

func TestEveryKeyHasBothLanguages(t *testing.T) {
	for _, k := range i18n.Keys() {
		zh, en := i18n.Pair(k)
		if strings.TrimSpace(zh) == "" || strings.TrimSpace(en) == "" {
			t.Errorf("%s: missing a language (zh %q, en %q)", k, zh, en)
		}
		if strings.Count(zh, "%") != strings.Count(en, "%") {
			t.Errorf("%s: zh and en take different arguments: %q / %q", k, zh, en)
		}
		hasHan, hasLatin := false, false
		for _, r := range verbs.ReplaceAllString(zh, "") {
			hasHan = hasHan || unicode.Is(unicode.Han, r)
			hasLatin = hasLatin || unicode.IsLetter(r) && r < 0x250
		}
		if hasLatin && !hasHan && k != "prefs.lang_en" {
			t.Errorf("%s: the Chinese text has no Chinese: %q", k, zh)
		}
	}
}

var verbs = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

func TestRolesAndKindsHaveNames(t *testing.T) {
	for _, r := range models.Roles {
		if !i18n.Has("role." + string(r)) {
			t.Errorf("role %s has no name", r)
		}
	}
	for _, k := range models.PlaceKinds {
		if !i18n.Has("place_kind." + string(k)) {
			t.Errorf("place kind %s has no name", k)
		}
	}
}

// TestDeviceKindsHaveNames: every kind of system and browser a known
// device may be has a name to show its owner.
func TestDeviceKindsHaveNames(t *testing.T) {
	systems, browsers := models.DeviceKinds()
	for _, k := range systems {
		if !i18n.Has("device.system." + k) {
			t.Errorf("system %s has no name", k)
		}
	}
	for _, k := range browsers {
		if !i18n.Has("device.browser." + k) {
			t.Errorf("browser %s has no name", k)
		}
	}
}

// keyLiteral matches a string literal that looks like a catalog key whose
// prefix the catalog uses.
var keyLiteral = regexp.MustCompile(`"([a-z][a-z0-9_]*\.[a-z0-9_.]+)"`)

// notKeys are literals of that shape which are not messages: audit actions,
// object types and file names.
var notKeys = regexp.MustCompile(`(Action:\s*|action\s*=\s*|Where\(|\.Action\s*==\s*)"[^"]*"$`)

func TestEveryKeyUsedInCodeExists(t *testing.T) {
	prefixes := map[string]bool{}
	for _, k := range i18n.Keys() {
		prefixes[strings.SplitN(k, ".", 2)[0]] = true
	}
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == ".git" || name == "static" || name == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_templ.go") {
			return nil
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".templ") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		for _, m := range keyLiteral.FindAllStringSubmatchIndex(src, -1) {
			key := src[m[2]:m[3]]
			if !prefixes[strings.SplitN(key, ".", 2)[0]] || strings.Contains(key, "..") || strings.HasSuffix(key, ".") {
				continue
			}
			lineStart := strings.LastIndexByte(src[:m[0]], '\n') + 1
			if notKeys.MatchString(src[lineStart:m[1]]) {
				continue
			}
			if strings.Contains(filepath.ToSlash(path), "views/i18n/") {
				continue // the catalog itself
			}
			checked++
			if !i18n.Has(key) {
				t.Errorf("%s: key %q is not in the catalog", path, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d key uses found: the scan is broken", checked)
	}
}

func TestMatch(t *testing.T) {
	cases := map[string]string{
		"zh-CN,zh;q=0.9":  i18n.ZH,
		"en-US,en;q=0.8":  i18n.EN,
		"fr-FR, en;q=0.5": i18n.EN,
		"zh-TW":           i18n.ZH,
		"fr":              "",
		"":                "",
	}
	for in, want := range cases {
		if got := i18n.Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
	if got := i18n.T(i18n.EN, "home.welcome", "Li"); got != "Hello, Li" {
		t.Errorf("T = %q", got)
	}
	if got := i18n.T(i18n.ZH, "no.such.key"); got != "[no.such.key]" {
		t.Errorf("missing key = %q", got)
	}
}

// TestLockoutMessagesStateTheRule: the lockout messages spell out the
// number of tries and the minutes of the lock; they must say what the rule
// in models does.
func TestLockoutMessagesStateTheRule(t *testing.T) {
	tries := strconv.Itoa(models.MaxFailedLogins)
	minutes := strconv.Itoa(int(models.LockoutDuration.Minutes()))
	for key, want := range map[string][]string{
		"err.account_locked":       {tries},
		"err.password_locked":      {tries, minutes},
		"err.second_factor_locked": {tries, minutes},
		"err.code_locked":          {tries},
	} {
		zh, en := i18n.Pair(key)
		for _, w := range want {
			if !strings.Contains(zh, w) || !strings.Contains(en, w) {
				t.Errorf("%s does not say %s: %q / %q", key, w, zh, en)
			}
		}
	}
}

// TestNoChinesePunctuationOutsideTheCatalog: pages in English must not
// show "：", "、", "；" or "（）" between English words. Punctuation that
// differs between the languages comes from the catalog (common.colon,
// common.list_sep, common.semicolon, common.paren), never from a template
// or a handler.
func TestNoChinesePunctuationOutsideTheCatalog(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, dir := range []string{"views", "web"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "i18n" {
					return filepath.SkipDir
				}
				return nil
			}
			name := d.Name()
			if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, "_templ.go") ||
				!strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, ".templ") {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "//") {
					continue
				}
				for _, r := range line {
					if r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef {
						t.Errorf("%s:%d: %q belongs in the catalog: %s", path, i+1, r, strings.TrimSpace(line))
						break
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
