package models_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

func auditActions(t *testing.T, s *models.Store, objectType string) []string {
	t.Helper()
	var rows []models.AuditEntry
	if err := s.Tx(bg).Where("object_type = ?", objectType).Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.Action)
	}
	return out
}

func noticeInput(place models.Place) models.NoticeInput {
	return models.NoticeInput{PlaceID: place.ID, Title: "加装电梯公示", Body: "第一行\n第二行", PeriodDays: 7, AllowObjections: true}
}

func TestNoticeDraftPublishWithdraw(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		// Bad input is refused and writes nothing.
		if _, err := s.CreateNotice(bg, f.staff1, models.NoticeInput{PlaceID: f.com1.ID, PeriodDays: 100}); !errors.As(err, new(models.FieldErrors)) {
			t.Fatalf("bad input: %v", err)
		}
		// A resident, and staff of another community, may not write here.
		if _, err := s.CreateNotice(bg, principal(t, s, f.resident.ID), noticeInput(f.com1)); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("resident: %v", err)
		}
		if _, err := s.CreateNotice(bg, f.staff2, noticeInput(f.com1)); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 in community 1: %v", err)
		}
		if _, err := s.CreateNotice(bg, f.staff1, models.NoticeInput{PlaceID: f.hh1.ID, Title: "t", Body: "b"}); !errors.As(err, new(models.FieldErrors)) {
			t.Fatalf("notice for one household: %v", err)
		}
		if got := auditActions(t, s, "notice"); len(got) != 0 {
			t.Fatalf("refused writes left audit entries: %v", got)
		}

		n, err := s.CreateNotice(bg, f.staff1, noticeInput(f.com1))
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != models.NoticeDraft || n.PublishedAt != nil {
			t.Fatalf("new notice: %+v", n)
		}
		// Drafts are not public, and not for staff of another community.
		if _, err := s.NoticeByID(bg, n.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("draft public: %v", err)
		}
		if _, err := s.StaffNoticeByID(bg, f.staff2, n.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 reads draft: %v", err)
		}
		if _, err := s.UpdateNotice(bg, f.staff2, n.ID, noticeInput(f.com2)); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 edits: %v", err)
		}
		if _, err := s.PublishNotice(bg, f.staff2, n.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 publishes: %v", err)
		}
		// Staff 1 cannot move it into community 2 either.
		if _, err := s.UpdateNotice(bg, f.staff1, n.ID, noticeInput(f.com2)); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("move to community 2: %v", err)
		}
		in := noticeInput(f.com1)
		in.Title = "加装电梯意见征询结果公示"
		in.PeriodDays = 5
		if n, err = s.UpdateNotice(bg, f.staff1, n.ID, in); err != nil || n.Title != in.Title {
			t.Fatalf("update: %+v %v", n, err)
		}

		clock.Advance(time.Hour)
		pub, err := s.PublishNotice(bg, f.staff1, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		now := clock.Now()
		if pub.Status != models.NoticePublished || !pub.PublishedAt.Equal(now) || !pub.PeriodEndsAt.Equal(now.AddDate(0, 0, 5)) {
			t.Fatalf("published: %+v", pub)
		}
		got, err := s.NoticeByID(bg, n.ID)
		if err != nil || got.Place.ID != f.com1.ID || !got.PeriodEndsAt.Equal(now.AddDate(0, 0, 5)) || got.Body != "第一行\n第二行" {
			t.Fatalf("public read: %+v %v", got, err)
		}
		if !got.InPeriod(s.Now()) {
			t.Fatal("period should run after publishing")
		}
		// Published is final: no editing, no publishing twice.
		if _, err := s.UpdateNotice(bg, f.staff1, n.ID, in); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("edit published: %v", err)
		}
		if _, err := s.PublishNotice(bg, f.staff1, n.ID); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("publish twice: %v", err)
		}
		list, total, err := s.PublishedNotices(bg, models.NoticeQuery{Within: f.com1.ID})
		if err != nil || total != 1 || list[0].ID != n.ID {
			t.Fatalf("bulletin for community 1: %d %v", total, err)
		}
		if _, total, _ := s.PublishedNotices(bg, models.NoticeQuery{Within: f.com2.ID}); total != 0 {
			t.Fatalf("community 2 shows %d notices", total)
		}

		// The period ends.
		clock.Advance(5 * 24 * time.Hour)
		if got, _ := s.NoticeByID(bg, n.ID); got.InPeriod(s.Now()) || !got.PeriodEnded(s.Now()) || got.AcceptsObjections(s.Now()) {
			t.Fatalf("period should be over: %+v", got)
		}

		// Withdrawing needs a reason and the right place.
		if _, err := s.WithdrawNotice(bg, f.staff1, n.ID, " "); !errors.As(err, new(models.FieldErrors)) {
			t.Fatalf("withdraw without reason: %v", err)
		}
		if _, err := s.WithdrawNotice(bg, f.staff2, n.ID, "不对"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 withdraws: %v", err)
		}
		w, err := s.WithdrawNotice(bg, f.staff1, n.ID, "  数据有误，更正后重发  ")
		if err != nil || w.Status != models.NoticeWithdrawn {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		got, err = s.NoticeByID(bg, n.ID)
		if err != nil || got.Status != models.NoticeWithdrawn || got.WithdrawReason != "数据有误，更正后重发" || got.WithdrawnAt == nil {
			t.Fatalf("withdrawn notice: %+v %v", got, err)
		}
		if _, err := s.WithdrawNotice(bg, f.staff1, n.ID, "再次"); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("withdraw twice: %v", err)
		}
		want := []string{"notice.create", "notice.update", "notice.publish", "notice.withdraw"}
		if got := auditActions(t, s, "notice"); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("audit %v, want %v", got, want)
		}
	})
}

