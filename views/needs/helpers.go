package needs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"yishi/models"
	"yishi/views"
	"yishi/views/components"
)

// ListData is what a resident's needs list shows.
type ListData struct {
	Tab          string // mine, public or dispatched
	ActsForTaker bool
	CanFile      bool
	Pending      bool
	Needs        []models.Need
	Total        int64
	Page         int
	PerPage      int
	Now          time.Time
}

// FormData is the filing form.
type FormData struct {
	Categories []models.NeedCategory
	Places     []components.Option
	In         models.NeedInput
	Errors     models.FieldErrors
}

// DetailData is a need's page for one viewer.
type DetailData struct {
	Need           models.NeedDetail
	Viewer         uint64
	Now            time.Time
	PlaceLabel     string
	Actions        []models.NeedAction // what the viewer may do now
	Takers         []models.Taker      // to dispatch to
	Callable       []models.Taker      // departments and units a whistle may call
	NextLevel      models.NeedLevel
	MergeTargets   []models.Need
	CanSupport     bool
	CanRateWhistle bool
	Projects       []models.Project // the public projects the need became part of
	Topics         []models.Topic   // the council topics it became
	TopicOpen      map[uint64]bool  // those of Topics the viewer may open
	MergedOpen     bool             // the viewer may open the need this one was merged into
	Form           string           // the form that failed, if any
	Errors         models.FieldErrors
	Values         map[string]string
}

// ConsoleData is the staff list of needs.
type ConsoleData struct {
	Filter       models.NeedFilter
	Places       []components.Option
	Categories   []models.NeedCategory
	Needs        []models.Need
	Total        int64
	Counts       map[models.NeedStatus]int64
	OverdueCount int64
	Now          time.Time
}

// TakerForm is what the add-a-taker form holds.
type TakerForm struct {
	Kind    string
	Name    string
	PlaceID uint64
	Phone   string
}

// TakersData is the takers page.
type TakersData struct {
	Takers []models.Taker
	Places []components.Option
	Form   TakerForm
	Errors models.FieldErrors
}

// CategoriesData is the category time-limits page.
type CategoriesData struct {
	Categories []models.NeedCategory
	ErrorFor   uint64
	Errors     models.FieldErrors
	Respond    string
	Resolve    string
}

// ActionPath is the address segment of a step: send_back → send-back.
func ActionPath(a models.NeedAction) string { return strings.ReplaceAll(string(a), "_", "-") }

func needURL(id uint64) string { return fmt.Sprintf("/needs/%d", id) }

func actionURL(id uint64, a models.NeedAction) string {
	return fmt.Sprintf("/needs/%d/%s", id, ActionPath(a))
}

func photoURL(needID, photoID uint64) string {
	return fmt.Sprintf("/needs/%d/photos/%d", needID, photoID)
}

func statusName(ctx context.Context, s models.NeedStatus) string {
	return views.T(ctx, "need_status."+string(s))
}

func statusClass(s models.NeedStatus) string {
	switch s {
	case models.NeedClosed:
		return "badge badge-ok"
	case models.NeedDeclined, models.NeedMerged:
		return "badge"
	case models.NeedDone:
		return "badge badge-info"
	}
	return "badge badge-open"
}

func actionName(ctx context.Context, a models.NeedAction) string {
	return views.T(ctx, "need_action."+string(a))
}

func levelName(ctx context.Context, l models.NeedLevel) string {
	return views.T(ctx, "need_level."+string(l))
}

func kindName(ctx context.Context, k models.TakerKind) string {
	return views.T(ctx, "taker_kind."+string(k))
}

func categoryName(ctx context.Context, c models.NeedCategory) string {
	if views.E(ctx).Locale == "en" {
		return c.Name("en")
	}
	return c.Name("zh")
}

// Duration shows a time limit in hours, or days when it is whole days.
func Duration(ctx context.Context, d time.Duration) string {
	h := int(d / time.Hour)
	if h >= 48 && h%24 == 0 {
		return views.T(ctx, "needs.days", h/24)
	}
	return views.T(ctx, "needs.hours", h)
}

func categoryLabel(ctx context.Context, c models.NeedCategory) string {
	l := c.Limits()
	return views.T(ctx, "needs.category_limits", categoryName(ctx, c), Duration(ctx, l.Respond), Duration(ctx, l.Resolve))
}

func categoryOptions(ctx context.Context, cats []models.NeedCategory, withAll bool) []components.Option {
	var out []components.Option
	if withAll {
		out = append(out, components.Option{Value: "", Label: views.T(ctx, "common.all")})
	} else {
		out = append(out, components.Option{Value: "", Label: views.T(ctx, "needs.choose")})
	}
	for _, c := range cats {
		label := categoryName(ctx, c)
		if !withAll {
			label = categoryLabel(ctx, c)
		}
		out = append(out, components.Option{Value: views.Itoa(c.ID), Label: label})
	}
	return out
}

