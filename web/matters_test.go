package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// demoMatterPage opens the demo village matter from the list, as c.
func demoMatterPage(t *testing.T, c *webtest.Client) *webtest.Page {
	t.Helper()
	list := c.Get("/matters")
	href, ok := list.Doc.Find(`[data-testid="matter-item"] a`).First().Attr("href")
	if list.Status != http.StatusOK || !ok {
		t.Fatalf("matters list: %d", list.Status)
	}
	return c.Get(href)
}

// postValues are form values with the CSRF token.
func postValues(csrf string, set map[string]string) url.Values {
	v := url.Values{"_csrf": {csrf}}
	for k, x := range set {
		v.Set(k, x)
	}
	return v
}

// states are the states of a matter's steps, in order.
func states(p *webtest.Page) string {
	var out []string
	p.Doc.Find(`[data-testid="chain-step"]`).Each(func(_ int, s *goquery.Selection) {
		st, _ := s.Attr("data-state")
		out = append(out, st)
	})
	return strings.Join(out, ",")
}

func TestMatterStepsThroughForms(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		vs := login(srv, demo.VillageStaff.Phone)
		if !vs.Get("/councils").Has(`[data-testid="matters-link"]`) {
			t.Fatal("the councils page does not link to village matters")
		}
		mp := demoMatterPage(t, vs)
		if mp.Text(`[data-testid="matter-title"]`) != demo.MatterTitle || mp.Text(`[data-testid="matter-source"]`) != "群众建议" {
			t.Fatalf("matter page: %q", mp.Text(`[data-testid="matter-title"]`))
		}
		// The whole chain on one page: three done, the villagers' meeting
		// next with its form, the two publications greyed.
		if got := states(mp); got != "done,done,done,next,later,later" || mp.Count(`[data-testid="step-record"]`) != 3 {
			t.Fatalf("chain states %q, %d records", got, mp.Count(`[data-testid="step-record"]`))
		}
		if kind, _ := mp.Doc.Find(`[data-testid="step-form"]`).Attr("data-kind"); kind != "meeting" {
			t.Fatalf("next form kind %q", kind)
		}
		path := mp.URL.Path
		form := `form[data-testid="step-form"]`
		meeting := map[string]string{"form": "onsite", "expected": "35", "actual": "29", "result": "passed",
			"text": "村民代表会议表决村东组道路硬化方案。", "signatures": "主持人林书记，记录人周明，到会代表29人签字"}

		// Without the confirmation box nothing is recorded.
		bad := vs.Submit(mp, form, meeting)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-confirm"]`) {
			t.Fatalf("without confirming: %d", bad.Status)
		}
		// More present than expected is refused, with what was typed kept.
		over := map[string]string{"confirm": "on", "actual": "36"}
		for k, v := range meeting {
			if _, set := over[k]; !set {
				over[k] = v
			}
		}
		bad = vs.Submit(bad, form, over)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-actual"]`) {
			t.Fatalf("36 of 35 present: %d", bad.Status)
		}
		if v, _ := bad.Doc.Find(`textarea[name="text"]`).Html(); !strings.Contains(v, "村民代表会议") {
			t.Fatalf("typed text lost: %q", v)
		}
		if got := states(vs.Get(path)); got != "done,done,done,next,later,later" {
			t.Fatalf("a refused record changed the chain: %s", got)
		}
		meeting["confirm"] = "on"
		done := vs.Submit(bad, form, meeting)
		if done.Status != http.StatusOK || done.Text(`[data-testid="flash"]`) == "" || states(done) != "done,done,done,done,next,later" {
			t.Fatalf("after the villagers' meeting: %d %s", done.Status, states(done))
		}
		if got := done.Doc.Find(`[data-testid="record-attendance"]`).Eq(3).Text(); !strings.Contains(got, "35") || !strings.Contains(got, "29") {
			t.Fatalf("attendance shown %q", got)
		}
		// Recording the same step again is refused: steps are not repeated.
		again := vs.Post(path+"/steps/4", postValues(done.CSRF(), meeting))
		if again.Status != http.StatusUnprocessableEntity || !strings.Contains(again.Text(`[data-testid="error-confirm"]`), "已经登记") {
			t.Fatalf("recording step 4 twice: %d %q", again.Status, again.Text(`[data-testid="error-confirm"]`))
		}
		// Nor skipped: the last publication before the first.
		skip := vs.Post(path+"/steps/6", postValues(done.CSRF(), map[string]string{"confirm": "on"}))
		if skip.Status != http.StatusUnprocessableEntity || !strings.Contains(skip.Text(`[data-testid="error-confirm"]`), "不能跳过") {
			t.Fatalf("skipping to step 6: %d", skip.Status)
		}

		// The resolution is published: two ways, a period, a notice.
		if kind, _ := done.Doc.Find(`[data-testid="step-form"]`).Attr("data-kind"); kind != "publication" {
			t.Fatalf("next form kind %q", kind)
		}
		action, vals := done.Form(form)
		vals.Set("text", "经村民代表会议表决通过：硬化村东组通组道路。")
		vals.Set("period_days", "7")
		vals.Set("confirm", "on")
		vals.Del("channels")
		none := vs.Post(action, vals)
		if none.Status != http.StatusUnprocessableEntity || !none.Has(`[data-testid="error-channels"]`) {
			t.Fatalf("published by no way: %d", none.Status)
		}
		vals.Add("channels", "board")
		vals.Add("channels", "wechat")
		pub := vs.Post(action, vals)
		if pub.Status != http.StatusOK || states(pub) != "done,done,done,done,done,next" {
			t.Fatalf("after the publication: %d %s", pub.Status, states(pub))
		}
		if got := pub.Doc.Find(`[data-testid="record-channels"]`).First().Text(); got != "村务公开栏、微信群" {
			t.Fatalf("channels shown %q", got)
		}
		href, ok := pub.Doc.Find(`[data-testid="record-notice"]`).Attr("href")
		if !ok {
			t.Fatal("no link to the notice")
		}
		notice := srv.Client().Get(href)
		if notice.Status != http.StatusOK || !strings.Contains(notice.Body, demo.MatterTitle) {
			t.Fatalf("the notice, for anyone: %d", notice.Status)
		}

		// The registration forms print: one table per step, filled where
		// recorded, blank where not; no navigation, no forms.
		pr := vs.Get(path + "/print")
		if pr.Status != http.StatusOK || pr.Count(`[data-testid="register-step"]`) != 6 || pr.Has("form") || pr.Has(".site-header") || pr.Has("nav") {
			t.Fatalf("print page: %d, %d steps", pr.Status, pr.Count(`[data-testid="register-step"]`))
		}
		if pr.Text(`[data-testid="register-title"]`) != demo.MatterTitle || !pr.Has(`[data-testid="print-stylesheet"]`) {
			t.Fatal("print page head")
		}
		recorded := pr.Doc.Find(`[data-testid="register-step"][data-recorded="1"]`).Length()
		if recorded != 5 || pr.Doc.Find(`[data-testid="register-expected"]`).Eq(3).Text() != "35" || pr.Doc.Find(`.register-sign`).Length() < 6 {
			t.Fatalf("print: %d recorded, expected %q", recorded, pr.Doc.Find(`[data-testid="register-expected"]`).Eq(3).Text())
		}
		css := vs.Get(pr.Doc.Find(`[data-testid="print-stylesheet"]`).AttrOr("href", ""))
		if css.Status != http.StatusOK || !strings.Contains(css.Body, "@media print") || !strings.Contains(css.Body, "size: A4") {
			t.Fatalf("print stylesheet: %d", css.Status)
		}

		// A resident of community 1 has no village matters.
		chen := login(srv, "13800000004")
		if p := chen.Get("/matters"); !p.Has(`[data-testid="empty"]`) || p.Has(`[data-testid="matter-new"]`) {
			t.Fatal("a resident elsewhere should see the empty state and no registration")
		}
		if p := chen.Get(path); p.Status != http.StatusNotFound {
			t.Fatalf("a resident elsewhere opens the matter: %d", p.Status)
		}
		// Street staff see it and may record; the print page is theirs too.
		street := login(srv, "13800000001")
		if p := street.Get(path); !p.Has(`[data-testid="step-form"]`) {
			t.Fatal("street staff have no form for the next step")
		}
	})
}

