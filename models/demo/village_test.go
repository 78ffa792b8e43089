package demo_test

import (
	"context"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

func TestDemoVillageMatter(t *testing.T) {
	t.Parallel()
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		ctx := context.Background()
		clock.Set(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		p := principalOf(t, s, demo.VillageStaff.Phone)
		list, total, err := s.Matters(ctx, p, 1, 10)
		if err != nil || total != 1 || list[0].Title != demo.MatterTitle || list[0].Place.Name != demo.VillageName {
			t.Fatalf("village matters: %+v %d %v", list, total, err)
		}
		v, err := s.MatterByID(ctx, p, list[0].ID)
		if err != nil || v.Status != models.MatterOpen || len(v.Records) != 3 || !v.Manage {
			t.Fatalf("matter: %s, %d records, manage %v, %v", v.Status, len(v.Records), v.Manage, err)
		}
		if next := v.Next(); next == nil || next.CouncilKind != models.CouncilVillageReps {
			t.Fatalf("next step: %+v", next)
		}
		// The community's convener has nothing to do with the village.
		cp := principalOf(t, s, "13800000003")
		if _, total, err := s.Matters(ctx, cp, 1, 10); err != nil || total != 0 {
			t.Fatalf("the convener sees %d matters: %v", total, err)
		}
	})
}
