package models_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// needFixture adds verified residents, a neighbour in community 2, and
// takers to the base fixture.
type needFixture struct {
	*fixture
	filer, neighbour, farAway *models.Principal
	worker                    *models.Principal // acts for the grid worker taker
	dept                      *models.Principal // acts for the street department
	gridTaker, deptTaker      models.Taker
	category                  models.NeedCategory
}

func newNeedFixture(t *testing.T, s *models.Store) *needFixture {
	t.Helper()
	f := &needFixture{fixture: newFixture(t, s)}
	verified := func(phone string, hh models.Place) *models.Principal {
		a := mustAccount(t, s, phone, "居民"+phone[len(phone)-2:])
		if err := s.GrantRoleAsSystem(bg, a.ID, models.RoleResident, hh.ID); err != nil {
			t.Fatal(err)
		}
		return principal(t, s, a.ID)
	}
	f.filer = verified("13900000010", f.hh1)
	f.neighbour = verified("13900000011", f.hh2)
	hh3, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: f.com2.ID, Kind: models.KindGroup, Name: "一组"})
	if err != nil {
		t.Fatal(err)
	}
	f.farAway = verified("13900000012", hh3)
	f.worker = principal(t, s, mustAccount(t, s, "13900000020", "网格员").ID)
	f.dept = principal(t, s, mustAccount(t, s, "13900000021", "城管").ID)
	if f.gridTaker, err = s.CreateTaker(bg, f.staff1, models.TakerInput{Kind: models.TakerGridWorker, Name: "一网格", PlaceID: f.com1.ID, AccountID: &f.worker.Account.ID}); err != nil {
		t.Fatal(err)
	}
	if f.deptTaker, err = s.CreateTaker(bg, f.admin, models.TakerInput{Kind: models.TakerDepartment, Name: "城管科", PlaceID: f.street.ID, AccountID: &f.dept.Account.ID}); err != nil {
		t.Fatal(err)
	}
	cats, err := s.NeedCategories(bg, true)
	if err != nil || len(cats) < 3 {
		t.Fatalf("categories: %v %v", cats, err)
	}
	for _, c := range cats {
		if c.Code == "repair" {
			f.category = c
		}
	}
	return f
}

