package models_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// villageFixture is a village under the fixture's street with its own
// staff member, a villager, and a closed meeting of each of its 两委,
// 党员大会 and 村民代表会议.
type villageFixture struct {
	*fixture
	village                 models.Place
	vstaff, villager        *models.Principal
	committees, party, reps models.Meeting
	committeesCouncil       models.Council
	cst                     *time.Location
}

func newVillageFixture(t *testing.T, s *models.Store) *villageFixture {
	t.Helper()
	f := &villageFixture{fixture: newFixture(t, s), cst: time.FixedZone("CST", 8*3600)}
	var err error
	if f.village, err = s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: f.street.ID, Kind: models.KindVillage, Name: "桃源村"}); err != nil {
		t.Fatal(err)
	}
	group, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: f.village.ID, Kind: models.KindGroup, Name: "一组"})
	if err != nil {
		t.Fatal(err)
	}
	hh, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: group.ID, Kind: models.KindHousehold, Name: "1号"})
	if err != nil {
		t.Fatal(err)
	}
	vs := mustAccount(t, s, "13900000050", "村书记")
	if _, err := s.GrantRole(bg, f.admin, vs.ID, models.RoleCommunityStaff, f.village.ID); err != nil {
		t.Fatal(err)
	}
	f.vstaff = principal(t, s, vs.ID)
	vr := mustAccount(t, s, "13900000051", "村民")
	if err := s.GrantRoleAsSystem(bg, vr.ID, models.RoleResident, hh.ID); err != nil {
		t.Fatal(err)
	}
	f.villager = principal(t, s, vr.ID)
	meeting := func(kind models.CouncilKind, name string) (models.Council, models.Meeting) {
		c, err := s.CreateCouncil(bg, f.vstaff, models.CouncilInput{PlaceID: f.village.ID, Kind: kind, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		m := models.Meeting{CouncilID: c.ID, Title: name + "会议", StartsAt: s.Now().Add(-20 * 24 * time.Hour), Location: "村委会",
			Status: models.MeetingClosed, CreatedByID: vs.ID}
		if err := s.Tx(bg).Create(&m).Error; err != nil {
			t.Fatal(err)
		}
		return c, m
	}
	f.committeesCouncil, f.committees = meeting(models.CouncilTwoCommittees, "桃源村两委")
	_, f.party = meeting(models.CouncilPartyAssembly, "桃源村党员大会")
	_, f.reps = meeting(models.CouncilVillageReps, "桃源村村民代表会议")
	return f
}

func (f *villageFixture) matter(t *testing.T, s *models.Store, procedure uint64) models.Matter {
	t.Helper()
	m, err := s.CreateMatter(bg, f.vstaff, models.MatterInput{PlaceID: f.village.ID, ProcedureID: procedure, Title: "修建村东头道路",
		Description: "村东头土路雨天泥泞，群众要求硬化。", Source: models.SourceResidents})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// meetingRecord is a valid record of a meeting step held days ago.
func meetingRecord(now time.Time, daysAgo int, result models.StepResult, meeting uint64) models.StepInput {
	return models.StepInput{HeldOn: now.Add(-time.Duration(daysAgo) * 24 * time.Hour), Form: "onsite", Expected: 9, Actual: 8,
		Text: "关于硬化村东头道路的方案", Result: result, Signatures: "主持人王某，记录人李某，参会人员均已签字", MeetingID: meeting}
}

func publicationRecord(now time.Time, daysAgo int) models.StepInput {
	return models.StepInput{HeldOn: now.Add(-time.Duration(daysAgo) * 24 * time.Hour), Channels: []string{"board", "wechat"}, PeriodDays: 7,
		Text: "村民代表会议决议：硬化村东头道路，预算12万元。", Remarks: "村务监督委员会全程监督"}
}

func TestMatterFullDefaultChain(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newVillageFixture(t, s)
		m := f.matter(t, s, 0)
		now := s.Now()

		// No step may be skipped: the store applies the order rule.
		if _, err := s.RecordStep(bg, f.vstaff, m.ID, 2, meetingRecord(now, 9, models.StepPassed, 0), f.cst); !errors.Is(err, models.ErrStepSkipped) {
			t.Fatalf("skipping to step 3: %v", err)
		}
		// Others may not record: community staff elsewhere, the villager.
		if _, err := s.RecordStep(bg, f.staff1, m.ID, 0, meetingRecord(now, 10, models.StepPassed, 0), f.cst); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("staff of another branch: %v", err)
		}
		if _, err := s.RecordStep(bg, f.villager, m.ID, 0, meetingRecord(now, 10, models.StepPassed, 0), f.cst); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("villager: %v", err)
		}
		// A meeting of the wrong kind, or none at all, is refused.
		var fe models.FieldErrors
		if _, err := s.RecordStep(bg, f.vstaff, m.ID, 0, meetingRecord(now, 10, models.StepPassed, 999999), f.cst); !errors.As(err, &fe) || fe["meeting_id"] != "village.err.meeting_invalid" {
			t.Fatalf("a meeting that does not exist: %v", err)
		}
		if _, err := s.RecordStep(bg, f.vstaff, m.ID, 0, meetingRecord(now, 10, models.StepPassed, 0), f.cst); err != nil {
			t.Fatalf("step 1: %v", err)
		}
		if _, err := s.RecordStep(bg, f.vstaff, m.ID, 1, meetingRecord(now, 8, models.StepPassed, f.party.ID), f.cst); !errors.As(err, &fe) || fe["meeting_id"] != "village.err.meeting_kind" {
			t.Fatalf("the party assembly's meeting for the two committees' step: %v", err)
		}
		steps := []struct {
			in   models.StepInput
			pos  int
			want models.MatterStatus
		}{
			{meetingRecord(now, 8, models.StepPassed, f.committees.ID), 1, models.MatterOpen},
			{meetingRecord(now, 6, models.StepPassed, f.party.ID), 2, models.MatterOpen},
			{meetingRecord(now, 4, models.StepPassed, f.reps.ID), 3, models.MatterOpen},
			{publicationRecord(now, 3), 4, models.MatterOpen},
			{publicationRecord(now, 0), 5, models.MatterDone},
		}
		for _, st := range steps {
			rec, err := s.RecordStep(bg, f.vstaff, m.ID, st.pos, st.in, f.cst)
			if err != nil {
				t.Fatalf("step %d: %v", st.pos+1, err)
			}
			v, err := s.MatterByID(bg, f.vstaff, m.ID)
			if err != nil || v.Status != st.want || v.Done != st.pos+1 || rec.Name != models.DefaultProcedure.Steps[st.pos].Name {
				t.Fatalf("after step %d: %s, %d done, %q, %v", st.pos+1, v.Status, v.Done, rec.Name, err)
			}
		}
		v, err := s.MatterByID(bg, f.villager, m.ID)
		if err != nil || len(v.Records) != 6 || v.EndedAt == nil || v.Next() != nil {
			t.Fatalf("the villager sees %d records, ended %v: %v", len(v.Records), v.EndedAt, err)
		}
		if r := v.Records[1]; r.MeetingID == nil || *r.MeetingID != f.committees.ID || r.Expected != 9 || r.Actual != 8 || r.Result != models.StepPassed {
			t.Fatalf("two committees' record: %+v", r)
		}
		// Each publication put a notice on the bulletin, at the village,
		// with its period, naming the matter as its source.
		ns, err := s.NoticesForSource(bg, "matter", m.ID)
		if err != nil || len(ns) != 2 {
			t.Fatalf("notices: %d %v", len(ns), err)
		}
		for i, n := range ns {
			rec := v.Records[4+i]
			if n.PlaceID != f.village.ID || n.PeriodDays != 7 || n.PeriodEndsAt == nil || !n.AllowObjections || rec.NoticeID == nil || *rec.NoticeID != n.ID {
				t.Fatalf("notice %d: %+v, record %+v", i, n, rec)
			}
			if !strings.Contains(n.Body, "修建村东头道路") || !strings.Contains(n.Body, "村务公开栏、微信群") || !strings.Contains(n.Body, "两委会商议") {
				t.Fatalf("notice body: %s", n.Body)
			}
		}
		// Nothing after the last step.
		if _, err := s.RecordStep(bg, f.vstaff, m.ID, 5, publicationRecord(now, 0), f.cst); !errors.Is(err, models.ErrMatterEnded) {
			t.Fatalf("after the end: %v", err)
		}
		// Who sees the matter: the village and those above it.
		for _, p := range []*models.Principal{f.admin, f.vstaff, f.villager} {
			list, total, err := s.Matters(bg, p, 1, 10)
			if err != nil || total != 1 || list[0].ID != m.ID {
				t.Fatalf("%s's matters: %d %v", p.Account.Name, total, err)
			}
		}
		if _, total, _ := s.Matters(bg, f.staff2, 1, 10); total != 0 {
			t.Fatalf("staff of community 2 see %d matters", total)
		}
		if _, err := s.MatterByID(bg, f.staff2, m.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("staff of community 2 open it: %v", err)
		}
		var audits int64
		if err := s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND object_id = ?", "matter.step", fmt.Sprint(m.ID)).Count(&audits).Error; err != nil || audits != 6 {
			t.Fatalf("%d step audit entries: %v", audits, err)
		}
	})
}

