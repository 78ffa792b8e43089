package web_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
	"yishi/web/webtest"
)

// demoCouncilPage opens the demo council from the list, as c.
func demoCouncilPage(t *testing.T, c *webtest.Client) *webtest.Page {
	t.Helper()
	list := c.Get("/councils")
	href, ok := list.Doc.Find(`[data-testid="council-item"] a`).First().Attr("href")
	if list.Status != http.StatusOK || !ok {
		t.Fatalf("councils list: %d", list.Status)
	}
	return c.Get(href)
}

func TestTopicProposeCosignAndDecline(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		chen, liu, conv := login(srv, "13800000004"), login(srv, "13800000005"), login(srv, "13800000003")

		cp := demoCouncilPage(t, chen)
		if got := cp.Text(`[data-testid="council-name"]`); got != demo.CouncilName {
			t.Fatalf("council page: %q", got)
		}
		if got := cp.Text(`[data-testid="council-voting"]`); !strings.Contains(got, "11") || !strings.Contains(got, "12") {
			t.Fatalf("voting members: %q", got)
		}
		href, _ := cp.Doc.Find(`[data-testid="topic-new"]`).Attr("href")
		form := chen.Get(href)
		bad := chen.Submit(form, `form[data-testid="topic-form"]`, map[string]string{"title": "灯", "body": ""})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-title"]`) || !bad.Has(`[data-testid="error-body"]`) {
			t.Fatalf("short topic: %d", bad.Status)
		}
		tp := chen.Submit(bad, `form[data-testid="topic-form"]`, map[string]string{"title": "小区路灯改造", "body": "小区有三盏路灯不亮，晚上老人散步看不清路，建议议事会讨论改造。"})
		if tp.Status != http.StatusOK || tp.Text(`[data-testid="topic-status"]`) != "待审议" || tp.Has(`[data-testid="cosign-form"]`) {
			t.Fatalf("submitted topic at %s: %d %q", tp.URL, tp.Status, tp.Text(`[data-testid="topic-status"]`))
		}
		topicURL := tp.URL.Path

		// A neighbour co-signs; the proposer's name is masked to them.
		lp := liu.Get(topicURL)
		if got := lp.Text(`[data-testid="topic-proposer"]`); got != "陈**" {
			t.Fatalf("proposer as a neighbour sees it: %q", got)
		}
		lp = liu.Submit(lp, `form[data-testid="cosign-form"]`, nil)
		if lp.Text(`[data-testid="topic-cosigners"]`) != "1" || !lp.Has(`[data-testid="topic-cosigned"]`) {
			t.Fatalf("after co-signing: %q", lp.Text(`[data-testid="topic-cosigners"]`))
		}

		// The convener declines: the confirmation box is required.
		cv := conv.Get(topicURL)
		if cv.Has(`[data-testid="cosign-form"]`) == false && !cv.Has(`[data-testid="act-decline"]`) {
			t.Fatal("the convener has no decline form")
		}
		bad = conv.Submit(cv, `form[data-testid="act-decline"]`, map[string]string{"reason": "路灯维修属物业职责，已转物业。"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-confirm"]`) {
			t.Fatalf("decline without confirming: %d", bad.Status)
		}
		if got := conv.Get(topicURL).Text(`[data-testid="topic-status"]`); got != "待审议" {
			t.Fatalf("an unconfirmed decline changed the topic: %q", got)
		}
		done := conv.Submit(bad, `form[data-testid="act-decline"]`, map[string]string{"reason": "路灯维修属物业职责，已转物业。", "confirm": "on"})
		if done.Text(`[data-testid="topic-status"]`) != "不予采纳" || done.Text(`[data-testid="topic-reason"]`) != "路灯维修属物业职责，已转物业。" {
			t.Fatalf("declined topic: %q", done.Text(`[data-testid="topic-status"]`))
		}
		if done.Has(`[data-testid="act-accept"]`) || done.Has(`[data-testid="act-decline"]`) {
			t.Fatal("a declined topic still offers steps")
		}
		for _, c := range []*webtest.Client{chen, liu} {
			if in := c.Get("/inbox"); !strings.Contains(in.Body, "小区路灯改造") || !strings.Contains(in.Body, "未被采纳") {
				t.Fatal("the proposer or co-signer was not told of the decline")
			}
		}
	})
}

