// Package matters holds the pages of village matters decided by 四议两公开:
// the list, the registration form, a matter's page with its whole chain
// and the next step's form, the registration forms printed on A4, and the
// chains staff define.
package matters

import (
	"context"
	"fmt"
	"strings"
	"time"

	"yishi/models"
	"yishi/views"
	"yishi/views/components"
)

// ListData is the list of matters of the viewer's villages.
type ListData struct {
	Matters   []models.Matter
	Labels    map[uint64]string // place labels by place id
	Total     int64
	Page      int
	PerPage   int
	CanCreate bool
}

// NewData is the form that registers a matter.
type NewData struct {
	Villages   []components.Option
	Procedures []components.Option
	In         models.MatterInput
	Errors     models.FieldErrors
}

// Form is a failed form with what was typed.
type Form struct {
	Errors models.FieldErrors
	Values map[string]string
	Multi  map[string][]string
}

// Val returns what was typed into field k.
func (f Form) Val(k string) string { return f.Values[k] }

// Checked reports whether value v of the multi-valued field k was ticked.
func (f Form) Checked(k, v string) bool {
	for _, x := range f.Multi[k] {
		if x == v {
			return true
		}
	}
	return false
}

// ShowData is a matter's page.
type ShowData struct {
	Matter     models.MatterView
	PlaceLabel string
	Meetings   []models.MeetingChoice // for the next meeting step
	Form       Form                   // the next step's form, when it failed
	Today      string                 // the default date of the next step
}

// PrintData is the registration forms (登记表) of a matter.
type PrintData struct {
	Matter     models.MatterView
	PlaceLabel string
}

// ChainsData is the list of chains the viewer may use.
type ChainsData struct {
	Procedures []models.Procedure
	Labels     map[uint64]string
}

// ChainFormData is the form that defines or edits a chain.
type ChainFormData struct {
	Procedure models.ProcedureView // ID 0 for a new chain
	Places    []components.Option
	In        models.ProcedureInput
	Errors    models.FieldErrors
}

func matterURL(id uint64) string { return fmt.Sprintf("/matters/%d", id) }

func chainURL(id uint64) string { return fmt.Sprintf("/matters/chains/%d", id) }

// stepURL is where the step at position (from 0) is recorded; the address
// counts from 1.
func stepURL(id uint64, position int) string {
	return fmt.Sprintf("/matters/%d/steps/%d", id, position+1)
}

// StepName is a step's name in the viewer's language: a built-in step's
// from the catalog, staff's own as typed.
func StepName(ctx context.Context, st models.ProcedureStep) string {
	if st.Key != "" {
		return views.T(ctx, st.Key)
	}
	return st.Name
}

// ChainName is a chain's name: the default's from the catalog.
func ChainName(ctx context.Context, p models.Procedure) string {
	if p.ID == 0 {
		return views.T(ctx, "village.default_chain")
	}
	return p.Name
}

func named[T ~string](ctx context.Context, prefix string, v T) string {
	return views.T(ctx, prefix+string(v))
}

func sourceName(ctx context.Context, s models.MatterSource) string {
	return named(ctx, "village.source.", s)
}

func statusName(ctx context.Context, s models.MatterStatus) string {
	return named(ctx, "village.status.", s)
}

func statusBadge(s models.MatterStatus) string {
	switch s {
	case models.MatterDone:
		return "badge badge-ok"
	case models.MatterOpen:
		return "badge badge-open"
	}
	return "badge"
}

func kindName(ctx context.Context, k models.StepKind) string { return named(ctx, "village.kind.", k) }

func councilKindName(ctx context.Context, k models.CouncilKind) string {
	if k == "" {
		return views.T(ctx, "village.any_council")
	}
	return named(ctx, "council_kind.", k)
}

func resultName(ctx context.Context, r models.StepResult) string {
	return named(ctx, "village.result.", r)
}

func formName(ctx context.Context, f string) string { return views.T(ctx, "village.form."+f) }

func channelName(ctx context.Context, c string) string { return views.T(ctx, "village.channel."+c) }

// channelsText lists the ways a publication was published.
func channelsText(ctx context.Context, r models.MatterStep) string {
	names := make([]string, 0, len(r.Channels()))
	for _, c := range r.Channels() {
		names = append(names, channelName(ctx, c))
	}
	return strings.Join(names, views.T(ctx, "village.list_sep"))
}

