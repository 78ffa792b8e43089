package demo_test

import (
	"context"
	"testing"

	"yishi/models"
	"yishi/models/demo"
	"yishi/models/modeltest"
)

func TestDemoResourcesAndProjects(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		ctx := context.Background()
		for i := 0; i < 2; i++ { // loading twice changes nothing the second time
			if err := demo.Load(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		var providers, pending, verified int64
		db := s.Tx(ctx)
		if err := db.Model(&models.Provider{}).Count(&providers).Error; err != nil {
			t.Fatal(err)
		}
		db.Model(&models.Offer{}).Where("status = ?", models.OfferPending).Count(&pending)
		db.Model(&models.Offer{}).Where("status = ?", models.OfferVerified).Count(&verified)
		if providers != 6 || pending != 1 || verified < 6 {
			t.Fatalf("providers %d, pending %d, verified %d", providers, pending, verified)
		}
		var projects []models.Project
		if err := db.Where("source_type <> ?", models.BallotSource).Order("id").Find(&projects).Error; err != nil {
			t.Fatal(err)
		}
		want := []models.ProjectStatus{models.ProjectDraft, models.ProjectOpenCall, models.ProjectInProgress, models.ProjectAwaitingAcceptance, models.ProjectAccepted}
		if len(projects) != len(want) {
			t.Fatalf("%d projects", len(projects))
		}
		for i, p := range projects {
			if p.Status != want[i] {
				t.Errorf("project %d: %s, want %s", i, p.Status, want[i])
			}
		}
		last, err := s.ProjectByID(ctx, nil, projects[4].ID)
		if err != nil {
			t.Fatal(err)
		}
		if last.Ratings.Count != 4 || len(last.Notices) != 1 || len(last.Needs) != 1 || len(last.Offers) != 2 || len(last.Updates[0].Photos) != 1 {
			t.Fatalf("accepted project: ratings %d notices %d needs %d offers %d", last.Ratings.Count, len(last.Notices), len(last.Needs), len(last.Offers))
		}
		call, err := s.ProjectByID(ctx, nil, projects[1].ID)
		if err != nil || len(call.Applications) != 2 {
			t.Fatalf("open call applications %d %v", len(call.Applications), err)
		}
		progress, err := s.ProjectByID(ctx, nil, projects[2].ID)
		if err != nil || len(progress.Milestones) != 2 || len(progress.Updates) != 1 || progress.Project.Percent != 40 {
			t.Fatalf("in progress: %d milestones %d updates %v", len(progress.Milestones), len(progress.Updates), err)
		}
	})
}