func TestNeedBecomesTopic(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		chen := login(srv, "13800000004")
		res := principalByPhone(t, s, "13800000004")
		needs, _, err := s.ListNeeds(bg, res, models.NeedFilter{Scope: models.NeedsMine, PerPage: 1})
		if err != nil || len(needs) == 0 {
			t.Fatalf("the resident's needs: %v", err)
		}
		n := needs[0]
		np := chen.Get("/needs/" + itoa(n.ID))
		href, ok := np.Doc.Find(`[data-testid="need-to-council"]`).Attr("href")
		if !ok {
			t.Fatal("the need page offers no way to put it to a council")
		}
		pick := chen.Get(href)
		href, ok = pick.Doc.Find(`[data-testid="council-pick"]`).First().Attr("href")
		if !ok {
			t.Fatalf("no council offered for the need at %s", pick.URL)
		}
		// The picker lists only councils the need can go to, each with its
		// button.
		if items, picks := pick.Doc.Find(`[data-testid="council-item"]`).Length(), pick.Doc.Find(`[data-testid="council-pick"]`).Length(); items != picks {
			t.Fatalf("the picker lists %d councils and offers %d", items, picks)
		}
		form := chen.Get(href)
		if !form.Has(`[data-testid="topic-from-need"]`) || form.Text(`textarea[name="body"]`) != n.Description {
			t.Fatal("the topic form does not carry the need")
		}
		// Someone else's need cannot be slipped in.
		other := principalByPhone(t, s, "13800000005")
		theirs, _, err := s.ListNeeds(bg, other, models.NeedFilter{Scope: models.NeedsMine, PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		tried := false
		for _, o := range theirs {
			if !o.Public && !tried {
				bad := chen.Submit(form, `form[data-testid="topic-form"]`, map[string]string{"title": "别人的需求", "need_id": itoa(o.ID)})
				if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-need_id"]`) {
					t.Fatalf("another's staff-only need %d: %d", o.ID, bad.Status)
				}
				tried = true
			}
		}
		if !tried {
			t.Fatal("the demo's second resident has no staff-only need to try")
		}
		// A neighbour may read a public need but not raise it: no council.
		public := slices.IndexFunc(theirs, func(o models.Need) bool { return o.Public })
		if public < 0 {
			t.Fatal("the demo's second resident has no public need")
		}
		page := chen.Get("/councils?need=" + itoa(theirs[public].ID))
		if !page.Has(`[data-testid="need-no-council"]`) || page.Has(`[data-testid="council-item"]`) {
			t.Fatalf("another's public need %d: the picker offers councils", theirs[public].ID)
		}
		tp := chen.Submit(form, `form[data-testid="topic-form"]`, map[string]string{"title": "由需求转来的议题"})
		link, _ := tp.Doc.Find(`[data-testid="topic-need"]`).Attr("href")
		if link != "/needs/"+itoa(n.ID) {
			t.Fatalf("topic's need link %q", link)
		}
		// And the need links forward to the topic.
		back, _ := chen.Get(link).Doc.Find(`[data-testid="need-topics"] a`).Last().Attr("href")
		if back != tp.URL.Path {
			t.Fatalf("the need links to %q, not to its topic %s", back, tp.URL.Path)
		}
	})
}

