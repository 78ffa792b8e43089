package councils

import (
	"context"
	"fmt"
	"time"

	"yishi/models"
	"yishi/views"
	"yishi/views/components"
)

// ListData is the list of councils the viewer has to do with.
type ListData struct {
	Councils  []models.Council
	Labels    map[uint64]string // place labels by place id
	Total     int64
	Page      int
	PerPage   int
	CanCreate bool
	NeedID    uint64 // when turning a need into a topic: the need, and Councils are those the viewer may raise it in
}

// NewData is the form that sets up a council.
type NewData struct {
	Places []components.Option
	In     models.CouncilInput
	Errors models.FieldErrors
}

// Form is the one form on a page that failed, with what was typed.
type Form struct {
	Name   string
	Errors models.FieldErrors
	Values map[string]string
}

// Errs returns the errors of form f only.
func (fm Form) Errs(f string) models.FieldErrors {
	if fm.Name == f {
		return fm.Errors
	}
	return nil
}

// Val returns what was typed into field k.
func (fm Form) Val(k string) string { return fm.Values[k] }

// ValFor returns what was typed into field k of form f, when f failed.
func (fm Form) ValFor(f, k string) string {
	if fm.Name == f {
		return fm.Values[k]
	}
	return ""
}

// ShowData is a council's page.
type ShowData struct {
	Council      models.CouncilView
	PlaceLabel   string
	Tab          string // topic status shown, "" for all
	Topics       []models.Topic
	TopicTotal   int64
	Page         int
	PerPage      int
	Meetings     []models.Meeting
	MeetingTotal int64
	MeetingPage  int
	MeetingsPer  int
	Viewer       uint64
	Form         Form

	// Resolutions is the section of the council's resolutions (决议执行).
	Resolutions ResolutionList
}

// TopicFormData is the form that submits a topic.
type TopicFormData struct {
	Council models.CouncilView
	In      models.TopicInput
	Need    *models.Need // the need it comes from, if any
	Errors  models.FieldErrors
}

// TopicData is a topic's page.
type TopicData struct {
	Topic  models.TopicView
	Viewer uint64
	Form   Form
	// NeedOpen: the viewer may open the page of the need the topic came
	// from (needs are their filer's, their neighbours' and staff's).
	NeedOpen bool

	// Resolutions are those the topic led to, with the time they are
	// judged overdue at.
	Resolutions []models.Resolution
	Now         time.Time
}

// MeetingData is a meeting's page.
type MeetingData struct {
	Meeting models.MeetingView
	Form    Form
}

func councilURL(id uint64) string { return fmt.Sprintf("/councils/%d", id) }

func topicURL(id uint64) string { return fmt.Sprintf("/topics/%d", id) }

func meetingURL(id uint64) string { return fmt.Sprintf("/meetings/%d", id) }

func itemURL(m, item uint64, step string) string {
	return fmt.Sprintf("/meetings/%d/agenda/%d/%s", m, item, step)
}

// named is the catalog name of an enum value: prefix + value.
func named[T ~string](ctx context.Context, prefix string, v T) string {
	return views.T(ctx, prefix+string(v))
}

func kindName(ctx context.Context, k models.CouncilKind) string {
	return named(ctx, "council_kind.", k)
}

func roleName(ctx context.Context, r models.MemberRole) string { return named(ctx, "member_role.", r) }

func topicStatusName(ctx context.Context, s models.TopicStatus) string {
	return named(ctx, "topic_status.", s)
}

func meetingStatusName(ctx context.Context, s models.MeetingStatus) string {
	return named(ctx, "meeting_status.", s)
}

func topicBadge(s models.TopicStatus) string {
	switch s {
	case models.TopicAccepted:
		return "badge badge-ok"
	case models.TopicSubmitted:
		return "badge badge-open"
	}
	return "badge"
}

func fraction(q models.Fraction) string { return q.String() }

// quorumName is a quorum in words: 三分之二以上, or 过半数 for more than half.
func quorumName(ctx context.Context, q models.Fraction) string {
	if q.Over {
		return views.T(ctx, fmt.Sprintf("quorum.over_%d_%d", q.Num, q.Den))
	}
	return views.T(ctx, fmt.Sprintf("quorum.%d_%d", q.Num, q.Den))
}

// rulesText says a council's rules in a sentence.
func rulesText(ctx context.Context, r models.CouncilRules) string {
	return views.T(ctx, "councils.rules_text", quorumName(ctx, r.Quorum), views.T(ctx, "pass_rule."+string(r.Pass)), r.NoticeDays)
}