func TestObjections(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		if err := s.GrantRoleAsSystem(bg, f.resident.ID, models.RoleResident, f.hh1.ID); err != nil {
			t.Fatal(err)
		}
		res := principal(t, s, f.resident.ID)
		// A verified resident of community 2.
		comp2, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: f.com2.ID, Kind: models.KindCompound, Name: "二小区"})
		if err != nil {
			t.Fatal(err)
		}
		hh3, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: comp2.ID, Kind: models.KindHousehold, Name: "201"})
		if err != nil {
			t.Fatal(err)
		}
		other := mustAccount(t, s, "13900000005", "外社区居民")
		if err := s.GrantRoleAsSystem(bg, other.ID, models.RoleResident, hh3.ID); err != nil {
			t.Fatal(err)
		}
		stranger := principal(t, s, other.ID)
		unverified := principal(t, s, mustAccount(t, s, "13900000006", "未认证").ID)

		n, err := s.PublishOutcome(bg, f.staff1, noticeInput(f.com1), "ballot", 42)
		if err != nil || n.Status != models.NoticePublished || n.SourceType != "ballot" || n.SourceID != 42 {
			t.Fatalf("publish outcome: %+v %v", n, err)
		}
		if src, err := s.NoticesForSource(bg, "ballot", 42); err != nil || len(src) != 1 || src[0].ID != n.ID || src[0].Place.ID != f.com1.ID {
			t.Fatalf("notices for source: %v %v", src, err)
		}
		if src, _ := s.NoticesForSource(bg, "ballot", 43); len(src) != 0 {
			t.Fatalf("another source found %d", len(src))
		}

		audit0 := len(auditActions(t, s, "objection"))
		for name, c := range map[string]struct {
			p    *models.Principal
			want error
		}{
			"resident of community 2": {stranger, models.ErrNotResidentHere},
			"unverified account":      {unverified, models.ErrNotResidentHere},
			"staff, not a resident":   {f.staff1, models.ErrNotResidentHere},
			"nobody":                  {nil, models.ErrForbidden},
		} {
			if _, err := s.FileObjection(bg, c.p, n.ID, "不同意"); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", name, err, c.want)
			}
		}
		if _, err := s.FileObjection(bg, res, n.ID, "  "); !errors.As(err, new(models.FieldErrors)) {
			t.Fatalf("empty reason: %v", err)
		}
		if _, err := s.FileObjection(bg, res, n.ID, strings.Repeat("长", 2001)); !errors.As(err, new(models.FieldErrors)) {
			t.Fatalf("long reason: %v", err)
		}
		if got := len(auditActions(t, s, "objection")); got != audit0 {
			t.Fatalf("refused objections were audited: %d", got-audit0)
		}

		o, err := s.FileObjection(bg, res, n.ID, " 电梯位置挡住一楼采光 ")
		if err != nil || o.Reason != "电梯位置挡住一楼采光" {
			t.Fatalf("file: %+v %v", o, err)
		}
		if _, err := s.FileObjection(bg, res, n.ID, "再提一次"); !errors.Is(err, models.ErrObjectionPending) {
			t.Fatalf("second open objection: %v", err)
		}
		// Only staff of the notice's place answer.
		if _, err := s.AnswerObjection(bg, f.staff2, n.ID, o.ID, "答复"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 answers: %v", err)
		}
		if _, err := s.AnswerObjection(bg, f.staff1, n.ID, o.ID, ""); !errors.As(err, new(models.FieldErrors)) {
			t.Fatalf("empty answer: %v", err)
		}
		a, err := s.AnswerObjection(bg, f.staff1, n.ID, o.ID, "已与设计单位沟通，调整位置。")
		if err != nil || a.AnsweredAt == nil {
			t.Fatalf("answer: %+v %v", a, err)
		}
		if _, err := s.AnswerObjection(bg, f.staff1, n.ID, o.ID, "改答复"); !errors.Is(err, models.ErrAlreadyAnswered) {
			t.Fatalf("answer twice: %v", err)
		}
		rows, total, err := s.ObjectionsFor(bg, n.ID, 1)
		if err != nil || len(rows) != 1 || total != 1 || rows[0].AccountPhone != f.resident.Phone || rows[0].Answer != "已与设计单位沟通，调整位置。" {
			t.Fatalf("objections: %+v %v", rows, err)
		}
		// Once answered, the resident may object again.
		if _, err := s.FileObjection(bg, res, n.ID, "补充意见"); err != nil {
			t.Fatalf("after answer: %v", err)
		}
		list, _, err := s.StaffNotices(bg, f.staff1, models.StaffNoticeQuery{})
		if err != nil || len(list) != 1 || list[0].Objections != 2 || list[0].Unanswered != 1 {
			t.Fatalf("staff list: %+v %v", list, err)
		}
		if list, total, err := s.StaffNotices(bg, f.staff2, models.StaffNoticeQuery{}); err != nil || total != 0 || len(list) != 0 {
			t.Fatalf("staff2 sees %d notices: %v", total, err)
		}
		if _, _, err := s.StaffNotices(bg, res, models.StaffNoticeQuery{}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("resident lists staff notices: %v", err)
		}

		// After the period, objections are closed.
		clock.Advance(7 * 24 * time.Hour)
		if _, err := s.FileObjection(bg, stranger, n.ID, "晚了"); !errors.Is(err, models.ErrObjectionsClosed) {
			t.Fatalf("after period: %v", err)
		}
		want := []string{"objection.file", "objection.answer", "objection.file"}
		if got := auditActions(t, s, "objection"); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("audit %v, want %v", got, want)
		}
	})
}

// TestBulletinPlace: the bulletin filters by any place a notice can be
// scoped to, listed or not; a household or no place at all is not found.
func TestBulletinPlace(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		for _, pl := range []models.Place{f.street, f.com1, f.building} {
			if got, err := s.BulletinPlace(bg, pl.ID); err != nil || got.ID != pl.ID {
				t.Errorf("%s: %v", pl.Name, err)
			}
		}
		for _, id := range []uint64{f.hh1.ID, 0, 1 << 40} {
			if _, err := s.BulletinPlace(bg, id); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("place %d: %v", id, err)
			}
		}
	})
}
