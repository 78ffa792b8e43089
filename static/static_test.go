package static

import (
	"strings"
	"testing"
)

func TestURLResolvesBack(t *testing.T) {
	for _, name := range []string{"css/app.css", "js/app.js", "js/htmx.min.js"} {
		u := URL(name)
		hashedName, ok := strings.CutPrefix(u, "/static/")
		if !ok || hashedName == name {
			t.Fatalf("%s: URL %s is not a hashed static path", name, u)
		}
		file, immutable, ok := Resolve(hashedName)
		if !ok || !immutable || file != name {
			t.Fatalf("%s: %s resolves to %q (immutable %v, ok %v)", name, u, file, immutable, ok)
		}
	}
	if u := URL("no/such.file"); u != "/static/no/such.file" {
		t.Fatalf("unknown file: %s", u)
	}
}