// optionsOf makes the choices of a drop-down from items, after head.
func optionsOf[T any](head []components.Option, items []T, value, label func(T) string) []components.Option {
	out := head
	for _, it := range items {
		out = append(out, components.Option{Value: value(it), Label: label(it)})
	}
	return out
}

func choose(ctx context.Context) []components.Option {
	return []components.Option{{Value: "", Label: views.T(ctx, "councils.choose")}}
}

func kindOptions(ctx context.Context) []components.Option {
	return optionsOf(choose(ctx), models.CouncilKinds, func(k models.CouncilKind) string { return string(k) },
		func(k models.CouncilKind) string { return kindName(ctx, k) })
}

func roleOptions(ctx context.Context) []components.Option {
	return optionsOf(nil, models.MemberRoles, func(r models.MemberRole) string { return string(r) },
		func(r models.MemberRole) string { return roleName(ctx, r) })
}

func quorumOptions(ctx context.Context) []components.Option {
	return optionsOf(nil, models.QuorumChoices, fraction, func(q models.Fraction) string { return quorumName(ctx, q) })
}

func passOptions(ctx context.Context) []components.Option {
	return optionsOf(nil, models.PassRules, func(r models.PassRule) string { return string(r) },
		func(r models.PassRule) string { return named(ctx, "pass_rule.", r) })
}

func topicOptions(ctx context.Context, ts []models.Topic) []components.Option {
	return optionsOf(choose(ctx), ts, func(t models.Topic) string { return views.Itoa(t.ID) },
		func(t models.Topic) string { return fmt.Sprintf("#%d %s", t.ID, t.Title) })
}

// tabs are the topic filters of a council's page.
var tabs = []models.TopicStatus{"", models.TopicSubmitted, models.TopicAccepted, models.TopicMerged, models.TopicDeclined}

func tabName(ctx context.Context, s models.TopicStatus) string {
	if s == "" {
		return views.T(ctx, "common.all")
	}
	return topicStatusName(ctx, s)
}

func tabURL(id uint64, s models.TopicStatus) string {
	return fmt.Sprintf("/councils/%d?status=%s&", id, s)
}

func sizeKB(n int) string { return views.Itoa((n + 1023) / 1024) }

// startsValue is a meeting time as the datetime-local input wants it.
func startsValue(ctx context.Context, m models.Meeting) string {
	if m.StartsAt.IsZero() {
		return ""
	}
	return m.StartsAt.In(views.E(ctx).TZ).Format("2006-01-02T15:04")
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func idStr(id uint64) string {
	if id == 0 {
		return ""
	}
	return views.Itoa(id)
}

func listBase(need uint64) string {
	if need != 0 {
		return fmt.Sprintf("/councils?need=%d&", need)
	}
	return "/councils?"
}

// itemMinutes is the time box shown for agenda item it: what was typed,
// when setting its time failed, or else the one it has.
func itemMinutes(d MeetingData, it models.AgendaItem) string {
	if d.Form.ValFor("agenda-item", "item") == views.Itoa(it.ID) {
		return d.Form.Val("minutes")
	}
	return views.Itoa(it.Minutes)
}

// removeErrors are the errors of the form that removes agenda item id,
// when that form failed.
func removeErrors(d MeetingData, id uint64) models.FieldErrors {
	if d.Form.ValFor("agenda-item", "removing") == views.Itoa(id) {
		return d.Form.Errors
	}
	return nil
}

// agendaError is the message the agenda shows above its items, with the
// test id it carries: an agenda change the rules refused (the meeting is no
// longer a draft, say), from the add form or an item's buttons, or else an
// item's refused time box; "" when there is none.
func agendaError(ctx context.Context, fm Form) (msg, testid string) {
	for _, form := range []string{"agenda", "agenda-item"} {
		if msg := views.FieldError(ctx, fm.Errs(form), "step"); msg != "" {
			return msg, "error-agenda-step"
		}
	}
	return views.FieldError(ctx, fm.Errs("agenda-item"), "minutes"), "error-item-minutes"
}

// keyOf builds a catalog key from a pattern, for keys that vary with a value.
func keyOf(pattern string, v any) string { return fmt.Sprintf(pattern, v) }

// meetingsBase is the address the meetings pager adds "page=N" to: the
// council's page with its topic tab and page kept, and the meetings' page
// in its own parameter, mpage (the pager writes "page=", so the base ends
// in "m").
func meetingsBase(d ShowData) string {
	return fmt.Sprintf("/councils/%d?status=%s&page=%d&m", d.Council.ID, d.Tab, d.Page)
}
