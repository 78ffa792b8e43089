package models_test

import (
	"errors"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// sittingMeeting is the fixture's announced meeting, opened, with both
// voting members present and a co-signer on its topic (the neighbour).
func (f *councilFixture) sittingMeeting(t *testing.T, s *models.Store, clock *modeltest.Clock) models.MeetingView {
	t.Helper()
	v := f.announcedMeeting(t, s, clock)
	if err := s.CosignTopic(bg, f.neighbour, v.Items[0].TopicID); err != nil {
		t.Fatal(err)
	}
	f.openMeeting(t, s, clock, v)
	for _, p := range []*models.Principal{f.convener, f.member} {
		if err := s.MarkPresent(bg, f.staff1, v.ID, p.Account.ID); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// vote puts a motion on the meeting's first item, opens it, lets record
// count it, closes it and returns the closed motion.
func (f *councilFixture) vote(t *testing.T, s *models.Store, v models.MeetingView, text string, record func(m models.Motion)) models.Motion {
	t.Helper()
	m := f.openVote(t, s, v, text)
	record(m)
	out, err := s.MotionStep(bg, f.convener, v.ID, m.ID, models.MotionActClose)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// adopted is a resolution of a motion adopted by a show of hands.
func (f *councilFixture) adopted(t *testing.T, s *models.Store, v models.MeetingView, text string) models.ResolutionView {
	t.Helper()
	m := f.vote(t, s, v, text, func(m models.Motion) {
		if err := s.RecordHands(bg, f.convener, v.ID, m.ID, models.Hands{For: 2}); err != nil {
			t.Fatal(err)
		}
	})
	sv, err := s.MeetingByID(bg, f.convener, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := sv.Resolutions[m.ID]
	if m.Status != models.MotionAdopted || id == 0 {
		t.Fatalf("motion %+v adopted without a resolution", m)
	}
	r, err := s.ResolutionByID(bg, f.convener, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestResolutionOnAdoption: adopting a motion, by members' votes or by a
// show of hands, records its resolution in the same step, linked to the
// motion, meeting, council and topic; a rejected motion has none.
func TestResolutionOnAdoption(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.sittingMeeting(t, s, clock)
		byVotes := f.vote(t, s, v, "同意划设20个临时停车位。", func(m models.Motion) {
			for _, p := range []*models.Principal{f.convener, f.member} {
				if _, err := s.CastMotionVote(bg, p, v.ID, m.ID, models.ChoiceFor); err != nil {
					t.Fatal(err)
				}
			}
		})
		rejected := f.vote(t, s, v, "夜间停车每晚收费5元。", func(m models.Motion) {
			if err := s.RecordHands(bg, f.convener, v.ID, m.ID, models.Hands{Against: 2}); err != nil {
				t.Fatal(err)
			}
		})
		if byVotes.Status != models.MotionAdopted || rejected.Status != models.MotionRejected {
			t.Fatalf("motions: %s, %s", byVotes.Status, rejected.Status)
		}
		byHands := f.adopted(t, s, v, "由物业负责划线。")
		sv, err := s.MeetingByID(bg, f.member, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sv.Resolutions) != 2 || sv.Resolutions[rejected.ID] != 0 || sv.Resolutions[byVotes.ID] == 0 {
			t.Fatalf("resolutions by motion: %v", sv.Resolutions)
		}
		r, err := s.ResolutionByID(bg, f.filer, sv.Resolutions[byVotes.ID])
		if err != nil {
			t.Fatal(err)
		}
		if r.Text != byVotes.Text || r.MotionID != byVotes.ID || r.MeetingID != v.ID || r.CouncilID != f.council.ID || r.Status != models.ResolutionPending ||
			r.TopicID == nil || *r.TopicID != v.Items[0].TopicID || r.Topic == nil || r.Topic.ProposerID != f.filer.Account.ID {
			t.Fatalf("resolution by votes: %+v", r.Resolution)
		}
		if byHands.MotionID == byVotes.ID || byHands.Text != "由物业负责划线。" {
			t.Fatalf("resolution by hands: %+v", byHands.Resolution)
		}
		list, err := s.TopicResolutions(bg, v.Items[0].TopicID)
		if err != nil || len(list) != 2 {
			t.Fatalf("topic's resolutions: %d %v", len(list), err)
		}
		// Someone with nothing to do with the council does not see it.
		if _, err := s.ResolutionByID(bg, f.farAway, r.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a resident of another community saw it: %v", err)
		}
	})
}

// TestResolutionExecution walks a resolution through assignment, progress
// and the end, with the steps refused on the way and who is told.
func TestResolutionExecution(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.sittingMeeting(t, s, clock)
		r := f.adopted(t, s, v, "同意划设20个临时停车位。")
		due := clock.Now().Add(7 * 24 * time.Hour)
		var fe models.FieldErrors

		// Assignment: those who run the council, to a member or staff.
		if _, err := s.AssignResolution(bg, f.member, r.ID, "13900000031", due); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a member assigned: %v", err)
		}
		if _, err := s.AssignResolution(bg, f.convener, r.ID, "13900000010", due); !errors.As(err, &fe) || fe["phone"] != "resolution.err_owner" {
			t.Fatalf("assigned to a resident who is neither member nor staff: %v", err)
		}
		if _, err := s.AssignResolution(bg, f.convener, r.ID, "13900000002", due); !errors.As(err, &fe) || fe["phone"] != "resolution.err_owner" {
			t.Fatalf("assigned to staff of another community: %v", err)
		}
		if _, err := s.AssignResolution(bg, f.convener, r.ID, "13999999999", clock.Now()); !errors.As(err, &fe) || fe["phone"] != "err.account_not_found" || fe["due"] == "" {
			t.Fatalf("unknown phone, due now: %v", err)
		}
		if _, err := s.ReportProgress(bg, f.convener, r.ID, models.ProgressInput{Note: "开始"}); !errors.Is(err, models.ErrResolutionStep) {
			t.Fatalf("progress before assignment: %v", err)
		}
		got, err := s.AssignResolution(bg, f.convener, r.ID, "13900000031", due)
		if err != nil || got.Status != models.ResolutionAssigned || got.OwnerID == nil || *got.OwnerID != f.member.Account.ID || !got.DueAt.Equal(due) {
			t.Fatalf("assign: %+v %v", got, err)
		}
		for _, p := range []*models.Principal{f.filer, f.neighbour, f.member} {
			if keys := inboxKeys(t, s, p); keys[0] != "resolution.notify_assign" {
				t.Fatalf("%s not told of the assignment: %v", p.Account.Name, keys)
			}
		}
		// Staff of the community may own it too (reassignment).
		if got, err := s.AssignResolution(bg, f.staff1, r.ID, "13900000001", due); err != nil || *got.OwnerID != f.staff1.Account.ID {
			t.Fatalf("reassign to staff: %+v %v", got, err)
		}
		if _, err := s.AssignResolution(bg, f.convener, r.ID, "13900000031", due); err != nil {
			t.Fatal(err)
		}

		// Progress: the owner or those who run it; a percentage is optional.
		if _, err := s.ReportProgress(bg, f.filer, r.ID, models.ProgressInput{Note: "我来报告"}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("the proposer reported progress: %v", err)
		}
		pc := 140
		if _, err := s.ReportProgress(bg, f.member, r.ID, models.ProgressInput{Note: "", Percent: &pc}); !errors.As(err, &fe) || fe["note"] == "" || fe["percent"] == "" {
			t.Fatalf("empty progress: %v", err)
		}
		pc = 40
		got, err = s.ReportProgress(bg, f.member, r.ID, models.ProgressInput{Note: "已联系物业，下周划线。", Percent: &pc})
		if err != nil || got.Status != models.ResolutionInProgress || got.Percent != 40 {
			t.Fatalf("progress: %+v %v", got, err)
		}
		if keys := inboxKeys(t, s, f.filer); keys[0] != "resolution.notify_progress" {
			t.Fatalf("proposer not told of progress: %v", keys)
		}
		if _, err := s.ReportProgress(bg, f.convener, r.ID, models.ProgressInput{Note: "召集人督办：请按期完成。"}); err != nil {
			t.Fatal(err)
		}
		// The owner may not abandon; the reason is mandatory.
		if _, err := s.AbandonResolution(bg, f.member, r.ID, "不做了"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("the owner abandoned: %v", err)
		}
		if _, err := s.AbandonResolution(bg, f.convener, r.ID, "  "); !errors.As(err, &fe) || fe["reason"] == "" {
			t.Fatalf("abandoned without a reason: %v", err)
		}
		if _, err := s.FinishResolution(bg, f.member, r.ID, ""); !errors.As(err, &fe) || fe["result"] == "" {
			t.Fatalf("done without a result: %v", err)
		}
		got, err = s.FinishResolution(bg, f.member, r.ID, "20个车位已划线，投入使用。")
		if err != nil || got.Status != models.ResolutionDone || got.Percent != 100 || got.ClosedAt == nil {
			t.Fatalf("done: %+v %v", got, err)
		}
		if keys := inboxKeys(t, s, f.neighbour); keys[0] != "resolution.notify_done" {
			t.Fatalf("co-signer not told of the end: %v", keys)
		}
		// A final status never changes.
		if _, err := s.AbandonResolution(bg, f.convener, r.ID, "改变主意"); !errors.Is(err, models.ErrResolutionStep) {
			t.Fatalf("abandoned a done resolution: %v", err)
		}
		if _, err := s.AssignResolution(bg, f.convener, r.ID, "13900000031", due); !errors.Is(err, models.ErrResolutionStep) {
			t.Fatalf("reassigned a done resolution: %v", err)
		}
		rv, err := s.ResolutionByID(bg, f.filer, r.ID)
		if err != nil || len(rv.Updates) != 6 || rv.Updates[5].Action != models.ResolutionActDone || rv.Updates[3].Percent == nil || *rv.Updates[3].Percent != 40 {
			t.Fatalf("timeline: %d entries %v", len(rv.Updates), err)
		}

		// Another resolution is abandoned from pending, with its reason.
		r2 := f.adopted(t, s, v, "停车位抽签分配。")
		got, err = s.AbandonResolution(bg, f.convener, r2.ID, "与停车位划设方案合并执行。")
		if err != nil || got.Status != models.ResolutionAbandoned || got.Reason != "与停车位划设方案合并执行。" {
			t.Fatalf("abandon: %+v %v", got, err)
		}
		if keys := inboxKeys(t, s, f.filer); keys[0] != "resolution.notify_abandon" {
			t.Fatalf("proposer not told of the abandonment: %v", keys)
		}

		// The council's lists.
		for tab, want := range map[models.ResolutionTab]int{"": 2, models.ResolutionTabOpen: 0, models.ResolutionTabDone: 1, models.ResolutionTabOverdue: 0} {
			if _, n, err := s.CouncilResolutions(bg, f.council.ID, tab, 1, 10); err != nil || n != int64(want) {
				t.Errorf("tab %q: %d, want %d (%v)", tab, n, want, err)
			}
		}
		var n int64
		if err := s.Tx(bg).Model(&models.AuditEntry{}).Where("action LIKE ?", "resolution.%").Count(&n).Error; err != nil || n < 9 {
			t.Fatalf("%d resolution audit entries: %v", n, err)
		}
	})
}

// TestResolutionChase: an overdue open resolution is flagged and chased
// (owner and convener told through the outbox) at most once a day; a done
// one is not.
func TestResolutionChase(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.sittingMeeting(t, s, clock)
		r := f.adopted(t, s, v, "同意划设20个临时停车位。")
		r2 := f.adopted(t, s, v, "由物业负责划线。")
		due := clock.Now().Add(48 * time.Hour)
		for _, id := range []uint64{r.ID, r2.ID} {
			if _, err := s.AssignResolution(bg, f.convener, id, "13900000031", due); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.FinishResolution(bg, f.member, r2.ID, "已划线。"); err != nil {
			t.Fatal(err)
		}
		if chased, err := s.ChaseResolutions(bg); err != nil || len(chased) != 0 {
			t.Fatalf("chased before the due date: %v %v", chased, err)
		}
		clock.Advance(49 * time.Hour)
		if rv, _ := s.ResolutionByID(bg, f.member, r.ID); !rv.Overdue(clock.Now()) {
			t.Fatal("not overdue after the due date")
		}
		if _, n, _ := s.CouncilResolutions(bg, f.council.ID, models.ResolutionTabOverdue, 1, 10); n != 1 {
			t.Fatalf("%d overdue in the list", n)
		}
		outbox := func() int64 {
			var n int64
			if err := s.Tx(bg).Model(&models.OutboxMessage{}).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := outbox()
		chased, err := s.ChaseResolutions(bg)
		if err != nil || len(chased) != 1 || chased[0].ID != r.ID {
			t.Fatalf("chase: %v %v", chased, err)
		}
		if after := outbox(); after-before != 2 {
			t.Fatalf("%d outbound messages for the owner and the convener", after-before)
		}
		for _, p := range []*models.Principal{f.member, f.convener} {
			if keys := inboxKeys(t, s, p); keys[0] != "resolution.notify_overdue" {
				t.Fatalf("%s not chased: %v", p.Account.Name, keys)
			}
		}
		clock.Advance(23 * time.Hour)
		if again, _ := s.ChaseResolutions(bg); len(again) != 0 {
			t.Fatal("chased twice within a day")
		}
		clock.Advance(time.Hour)
		if again, _ := s.ChaseResolutions(bg); len(again) != 1 {
			t.Fatal("not chased again the next day")
		}
		rv, err := s.ResolutionByID(bg, f.convener, r.ID)
		if err != nil || rv.LastChasedAt == nil || !rv.LastChasedAt.Equal(clock.Now()) || rv.Updates[len(rv.Updates)-1].Action != models.ResolutionActChase {
			t.Fatalf("chase record: %+v %v", rv.LastChasedAt, err)
		}
	})
}

// TestResolutionRatings: residents of the place and members rate a done
// resolution once each; a second rating is refused and the first stands.
func TestResolutionRatings(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.sittingMeeting(t, s, clock)
		r := f.adopted(t, s, v, "同意划设20个临时停车位。")
		if _, err := s.AssignResolution(bg, f.convener, r.ID, "13900000031", clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.RateResolution(bg, f.filer, r.ID, 5); !errors.Is(err, models.ErrResolutionStep) {
			t.Fatalf("rated before it was done: %v", err)
		}
		if _, err := s.FinishResolution(bg, f.convener, r.ID, "已划线。"); err != nil {
			t.Fatal(err)
		}
		var fe models.FieldErrors
		if err := s.RateResolution(bg, f.filer, r.ID, 6); !errors.As(err, &fe) || fe["stars"] == "" {
			t.Fatalf("six stars: %v", err)
		}
		if err := s.RateResolution(bg, f.filer, r.ID, 5); err != nil {
			t.Fatal(err)
		}
		if err := s.RateResolution(bg, f.filer, r.ID, 1); !errors.Is(err, models.ErrResolutionRated) {
			t.Fatalf("rated twice: %v", err)
		}
		if err := s.RateResolution(bg, f.neighbour, r.ID, 2); err != nil {
			t.Fatal(err)
		}
		if err := s.RateResolution(bg, f.member, r.ID, 4); err != nil {
			t.Fatal(err)
		}
		if err := s.RateResolution(bg, f.farAway, r.ID, 1); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a resident of another community rated: %v", err)
		}
		// Staff of the street see the council but are no residents of it.
		if err := s.RateResolution(bg, f.admin, r.ID, 1); !errors.Is(err, models.ErrNotPlaceMember) {
			t.Fatalf("street admin rated: %v", err)
		}
		rv, err := s.ResolutionByID(bg, f.filer, r.ID)
		if err != nil || rv.Ratings.Count != 3 || rv.Ratings.Average < 3.66 || rv.Ratings.Average > 3.67 || rv.MyRating != 5 || rv.MayRate() {
			t.Fatalf("ratings: %+v mine %d %v", rv.Ratings, rv.MyRating, err)
		}
		// The unique key backs the rule.
		err = s.Tx(bg).Create(&models.ResolutionRating{ResolutionID: r.ID, AccountID: f.filer.Account.ID, Stars: 3, CreatedAt: clock.Now()}).Error
		if err == nil {
			t.Fatal("a second rating row was stored")
		}
	})
}

