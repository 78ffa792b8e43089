package web_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// chromiumPath is where the browser tests expect Chromium.
const chromiumPath = "/usr/bin/chromium"

// browserProblems collects console errors, uncaught exceptions and CSP
// violations a page reports.
type browserProblems struct {
	mu   sync.Mutex
	list []string
}

func (b *browserProblems) add(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.list = append(b.list, s)
}

func (b *browserProblems) all() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.list...)
}

// listen records what the page in ctx complains about.
func (b *browserProblems) listen(t *testing.T, ctx context.Context) {
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				b.add("console." + string(ev.Type) + ": " + strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			b.add("exception: " + ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			// CSP violations, failed loads and the like arrive here.
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				b.add("log." + string(ev.Entry.Source) + ": " + ev.Entry.Text + " " + ev.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatalf("listen to the browser: %v", err)
	}
}

// TestBrowserSignInAndHome signs the demo resident in through the real
// sign-in form in headless Chromium, once with JavaScript and once without,
// and checks the home page, its language, a clean console and that the
// large-text setting survives a reload.
func TestBrowserSignInAndHome(t *testing.T) {
	s := demoForBrowser(t)
	srv := webtest.Start(t, s)

	// What the resident's home page must name: their verified household.
	acct, err := s.AccountByPhone(context.Background(), "13800000004")
	if err != nil {
		t.Fatal(err)
	}
	hh, _, err := s.Residency(context.Background(), acct.ID)
	if err != nil || hh == nil {
		t.Fatalf("demo resident has no household (%v)", err)
	}
	household, err := s.PlaceLabel(context.Background(), *hh)
	if err != nil {
		t.Fatal(err)
	}

	// The first run turns large text on; the setting is saved with the
	// account, so the second run, in a fresh browser, starts with it on and
	// turns it off again.
	for i, js := range []bool{true, false} {
		name := "javascript-on"
		if !js {
			name = "javascript-off"
		}
		t.Run(name, func(t *testing.T) {
			browse(t, srv.URL, js, acct, household, i == 1)
		})
	}
}

// browse runs one browser session against base.
// largeAtStart says whether the account's saved large-text setting is on.
func browse(t *testing.T, base string, js bool, acct models.Account, household string, largeAtStart bool) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1024, 800),
		// A browser set to Chinese, as the residents' phones are; the app
		// follows Accept-Language.
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(ctx, chromedp.WithErrorf(t.Logf))
	defer cancelBrowser()

	problems := &browserProblems{}
	problems.listen(t, ctx)

	if !js {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	var (
		lang, htmlClass, pressed            chromedp.AttributeResult
		location, greeting, shown, htmxType string
	)
	into := func(dst *string, a chromedp.Action[string]) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) (err error) { *dst, err = a(ctx, t); return })
	}
	attr := func(dst *chromedp.AttributeResult, sel, name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) (err error) {
			*dst, err = chromedp.AttributeValue(chromedp.CSS(sel), name)(ctx, t)
			return
		})
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-testid="login-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`form[data-testid="login-form"] input[name="phone"]`), acct.Phone),
		chromedp.SendKeys(chromedp.CSS(`form[data-testid="login-form"] input[name="password"]`), demo.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home-household"]`)),
		into(&location, chromedp.Location()),
		attr(&lang, "html", "lang"),
		into(&greeting, chromedp.Text(chromedp.CSS(`[data-testid="home-greeting"]`))),
		into(&shown, chromedp.Text(chromedp.CSS(`[data-testid="home-household"]`))),
		into(&htmxType, chromedp.Evaluate[string](`typeof window.htmx`)),
	)
	if err != nil {
		t.Fatalf("sign in: %v; the browser reported %v", err, problems.all())
	}
	if location != base+"/" {
		t.Fatalf("after sign-in the browser is at %s, want the home page", location)
	}
	if lang.Value != "zh-CN" {
		t.Fatalf(`<html lang=%q>, want "zh-CN"`, lang.Value)
	}
	if !strings.Contains(greeting, acct.Name) {
		t.Fatalf("greeting %q does not name %s", greeting, acct.Name)
	}
	if !strings.Contains(shown, household) {
		t.Fatalf("home shows %q, want the household %q", shown, household)
	}
	// The scripts ran exactly when JavaScript was on.
	if want := map[bool]string{true: "object", false: "undefined"}[js]; htmxType != want {
		t.Fatalf("typeof htmx is %q with JavaScript %v, want %q", htmxType, js, want)
	}

	// Large text: as saved at first, switched by the toggle, and still
	// switched after a reload.
	if err := chromedp.Do(ctx, attr(&htmlClass, "html", "class")); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(htmlClass.Value, "large-text") != largeAtStart {
		t.Fatalf("before the toggle the page has class %q; large text should be %v", htmlClass.Value, largeAtStart)
	}
	switched, wantPressed := `html.large-text`, "true"
	if largeAtStart {
		switched, wantPressed = `html:not(.large-text)`, "false"
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="toggle-large"]`)),
		chromedp.WaitReady(chromedp.CSS(switched)),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home-household"]`)),
		attr(&htmlClass, "html", "class"),
		attr(&pressed, `[data-testid="toggle-large"]`, "aria-pressed"),
		into(&location, chromedp.Location()),
	)
	if err != nil {
		t.Fatalf("large text: %v; the browser reported %v", err, problems.all())
	}
	if strings.Contains(htmlClass.Value, "large-text") == largeAtStart || pressed.Value != wantPressed {
		t.Fatalf("after a reload the large-text switch is not kept: class %q, aria-pressed %q", htmlClass.Value, pressed.Value)
	}
	if location != base+"/" {
		t.Fatalf("the toggle left the browser at %s, want the page it was on", location)
	}

	if !js {
		return
	}
	if p := problems.all(); len(p) > 0 {
		t.Fatalf("the browser reported problems with JavaScript on:\n%s", strings.Join(p, "\n"))
	}
	// The listener is not deaf: an inline script is refused by the CSP and
	// the refusal is reported.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`var s = document.createElement("script"); s.textContent = "1"; document.body.appendChild(s); true`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(problems.all()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a CSP violation went unreported: the console check would miss real ones")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if p := strings.Join(problems.all(), "\n"); !strings.Contains(p, "Content Security Policy") {
		t.Fatalf("the deliberate inline script was reported, but not as a CSP violation: %s", p)
	}
}