func (f *needFixture) file(t *testing.T, s *models.Store, public bool) models.Need {
	t.Helper()
	n, err := s.FileNeed(bg, f.filer, models.NeedInput{CategoryID: f.category.ID, PlaceID: f.building.ID, Description: "楼道灯坏了，晚上看不见", Public: public}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustStep(t *testing.T, n models.Need, err error, want models.NeedStatus) models.Need {
	t.Helper()
	if err != nil {
		t.Fatalf("step to %s: %v", want, err)
	}
	if n.Status != want {
		t.Fatalf("status %s, want %s", n.Status, want)
	}
	return n
}

func TestNeedLifecycle(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		n := f.file(t, s, true)
		if n.Status != models.NeedSubmitted || n.Level != models.NeedLevelGrid || !n.ResolveBy.Equal(clock.Now().Add(7*24*time.Hour)) {
			t.Fatalf("filed: %+v", n)
		}
		// Strangers cannot act: staff of community 2, the taker before dispatch, the filer.
		if _, err := s.AcceptNeed(bg, f.staff2, n.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("staff of community 2 accepted: %v", err)
		}
		if _, err := s.AcceptNeed(bg, f.filer, n.ID); !errors.Is(err, models.ErrNeedStep) {
			t.Fatalf("filer accepted: %v", err)
		}
		clock.Advance(time.Hour)
		n = mustStep(t, n, nil, models.NeedSubmitted)
		n, err := s.AcceptNeed(bg, f.staff1, n.ID)
		n = mustStep(t, n, err, models.NeedAccepted)
		if n.RespondedAt == nil || !n.Clock().RespondedInTime() {
			t.Fatal("response not recorded in time")
		}
		if _, err := s.TakeNeed(bg, f.worker, n.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("taker before dispatch: %v", err)
		}
		n, err = s.DispatchNeed(bg, f.staff1, n.ID, f.gridTaker.ID)
		n = mustStep(t, n, err, models.NeedDispatched)
		// The taker returns it; staff dispatch it again.
		if _, err := s.ReturnNeed(bg, f.worker, n.ID, " "); err == nil {
			t.Fatal("return without a reason")
		}
		n, err = s.ReturnNeed(bg, f.worker, n.ID, "不在我的网格")
		n = mustStep(t, n, err, models.NeedAccepted)
		if n.TakerID != nil || n.Reason != "不在我的网格" {
			t.Fatalf("returned: %+v", n)
		}
		n, err = s.DispatchNeed(bg, f.staff1, n.ID, f.gridTaker.ID)
		n = mustStep(t, n, err, models.NeedDispatched)
		n, err = s.TakeNeed(bg, f.worker, n.ID)
		n = mustStep(t, n, err, models.NeedInProgress)
		n, err = s.ProgressNeed(bg, f.worker, n.ID, "已联系物业")
		n = mustStep(t, n, err, models.NeedInProgress)
		clock.Advance(24 * time.Hour)
		n, err = s.CompleteNeed(bg, f.worker, n.ID, "灯已换好")
		n = mustStep(t, n, err, models.NeedDone)
		// Unhappy filer sends it back; it no longer counts as resolved.
		n, err = s.SendBackNeed(bg, f.filer, n.ID, "只换了一层")
		n = mustStep(t, n, err, models.NeedInProgress)
		if n.ResolvedAt != nil {
			t.Fatal("a sent-back need still counts as resolved")
		}
		n, err = s.CompleteNeed(bg, f.worker, n.ID, "全部换好")
		n = mustStep(t, n, err, models.NeedDone)
		if _, err := s.RateNeed(bg, f.filer, n.ID, 6, ""); err == nil {
			t.Fatal("rating 6 accepted")
		}
		if _, err := s.RateNeed(bg, f.neighbour, n.ID, 5, ""); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a neighbour rated: %v", err)
		}
		n, err = s.RateNeed(bg, f.filer, n.ID, 5, "很及时")
		n = mustStep(t, n, err, models.NeedClosed)
		if n.Rating != 5 || n.ClosedAt == nil || !n.Clock().ResolvedInTime() {
			t.Fatalf("closed: %+v", n)
		}
		d, err := s.NeedByID(bg, f.filer, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		var acts []models.NeedAction
		for _, e := range d.Events {
			acts = append(acts, e.Action)
		}
		want := []models.NeedAction{"file", "accept", "dispatch", "return", "dispatch", "take", "progress", "complete", "send_back", "complete", "rate"}
		if len(acts) != len(want) {
			t.Fatalf("timeline %v, want %v", acts, want)
		}
		for i := range want {
			if acts[i] != want[i] {
				t.Fatalf("timeline %v, want %v", acts, want)
			}
		}
		if d.Events[1].ActorID == nil || *d.Events[1].ActorID != f.staff1.Account.ID || d.Events[1].Actor == nil {
			t.Fatal("timeline entry without its actor")
		}
		var audits int64
		s.DB().Model(&models.AuditEntry{}).Where("object_type = ? AND object_id = ?", "need", fmt.Sprint(n.ID)).Count(&audits)
		if audits != int64(len(want)) {
			t.Fatalf("%d audit entries for %d steps", audits, len(want))
		}
	})
}