func statusOptions(ctx context.Context) []components.Option {
	out := []components.Option{{Value: "", Label: views.T(ctx, "common.all")}}
	for _, s := range models.NeedStatuses {
		out = append(out, components.Option{Value: string(s), Label: statusName(ctx, s)})
	}
	return out
}

func withAll(ctx context.Context, opts []components.Option) []components.Option {
	return append([]components.Option{{Value: "", Label: views.T(ctx, "common.all")}}, opts...)
}

func kindOptions(ctx context.Context) []components.Option {
	out := []components.Option{{Value: "", Label: views.T(ctx, "needs.choose")}}
	for _, k := range models.TakerKinds {
		out = append(out, components.Option{Value: string(k), Label: kindName(ctx, k)})
	}
	return out
}

func takerOptions(ctx context.Context, ts []models.Taker) []components.Option {
	out := []components.Option{{Value: "", Label: views.T(ctx, "needs.choose")}}
	for _, t := range ts {
		out = append(out, components.Option{Value: views.Itoa(t.ID), Label: kindName(ctx, t.Kind) + views.T(ctx, "common.colon") + t.Name + views.T(ctx, "common.paren", t.Place.Name)})
	}
	return out
}

func mergeOptions(ctx context.Context, ns []models.Need) []components.Option {
	out := []components.Option{{Value: "", Label: views.T(ctx, "needs.choose")}}
	for _, n := range ns {
		out = append(out, components.Option{Value: views.Itoa(n.ID), Label: fmt.Sprintf("#%d %s · %s", n.ID, categoryName(ctx, n.Category), short(n.Description, 24))})
	}
	return out
}

func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// filerActions are the steps a filer takes; on the timeline a filer is
// shown masked to everyone else.
var filerActions = map[models.NeedAction]bool{models.NeedActFile: true, models.NeedActRate: true, models.NeedActSendBack: true}

// actorLabel names who took a step: the system, a masked resident, or staff
// and takers by name.
func actorLabel(ctx context.Context, e models.NeedEvent, viewer uint64) string {
	switch {
	case e.ActorID == nil || e.Actor == nil:
		return views.T(ctx, "needs.system")
	case *e.ActorID == viewer:
		return views.T(ctx, "needs.you")
	case filerActions[e.Action]:
		return models.MaskName(e.Actor.Name)
	case e.Action == models.NeedActReport && e.Taker != nil:
		return e.Taker.Name + views.T(ctx, "common.paren", e.Actor.Name)
	}
	return e.Actor.Name
}

func isFiler(d DetailData) bool { return d.Need.FilerID == d.Viewer }

func (d DetailData) val(k string) string {
	if d.Values == nil {
		return ""
	}
	return d.Values[k]
}

// errs returns the errors for form f only.
func (d DetailData) errs(f string) models.FieldErrors {
	if d.Form == f {
		return d.Errors
	}
	return nil
}

func listURL(tab string) string { return "/needs?tab=" + tab + "&" }

func consoleBase(f models.NeedFilter) string {
	q := "/console/needs?"
	if f.Status != "" {
		q += "status=" + string(f.Status) + "&"
	}
	if f.CategoryID != 0 {
		q += fmt.Sprintf("category=%d&", f.CategoryID)
	}
	if f.PlaceID != 0 {
		q += fmt.Sprintf("place=%d&", f.PlaceID)
	}
	if f.Overdue {
		q += "overdue=on&"
	}
	return q
}

// consoleExport is the spreadsheet download of the staff list with the same
// filters.
func consoleExport(f models.NeedFilter) string {
	return "/console/needs/export.xlsx?" + strings.TrimPrefix(consoleBase(f), "/console/needs?")
}

func idStr(id uint64) string {
	if id == 0 {
		return ""
	}
	return views.Itoa(id)
}

func hoursOf(minutes int) string { return views.Itoa(minutes / 60) }

func isMyCall(d DetailData, c models.WhistleCall) bool {
	for _, m := range d.Need.MyCalls {
		if m.ID == c.ID && m.ReportedAt == nil {
			return true
		}
	}
	return false
}

func ratingStars(r int) string { return strings.Repeat("★", r) + strings.Repeat("☆", 5-r) }

// keyOf builds a catalog key from a pattern, for keys that vary with a value.
func keyOf(pattern string, v any) string { return fmt.Sprintf(pattern, v) }
