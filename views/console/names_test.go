package console

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"yishi/views"
	"yishi/views/i18n"
)

// The audit trail names every action and object type the code records, so
// no entry reads as a bare code like "ballot.paper_confirm". The actions
// are found in the source under models/, the only code that records them.

var (
	// literalAction is an action written out: Action: "ballot.tally",
	// action = "ballot.vote", actionInviteRedeem = "invite.redeem",
	// loadAction = "demo.load".
	literalAction = regexp.MustCompile(`(?:\bAction:|\b(?:action\w*|\w+Action)\s*:?=)\s*"([a-z_]+\.[a-z_.]+)"`)
	// prefixedAction is an action built at run time: Action: "meeting." + action.
	prefixedAction = regexp.MustCompile(`\bAction:\s*"([a-z_]+)\."\s*\+`)
	// typedAction is a constant of a typed action set: NeedActTake NeedAction = "take".
	typedAction = regexp.MustCompile(`\b\w+\s+(\w+Action)\s*=\s*"([a-z_]+)"`)
	// helperCall is a call with a literal argument after names:
	// s.auditMeeting(ctx, p, v, "check_in", ...).
	helperCall = regexp.MustCompile(`\b(\w+)\([^"()]*"([a-z_]+)"`)
	// objectLiteral is an object type written out: ObjectType: "ballot".
	objectLiteral = regexp.MustCompile(`\bObjectType:\s*"([a-z_]+)"`)
	// objectAny is any object type set in an Audit literal.
	objectAny = regexp.MustCompile(`\bObjectType:\s*([^\s,}]+)`)
)

// dynamicActions tells, for each prefix an action is built from at run time,
// where its second half comes from: a typed constant set, and the store's
// helper that takes the action as its (first string) argument, e.g.
// s.auditMeeting(ctx, p, v, "check_in", ...) records "meeting.check_in".
var dynamicActions = map[string]struct{ typ, helper string }{
	"meeting":    {"MeetingAction", "auditMeeting"},
	"motion":     {"MotionAction", "auditMotion"},
	"need":       {"NeedAction", ""},
	"project":    {"ProjectAction", "projectAudit"},
	"resolution": {"ResolutionAction", "auditResolution"},
	"topic":      {"TopicAction", ""},
}

// auditCodes is every audit action and object type the sources record.
// Problems are constructs the scan does not understand: a new way of
// building actions must be taught to this test rather than slip past it.
func auditCodes(sources map[string]string) (actions, objects map[string]bool, problems []string) {
	actions, objects = map[string]bool{}, map[string]bool{}
	helperCalls := map[string]int{}
	for path, src := range sources {
		for _, m := range literalAction.FindAllStringSubmatch(src, -1) {
			actions[m[1]] = true
		}
		for _, m := range prefixedAction.FindAllStringSubmatch(src, -1) {
			if _, ok := dynamicActions[m[1]]; !ok {
				problems = append(problems, path+": actions "+m[0]+"…: add the prefix to dynamicActions")
			}
		}
		for _, m := range typedAction.FindAllStringSubmatch(src, -1) {
			for prefix, d := range dynamicActions {
				if m[1] == d.typ {
					actions[prefix+"."+m[2]] = true
				}
			}
		}
		// A helper's arguments before the action are names, so the first
		// literal in its call is the action.
		for _, m := range helperCall.FindAllStringSubmatch(src, -1) {
			for prefix, d := range dynamicActions {
				if m[1] == d.helper {
					actions[prefix+"."+m[2]] = true
					helperCalls[d.helper]++
				}
			}
		}
		for _, m := range objectLiteral.FindAllStringSubmatch(src, -1) {
			objects[m[1]] = true
		}
		for _, m := range objectAny.FindAllStringSubmatch(src, -1) {
			if !strings.HasPrefix(m[1], `"`) && m[1] != "a.ObjectType" {
				problems = append(problems, path+": object type "+m[1]+" is not a literal")
			}
		}
	}
	for _, d := range dynamicActions {
		if d.helper != "" && helperCalls[d.helper] == 0 {
			problems = append(problems, "no call of "+d.helper+" found: update dynamicActions")
		}
	}
	sort.Strings(problems)
	return actions, objects, problems
}