func TestNeedVisibilityAndSupport(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		private := f.file(t, s, false)
		public := f.file(t, s, true)
		for _, who := range []*models.Principal{f.neighbour, f.farAway, f.staff2, f.worker, nil} {
			if _, err := s.NeedByID(bg, who, private.ID); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%v saw a staff-only need: %v", who, err)
			}
		}
		for _, who := range []*models.Principal{f.filer, f.staff1, f.admin} {
			if _, err := s.NeedByID(bg, who, private.ID); err != nil {
				t.Errorf("%d cannot see the need: %v", who.Account.ID, err)
			}
		}
		if _, err := s.NeedByID(bg, f.neighbour, public.ID); err != nil {
			t.Fatalf("neighbour cannot see a public need: %v", err)
		}
		if _, err := s.NeedByID(bg, f.farAway, public.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("resident of another community saw it: %v", err)
		}
		if err := s.SupportNeed(bg, f.neighbour, public.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SupportNeed(bg, f.neighbour, public.ID); !errors.Is(err, models.ErrAlreadySupported) {
			t.Fatalf("supported twice: %v", err)
		}
		if err := s.SupportNeed(bg, f.filer, public.ID); !errors.Is(err, models.ErrNeedStep) {
			t.Fatalf("filer supported own need: %v", err)
		}
		if err := s.SupportNeed(bg, f.neighbour, private.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("supported a staff-only need: %v", err)
		}
		// Lists: a resident sees only public needs of others.
		list, total, err := s.ListNeeds(bg, f.neighbour, models.NeedFilter{Scope: models.NeedsPublic})
		if err != nil || total != 1 || list[0].ID != public.ID || list[0].Supporters != 1 {
			t.Fatalf("public list: %v %d %v", list, total, err)
		}
		if _, total, _ := s.ListNeeds(bg, f.staff2, models.NeedFilter{Scope: models.NeedsStaff}); total != 0 {
			t.Fatalf("staff of community 2 lists %d needs of community 1", total)
		}
		if _, total, _ := s.ListNeeds(bg, f.staff1, models.NeedFilter{Scope: models.NeedsStaff}); total != 2 {
			t.Fatalf("staff of community 1 lists %d", total)
		}
		// A taker sees only what was dispatched to it.
		if _, total, _ := s.ListNeeds(bg, f.worker, models.NeedFilter{Scope: models.NeedsDispatched}); total != 0 {
			t.Fatal("taker lists needs before dispatch")
		}
		if _, err := s.AcceptNeed(bg, f.staff1, private.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DispatchNeed(bg, f.staff1, private.ID, f.gridTaker.ID); err != nil {
			t.Fatal(err)
		}
		if l, total, _ := s.ListNeeds(bg, f.worker, models.NeedFilter{Scope: models.NeedsDispatched}); total != 1 || l[0].ID != private.ID {
			t.Fatalf("taker lists %d", total)
		}
		if _, err := s.NeedByID(bg, f.worker, private.ID); err != nil {
			t.Fatalf("taker cannot see its need: %v", err)
		}
	})
}

func TestNeedMergeCarriesSupporters(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		a := f.file(t, s, true)
		other, err := s.FileNeed(bg, f.neighbour, models.NeedInput{CategoryID: f.category.ID, PlaceID: f.building.ID, Description: "一号楼的灯也坏了", Public: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.MergeNeed(bg, f.staff1, a.ID, a.ID); err == nil {
			t.Fatal("merged into itself")
		}
		m, err := s.MergeNeed(bg, f.staff1, a.ID, other.ID)
		m = mustStep(t, m, err, models.NeedMerged)
		if m.MergedIntoID == nil || *m.MergedIntoID != other.ID {
			t.Fatalf("merged into %v", m.MergedIntoID)
		}
		d, err := s.NeedByID(bg, f.staff1, other.ID)
		if err != nil || d.Supporters != 1 {
			t.Fatalf("target supporters %d %v", d.Supporters, err)
		}
	})
}

func TestNeedValidationChangesNothing(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		var fe models.FieldErrors
		_, err := s.FileNeed(bg, f.filer, models.NeedInput{CategoryID: f.category.ID, PlaceID: f.com2.ID, Description: "x"}, nil)
		if !errors.As(err, &fe) || fe["place_id"] == "" || fe["description"] == "" {
			t.Fatalf("got %v", err)
		}
		if _, err := s.FileNeed(bg, f.staff1, models.NeedInput{CategoryID: f.category.ID, PlaceID: f.building.ID, Description: "不是居民的需求"}, nil); !errors.Is(err, models.ErrNotResident) {
			t.Fatalf("unverified filed: %v", err)
		}
		var n int64
		s.DB().Model(&models.Need{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d needs after bad input", n)
		}
	})
}

