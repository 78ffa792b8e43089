package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// The actors of the authorization matrix.
const (
	anon     = "anonymous"
	resident = "resident"   // 13800000004, community 1
	convener = "convener"   // 13800000003, community 1
	staff1   = "staff1"     // community staff, community 1
	staff2   = "staff2"     // community staff, community 2 (made by the test)
	street   = "street"     // street staff
	admin    = "admin"      // admin at the street
	pending  = "unverified" // 13800000011, registered, waiting
)

var actors = []string{anon, pending, resident, convener, staff1, staff2, street, admin}

var actorPhones = map[string]string{
	resident: "13800000004", convener: "13800000003", staff1: "13800000002",
	staff2: "13800000099", street: "13800000001", admin: "13800000000", pending: "13800000011",
}

// matrixIDs are the ids the route templates refer to.
type matrixIDs map[string]uint64

// expand fills {name} placeholders.
func (ids matrixIDs) expand(path string) string {
	for k, v := range ids {
		path = strings.ReplaceAll(path, "{"+k+"}", fmt.Sprint(v))
	}
	return path
}

func everyone() []string        { return actors }
func signedIn() []string        { return actors[1:] }
func staffOf1() []string        { return []string{staff1, street, admin} }
func staffAnywhere() []string   { return []string{staff1, staff2, street, admin} }
func streetAndAdmin() []string  { return []string{street, admin} }
func verifiedPeople() []string  { return []string{resident, convener} }
func staffOf2() []string        { return []string{staff2, street, admin} }
func only(a ...string) []string { return a }

// matrixRoute is one route and who may use it.
type matrixRoute struct {
	method string
	path   string
	allow  []string
}

// matrix lists every page and action of the foundation. A GET must answer
// 200 to those allowed; everyone else gets a 403 (or, signed out, the
// sign-in page). A POST must be refused to everyone not allowed, and change
// nothing.
var matrix = []matrixRoute{
	{"GET", "/", everyone()},
	{"GET", "/login", only(anon)}, // the signed-in are sent on home
	{"GET", "/register", only(anon)},
	{"GET", "/profile", signedIn()},
	{"GET", "/console", staffAnywhere()},
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		ids := matrixFixture(t, s)
		clients := map[string]*webtest.Client{}
		for _, a := range actors {
			c := srv.Client()
			if a != anon {
				c.Login(actorPhones[a], demo.Password)
			}
			clients[a] = c
		}
		for _, r := range matrix {
			path := ids.expand(r.path)
			for _, a := range actors {
				allowed := contains(r.allow, a)
				c := clients[a]
				switch r.method {
				case http.MethodGet:
					p := c.Get(path)
					switch {
					case allowed && (p.Status != http.StatusOK || p.URL.Path != strings.SplitN(path, "?", 2)[0]):
						t.Errorf("%s GET %s: want 200 here, got %d at %s", a, path, p.Status, p.URL.Path)
					case !allowed && a == anon && p.URL.Path != "/login":
						t.Errorf("%s GET %s: want the sign-in page, got %d at %s", a, path, p.Status, p.URL.Path)
					case !allowed && a != anon && p.Status != http.StatusForbidden && p.Status != http.StatusNotFound && p.URL.Path == strings.SplitN(path, "?", 2)[0]:
						t.Errorf("%s GET %s: want 403 (or 404 for what they may not know exists), got %d", a, path, p.Status)
					}
				case http.MethodPost:
					if allowed {
						continue
					}
					before := auditCount(t, s)
					tok := c.Get("/").CSRF()
					p := c.Post(path, url.Values{"_csrf": {tok}})
					if a == anon {
						if p.Status != http.StatusUnauthorized && p.URL.Path != "/login" {
							t.Errorf("%s POST %s: want 401 or sign-in, got %d at %s", a, path, p.Status, p.URL.Path)
						}
					} else if p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
						t.Errorf("%s POST %s: want 403, got %d", a, path, p.Status)
					}
					if after := auditCount(t, s); after != before {
						t.Errorf("%s POST %s: a refused request changed something (%d audit entries written)", a, path, after-before)
					}
				}
			}
		}
	})
}

// matrixFixture adds community staff for community 2 and returns the ids
// the routes use.
func matrixFixture(t *testing.T, s *models.Store) matrixIDs {
	t.Helper()
	roots, err := s.Roots(bg)
	if err != nil || len(roots) != 1 {
		t.Fatalf("roots: %v", err)
	}
	communities, err := s.Children(bg, roots[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := matrixIDs{"street": roots[0].ID}
	for _, c := range communities {
		switch c.Name {
		case demo.CommunityNames[0]:
			setID(t, ids, "com1", c.ID)
		case demo.CommunityNames[1]:
			setID(t, ids, "com2", c.ID)
		}
	}
	acct, err := s.CreateAccount(bg, models.AccountInput{Phone: actorPhones[staff2], Name: "二社区社工", Password: demo.Password, Confirm: demo.Password}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.GrantRoleAsSystem(bg, acct.ID, models.RoleCommunityStaff, ids["com2"]); err != nil {
		t.Fatal(err)
	}
	for _, extra := range matrixFixtures {
		extra(t, s, ids)
	}
	return ids
}

// matrixFixtures add the objects each area's routes refer to; every area
// registers its own from an init function.
var matrixFixtures []func(t *testing.T, s *models.Store, ids matrixIDs)

func auditCount(t *testing.T, s *models.Store) int64 {
	t.Helper()
	var n int64
	// Sign-ins and sign-outs are not what a refused request may write.
	if err := s.Tx(bg).Model(&models.AuditEntry{}).Where("action NOT LIKE ?", "auth.%").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// setID records a fixture id under a name no other area has taken: two
// areas writing the same name would silently test the wrong object.
func setID(t *testing.T, ids matrixIDs, name string, id uint64) {
	t.Helper()
	if _, taken := ids[name]; taken {
		t.Fatalf("matrix fixture id {%s} is set twice", name)
	}
	ids[name] = id
}