// chainText is a chain's steps in one line.
func chainText(ctx context.Context, p models.Procedure) string {
	names := make([]string, len(p.Steps))
	for i, st := range p.Steps {
		names[i] = StepName(ctx, st)
	}
	return strings.Join(names, " → ")
}

func choose(ctx context.Context) []components.Option {
	return []components.Option{{Value: "", Label: views.T(ctx, "village.choose")}}
}

func sourceOptions(ctx context.Context) []components.Option {
	out := choose(ctx)
	for _, s := range models.MatterSources {
		out = append(out, components.Option{Value: string(s), Label: sourceName(ctx, s)})
	}
	return out
}

func formOptions(ctx context.Context) []components.Option {
	out := choose(ctx)
	for _, f := range models.MeetingForms {
		out = append(out, components.Option{Value: f, Label: formName(ctx, f)})
	}
	return out
}

func resultOptions(ctx context.Context) []components.Option {
	out := choose(ctx)
	for _, r := range models.StepResults {
		out = append(out, components.Option{Value: string(r), Label: resultName(ctx, r)})
	}
	return out
}

func kindOptions(ctx context.Context) []components.Option {
	var out []components.Option
	for _, k := range models.StepKinds {
		out = append(out, components.Option{Value: string(k), Label: kindName(ctx, k)})
	}
	return out
}

func councilOptions(ctx context.Context) []components.Option {
	out := []components.Option{{Value: "", Label: councilKindName(ctx, "")}}
	for _, k := range models.CouncilKinds {
		out = append(out, components.Option{Value: string(k), Label: councilKindName(ctx, k)})
	}
	return out
}

// meetingOptions are the council meetings a meeting step may point to; those
// of the kind the step expects first.
func meetingOptions(ctx context.Context, ms []models.MeetingChoice, st models.ProcedureStep) []components.Option {
	out := []components.Option{{Value: "", Label: views.T(ctx, "village.no_meeting")}}
	for _, pass := range []bool{true, false} {
		for _, m := range ms {
			if (st.CouncilKind == "" || m.CouncilKind == st.CouncilKind) != pass {
				continue
			}
			out = append(out, components.Option{Value: views.Itoa(m.ID), Label: fmt.Sprintf("%s · %s · %s", m.CouncilName, views.FormatDate(ctx, m.StartsAt), m.Title)})
		}
	}
	return out
}

func idStr(id uint64) string {
	if id == 0 {
		return ""
	}
	return views.Itoa(id)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// stepClass is the class of a step on a matter's page: done, the next one,
// or later (greyed).
func stepClass(v models.MatterView, position int) string {
	switch {
	case position < len(v.Records):
		return "card matter-step step-done"
	case v.Next() != nil && position == v.Done:
		return "card matter-step step-next"
	}
	return "card matter-step step-later"
}

func stepState(v models.MatterView, position int) string {
	switch {
	case position < len(v.Records):
		return "done"
	case v.Next() != nil && position == v.Done:
		return "next"
	}
	return "later"
}

// dateOf is a record's date in the viewer's zone, or "" for none.
func dateOf(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return views.FormatDate(ctx, t)
}

// ChainRows are the rows of the chain form: the steps entered, then blank
// rows up to the most a chain may have.
func ChainRows(in models.ProcedureInput) []models.ProcedureStepInput {
	rows := append([]models.ProcedureStepInput{}, in.Steps...)
	for len(rows) < models.MaxProcedureSteps {
		rows = append(rows, models.ProcedureStepInput{Kind: models.StepMeeting})
	}
	return rows
}

func stepNo(ctx context.Context, position int) string {
	return views.T(ctx, "village.step_no", position+1)
}

func expectedText(r *models.MatterStep) string {
	if r == nil {
		return ""
	}
	return views.Itoa(r.Expected)
}

func actualText(r *models.MatterStep) string {
	if r == nil {
		return ""
	}
	return views.Itoa(r.Actual)
}

// recordOf is the record r as a list of none or one, so a printed form
// shows its cells filled in or blank alike.
func recordOf(r *models.MatterStep) []models.MatterStep {
	if r == nil {
		return nil
	}
	return []models.MatterStep{*r}
}

// chainAction is where the chain form posts: a new chain, or chain id.
func chainAction(id uint64) string {
	if id == 0 {
		return "/matters/chains"
	}
	return chainURL(id)
}