func TestMeetingAgendaAndAnnouncement(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		conv := login(srv, "13800000003")
		member := login(srv, "13800000006")
		conp := principalByPhone(t, s, "13800000003")

		// Two more accepted topics for a new meeting.
		cp := demoCouncilPage(t, conv)
		councilPath := cp.URL.Path
		var accepted []string
		for _, title := range []string{"楼道堆物清理", "健身器材维修"} {
			form := conv.Get(councilPath + "/topics/new")
			tp := conv.Submit(form, `form[data-testid="topic-form"]`, map[string]string{"title": title, "body": title + "，建议议事会讨论。请大家发表意见。"})
			tp = conv.Submit(tp, `form[data-testid="act-accept"]`, nil)
			if tp.Text(`[data-testid="topic-status"]`) != "已采纳" {
				t.Fatalf("accept %s: %q", title, tp.Text(`[data-testid="topic-status"]`))
			}
			accepted = append(accepted, strings.TrimPrefix(tp.URL.Path, "/topics/"))
		}

		// Draft: a time in the past is refused, then a time two days ahead.
		local := func(d time.Duration) string { return clock.Now().Add(d).Add(8 * time.Hour).Format("2006-01-02T15:04") }
		bad := conv.Submit(cp, `form[data-testid="draft-form"]`, map[string]string{"title": "临时议事会", "starts_at": local(-time.Hour), "location": "社区活动室"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-starts_at"]`) {
			t.Fatalf("meeting in the past: %d", bad.Status)
		}
		mp := conv.Submit(bad, `form[data-testid="draft-form"]`, map[string]string{"title": "临时议事会", "starts_at": local(48 * time.Hour), "location": "社区活动室", "online_url": "https://meeting.example.cn/42"})
		if mp.Text(`[data-testid="meeting-status"]`) != "草拟中" {
			t.Fatalf("drafted meeting at %s: %q", mp.URL, mp.Text(`[data-testid="meeting-status"]`))
		}
		meetingPath := mp.URL.Path
		for _, id := range accepted {
			mp = conv.Submit(mp, `form[data-testid="agenda-add"]`, map[string]string{"topic_id": id, "minutes": "25"})
		}
		order := func(p *webtest.Page) []string {
			var out []string
			p.Doc.Find(`[data-testid="agenda-item"]`).Each(func(_ int, s *goquery.Selection) {
				v, _ := s.Attr("data-topic")
				out = append(out, v)
			})
			return out
		}
		if got := order(mp); len(got) != 2 || got[0] != accepted[0] || got[1] != accepted[1] {
			t.Fatalf("agenda %v, want %v", got, accepted)
		}
		// Without JavaScript: the down button posts and the page comes back.
		mp = conv.Submit(mp, `[data-testid="agenda-item"]:first-child form:has([data-testid="item-down"])`, nil)
		if got := order(mp); got[0] != accepted[1] || mp.URL.Path != meetingPath {
			t.Fatalf("after moving down without JavaScript: %v at %s", got, mp.URL)
		}
		// With htmx: only the agenda comes back, in its new order.
		action, vals := mp.Form(`[data-testid="agenda-item"]:first-child form:has([data-testid="item-down"])`)
		conv.Header.Set("HX-Request", "true")
		part := conv.Post(action, vals)
		conv.Header.Del("HX-Request")
		if part.Status != http.StatusOK || strings.Contains(part.Body, "<html") || !part.Has(`section#agenda`) {
			t.Fatalf("htmx move: %d, whole page %v", part.Status, strings.Contains(part.Body, "<html"))
		}
		if got := order(part); got[0] != accepted[0] {
			t.Fatalf("after moving down with htmx: %v", got)
		}
		// A time box out of range: htmx gets the agenda with the message,
		// and nothing changes.
		action, vals = part.Form(`[data-testid="agenda-item"]:first-child form:has([data-testid="item-time"])`)
		vals.Set("minutes", "500")
		conv.Header.Set("HX-Request", "true")
		part = conv.Post(action, vals)
		conv.Header.Del("HX-Request")
		if part.Status != http.StatusOK || !strings.Contains(part.Text(`[data-testid="error-item-minutes"]`), "5到180") {
			t.Fatalf("htmx time box of 500: %d %q", part.Status, part.Text(`[data-testid="error-item-minutes"]`))
		}
		if typed, _ := part.Doc.Find(`[data-testid="agenda-item"]:first-child [data-testid="item-minutes"]`).Attr("value"); typed != "500" {
			t.Fatalf("the refused time box shows %q, not what was typed", typed)
		}
		if kept, _ := part.Doc.Find(`[data-testid="agenda-item"]:nth-child(2) [data-testid="item-minutes"]`).Attr("value"); kept == "500" {
			t.Fatal("another item shows the refused time box")
		}
		mp = conv.Get(meetingPath)
		mp = conv.Submit(mp, `[data-testid="agenda-item"]:first-child form:has([data-testid="item-time"])`, map[string]string{"minutes": "45"})
		if got := mp.Text(`[data-testid="agenda-total"]`); !strings.Contains(got, "70") {
			t.Fatalf("agenda total after a 45-minute box: %q", got)
		}

		// Research with a file, by a member, who sees the draft.
		memp := member.Get(meetingPath)
		memp = postFile(t, member, memp, `[data-testid="agenda-item"]:first-child form[data-testid="research-form"]`,
			map[string]string{"note": "走访了10户，8户支持清理。", "cost": "1200.50", "canvassed": "10"}, "file", "报价.pdf", []byte("%PDF-1.4\n报价单"))
		if memp.Status != http.StatusOK || memp.Text(`[data-testid="research-cost"]`) != "估算 1,200.50 元" || memp.Text(`[data-testid="research-canvassed"]`) != "征求 10 位居民意见" {
			t.Fatalf("research: %d %q %q", memp.Status, memp.Text(`[data-testid="research-cost"]`), memp.Text(`[data-testid="research-canvassed"]`))
		}
		file, _ := memp.Doc.Find(`[data-testid="research-file"]`).Attr("href")
		if got := member.Get(file); got.Status != http.StatusOK || got.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(got.Body, "报价单") {
			t.Fatalf("research file: %d %s", got.Status, got.Header.Get("Content-Type"))
		}
		exe := postFile(t, member, memp, `[data-testid="agenda-item"]:first-child form[data-testid="research-form"]`,
			map[string]string{"note": "附件"}, "file", "run.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"))
		if exe.Status != http.StatusUnprocessableEntity || !exe.Has(`[data-testid="error-file"]`) {
			t.Fatalf("an executable: %d", exe.Status)
		}

		// The draft is no resident's business: the topic's page lists it to
		// the convener only.
		chen := login(srv, "13800000004")
		onDraft := func(c *webtest.Client) bool {
			return c.Get("/topics/" + accepted[0]).Has(`[data-testid="topic-meeting"][href="` + meetingPath + `"]`)
		}
		if !onDraft(conv) || onDraft(chen) {
			t.Fatalf("the draft on the topic's page: convener %v, resident %v", onDraft(conv), onDraft(chen))
		}

		// Announce: confirmation first, then too soon for 3 days' notice,
		// then moved and announced.
		mp = conv.Get(meetingPath)
		bad = conv.Submit(mp, `form[data-testid="announce-form"]`, nil)
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-confirm"]`) {
			t.Fatalf("announce without confirming: %d", bad.Status)
		}
		bad = conv.Submit(mp, `form[data-testid="announce-form"]`, map[string]string{"confirm": "on"})
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Text(`[data-testid="error-announce"]`), "公告天数") {
			t.Fatalf("announce two days ahead: %d %q", bad.Status, bad.Text(`[data-testid="error-announce"]`))
		}
		mp = conv.Submit(bad, `form[data-testid="edit-form"]`, map[string]string{"starts_at": local(4 * 24 * time.Hour)})
		stale := mp // a draft's page, left open in another tab
		mp = conv.Submit(mp, `form[data-testid="announce-form"]`, map[string]string{"confirm": "on"})
		if mp.Text(`[data-testid="meeting-status"]`) != "已公告" || mp.Has(`[data-testid="item-down"]`) || mp.Has(`form[data-testid="announce-form"]`) {
			t.Fatalf("announced meeting: %q", mp.Text(`[data-testid="meeting-status"]`))
		}
		if !onDraft(chen) {
			t.Fatal("the announced meeting is not on the topic's page for residents")
		}

		// The stale tab's agenda buttons: with htmx the agenda comes back
		// saying why nothing changed, without JavaScript the page does.
		for _, step := range []string{"item-down", "item-time", "item-remove"} {
			sel := `[data-testid="agenda-item"]:first-child form:has([data-testid="` + step + `"])`
			action, vals := stale.Form(sel)
			conv.Header.Set("HX-Request", "true")
			part := conv.Post(action, vals)
			conv.Header.Del("HX-Request")
			if part.Status != http.StatusOK || strings.Contains(part.Body, "<html") || !strings.Contains(part.Text(`[data-testid="error-agenda-step"]`), "会议当前状态下不能这样操作") {
				t.Fatalf("htmx %s on an announced agenda: %d %q", step, part.Status, part.Text(`[data-testid="error-agenda-step"]`))
			}
			if part.Has(`[data-testid="item-down"]`) {
				t.Fatalf("htmx %s: the announced agenda offers its buttons", step)
			}
			page := conv.Submit(stale, sel, nil)
			if page.Status != http.StatusUnprocessableEntity || !strings.Contains(page.Text(`[data-testid="error-agenda-step"]`), "会议当前状态下不能这样操作") {
				t.Fatalf("%s without JavaScript on an announced agenda: %d %q", step, page.Status, page.Text(`[data-testid="error-agenda-step"]`))
			}
		}
		if got := order(conv.Get(meetingPath)); len(got) != 2 || got[0] != accepted[0] {
			t.Fatalf("the announced agenda changed: %v", got)
		}
		notice, _ := mp.Doc.Find(`[data-testid="meeting-notice"]`).Attr("href")
		np := srv.Client().Get(notice)
		if np.Status != http.StatusOK || !strings.Contains(np.Body, "楼道堆物清理") || !strings.Contains(np.Body, "约45分钟") || !strings.Contains(np.Body, "https://meeting.example.cn/42") {
			t.Fatalf("the public agenda notice at %s: %d", notice, np.Status)
		}
		if in := member.Get("/inbox"); !strings.Contains(in.Body, demo.CouncilName) {
			t.Fatal("the member was not told of the meeting")
		}
		// The convener is not told of what they did themselves.
		in, err := s.Inbox(bg, conp, 1, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range in.Items {
			if n.Kind == models.NotifyMeetingAnnounced && n.SubjectID == idFromPath(meetingPath) {
				t.Fatal("the convener was told of their own announcement")
			}
		}
	})
}

