package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"yishi/models/modeltest"
	"yishi/web"
)

// The site's own forms and probes: open to everyone, or to anyone signed in
// acting on their own account; listed so that every route has its row.
func init() {
	matrix = append(matrix,
		matrixRoute{"GET", "/healthz", everyone()},
		matrixRoute{"GET", "/readyz", everyone()},
		matrixRoute{"POST", "/login", everyone()},
		// The code form answers only a browser whose sign-in waits for its
		// code (TestSecondFactorSignIn); everyone else is sent to the sign-in
		// page, and the signed-in on home.
		matrixRoute{"GET", "/login/code", only()},
		matrixRoute{"POST", "/login/code", everyone()},
		matrixRoute{"POST", "/register", everyone()},
		matrixRoute{"POST", "/prefs", everyone()},
		matrixRoute{"POST", "/logout", signedIn()},
		matrixRoute{"POST", "/profile/password", signedIn()},
		matrixRoute{"POST", "/profile/devices/forget", signedIn()},
		matrixRoute{"POST", "/profile/sign-out-elsewhere", signedIn()},
		matrixRoute{"POST", "/profile/second-factor/begin", signedIn()},
		matrixRoute{"POST", "/profile/second-factor/enable", signedIn()},
		matrixRoute{"POST", "/profile/second-factor/disable", signedIn()},
		matrixRoute{"GET", "/projects/export.xlsx", everyone()},
		matrixRoute{"GET", "/resources/export.xlsx", everyone()},
		matrixRoute{"POST", "/resources", signedIn()},
	)
}

// TestEveryRouteIsInTheMatrix: each GET and POST route of the site has at
// least one row in the authorization matrix, so a new page or step cannot
// go without a check of who may and may not use it.
func TestEveryRouteIsInTheMatrix(t *testing.T) {
	t.Parallel()
	s := modeltest.Open(t, "sqlite", nil)
	e := web.New(web.Config{}, s)
	// Placeholders and numbers in the matrix's paths stand for parameters.
	param := regexp.MustCompile(`\{[A-Za-z0-9_]+\}|/[0-9]+(/|$)`)
	var rows []string
	for _, r := range matrix {
		p := strings.SplitN(r.path, "?", 2)[0]
		rows = append(rows, r.method+" "+param.ReplaceAllStringFunc(p, func(m string) string {
			if strings.HasPrefix(m, "/") {
				return "/*" + strings.TrimLeft(m, "/0123456789")
			}
			return "*"
		}))
	}
	seg := regexp.MustCompile(`:[a-z_]+`)
	for _, rt := range e.Routes() {
		if rt.Method != http.MethodGet && rt.Method != http.MethodPost {
			continue
		}
		if strings.HasPrefix(rt.Path, "/static") || strings.Contains(rt.Path, "*") {
			continue
		}
		want := rt.Method + " " + seg.ReplaceAllString(rt.Path, "*")
		found := false
		for _, r := range rows {
			found = found || r == want
		}
		if !found {
			t.Errorf("%s %s has no row in the authorization matrix", rt.Method, rt.Path)
		}
	}
}