func TestMatterAttendanceAndRejection(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newVillageFixture(t, s)
		m := f.matter(t, s, 0)
		now := s.Now()
		in := meetingRecord(now, 5, models.StepPassed, 0)
		in.Actual = in.Expected + 1
		var fe models.FieldErrors
		if _, err := s.RecordStep(bg, f.vstaff, m.ID, 0, in, f.cst); !errors.As(err, &fe) || fe["actual"] != "village.err.actual_over_expected" {
			t.Fatalf("more present than expected: %v", err)
		}
		if v, _ := s.MatterByID(bg, f.vstaff, m.ID); v.Done != 0 || len(v.Records) != 0 {
			t.Fatalf("a refused record was stored: %d", v.Done)
		}
		if _, err := s.RecordStep(bg, f.vstaff, m.ID, 0, meetingRecord(now, 5, models.StepPassed, 0), f.cst); err != nil {
			t.Fatal(err)
		}
		// A step dated before the one it follows is refused.
		if _, err := s.RecordStep(bg, f.vstaff, m.ID, 1, meetingRecord(now, 6, models.StepPassed, 0), f.cst); !errors.As(err, &fe) || fe["held_on"] != "village.err.date_before_previous" {
			t.Fatalf("dated before step 1: %v", err)
		}
		// The two committees do not pass it: the matter ends there.
		if _, err := s.RecordStep(bg, f.vstaff, m.ID, 1, meetingRecord(now, 4, models.StepFailed, 0), f.cst); err != nil {
			t.Fatal(err)
		}
		v, err := s.MatterByID(bg, f.vstaff, m.ID)
		if err != nil || v.Status != models.MatterRejected || v.EndedAt == nil || v.Next() != nil {
			t.Fatalf("after rejection: %s %v", v.Status, err)
		}
		if _, err := s.RecordStep(bg, f.vstaff, m.ID, 2, meetingRecord(now, 3, models.StepPassed, 0), f.cst); !errors.Is(err, models.ErrMatterEnded) {
			t.Fatalf("a step after rejection: %v", err)
		}
	})
}

