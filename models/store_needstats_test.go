package models_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

// statsScenario files four needs in community 1 at hourly steps: one
// answered in time, done and rated 5; one answered late, done and rated 2;
// one declined; one never answered (overdue after a day).
func statsScenario(t *testing.T, s *models.Store, clock *modeltest.Clock, f *needFixture) []models.Need {
	t.Helper()
	var ns []models.Need
	for i := 0; i < 4; i++ {
		ns = append(ns, f.file(t, s, false))
	}
	clock.Advance(time.Hour)
	must := func(_ models.Need, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.AcceptNeed(bg, f.staff1, ns[0].ID))
	must(s.DeclineNeed(bg, f.staff1, ns[2].ID, "不属于社区事务"))
	clock.Advance(30 * time.Hour) // past the 24 h respond limit
	must(s.AcceptNeed(bg, f.staff1, ns[1].ID))
	for _, n := range ns[:2] {
		must(s.DispatchNeed(bg, f.staff1, n.ID, f.gridTaker.ID))
		must(s.TakeNeed(bg, f.worker, n.ID))
		must(s.CompleteNeed(bg, f.worker, n.ID, "已修好"))
	}
	must(s.RateNeed(bg, f.filer, ns[0].ID, 5, ""))
	must(s.RateNeed(bg, f.filer, ns[1].ID, 2, ""))
	return ns
}

func TestNeedStats(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		ns := statsScenario(t, s, clock, f)
		period := models.StatsFilter{From: modeltest.Start.Add(-24 * time.Hour), To: clock.Now().Add(time.Hour)}

		st, err := s.NeedStats(bg, f.admin, period)
		if err != nil {
			t.Fatal(err)
		}
		want := models.NeedFigures{Filed: 4, Counted: 3, DueResponse: 4, RespondedInTime: 2, Resolved: 2, ResolvedInTime: 2, Rated: 2, Satisfied: 1, Overdue: 1}
		if st.Total != want {
			t.Fatalf("total %+v, want %+v", st.Total, want)
		}
		if len(st.Communities) != 2 || st.Communities[0].Place.ID != f.com1.ID || st.Communities[0].NeedFigures != want || st.Communities[1].Filed != 0 {
			t.Fatalf("communities %+v", st.Communities)
		}
		for _, c := range st.Categories {
			if c.Category.ID == f.category.ID && c.NeedFigures != want || c.Category.ID != f.category.ID && c.Filed != 0 {
				t.Fatalf("category %s: %+v", c.Category.Code, c.NeedFigures)
			}
		}
		if got := st.Total.SatisfactionRate().Percent(); got != "50.0%" {
			t.Fatalf("satisfaction %s", got)
		}

		// A whistle for the overdue need, reported late and rated 3.
		if _, err := s.AcceptNeed(bg, f.staff1, ns[3].ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.EscalateNeed(bg, f.staff1, ns[3].ID, "", nil); err != nil {
			t.Fatal(err)
		}
		_, w, err := s.EscalateNeed(bg, f.admin, ns[3].ID, "请城管报到", []uint64{f.deptTaker.ID})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(25 * time.Hour)
		if err := s.ReportWhistle(bg, f.dept, w.Calls[0].ID, "已到场"); err != nil {
			t.Fatal(err)
		}
		st, err = s.NeedStats(bg, f.staff1, period)
		if err != nil {
			t.Fatal(err)
		}
		if st.Total.Whistles != 1 || st.Total.WhistlesInTime != 0 || st.Total.WhistleRating() != "—" {
			t.Fatalf("whistles %+v", st.Total)
		}
		if len(st.Communities) != 1 || st.Communities[0].Place.ID != f.com1.ID {
			t.Fatalf("staff of community 1 see %+v", st.Communities)
		}

		// Staff of community 2 see only their own, empty community, and
		// may not ask for community 1.
		st, err = s.NeedStats(bg, f.staff2, period)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Communities) != 1 || st.Communities[0].Place.ID != f.com2.ID || st.Total.Filed != 0 {
			t.Fatalf("staff of community 2 see %+v / %+v", st.Communities, st.Total)
		}
		if _, err := s.NeedStats(bg, f.staff2, models.StatsFilter{From: period.From, To: period.To, PlaceID: f.com1.ID}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("community 2 asking for community 1: %v", err)
		}
		if _, err := s.NeedStats(bg, f.filer, period); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a resident: %v", err)
		}
		// Outside the period nothing counts.
		st, err = s.NeedStats(bg, f.admin, models.StatsFilter{From: clock.Now(), To: clock.Now().Add(time.Hour)})
		if err != nil || st.Total.Filed != 0 || st.Total.ResponseRate().Percent() != "—" {
			t.Fatalf("empty period: %+v %v", st.Total, err)
		}
	})
}