func TestNeedEscalationAndWhistle(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		n := f.file(t, s, false)
		if _, err := s.AcceptNeed(bg, f.staff1, n.ID); err != nil {
			t.Fatal(err)
		}
		n, _, err := s.EscalateNeed(bg, f.staff1, n.ID, "网格解决不了", nil)
		if err != nil || n.Level != models.NeedLevelCommunity {
			t.Fatalf("to community: %v %v", n.Level, err)
		}
		if _, _, err := s.EscalateNeed(bg, f.staff1, n.ID, "吹哨", nil); err == nil {
			t.Fatal("whistle without anyone called")
		}
		n, w, err := s.EscalateNeed(bg, f.staff1, n.ID, "需要城管", []uint64{f.deptTaker.ID})
		if err != nil || n.Level != models.NeedLevelStreet || w == nil || len(w.Calls) != 1 {
			t.Fatalf("whistle: %v %+v %v", n.Level, w, err)
		}
		if _, _, err := s.EscalateNeed(bg, f.staff1, n.ID, "", nil); !errors.Is(err, models.ErrNeedStep) {
			t.Fatalf("escalated above the street: %v", err)
		}
		// The called department sees the need and finds it in its list, to report on it.
		if d, err := s.NeedByID(bg, f.dept, n.ID); err != nil || len(d.MyCalls) != 1 || d.MyCalls[0].ID != w.Calls[0].ID || len(d.Roles) != 0 {
			t.Fatalf("called department's view: %+v %v", d.MyCalls, err)
		}
		if list, total, err := s.ListNeeds(bg, f.dept, models.NeedFilter{Scope: models.NeedsDispatched}); err != nil || total != 1 || list[0].ID != n.ID {
			t.Fatalf("called department's list: %d %v", total, err)
		}
		if _, err := s.NeedByID(bg, f.worker, n.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a taker not called sees the need: %v", err)
		}
		if err := s.ReportWhistle(bg, f.worker, w.Calls[0].ID, "到"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("someone else reported: %v", err)
		}
		clock.Advance(3 * time.Hour)
		if err := s.ReportWhistle(bg, f.dept, w.Calls[0].ID, "已到现场"); err != nil {
			t.Fatal(err)
		}
		if err := s.ReportWhistle(bg, f.dept, w.Calls[0].ID, "again"); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("reported twice: %v", err)
		}
		if err := s.RateWhistle(bg, f.admin, w.ID, 5, ""); !errors.Is(err, models.ErrNeedStep) {
			t.Fatalf("rated before the need is done: %v", err)
		}
		if _, err := s.DispatchNeed(bg, f.staff1, n.ID, f.deptTaker.ID); err != nil {
			t.Fatal(err)
		}
		for _, step := range []func() (models.Need, error){
			func() (models.Need, error) { return s.TakeNeed(bg, f.dept, n.ID) },
			func() (models.Need, error) { return s.CompleteNeed(bg, f.dept, n.ID, "已处理") },
		} {
			if _, err := step(); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RateWhistle(bg, f.staff1, w.ID, 4, ""); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("community staff rated a whistle: %v", err)
		}
		if err := s.RateWhistle(bg, f.admin, w.ID, 4, "报到及时"); err != nil {
			t.Fatal(err)
		}
		d, err := s.NeedByID(bg, f.staff1, n.ID)
		if err != nil || len(d.Whistles) != 1 || d.Whistles[0].Rating != 4 || !d.Whistles[0].Calls[0].ReportedInTime(d.Whistles[0].ReportBy) {
			t.Fatalf("whistle on the page: %+v %v", d.Whistles, err)
		}
	})
}