func TestMatterRegisterWithOwnChain(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		vs := login(srv, demo.VillageStaff.Phone)

		// A chain of their own: the form starts from the default steps.
		cf := vs.Get("/matters/chains/new")
		if n := cf.Doc.Find(`[data-testid="chain-row"] input[value!=""]`).Length(); n != len(models.DefaultProcedure.Steps) {
			t.Fatalf("prefilled rows: %d", n)
		}
		action, vals := cf.Form(`form[data-testid="chain-form"]`)
		for i := 1; i <= models.MaxProcedureSteps; i++ {
			vals.Set(models.StepField("name", i-1), "")
		}
		bad := vs.Post(action, vals)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-steps"]`) || !bad.Has(`[data-testid="error-place_id"]`) {
			t.Fatalf("an empty chain: %d", bad.Status)
		}
		place, _ := cf.Doc.Find(`select[name="place_id"] option`).Eq(1).Attr("value")
		vals.Set("place_id", place)
		vals.Set("name", "小额事项简易程序")
		vals.Set("step_name_1", "两委商议")
		vals.Set("step_kind_1", "meeting")
		vals.Set("step_council_1", "two_committees")
		vals.Set("step_name_3", "结果公开") // a blank row between is left out
		vals.Set("step_kind_3", "publication")
		vals.Set("step_council_3", "")
		saved := vs.Post(action, vals)
		if saved.Status != http.StatusOK || saved.Text(`[data-testid="chain-name"]`) != "小额事项简易程序" {
			t.Fatalf("chain saved: %d at %s", saved.Status, saved.URL)
		}
		chainPath := saved.URL.Path
		if got := saved.Doc.Find(`input[name="step_name_2"]`).AttrOr("value", ""); got != "结果公开" {
			t.Fatalf("second step %q", got)
		}

		// Register a matter by it.
		nf := vs.Get("/matters/new")
		bad = vs.Submit(nf, `form[data-testid="matter-form"]`, map[string]string{"title": "", "description": ""})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-title"]`) || !bad.Has(`[data-testid="error-source"]`) {
			t.Fatalf("empty matter: %d", bad.Status)
		}
		chainID := chainPath[strings.LastIndex(chainPath, "/")+1:]
		village, _ := nf.Doc.Find(`select[name="place_id"] option`).Eq(1).Attr("value")
		mp := vs.Submit(bad, `form[data-testid="matter-form"]`, map[string]string{"place_id": village, "procedure_id": chainID,
			"title": "更换村委会办公桌椅", "description": "村委会办公桌椅破旧，拟更换一批，预算8000元。", "source": "officials"})
		if mp.Status != http.StatusOK || mp.Text(`[data-testid="matter-chain"]`) != "小额事项简易程序" || states(mp) != "next,later" {
			t.Fatalf("registered: %d, chain %q, %s", mp.Status, mp.Text(`[data-testid="matter-chain"]`), states(mp))
		}
		// In use, the chain shows read-only and a change is refused.
		locked := vs.Get(chainPath)
		if !locked.Has(`[data-testid="chain-locked"]`) || locked.Has(`form[data-testid="chain-form"]`) {
			t.Fatal("a chain in use still offers its form")
		}
		if p := vs.Post(chainPath, vals); p.Status != http.StatusConflict {
			t.Fatalf("changing a chain in use: %d", p.Status)
		}
		list := vs.Get("/matters")
		if list.Text(`[data-testid="matter-total"]`) != "共 2 件事项" {
			t.Fatalf("list: %q", list.Text(`[data-testid="matter-total"]`))
		}
	})
}