func TestExportNeeds(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newNeedFixture(t, s)
		ns := statsScenario(t, s, clock, f)
		collect := func(p *models.Principal, nf models.NeedFilter) ([]models.NeedExportRow, error) {
			var out []models.NeedExportRow
			err := s.ExportNeeds(bg, p, nf, func(r models.NeedExportRow) error { out = append(out, r); return nil })
			return out, err
		}
		all, err := collect(f.staff1, models.NeedFilter{})
		if err != nil || len(all) != 4 {
			t.Fatalf("all: %d %v", len(all), err)
		}
		if all[0].ID != ns[3].ID || all[3].ID != ns[0].ID {
			t.Fatalf("order %d..%d", all[0].ID, all[3].ID)
		}
		r := all[3]
		if r.Place != "一社区 / 小区 / 1号楼" || r.Category.ID != f.category.ID || r.Taker != "一网格" || r.Rating != 5 ||
			r.Status != models.NeedClosed || r.FilerPhone != "139****0010" || r.RespondedAt == nil || r.Overdue {
			t.Fatalf("row %+v", r)
		}
		over, err := collect(f.staff1, models.NeedFilter{Overdue: true})
		if err != nil || len(over) != 1 || over[0].ID != ns[3].ID || !over[0].Overdue {
			t.Fatalf("overdue: %+v %v", over, err)
		}
		closed, err := collect(f.admin, models.NeedFilter{Status: models.NeedClosed, PlaceID: f.com1.ID, CategoryID: f.category.ID})
		if err != nil || len(closed) != 2 {
			t.Fatalf("closed: %d %v", len(closed), err)
		}
		if none, err := collect(f.staff2, models.NeedFilter{}); err != nil || len(none) != 0 {
			t.Fatalf("staff of community 2 exported %d: %v", len(none), err)
		}
		if _, err := collect(f.staff2, models.NeedFilter{PlaceID: f.com1.ID}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("community 2 exporting community 1: %v", err)
		}
		var fe models.FieldErrors
		if _, err := collect(f.staff1, models.NeedFilter{Status: "lost"}); !errors.As(err, &fe) {
			t.Fatalf("unknown status: %v", err)
		}
	})
}

// BenchmarkNeedStats counts 20,000 needs over two communities and seven
// categories on SQLite.
func BenchmarkNeedStats(b *testing.B) {
	clock := modeltest.NewClock(modeltest.Start)
	s := modeltest.Open(b, "sqlite", clock.Now)
	var street, com1, com2 models.Place
	db := s.Tx(bg)
	mk := func(pl *models.Place, parent *models.Place, kind models.PlaceKind, name string) {
		pl.Kind, pl.Name = kind, name
		if parent != nil {
			pl.ParentID = &parent.ID
		}
		if err := db.Create(pl).Error; err != nil {
			b.Fatal(err)
		}
		prefix := "/"
		if parent != nil {
			prefix = parent.Path
		}
		pl.Path = fmt.Sprintf("%s%d/", prefix, pl.ID)
		if err := db.Model(pl).Update("path", pl.Path).Error; err != nil {
			b.Fatal(err)
		}
	}
	mk(&street, nil, models.KindStreet, "街道")
	mk(&com1, &street, models.KindCommunity, "一社区")
	mk(&com2, &street, models.KindCommunity, "二社区")
	cats, err := s.NeedCategories(bg, true)
	if err != nil {
		b.Fatal(err)
	}
	const n = 20000
	start := modeltest.Start.Add(-30 * 24 * time.Hour)
	rows := make([]models.Need, 0, 500)
	flush := func() {
		if len(rows) == 0 {
			return
		}
		if err := db.Create(&rows).Error; err != nil {
			b.Fatal(err)
		}
		rows = rows[:0]
	}
	for i := 0; i < n; i++ {
		filed := start.Add(time.Duration(i) * time.Minute)
		nd := models.Need{FilerID: 1, PlaceID: []uint64{com1.ID, com2.ID}[i%2], CategoryID: cats[i%len(cats)].ID, Description: "bench",
			Status: models.NeedStatuses[i%len(models.NeedStatuses)], Level: models.NeedLevelGrid,
			RespondBy: filed.Add(24 * time.Hour), ResolveBy: filed.Add(7 * 24 * time.Hour), CreatedAt: filed, UpdatedAt: filed, Rating: i % 6}
		if i%3 != 0 {
			at := filed.Add(time.Duration(i%48) * time.Hour)
			nd.RespondedAt = &at
		}
		rows = append(rows, nd)
		if len(rows) == cap(rows) {
			flush()
		}
	}
	flush()
	admin := &models.Principal{Grants: []models.RoleGrant{{Role: models.RoleAdmin, PlaceID: street.ID, Place: street}}}
	f := models.StatsFilter{From: start, To: clock.Now()}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := s.NeedStats(bg, admin, f)
		if err != nil || st.Total.Filed != n {
			b.Fatalf("%+v %v", st.Total, err)
		}
	}
}