func TestNeedAutoCloseAndChase(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		slow := f.file(t, s, false)
		done := f.file(t, s, false)
		for _, step := range []func() (models.Need, error){
			func() (models.Need, error) { return s.AcceptNeed(bg, f.staff1, done.ID) },
			func() (models.Need, error) { return s.DispatchNeed(bg, f.staff1, done.ID, f.gridTaker.ID) },
			func() (models.Need, error) { return s.TakeNeed(bg, f.worker, done.ID) },
			func() (models.Need, error) { return s.CompleteNeed(bg, f.worker, done.ID, "好了") },
		} {
			if _, err := step(); err != nil {
				t.Fatal(err)
			}
		}
		// 23 hours: nothing overdue yet (general: respond within 24 h).
		clock.Advance(23 * time.Hour)
		if chased, err := s.ChaseOverdue(bg); err != nil || len(chased) != 0 {
			t.Fatalf("chased early: %v %v", chased, err)
		}
		clock.Advance(2 * time.Hour)
		chased, err := s.ChaseOverdue(bg)
		if err != nil || len(chased) != 1 || chased[0].ID != slow.ID {
			t.Fatalf("chase: %v %v", chased, err)
		}
		if again, _ := s.ChaseOverdue(bg); len(again) != 0 {
			t.Fatal("chased twice within a day")
		}
		if l, total, _ := s.ListNeeds(bg, f.staff1, models.NeedFilter{Scope: models.NeedsStaff, Overdue: true}); total != 1 || l[0].ID != slow.ID {
			t.Fatalf("overdue list %d", total)
		}
		// Six days later the done need is still waiting; at seven it closes unrated.
		clock.Advance(5 * 24 * time.Hour)
		if n, _ := s.AutoCloseNeeds(bg); n != 0 {
			t.Fatal("closed before the rating window ended")
		}
		clock.Advance(24 * time.Hour)
		if n, err := s.AutoCloseNeeds(bg); n != 1 || err != nil {
			t.Fatalf("auto close: %d %v", n, err)
		}
		d, _ := s.NeedByID(bg, f.filer, done.ID)
		if d.Status != models.NeedClosed || d.Rating != 0 {
			t.Fatalf("auto closed: %s %d", d.Status, d.Rating)
		}
		if _, err := s.RateNeed(bg, f.filer, done.ID, 5, ""); !errors.Is(err, models.ErrNeedStep) {
			t.Fatalf("rated after auto close: %v", err)
		}
	})
}

// TestPlaceWithNeedsCannotBeDeleted: a place a need names is kept.
func TestPlaceWithNeedsCannotBeDeleted(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		empty, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: *f.building.ParentID, Kind: models.KindBuilding, Name: "2号楼"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.FileNeed(bg, f.filer, models.NeedInput{CategoryID: f.category.ID, PlaceID: empty.ID, Description: "2号楼门禁坏了"}, nil); err != nil {
			t.Fatal(err)
		}
		err = s.DeletePlace(bg, f.admin, empty.ID)
		var de *models.Error
		if !errors.As(err, &de) || de.Code != models.ErrPlaceNotEmpty.Code || fmt.Sprint(de.Args) != "[console.place_has_records]" {
			t.Fatalf("deleting a place with a need: %v", err)
		}
		if _, err := s.PlaceByID(bg, empty.ID); err != nil {
			t.Fatalf("the place is gone: %v", err)
		}
	})
}