// postFile posts the form matched by selector as multipart with one file.
func postFile(t *testing.T, c *webtest.Client, p *webtest.Page, selector string, set map[string]string, field, name string, data []byte) *webtest.Page {
	t.Helper()
	return submitFiles(t, c, p, selector, set, field, map[string][]byte{name: data}, 0)
}

func idFromPath(p string) uint64 {
	n, _ := strconv.ParseUint(p[strings.LastIndex(p, "/")+1:], 10, 64)
	return n
}

func TestStaffSetUpCouncilMembersAndRules(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		staff := login(srv, "13800000002")
		form := staff.Get("/councils/new")
		if form.Has(`select[name="place_id"] option:contains("和谐社区")`) {
			t.Fatal("community 2 offered to community 1's staff")
		}
		bad := staff.Submit(form, `form[data-testid="council-form"]`, map[string]string{"kind": "other", "name": ""})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-name"]`) || !bad.Has(`[data-testid="error-place_id"]`) {
			t.Fatalf("empty council: %d", bad.Status)
		}
		building := optionValue(t, form, "place_id", "1号楼")
		cp := staff.Submit(bad, `form[data-testid="council-form"]`, map[string]string{"place_id": building, "kind": "building", "name": "1号楼楼栋议事会"})
		if cp.Text(`[data-testid="council-name"]`) != "1号楼楼栋议事会" || !strings.Contains(cp.Text(`[data-testid="council-rules"]`), "三分之二") {
			t.Fatalf("new council at %s: %q %q", cp.URL, cp.Text(`[data-testid="council-name"]`), cp.Text(`[data-testid="council-rules"]`))
		}
		bad = staff.Submit(cp, `form[data-testid="member-form"]`, map[string]string{"phone": "13912345678", "role": "convener"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-phone"]`) {
			t.Fatalf("unknown phone: %d", bad.Status)
		}
		for _, m := range []struct{ phone, role string }{{"13800000003", "convener"}, {"13800000006", "member"}, {"13800000047", "guest"}} {
			cp = staff.Submit(cp, `form[data-testid="member-form"]`, map[string]string{"phone": m.phone, "role": m.role})
		}
		if n := cp.Count(`[data-testid="member-item"]`); n != 3 || !strings.Contains(cp.Text(`[data-testid="council-voting"]`), "有表决权 2 人") {
			t.Fatalf("%d members, %q", n, cp.Text(`[data-testid="council-voting"]`))
		}
		bad = staff.Submit(cp, `form[data-testid="rules-form"]`, map[string]string{"notice_days": "45"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`[data-testid="error-notice_days"]`) {
			t.Fatalf("45 days' notice: %d", bad.Status)
		}
		cp = staff.Submit(bad, `form[data-testid="rules-form"]`, map[string]string{"quorum": "1/2", "pass_rule": "majority_present", "notice_days": "2"})
		if got := cp.Text(`[data-testid="council-rules"]`); !strings.Contains(got, "二分之一") || !strings.Contains(got, "到会成员半数") || !strings.Contains(got, "2天") {
			t.Fatalf("rules after saving: %q", got)
		}
		// More than half (过半数), as a villagers' assembly requires, is on
		// offer beside "at least half", is kept, and is chosen when the
		// form comes back.
		over := optionValue(t, cp, "quorum", "过半数")
		cp = staff.Submit(cp, `form[data-testid="rules-form"]`, map[string]string{"quorum": over, "pass_rule": "majority_present", "notice_days": "2"})
		if got := cp.Text(`[data-testid="council-rules"]`); !strings.Contains(got, "应到成员过半数") || strings.Contains(got, "二分之一") {
			t.Fatalf("rules after choosing more than half: %q", got)
		}
		if got, _ := cp.Doc.Find(`select[name="quorum"] option[selected]`).Attr("value"); got != over {
			t.Fatalf("the rules form shows quorum %q, want %q", got, over)
		}
		// Renamed: an empty name is refused.
		bad = staff.Submit(cp, `form[data-testid="rename-form"]`, map[string]string{"name": " "})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`form[data-testid="rename-form"] [data-testid="error-name"]`) {
			t.Fatalf("empty name: %d", bad.Status)
		}
		bad = staff.Submit(cp, `form[data-testid="rename-form"]`, map[string]string{"name": "1号楼楼栋居民议事会", "kind": "parliament"})
		if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`form[data-testid="rename-form"] [data-testid="error-kind"]`) {
			t.Fatalf("an unknown kind: %d", bad.Status)
		}
		// Set up as a building council by mistake: name and kind are put
		// right together, and the members stay.
		cp = staff.Submit(bad, `form[data-testid="rename-form"]`, map[string]string{"name": "1号楼楼栋居民议事会", "kind": "residents"})
		if got := cp.Text(`[data-testid="council-name"]`); got != "1号楼楼栋居民议事会" {
			t.Fatalf("renamed council: %q", got)
		}
		if got := cp.Text(`[data-testid="council-kind"]`); got != "居民议事会" || cp.Count(`[data-testid="member-item"]`) != 3 {
			t.Fatalf("council after changing its kind: %q with %d members", got, cp.Count(`[data-testid="member-item"]`))
		}
		// The convener now sees it among their councils, as its convener.
		conv := login(srv, "13800000003")
		if n := conv.Get("/councils").Count(`[data-testid="council-item"]`); n != 2 {
			t.Fatalf("the convener lists %d councils", n)
		}
		if got := conv.Get(cp.URL.Path).Text(`[data-testid="council-my-role"]`); got != "召集人" {
			t.Fatalf("convener's role %q", got)
		}
	})
}

