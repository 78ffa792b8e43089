package models_test

import (
	"errors"
	"testing"

	"yishi/models"
	"yishi/models/modeltest"
)

// projectFixture adds, to the needs fixture, an accepted need, a verified
// social organisation and a verified hours offer in community 1.
type projectFixture struct {
	*needFixture
	need     models.Need
	orgOwner *models.Principal
	org      models.Provider
	offer    models.Offer
}

func newProjectFixture(t *testing.T, s *models.Store) *projectFixture {
	t.Helper()
	f := &projectFixture{needFixture: newNeedFixture(t, s)}
	n := f.file(t, s, true)
	n, err := s.AcceptNeed(bg, f.staff1, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.need = n
	f.orgOwner = principal(t, s, mustAccount(t, s, "13900000040", "社工机构").ID)
	o, err := s.RegisterOffer(bg, f.orgOwner, 0,
		models.ProviderInput{Kind: models.ProviderSocialOrg, Name: "乐龄社工服务中心", Phone: "13900000040", PlaceID: f.com1.ID},
		models.OfferInput{Kind: models.OfferHours, Title: "助老服务", Capacity: 500, CapacityUnit: "小时", PlaceIDs: []uint64{f.com1.ID}, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.offer, err = s.VerifyOffer(bg, f.staff1, o.ID); err != nil {
		t.Fatal(err)
	}
	f.org = f.offer.Provider
	return f
}

func (f *projectFixture) create(t *testing.T, s *models.Store) models.Project {
	t.Helper()
	pr, err := s.CreateProject(bg, f.staff1, models.ProjectInput{Title: "楼道照明改造", Summary: "更换楼道灯", PlaceID: f.com1.ID, BudgetFen: 1_250_000,
		WantKinds: []models.OfferKind{models.OfferHours}, NeedIDs: []uint64{f.need.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

func TestProjectLifecycle(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newProjectFixture(t, s)
		// Staff of community 2 cannot make a project in community 1, nor
		// from its needs.
		if _, err := s.CreateProject(bg, f.staff2, models.ProjectInput{Title: "x", PlaceID: f.com1.ID, NeedIDs: []uint64{f.need.ID}}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 created: %v", err)
		}
		if _, err := s.CreateProject(bg, f.staff2, models.ProjectInput{Title: "x", PlaceID: f.com2.ID, NeedIDs: []uint64{f.need.ID}}); !errors.As(err, new(models.FieldErrors)) {
			t.Fatalf("staff2 used a community 1 need: %v", err)
		}
		pr := f.create(t, s)
		if pr.Status != models.ProjectDraft {
			t.Fatalf("status %s", pr.Status)
		}
		// A draft is staff's only.
		if _, err := s.ProjectByID(bg, f.filer, pr.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("resident saw a draft: %v", err)
		}
		if _, err := s.ProjectByID(bg, f.staff2, pr.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 saw a draft: %v", err)
		}
		// Suggestions put the verified hours offer first; matching it once.
		sug, err := s.Suggest(bg, f.staff1, pr.ID)
		if err != nil || len(sug) == 0 || sug[0].Offer.ID != f.offer.ID {
			t.Fatalf("suggest %v %v", sug, err)
		}
		if _, err := s.Suggest(bg, f.staff2, pr.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 suggest: %v", err)
		}
		if err := s.MatchOffer(bg, f.staff1, pr.ID, f.offer.ID, 40, "每周两次"); err != nil {
			t.Fatal(err)
		}
		if err := s.MatchOffer(bg, f.staff1, pr.ID, f.offer.ID, 40, ""); !errors.Is(err, models.ErrAlreadyMatched) {
			t.Fatalf("match twice: %v", err)
		}
		if sug, _ := s.Suggest(bg, f.staff1, pr.ID); len(sug) != 0 {
			t.Fatalf("matched offer still suggested: %v", sug)
		}
		// Open call: the social organisation applies; a resident cannot.
		if _, err := s.OpenCall(bg, f.staff2, pr.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 opened the call: %v", err)
		}
		if pr, err = s.OpenCall(bg, f.staff1, pr.ID); err != nil || pr.Status != models.ProjectOpenCall {
			t.Fatalf("open call %v %v", pr.Status, err)
		}
		if _, err := s.ApplyForProject(bg, f.filer, pr.ID, f.org.ID, "我们能做"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("resident applied: %v", err)
		}
		app, err := s.ApplyForProject(bg, f.orgOwner, pr.ID, f.org.ID, "有三年助老经验")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApplyForProject(bg, f.orgOwner, pr.ID, f.org.ID, "再来一次"); !errors.Is(err, models.ErrAlreadyApplied) {
			t.Fatalf("applied twice: %v", err)
		}
		if pr, err = s.PickUndertaker(bg, f.staff1, pr.ID, app.ID); err != nil || pr.Status != models.ProjectInProgress || *pr.UndertakerID != f.org.ID {
			t.Fatalf("pick %v %v", pr.Status, err)
		}
		// Milestones and progress, by staff and by the undertaker.
		due := clock.Now().AddDate(0, 0, 14)
		m, err := s.AddMilestone(bg, f.staff1, pr.ID, "采购灯具", due)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddMilestone(bg, f.orgOwner, pr.ID, "x", due); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("undertaker added a milestone: %v", err)
		}
		photo := models.Photo{ContentType: "image/png", Data: []byte("png"), Width: 1, Height: 1}
		if _, err := s.AddProgress(bg, f.orgOwner, pr.ID, 60, "已更换一半", []models.Photo{photo}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddProgress(bg, f.staff1, pr.ID, 50, "倒退", nil); !errors.As(err, new(models.FieldErrors)) {
			t.Fatalf("percent went down: %v", err)
		}
		if _, err := s.AddProgress(bg, f.filer, pr.ID, 70, "居民", nil); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("resident reported progress: %v", err)
		}
		if err := s.CompleteMilestone(bg, f.orgOwner, pr.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		// Rating before acceptance is refused.
		if err := s.RateProject(bg, f.filer, pr.ID, 5, ""); !errors.Is(err, models.ErrProjectStep) {
			t.Fatalf("rated before acceptance: %v", err)
		}
		if pr, err = s.SubmitForAcceptance(bg, f.orgOwner, pr.ID); err != nil || pr.Status != models.ProjectAwaitingAcceptance {
			t.Fatalf("submit %v %v", pr.Status, err)
		}
		// Acceptance against the checklist: an unchecked item blocks it and
		// changes nothing; a rejection sends it back; then it passes.
		list, err := s.Checklist(bg, pr.ID)
		if err != nil || list[len(list)-1] != models.MilestoneCheck(m.ID) {
			t.Fatalf("checklist %v %v", list, err)
		}
		if _, err := s.DecideProject(bg, f.staff1, pr.ID, true, list[1:], "通过"); !errors.As(err, new(models.FieldErrors)) {
			t.Fatalf("accepted with an item unchecked: %v", err)
		}
		if _, err := s.DecideProject(bg, f.orgOwner, pr.ID, true, list, "自己验收"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("undertaker accepted its own work: %v", err)
		}
		if pr, err = s.DecideProject(bg, f.staff1, pr.ID, false, list[:2], "3号楼还有两盏未换"); err != nil || pr.Status != models.ProjectInProgress {
			t.Fatalf("reject %v %v", pr.Status, err)
		}
		if _, err := s.AddProgress(bg, f.orgOwner, pr.ID, 100, "全部更换完毕", nil); err != nil {
			t.Fatal(err)
		}
		if pr, err = s.SubmitForAcceptance(bg, f.staff1, pr.ID); err != nil {
			t.Fatal(err)
		}
		if pr, err = s.DecideProject(bg, f.staff1, pr.ID, true, list, "全部合格"); err != nil || pr.Status != models.ProjectAccepted {
			t.Fatalf("accept %v %v", pr.Status, err)
		}
		// Residents of the place rate once; others are refused.
		// The filer of the source need is asked to rate it.
		inbox, err := s.Inbox(bg, f.filer, 1, 20)
		if err != nil {
			t.Fatal(err)
		}
		asked := false
		for _, n := range inbox.Items {
			asked = asked || (n.Key == "notify.project_rate_please" && n.SubjectID == pr.ID)
		}
		if !asked {
			t.Fatal("the need's filer was not asked to rate the accepted project")
		}
		if err := s.RateProject(bg, f.filer, pr.ID, 5, "灯亮了"); err != nil {
			t.Fatal(err)
		}
		if err := s.RateProject(bg, f.filer, pr.ID, 4, ""); !errors.Is(err, models.ErrAlreadyRated) {
			t.Fatalf("rated twice: %v", err)
		}
		if err := s.RateProject(bg, f.farAway, pr.ID, 1, ""); !errors.Is(err, models.ErrNotResidentOfProject) {
			t.Fatalf("resident of community 2 rated: %v", err)
		}
		if err := s.RateProject(bg, f.staff2, pr.ID, 1, ""); !errors.Is(err, models.ErrNotResidentOfProject) {
			t.Fatalf("staff2 rated: %v", err)
		}
		if err := s.RateProject(bg, f.neighbour, pr.ID, 3, ""); err != nil {
			t.Fatal(err)
		}
		// Closing waits for the rating window.
		if _, err := s.CloseProject(bg, f.staff1, pr.ID); !errors.Is(err, models.ErrRatingWindowOpen) {
			t.Fatalf("closed early: %v", err)
		}
		// Publishing the outcome; staff of community 2 may not.
		if _, err := s.PublishProject(bg, f.staff2, pr.ID, models.NoticeInput{Title: "x", Body: "y"}); err == nil {
			t.Fatal("staff2 published")
		}
		n, err := s.PublishProject(bg, f.staff1, pr.ID, models.NoticeInput{Title: "楼道照明改造项目验收结果公示", Body: "项目已验收合格。", PeriodDays: 7, AllowObjections: true})
		if err != nil {
			t.Fatal(err)
		}
		// The whole chain reads back, for a visitor too.
		d, err := s.ProjectByID(bg, nil, pr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Needs) != 1 || d.Needs[0].ID != f.need.ID || len(d.Offers) != 1 || d.Project.Undertaker == nil || len(d.Milestones) != 1 ||
			len(d.Updates) != 2 || len(d.Updates[1].Photos) != 1 || len(d.Acceptances) != 2 || d.Ratings.Count != 2 || d.Ratings.Average != 4 ||
			len(d.Notices) != 1 || d.Notices[0].ID != n.ID || d.Project.Percent != 100 {
			t.Fatalf("chain: needs %d offers %d milestones %d updates %d acceptances %d ratings %+v notices %d percent %d",
				len(d.Needs), len(d.Offers), len(d.Milestones), len(d.Updates), len(d.Acceptances), d.Ratings, len(d.Notices), d.Project.Percent)
		}
		if fwd, err := s.ProjectsForNeed(bg, f.need.ID); err != nil || len(fwd) != 1 {
			t.Fatalf("need → project: %v %v", fwd, err)
		}
		clock.Advance(models.ProjectRatingWindow)
		if pr, err = s.CloseProject(bg, f.staff1, pr.ID); err != nil || pr.Status != models.ProjectClosed {
			t.Fatalf("close %v %v", pr.Status, err)
		}
		// Contributions: 40 hours matched, one project joined.
		c, err := s.Contributions(bg, []uint64{f.org.ID})
		if err != nil || c[f.org.ID].Hours != 40 || c[f.org.ID].Projects != 1 {
			t.Fatalf("contribution %+v %v", c, err)
		}
		want := []string{"project.create", "project.match", "project.open_call", "project.apply", "project.pick", "project.milestone",
			"project.progress", "project.milestone_done", "project.submit", "project.reject", "project.progress", "project.submit",
			"project.accept", "project.rate", "project.rate", "project.publish", "project.close"}
		got := auditActions(t, s, "project")
		if len(got) != len(want) {
			t.Fatalf("audit %v", got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("audit %d: %s, want %s (%v)", i, got[i], want[i], got)
			}
		}
		// A project still in draft counts only once it starts.
		next, err := s.CreateProject(bg, f.staff1, models.ProjectInput{Title: "楼道扶手", PlaceID: f.com1.ID, SourceType: models.ResolutionSource, SourceID: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MatchOffer(bg, f.staff1, next.ID, f.offer.ID, 10, ""); err != nil {
			t.Fatal(err)
		}
		if c, err := s.Contributions(bg, []uint64{f.org.ID}); err != nil || c[f.org.ID].Hours != 40 || c[f.org.ID].Projects != 1 {
			t.Fatalf("contribution with a draft project %+v %v", c, err)
		}
		if _, err := s.StartProject(bg, f.staff1, next.ID); err != nil {
			t.Fatal(err)
		}
		if c, err := s.Contributions(bg, []uint64{f.org.ID}); err != nil || c[f.org.ID].Hours != 50 || c[f.org.ID].Projects != 2 {
			t.Fatalf("contribution once the project started %+v %v", c, err)
		}
		// The undertaker and the owner were told.
		var notes int64
		if err := s.Tx(bg).Model(&models.Notification{}).Where("subject_type = ? AND subject_id = ?", "project", pr.ID).Count(&notes).Error; err != nil || notes < 4 {
			t.Fatalf("notifications %d %v", notes, err)
		}
	})
}

func TestProjectListVisibility(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newProjectFixture(t, s)
		draft := f.create(t, s)
		started := f.create(t, s)
		if _, err := s.StartProject(bg, f.staff1, started.ID); err != nil {
			t.Fatal(err)
		}
		count := func(p *models.Principal) int64 {
			_, total, err := s.ListProjects(bg, p, models.ProjectQuery{})
			if err != nil {
				t.Fatal(err)
			}
			return total
		}
		if count(nil) != 1 || count(f.filer) != 1 || count(f.staff2) != 1 || count(f.staff1) != 2 || count(f.admin) != 2 {
			t.Fatalf("visibility: visitor %d resident %d staff2 %d staff1 %d", count(nil), count(f.filer), count(f.staff2), count(f.staff1))
		}
		if _, total, _ := s.ListProjects(bg, f.staff1, models.ProjectQuery{Status: models.ProjectDraft}); total != 1 {
			t.Fatalf("status filter %d", total)
		}
		if _, total, _ := s.ListProjects(bg, nil, models.ProjectQuery{PlaceID: f.com2.ID}); total != 0 {
			t.Fatalf("place filter %d", total)
		}
		if _, err := s.ProjectByID(bg, f.staff1, draft.ID); err != nil {
			t.Fatalf("staff1 cannot see own draft: %v", err)
		}
	})
}

// accepted creates a project at place answering needs, carries it out
// without an open call and accepts it.
func (f *projectFixture) accepted(t *testing.T, s *models.Store, place models.Place, needs ...uint64) models.Project {
	t.Helper()
	pr, err := s.CreateProject(bg, f.staff1, models.ProjectInput{Title: "楼栋照明", Summary: "更换楼道灯", PlaceID: place.ID, NeedIDs: needs})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartProject(bg, f.staff1, pr.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitForAcceptance(bg, f.staff1, pr.ID); err != nil {
		t.Fatal(err)
	}
	list, err := s.Checklist(bg, pr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pr, err = s.DecideProject(bg, f.staff1, pr.ID, true, list, "合格"); err != nil || pr.Status != models.ProjectAccepted {
		t.Fatalf("accept %v %v", pr.Status, err)
	}
	return pr
}

// A resident may file a need at another compound of their community; when
// a project answers it, the filer is asked to rate it and may, though they
// live outside the project's place. A stranger outside still may not.
func TestProjectRatedByFilerLivingElsewhere(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newProjectFixture(t, s)
		other, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: f.com1.ID, Kind: models.KindCompound, Name: "二小区"})
		if err != nil {
			t.Fatal(err)
		}
		home := func(name string) models.Place {
			hh, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: other.ID, Kind: models.KindHousehold, Name: name})
			if err != nil {
				t.Fatal(err)
			}
			return hh
		}
		resident := func(phone string, hh models.Place) *models.Principal {
			a := mustAccount(t, s, phone, "居民"+phone[len(phone)-2:])
			if err := s.GrantRoleAsSystem(bg, a.ID, models.RoleResident, hh.ID); err != nil {
				t.Fatal(err)
			}
			return principal(t, s, a.ID)
		}
		filer := resident("13900000050", home("201"))
		stranger := resident("13900000051", home("202"))
		n, err := s.FileNeed(bg, filer, models.NeedInput{CategoryID: f.category.ID, PlaceID: f.building.ID, Description: "1号楼楼道灯坏了", Public: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptNeed(bg, f.staff1, n.ID); err != nil {
			t.Fatal(err)
		}
		pr := f.accepted(t, s, f.building, n.ID)
		d, err := s.ProjectByID(bg, filer, pr.ID)
		if err != nil || !d.MayRate {
			t.Fatalf("the filer living elsewhere is not offered the rating: %v %v", d.MayRate, err)
		}
		if err := s.RateProject(bg, filer, pr.ID, 4, "修好了"); err != nil {
			t.Fatalf("the filer living elsewhere rated: %v", err)
		}
		if err := s.RateProject(bg, filer, pr.ID, 5, ""); !errors.Is(err, models.ErrAlreadyRated) {
			t.Fatalf("rated twice: %v", err)
		}
		if d, err := s.ProjectByID(bg, stranger, pr.ID); err != nil || d.MayRate {
			t.Fatalf("a stranger is offered the rating: %v %v", d.MayRate, err)
		}
		if err := s.RateProject(bg, stranger, pr.ID, 1, ""); !errors.Is(err, models.ErrNotResidentOfProject) {
			t.Fatalf("a stranger living elsewhere rated: %v", err)
		}
		if err := s.RateProject(bg, f.filer, pr.ID, 5, ""); err != nil {
			t.Fatalf("a resident of the building: %v", err)
		}
	})
}

// A project's outcome is published once: a second publication is refused
// and adds no notice, until the first is withdrawn.
func TestProjectPublishedOnce(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newProjectFixture(t, s)
		pr := f.accepted(t, s, f.com1, f.need.ID)
		in := models.NoticeInput{Title: "楼栋照明项目验收结果公示", Body: "项目已验收合格。", PeriodDays: 7}
		first, err := s.PublishProject(bg, f.staff1, pr.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublishProject(bg, f.staff1, pr.ID, in); !errors.Is(err, models.ErrProjectPublished) {
			t.Fatalf("published twice: %v", err)
		}
		if _, err := s.PublishProject(bg, f.admin, pr.ID, in); !errors.Is(err, models.ErrProjectPublished) {
			t.Fatalf("published twice by another: %v", err)
		}
		notices, err := s.NoticesForSource(bg, "project", pr.ID)
		if err != nil || len(notices) != 1 || notices[0].ID != first.ID {
			t.Fatalf("notices %v %v", notices, err)
		}
		if _, err := s.WithdrawNotice(bg, f.staff1, first.ID, "正文有误"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublishProject(bg, f.staff1, pr.ID, in); err != nil {
			t.Fatalf("published again after withdrawal: %v", err)
		}
	})
}