// TestNeedRecall: staff take a dispatched need back from a taker who
// cannot or will not act (here one with no account), with a reason, and
// dispatch it to someone else; the taker, when it has an account, hears
// of it. Nobody else may recall.
func TestNeedRecall(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, _ *modeltest.Clock) {
		f := newNeedFixture(t, s)
		team, err := s.CreateTaker(bg, f.staff1, models.TakerInput{Kind: models.TakerVolunteer, Name: "志愿队（无账号）", PlaceID: f.com1.ID})
		if err != nil {
			t.Fatal(err)
		}
		n := f.file(t, s, false)
		if _, err := s.RecallNeed(bg, f.staff1, n.ID, "还没派出"); !errors.Is(err, models.ErrNeedStep) {
			t.Fatalf("recalled a need never dispatched: %v", err)
		}
		if _, err := s.AcceptNeed(bg, f.staff1, n.ID); err != nil {
			t.Fatal(err)
		}
		n, err = s.DispatchNeed(bg, f.staff1, n.ID, team.ID)
		n = mustStep(t, n, err, models.NeedDispatched)
		if _, err := s.RecallNeed(bg, f.staff1, n.ID, "  "); err == nil {
			t.Fatal("recall without a reason")
		}
		if _, err := s.RecallNeed(bg, f.staff2, n.ID, "不归你管"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("staff of community 2 recalled: %v", err)
		}
		n, err = s.RecallNeed(bg, f.staff1, n.ID, "志愿队联系不上")
		n = mustStep(t, n, err, models.NeedAccepted)
		if n.TakerID != nil || n.Reason != "志愿队联系不上" {
			t.Fatalf("recalled: %+v", n)
		}
		// Dispatched again, to the grid worker, who takes it on; a recall
		// now reaches the worker's inbox, and the worker can no longer act.
		n, err = s.DispatchNeed(bg, f.staff1, n.ID, f.gridTaker.ID)
		n = mustStep(t, n, err, models.NeedDispatched)
		n, err = s.TakeNeed(bg, f.worker, n.ID)
		n = mustStep(t, n, err, models.NeedInProgress)
		if _, err := s.RecallNeed(bg, f.worker, n.ID, "我不想办"); !errors.Is(err, models.ErrNeedStep) {
			t.Fatalf("the taker recalled: %v", err)
		}
		n, err = s.RecallNeed(bg, f.staff1, n.ID, "改派给志愿队")
		n = mustStep(t, n, err, models.NeedAccepted)
		inbox, err := s.Inbox(bg, f.worker, 1, 50)
		if err != nil {
			t.Fatal(err)
		}
		recalled := 0
		for _, x := range inbox.Items {
			if x.Kind == models.NotifyNeedRecalled && x.SubjectID == n.ID {
				recalled++
			}
		}
		if recalled != 1 {
			t.Fatalf("the worker has %d recall notices, want 1", recalled)
		}
		if _, err := s.ProgressNeed(bg, f.worker, n.ID, "继续办"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("the recalled taker still acts: %v", err)
		}
		d, err := s.NeedByID(bg, f.staff1, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		recalls := 0
		for _, e := range d.Events {
			if e.Action == models.NeedActRecall {
				recalls++
			}
		}
		if recalls != 2 {
			t.Fatalf("%d recalls on the timeline, want 2", recalls)
		}
	})
}

// TestWhistleCallsOnlyBodiesServingThePlace: a department of another street
// cannot be called, and so is never handed the need.
func TestWhistleCallsOnlyBodiesServingThePlace(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, _ *modeltest.Clock) {
		f := newNeedFixture(t, s)
		other := models.Place{Kind: models.KindStreet, Name: "另一街道", Path: "/"}
		if err := s.Tx(bg).Create(&other).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(bg).Model(&other).Update("path", fmt.Sprintf("/%d/", other.ID)).Error; err != nil {
			t.Fatal(err)
		}
		farDept := principal(t, s, mustAccount(t, s, "13900000031", "外街道城管").ID)
		far := models.Taker{Kind: models.TakerDepartment, Name: "外街道城管科", PlaceID: other.ID, AccountID: &farDept.Account.ID, Active: true}
		if err := s.Tx(bg).Create(&far).Error; err != nil {
			t.Fatal(err)
		}
		n := f.file(t, s, false)
		if _, err := s.AcceptNeed(bg, f.staff1, n.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.EscalateNeed(bg, f.staff1, n.ID, "", nil); err != nil {
			t.Fatal(err)
		}
		_, _, err := s.EscalateNeed(bg, f.staff1, n.ID, "吹哨", []uint64{f.deptTaker.ID, far.ID})
		var fe models.FieldErrors
		if !errors.As(err, &fe) || fe["call"] != "err.taker_out_of_area" {
			t.Fatalf("called a department of another street: %v", err)
		}
		if _, err := s.NeedByID(bg, farDept, n.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("the other street's department sees the need: %v", err)
		}
		if d, err := s.NeedByID(bg, f.staff1, n.ID); err != nil || d.Level != models.NeedLevelCommunity || len(d.Whistles) != 0 {
			t.Fatalf("the refused whistle left a trace: %+v %v", d.Level, err)
		}
		if _, _, err := s.EscalateNeed(bg, f.staff1, n.ID, "吹哨", []uint64{f.deptTaker.ID}); err != nil {
			t.Fatal(err)
		}
	})
}