func TestMatterConcurrentStepStoresOne(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newVillageFixture(t, s)
		m := f.matter(t, s, 0)
		now := s.Now()
		if _, err := s.RecordStep(bg, f.vstaff, m.ID, 0, meetingRecord(now, 9, models.StepPassed, 0), f.cst); err != nil {
			t.Fatal(err)
		}
		// Eight recorders at once on the same step; then on a publication,
		// which also writes a notice.
		for _, pos := range []int{1, 2, 3, 4} {
			in := meetingRecord(now, 8-pos, models.StepPassed, 0)
			if pos == 4 {
				in = publicationRecord(now, 1)
			}
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, errs[i] = s.RecordStep(bg, f.vstaff, m.ID, pos, in, f.cst)
				}(i)
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, models.ErrStepRecorded):
					t.Fatalf("step %d: unexpected %v", pos+1, err)
				}
			}
			var rows int64
			if err := s.Tx(bg).Model(&models.MatterStep{}).Where("matter_id = ? AND position = ?", m.ID, pos).Count(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if ok != 1 || rows != 1 {
				t.Fatalf("step %d: %d successes, %d rows", pos+1, ok, rows)
			}
		}
		ns, err := s.NoticesForSource(bg, "matter", m.ID)
		if err != nil || len(ns) != 1 {
			t.Fatalf("one publication, %d notices: %v", len(ns), err)
		}
	})
}