// TestCouncilPagesHaveUniqueIDs: the council, topic and meeting pages carry
// several forms at once (a research form per agenda item); no two elements
// share an id, and every label names a field that is there.
func TestCouncilPagesHaveUniqueIDs(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		srv := demoServer(t, s)
		conv := login(srv, "13800000003")
		convp := principalByPhone(t, s, "13800000003")
		cp := demoCouncilPage(t, conv)
		v, err := s.CouncilByID(bg, convp, idFromPath(cp.URL.Path))
		if err != nil {
			t.Fatal(err)
		}
		topics, _, err := s.CouncilTopics(bg, v.ID, models.TopicFilter{PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		// A draft meeting with two items, so its forms are all there.
		m, err := s.CreateMeeting(bg, convp, v.ID, models.MeetingInput{Title: "一月议事会", StartsAt: clock.Now().Add(10 * 24 * time.Hour), Location: "活动室"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tp := range topics {
			if tp.Status == models.TopicSubmitted {
				if _, err := s.AcceptTopic(bg, convp, tp.ID); err != nil {
					t.Fatal(err)
				}
				if err := s.AddAgendaItem(bg, convp, m.ID, tp.ID, 30); err != nil {
					t.Fatal(err)
				}
			}
		}
		pages := []string{cp.URL.Path, "/meetings/" + itoa(m.ID)}
		meetings, _, _ := s.CouncilMeetings(bg, v, 1, 10)
		for _, mt := range meetings {
			pages = append(pages, "/meetings/"+itoa(mt.ID))
		}
		for _, tp := range topics {
			pages = append(pages, "/topics/"+itoa(tp.ID))
		}
		for _, path := range pages {
			p := conv.Get(path)
			if p.Status != http.StatusOK {
				t.Fatalf("%s: %d", path, p.Status)
			}
			seen := map[string]bool{}
			p.Doc.Find("[id]").Each(func(_ int, el *goquery.Selection) {
				id, _ := el.Attr("id")
				if seen[id] {
					t.Errorf("%s: id %q used twice", path, id)
				}
				seen[id] = true
			})
			p.Doc.Find("label[for]").Each(func(_ int, el *goquery.Selection) {
				if f, _ := el.Attr("for"); !seen[f] {
					t.Errorf("%s: a label for %q names no field", path, f)
				}
			})
		}
	})
}

// TestMeetingAgendaRemoveAsksForResearch: an agenda item with research
// leaves the draft agenda only with its box ticked, with htmx and without;
// refused, the item says why beside it and keeps its research. The audit
// trail names the item and the research that went. An item without
// research goes with one click.
func TestMeetingAgendaRemoveAsksForResearch(t *testing.T) {
	t.Parallel()
	modeltest.ForEachLoaded(t, "demo", demo.Load, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		m, _ := draftDemoMeeting(t, s)
		conp, zhaop := principalByPhone(t, s, actorPhones[convener]), principalByPhone(t, s, "13800000006")
		v, err := s.MeetingByID(bg, conp, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddResearch(bg, zhaop, m.ID, v.Items[0].ID, models.ResearchInput{Note: "走访了10户，8户支持清理。",
			FileName: "报价.pdf", FileType: "application/pdf", FileData: []byte("%PDF-1.4\n报价单")}); err != nil {
			t.Fatal(err)
		}
		srv := demoServer(t, s)
		conv := login(srv, actorPhones[convener])
		url := "/meetings/" + itoa(m.ID)
		first := `[data-testid="agenda-item"]:first-child`
		mp := conv.Get(url)
		if !mp.Has(first+` [data-testid="item-remove-confirm"]`) || mp.Has(`[data-testid="agenda-item"]:nth-child(2) [data-testid="item-remove-confirm"]`) {
			t.Fatal("the remove box is not on the item with research alone")
		}
		// Without JavaScript, unticked: refused, said beside the item.
		bad := conv.Submit(mp, first+` form[data-testid="item-remove-form"]`, nil)
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Text(first+` [data-testid="error-remove-confirm"]`), "调研记录") ||
			bad.Count(`[data-testid="agenda-item"]`) != 2 || bad.Count(`[data-testid="research-entry"]`) != 1 {
			t.Fatalf("removed unticked: %d %q", bad.Status, bad.Text(first+` [data-testid="error-remove-confirm"]`))
		}
		// With htmx, unticked: the agenda comes back saying so.
		action, vals := mp.Form(first + ` form[data-testid="item-remove-form"]`)
		conv.Header.Set("HX-Request", "true")
		part := conv.Post(action, vals)
		conv.Header.Del("HX-Request")
		if part.Status != http.StatusOK || !part.Has(first+` [data-testid="error-remove-confirm"]`) || part.Count(`[data-testid="agenda-item"]`) != 2 {
			t.Fatalf("htmx removal unticked: %d", part.Status)
		}
		// Ticked: gone, research and file too, and the trail names them.
		mp = conv.Submit(bad, first+` form[data-testid="item-remove-form"]`, map[string]string{"confirm": "on"})
		if mp.Status != http.StatusOK || mp.Count(`[data-testid="agenda-item"]`) != 1 || mp.Has(`[data-testid="research-entry"]`) {
			t.Fatalf("removal ticked: %d, %d items", mp.Status, mp.Count(`[data-testid="agenda-item"]`))
		}
		var e models.AuditEntry
		if err := s.Tx(bg).Where("action = ? AND object_id = ?", "meeting.agenda_remove", itoa(m.ID)).Order("id DESC").Limit(1).Find(&e).Error; err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"楼道堆物清理", "走访了10户，8户支持清理。", "报价.pdf"} {
			if !strings.Contains(e.Detail, want) {
				t.Errorf("audit entry %q does not name %q", e.Detail, want)
			}
		}
		// No research: one click.
		if mp = conv.Submit(mp, first+` form[data-testid="item-remove-form"]`, nil); mp.Status != http.StatusOK || mp.Has(`[data-testid="agenda-item"]`) {
			t.Fatalf("removing an item without research: %d", mp.Status)
		}
	})
}

// draftDemoMeeting drafts a meeting of the demo council ten days ahead
// with two topics on its agenda, in order, that the convener proposed and
// accepted.
func draftDemoMeeting(t *testing.T, s *models.Store) (models.Meeting, []uint64) {
	t.Helper()
	conv := principalByPhone(t, s, actorPhones[convener])
	council := demoCouncil(t, s).ID
	m, err := s.CreateMeeting(bg, conv, council, models.MeetingInput{Title: "一月议事会", StartsAt: s.Now().Add(10 * 24 * time.Hour), Location: "活动室"})
	if err != nil {
		t.Fatal(err)
	}
	var topics []uint64
	for _, title := range []string{"楼道堆物清理", "健身器材维修"} {
		tp, err := s.SubmitTopic(bg, conv, council, models.TopicInput{Title: title, Body: title + "，建议议事会讨论。"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptTopic(bg, conv, tp.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.AddAgendaItem(bg, conv, m.ID, tp.ID, 20); err != nil {
			t.Fatal(err)
		}
		topics = append(topics, tp.ID)
	}
	return m, topics
}