// TestResolutionSpawns: staff who run the council turn a resolution into a
// project and a ballot, once each, and the link is kept both ways.
func TestResolutionSpawns(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		v := f.sittingMeeting(t, s, clock)
		r := f.adopted(t, s, v, "同意划设20个临时停车位。")
		pin := models.ProjectInput{Title: "划设临时停车位", Summary: r.Text, PlaceID: f.com1.ID, BudgetFen: 5000_00}
		// The convener is no staff: the projects list is not theirs.
		if _, err := s.SpawnProject(bg, f.convener, r.ID, pin); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("the convener created a project: %v", err)
		}
		if _, err := s.SpawnProject(bg, f.staff2, r.ID, pin); !errors.Is(err, models.ErrNotFound) && !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff of another community: %v", err)
		}
		pr, err := s.SpawnProject(bg, f.staff1, r.ID, pin)
		if err != nil || pr.SourceType != models.ResolutionSource || pr.SourceID == nil || *pr.SourceID != r.ID {
			t.Fatalf("project: %+v %v", pr, err)
		}
		if _, err := s.SpawnProject(bg, f.staff1, r.ID, pin); !errors.Is(err, models.ErrResolutionSpawn) {
			t.Fatalf("a second project: %v", err)
		}
		bin := models.BallotInput{PlaceID: f.com1.ID, Title: "停车位分配方式票决", Description: r.Text, Electorate: models.ElectorateAdults,
			Method: models.MethodSingle, OpensAt: clock.Now().Add(24 * time.Hour), ClosesAt: clock.Now().Add(72 * time.Hour)}
		b, err := s.SpawnBallot(bg, f.staff1, r.ID, bin)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SpawnBallot(bg, f.staff1, r.ID, bin); !errors.Is(err, models.ErrResolutionSpawn) {
			t.Fatalf("a second ballot: %v", err)
		}
		rv, err := s.ResolutionByID(bg, f.filer, r.ID)
		if err != nil || rv.ProjectID == nil || *rv.ProjectID != pr.ID || rv.Project == nil || rv.BallotID == nil || *rv.BallotID != b.ID || rv.Ballot == nil {
			t.Fatalf("resolution's links: %+v %v", rv.Resolution, err)
		}
		// Asked twice: the second answer comes from the cache.
		for range 2 {
			if back, err := s.ResolutionOfBallot(bg, b.ID); err != nil || back != r.ID {
				t.Fatalf("ballot's link back: %d %v", back, err)
			}
		}
		if none, err := s.ResolutionOfBallot(bg, b.ID+1000); err != nil || none != 0 {
			t.Fatalf("a ballot of no resolution: %d %v", none, err)
		}
		// The ballot got no candidates: it stalls at its opening, and while
		// staff may still mend it no other is spawned; once it has closed
		// unheld, another takes its place.
		clock.Advance(25 * time.Hour)
		if _, err := s.SpawnBallot(bg, f.staff1, r.ID, bin); !errors.Is(err, models.ErrResolutionSpawn) {
			t.Fatalf("a second ballot beside a stalled one: %v", err)
		}
		clock.Advance(48 * time.Hour)
		if rv, err := s.ResolutionByID(bg, f.staff1, r.ID); err != nil || !rv.BallotNotHeld || !rv.MaySpawnBallot(f.staff1) {
			t.Fatalf("a resolution whose ballot was not held: %+v %v", rv.BallotNotHeld, err)
		}
		bin.OpensAt, bin.ClosesAt = clock.Now().Add(24*time.Hour), clock.Now().Add(72*time.Hour)
		again, err := s.SpawnBallot(bg, f.staff1, r.ID, bin)
		if err != nil || again.ID == b.ID {
			t.Fatalf("a ballot in place of one not held: %v", err)
		}
		if rv, err := s.ResolutionByID(bg, f.staff1, r.ID); err != nil || rv.BallotID == nil || *rv.BallotID != again.ID || rv.BallotNotHeld {
			t.Fatalf("the resolution's ballot after the replacement: %+v %v", rv.BallotID, err)
		}
		if back, err := s.ResolutionOfBallot(bg, again.ID); err != nil || back != r.ID {
			t.Fatalf("the new ballot's link back: %d %v", back, err)
		}
		// The ballot not held still names its resolution, in this process
		// and in one that never saw it.
		for _, st := range []*models.Store{s, models.NewStore(s.DB(), clock.Now)} {
			if back, err := st.ResolutionOfBallot(bg, b.ID); err != nil || back != r.ID {
				t.Fatalf("the replaced ballot's link back: %d %v", back, err)
			}
		}
		if _, err := s.SpawnBallot(bg, f.staff1, r.ID, bin); !errors.Is(err, models.ErrResolutionSpawn) {
			t.Fatalf("a third ballot: %v", err)
		}
		// A bad project input leaves no link behind.
		r2 := f.adopted(t, s, v, "由物业负责划线。")
		var fe models.FieldErrors
		if _, err := s.SpawnProject(bg, f.staff1, r2.ID, models.ProjectInput{PlaceID: f.com1.ID}); !errors.As(err, &fe) {
			t.Fatalf("an untitled project: %v", err)
		}
		if rv, _ := s.ResolutionByID(bg, f.staff1, r2.ID); rv.ProjectID != nil {
			t.Fatal("a failed project left a link")
		}
		// A final resolution spawns nothing.
		if _, err := s.AbandonResolution(bg, f.staff1, r2.ID, "合并执行。"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SpawnBallot(bg, f.staff1, r2.ID, bin); !errors.Is(err, models.ErrResolutionSpawn) {
			t.Fatalf("a ballot from an abandoned resolution: %v", err)
		}
	})
}