func TestProcedureOwnChain(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newVillageFixture(t, s)
		in := models.ProcedureInput{PlaceID: f.village.ID, Name: "小额事项简易程序", Steps: []models.ProcedureStepInput{
			{Name: "两委商议", Kind: models.StepMeeting, CouncilKind: models.CouncilTwoCommittees},
			{Name: "结果公开", Kind: models.StepPublication},
		}}
		if _, err := s.CreateProcedure(bg, f.villager, in); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a villager defines a chain: %v", err)
		}
		var fe models.FieldErrors
		other := in
		other.PlaceID = f.com2.ID
		if _, err := s.CreateProcedure(bg, f.vstaff, other); !errors.As(err, &fe) || fe["place_id"] == "" {
			t.Fatalf("a chain for another place: %v", err)
		}
		pr, err := s.CreateProcedure(bg, f.vstaff, in)
		if err != nil {
			t.Fatal(err)
		}
		// A chain defined in community 2 is not for this village.
		elsewhere, err := s.CreateProcedure(bg, f.staff2, models.ProcedureInput{PlaceID: f.com2.ID, Name: "二社区程序", Steps: in.Steps})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateMatter(bg, f.admin, models.MatterInput{PlaceID: f.village.ID, ProcedureID: elsewhere.ID, Title: "维修村委会屋顶",
			Description: "屋顶漏雨", Source: models.SourceOfficials}); !errors.As(err, &fe) || fe["procedure_id"] == "" {
			t.Fatalf("another place's chain: %v", err)
		}
		// Matters belong to villages, and to places that exist.
		for name, place := range map[string]uint64{"a community": f.com2.ID, "no place": 1 << 40} {
			fe = nil
			if _, err := s.CreateMatter(bg, f.admin, models.MatterInput{PlaceID: place, Title: "维修村委会屋顶",
				Description: "屋顶漏雨", Source: models.SourceOfficials}); !errors.As(err, &fe) || fe["place_id"] != "err.invalid_choice" {
				t.Fatalf("a matter at %s: %v", name, err)
			}
		}
		// Unused, it may be edited: steps reordered and added.
		in.Name = "简易程序"
		in.Steps = []models.ProcedureStepInput{in.Steps[0], {Name: "村民代表会议决议", Kind: models.StepMeeting, CouncilKind: models.CouncilVillageReps}, in.Steps[1]}
		if err := s.UpdateProcedure(bg, f.vstaff, pr.ID, in); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateProcedure(bg, f.staff2, pr.ID, in); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("staff elsewhere edit it: %v", err)
		}
		m := f.matter(t, s, pr.ID)
		v, err := s.MatterByID(bg, f.vstaff, m.ID)
		if err != nil || v.Procedure.Name != "简易程序" || len(v.Procedure.Steps) != 3 || v.Procedure.Steps[1].Name != "村民代表会议决议" {
			t.Fatalf("the matter's chain: %+v %v", v.Procedure, err)
		}
		// In use, it is no longer edited.
		if err := s.UpdateProcedure(bg, f.vstaff, pr.ID, in); !errors.Is(err, models.ErrProcedureInUse) {
			t.Fatalf("editing a chain in use: %v", err)
		}
		pv, err := s.ProcedureByID(bg, f.vstaff, pr.ID)
		if err != nil || pv.Matters != 1 || pv.Editable() {
			t.Fatalf("chain view: %d matters, editable %v, %v", pv.Matters, pv.Editable(), err)
		}
		// Its steps run in its own order and kinds: the last is a publication.
		now := s.Now()
		for pos, rec := range []models.StepInput{meetingRecord(now, 5, models.StepPassed, f.committees.ID), meetingRecord(now, 3, models.StepPassed, 0), publicationRecord(now, 1)} {
			if _, err := s.RecordStep(bg, f.vstaff, m.ID, pos, rec, f.cst); err != nil {
				t.Fatalf("step %d: %v", pos+1, err)
			}
		}
		if v, _ := s.MatterByID(bg, f.vstaff, m.ID); v.Status != models.MatterDone {
			t.Fatalf("own chain ended %s", v.Status)
		}
		list, err := s.Procedures(bg, f.admin)
		names := []string{}
		for _, p := range list {
			names = append(names, fmt.Sprintf("%s/%d", p.Name, len(p.Steps)))
		}
		if err != nil || len(list) != 2 {
			t.Fatalf("admin's chains: %v %v", names, err)
		}
		if list, _ := s.Procedures(bg, f.staff1); len(list) != 0 {
			t.Fatalf("community 1 staff see %d chains", len(list))
		}
	})
}
