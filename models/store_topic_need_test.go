package models_test

import (
	"errors"
	"testing"

	"yishi/models"
	"yishi/models/modeltest"
)

// A need becomes a topic only by its filer or staff who handle it, and
// only while it is neither merged nor declined (NeedDetail.MayRaiseTopic).
func TestSubmitTopicFromNeedRule(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newCouncilFixture(t, s)
		needIDError := func(t *testing.T, err error) {
			t.Helper()
			var fe models.FieldErrors
			if !errors.As(err, &fe) || fe["need_id"] != "err.invalid_choice" {
				t.Fatalf("want a need_id field error, got %v", err)
			}
		}
		in := func(need uint64) models.TopicInput {
			return models.TopicInput{Title: "楼道灯维修", Body: "楼道灯坏了，希望议事会协调修理。", NeedID: need}
		}
		public := f.file(t, s, true)
		_, err := s.SubmitTopic(bg, f.neighbour, f.council.ID, in(public.ID))
		needIDError(t, err)

		declined := f.file(t, s, true)
		if _, err := s.DeclineNeed(bg, f.staff1, declined.ID, "不属于本社区的事务范围。"); err != nil {
			t.Fatal(err)
		}
		_, err = s.SubmitTopic(bg, f.filer, f.council.ID, in(declined.ID))
		needIDError(t, err)

		if _, err := s.SubmitTopic(bg, f.filer, f.council.ID, in(public.ID)); err != nil {
			t.Fatalf("the filer raises their need: %v", err)
		}
	})
}