// Categories and their time limits are shared by every street of the
// deployment, so street staff, who serve one street, may not change them;
// admins may.
func TestNeedLimitsOnlyAdmins(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		a := mustAccount(t, s, "13900000030", "街道干部")
		if _, err := s.GrantRole(bg, f.admin, a.ID, models.RoleStreetStaff, f.street.ID); err != nil {
			t.Fatal(err)
		}
		streetStaff := principal(t, s, a.ID)
		l := models.TimeLimits{Respond: 2 * time.Hour, Resolve: 48 * time.Hour}
		if models.MaySetNeedLimits(streetStaff) {
			t.Fatal("street staff may set the limits")
		}
		if err := s.SetCategoryLimits(bg, streetStaff, f.category.ID, l); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("street staff set the limits: %v", err)
		}
		if err := s.SetCategoryLimits(bg, f.staff1, f.category.ID, l); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("community staff set the limits: %v", err)
		}
		if err := s.SetCategoryLimits(bg, f.admin, f.category.ID, l); err != nil {
			t.Fatalf("admin: %v", err)
		}
		var c models.NeedCategory
		if err := s.Tx(bg).First(&c, f.category.ID).Error; err != nil || c.RespondMinutes != 120 || c.ResolveMinutes != 48*60 {
			t.Fatalf("limits not saved: %+v %v", c, err)
		}
	})
}

// A need is filed only at a place the filing form offers (NeedPlaces): the
// community, its compounds and buildings, never a household, whose room
// number the need's page would show to the neighbours.
func TestNeedPlaceMustBeOffered(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		offered, err := s.NeedPlaces(bg, f.filer)
		if err != nil || len(offered) == 0 || offered[0].ID != f.com1.ID {
			t.Fatalf("offered %v %v", offered, err)
		}
		for _, pl := range offered {
			if pl.Kind == models.KindHousehold {
				t.Fatalf("a household is offered: %+v", pl)
			}
		}
		// A village's or community's groups (小组) are offered too.
		grouped, err := s.NeedPlaces(bg, f.farAway)
		if err != nil || len(grouped) < 2 || grouped[0].ID != f.com2.ID ||
			!slices.ContainsFunc(grouped, func(pl models.Place) bool { return pl.Kind == models.KindGroup }) {
			t.Fatalf("offered to a group's resident: %v %v", grouped, err)
		}
		if _, err := s.NeedPlaces(bg, f.staff1); !errors.Is(err, models.ErrNotResident) {
			t.Fatalf("places offered to a non-resident: %v", err)
		}
		for _, pl := range []models.Place{f.hh1, f.hh2} {
			var fe models.FieldErrors
			_, err := s.FileNeed(bg, f.filer, models.NeedInput{CategoryID: f.category.ID, PlaceID: pl.ID, Description: "楼道灯坏了，晚上看不见"}, nil)
			if !errors.As(err, &fe) || fe["place_id"] == "" {
				t.Fatalf("filed at household %s: %v", pl.Name, err)
			}
		}
		var n int64
		s.DB().Model(&models.Need{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d needs filed at households", n)
		}
		for _, pl := range offered {
			if _, err := s.FileNeed(bg, f.filer, models.NeedInput{CategoryID: f.category.ID, PlaceID: pl.ID, Description: "楼道灯坏了，晚上看不见"}, nil); err != nil {
				t.Fatalf("filed at offered %s: %v", pl.Name, err)
			}
		}
	})
}
