package councils

import (
	"context"
	"fmt"
	"time"

	"yishi/models"
	"yishi/views"
)

// ResolutionData is a resolution's page (决议执行).
type ResolutionData struct {
	R            models.ResolutionView
	Now          time.Time
	SpawnProject bool // the viewer may turn it into a project
	SpawnBallot  bool // … or a ballot
	Form         Form
}

// ResolutionList is the council page's section of resolutions (决议执行),
// under a tab, one page of them.
type ResolutionList struct {
	Items []models.Resolution
	Tab   models.ResolutionTab
	Total int64
	Page  int
	Per   int
	Now   time.Time
}

func resolutionURL(id uint64) string { return fmt.Sprintf("/resolutions/%d", id) }

func resolutionStatusName(ctx context.Context, s models.ResolutionStatus) string {
	return views.T(ctx, keyOf("resolution.status_%s", s))
}

func resolutionBadge(s models.ResolutionStatus) string {
	switch s {
	case models.ResolutionDone:
		return "badge badge-ok"
	case models.ResolutionAssigned, models.ResolutionInProgress:
		return "badge badge-open"
	case models.ResolutionAbandoned:
		return "badge badge-warn"
	}
	return "badge"
}

// dueDate is the due day of a due time (the end of that day).
func dueDate(ctx context.Context, due *time.Time) string {
	if due == nil {
		return views.T(ctx, "resolution.no_due")
	}
	return views.FormatDate(ctx, due.Add(-time.Second))
}

// dueValue is the due day as a date input wants it.
func dueValue(ctx context.Context, due *time.Time) string {
	if due == nil {
		return ""
	}
	return due.Add(-time.Second).In(views.E(ctx).TZ).Format("2006-01-02")
}

func ownerName(ctx context.Context, r models.Resolution) string {
	if r.Owner == nil {
		return views.T(ctx, "resolution.no_owner")
	}
	return r.Owner.Name
}

func authorName(ctx context.Context, u models.ResolutionUpdate) string {
	if u.Author == nil {
		return views.T(ctx, "resolution.system")
	}
	return u.Author.Name
}

func resolutionTabName(ctx context.Context, t models.ResolutionTab) string {
	if t == "" {
		return views.T(ctx, "common.all")
	}
	return views.T(ctx, keyOf("resolution.tab_%s", t))
}

// resolutionsBase is the address the resolutions' tabs and pager add to:
// the council's page with its own parameters rtab and rpage (the pager
// writes "page=", so the base ends in "r").
func resolutionsBase(councilID uint64, tab models.ResolutionTab) string {
	return fmt.Sprintf("/councils/%d?rtab=%s&r", councilID, tab)
}

func resolutionTabURL(councilID uint64, tab models.ResolutionTab) string {
	return fmt.Sprintf("/councils/%d?rtab=%s#resolutions", councilID, tab)
}

func spawnProjectURL(id uint64) string { return fmt.Sprintf("/projects/new?resolution=%d", id) }

func spawnBallotURL(id uint64) string { return fmt.Sprintf("/console/ballots/new?resolution=%d", id) }

func actionForm(a models.ResolutionAction) string { return "resolution-" + string(a) }

func ratingText(ctx context.Context, r models.RatingSummary) string {
	return views.T(ctx, "resolution.rating_summary", r.Count, fmt.Sprintf("%.1f", r.Average))
}

// assignText says whom an assignment gave the resolution to and by when,
// or "" for a note it cannot read.
func assignText(ctx context.Context, note string) string {
	owner, due, ok := models.ParseAssignNote(note)
	if !ok {
		return ""
	}
	return views.T(ctx, "resolution.assigned_to", owner, dueDate(ctx, &due))
}

func percentText(u models.ResolutionUpdate) string {
	if u.Percent == nil {
		return ""
	}
	return fmt.Sprintf("%d%%", *u.Percent)
}