// modelSources reads every non-test Go file under models/.
func modelSources(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(filepath.Join("..", "..", "models"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		out[path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEveryAuditActionAndObjectHasAName(t *testing.T) {
	t.Parallel()
	actions, objects, problems := auditCodes(modelSources(t))
	for _, p := range problems {
		t.Error(p)
	}
	// One of each kind, so a scan that silently stops matching fails.
	for _, a := range []string{"ballot.paper_confirm", "ballot.vote", "invite.redeem", "demo.load",
		"meeting.check_in", "motion.vote", "need.dispatch", "project.open_call", "resolution.assign", "topic.accept"} {
		if !actions[a] {
			t.Errorf("the scan no longer finds audit action %s", a)
		}
	}
	for _, a := range sortedKeys(actions) {
		if !i18n.Has(actionKey(a)) {
			t.Errorf("audit action %s has no name: add %s to views/i18n/messages_audit.go", a, actionKey(a))
		}
	}
	for _, o := range sortedKeys(objects) {
		if !i18n.Has(objectKey(o)) {
			t.Errorf("audit object type %s has no name: add %s to views/i18n/messages_audit.go", o, objectKey(o))
		}
	}
}

func TestAuditNamesInBothLanguages(t *testing.T) {
	t.Parallel()
	zh := views.WithEnv(context.Background(), &views.Env{Locale: i18n.ZH})
	en := views.WithEnv(context.Background(), &views.Env{Locale: i18n.EN})
	for _, c := range []struct {
		ctx        context.Context
		code, want string
	}{
		{zh, "ballot.paper_confirm", "纸质选票复核确认"},
		{en, "ballot.paper_confirm", "Paper ballot confirmed"},
		{zh, "resolution.assign", "决议交办"},
		{zh, "no_such.action", "no_such.action"},
	} {
		if got := ActionName(c.ctx, c.code); got != c.want {
			t.Errorf("ActionName(%s) = %q, want %q", c.code, got, c.want)
		}
	}
	if got := ObjectName(zh, "resolution"); got != "决议" {
		t.Errorf("ObjectName(resolution) = %q", got)
	}
	if got := ObjectName(en, "no_such"); got != "no_such" {
		t.Errorf("ObjectName(no_such) = %q", got)
	}
}

// TestAuditScanFindsNewActions shows the scan above picks up each way an
// action is recorded, and refuses ways it does not know.
func TestAuditScanFindsNewActions(t *testing.T) {
	t.Parallel()
	src := `
const actionFooBar = "foo.bar"
func f() {
	s.Record(ctx, Audit{Action: "foo.baz", ObjectType: "foo"})
	const action = "foo.qux"
	s.auditMeeting(ctx, p, v,
		"adjourn", "detail")
	s.Record(ctx, Audit{Action: "meeting." + action, ObjectType: "meeting"})
	s.Record(ctx, Audit{Action: "widget." + string(w), ObjectType: kind})
}
const (
	TopicActPark TopicAction = "park"
)`
	actions, objects, problems := auditCodes(map[string]string{"x.go": src})
	for _, a := range []string{"foo.bar", "foo.baz", "foo.qux", "meeting.adjourn", "topic.park"} {
		if !actions[a] {
			t.Errorf("the scan misses %s; found %v", a, sortedKeys(actions))
		}
	}
	if !objects["foo"] || !objects["meeting"] {
		t.Errorf("object types: %v", sortedKeys(objects))
	}
	want := []string{"widget.", "kind", "auditMotion"}
	for _, w := range want {
		found := false
		for _, p := range problems {
			found = found || strings.Contains(p, w)
		}
		if !found {
			t.Errorf("no problem reported about %s: %q", w, problems)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