// demoForBrowser skips a browser test without Chromium (and fails it in
// CI), and opens an embedded store with the demo loaded.
func demoForBrowser(t *testing.T) *models.Store {
	t.Helper()
	needChromium(t)
	s := modeltest.Open(t, "sqlite", nil)
	if err := demo.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

// needChromium skips a browser test without Chromium, and fails it in CI.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required in CI: %v", err)
		}
		t.Skipf("no Chromium at %s", chromiumPath)
	}
}

// headless starts a fresh headless Chromium in Chinese, width pixels wide,
// for at most timeout, and collects what it reports; it stops when the test
// ends.
func headless(t *testing.T, width int, timeout time.Duration) (context.Context, *browserProblems) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath), chromedp.UserDataDir(t.TempDir()), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(width, 900),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"))
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(ctx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancelBrowser)
	problems := &browserProblems{}
	problems.listen(t, ctx)
	return ctx, problems
}

// into stores the result of a into dst, as a step of chromedp.Do.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) (err error) { *dst, err = a(ctx, t); return })
}

// waitUntil polls a JavaScript condition for up to five seconds (htmx swaps
// in parts of pages; a page may still be the previous one).
func waitUntil(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for i := 0; i < 100; i++ {
			ok, err := chromedp.Evaluate[bool](cond)(ctx, tg)
			if err != nil {
				return err
			}
			if ok {
				return nil
			}
			time.Sleep(50 * time.Millisecond)
		}
		return fmt.Errorf("timed out waiting for %s", cond)
	})
}
