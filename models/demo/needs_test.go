package demo_test

import (
	"context"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

func TestDemoNeedsCoverEveryStatusAndLoadOnce(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		ctx := context.Background()
		clock.Set(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		var count int64
		s.Tx(ctx).Model(&models.Need{}).Count(&count)
		if count < 35 {
			t.Fatalf("%d demo needs", count)
		}
		for _, st := range models.NeedStatuses {
			var n int64
			s.Tx(ctx).Model(&models.Need{}).Where("status = ?", st).Count(&n)
			if n == 0 {
				t.Errorf("no demo need is %s", st)
			}
		}
		var whistles, rated, photos, supports, overdue int64
		s.Tx(ctx).Model(&models.Whistle{}).Count(&whistles)
		s.Tx(ctx).Model(&models.Whistle{}).Where("rated_at IS NOT NULL").Count(&rated)
		s.Tx(ctx).Model(&models.NeedPhoto{}).Count(&photos)
		s.Tx(ctx).Model(&models.NeedSupport{}).Count(&supports)
		var all []models.Need
		s.Tx(ctx).Find(&all)
		for _, n := range all {
			if n.Overdue(s.Now()) {
				overdue++
			}
			if n.CreatedAt.After(s.Now()) {
				t.Errorf("need %d filed in the future", n.ID)
			}
		}
		if whistles != 1 || rated != 1 || photos == 0 || supports == 0 || overdue == 0 {
			t.Fatalf("whistles %d rated %d photos %d supports %d overdue %d", whistles, rated, photos, supports, overdue)
		}
		// The taker accounts sign in to what was dispatched to them.
		p := principalOf(t, s, demo.TakerAccounts[0].Phone)
		if _, total, err := s.ListNeeds(ctx, p, models.NeedFilter{Scope: models.NeedsDispatched}); err != nil || total == 0 {
			t.Fatalf("grid worker's list: %d %v", total, err)
		}
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		var again int64
		s.Tx(ctx).Model(&models.Need{}).Count(&again)
		if again != count {
			t.Fatalf("loading twice: %d then %d needs", count, again)
		}
	})
}
