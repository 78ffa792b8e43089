package councils

import (
	"context"
	"fmt"
	"strconv"

	"yishi/models"
	"yishi/views"
)

// MinutesData is the minutes page of a meeting and its print view.
type MinutesData struct {
	Minutes models.MinutesView
	Form    Form
}

func minutesURL(meetingID uint64) string { return fmt.Sprintf("/meetings/%d/minutes", meetingID) }

func minutesStatusName(ctx context.Context, s models.MinutesStatus) string {
	if s == "" {
		return views.T(ctx, "minutes.status_none")
	}
	return views.T(ctx, keyOf("minutes.status_%s", s))
}

func minutesBadge(s models.MinutesStatus) string {
	switch s {
	case models.MinutesSigned, models.MinutesPublished:
		return "badge badge-ok"
	case models.MinutesDraft:
		return "badge badge-open"
	}
	return "badge"
}

// textOf is the value a text field of the minutes shows: what was typed
// into the failed form f, else what the minutes hold.
func textOf(d MinutesData, f, field string) string {
	if d.Form.Name == f {
		return d.Form.Val(field)
	}
	if field == "summary" {
		return d.Minutes.Text.Summary
	}
	for _, it := range d.Minutes.Record.Items {
		if models.NoteField(it.ID) == field {
			return d.Minutes.Text.Notes[it.ID]
		}
	}
	return ""
}

// Conflict reports whether the edit form was refused because someone else
// saved the draft while it was being edited.
func (d MinutesData) Conflict() bool {
	return d.Form.Errs("edit")["step"] == models.ErrMinutesConflict.Code || d.amendConflict()
}

// amendConflict reports whether the amend form was refused because
// another amendment came in while it was filled in.
func (d MinutesData) amendConflict() bool {
	return d.Form.Errs("amend")["step"] == models.ErrMinutesAmendedMeanwhile.Code
}

// Unsaved reports whether the edit form was refused on minutes that can no
// longer be edited (finalised meanwhile): what was typed is shown to copy.
func (d MinutesData) Unsaved() bool {
	return d.Form.Name == "edit" && len(d.Form.Errors) > 0 && d.Minutes.Minutes != nil && !d.Minutes.May(models.MinutesActEdit)
}

// editVersion is the version of the texts the edit form saves over: after
// a refusal for any other reason, still the one the typed text started
// from; else, and after a conflict (the editor now sees what was saved),
// the one saved now.
func editVersion(d MinutesData) string {
	return versionFor(d, "edit")
}

// versionFor is the version form f (edit or amend) saves over, as
// editVersion tells for the edit form.
func versionFor(d MinutesData, f string) string {
	if d.Form.Name == f && !d.Conflict() {
		return d.Form.Val("version")
	}
	return d.Minutes.Minutes.Version()
}

// periodValue is the publicity period the publish form shows.
func periodValue(d MinutesData) string {
	if d.Form.Name == "publish" {
		return d.Form.Val("period_days")
	}
	return strconv.Itoa(models.DefaultMinutesPeriod)
}

// personLine names a person present, with how they signed in.
func personLine(ctx context.Context, p models.MinutesPerson) string {
	s := views.T(ctx, "common.name_role", p.Name, roleName(ctx, p.Role))
	if p.Method != "" {
		s += " · " + named(ctx, "attend.", p.Method)
		if p.At != nil {
			s += " " + p.At.In(views.E(ctx).TZ).Format("15:04")
		}
	}
	return s
}

func personNames(ctx context.Context, ps []models.MinutesPerson) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += views.T(ctx, "village.list_sep")
		}
		s += p.Name
	}
	return s
}

// recordQuorum says the quorum the record keeps in a sentence.
func recordQuorum(ctx context.Context, r models.MinutesRecord) string {
	return quorumText(ctx, r.Count) + " " + views.T(ctx, "minutes.rules_line", quorumName(ctx, r.Quorum), views.T(ctx, "pass_rule."+string(r.Pass)))
}

// motionResult says a motion's result and tally in the reader's language.
func motionResult(ctx context.Context, m models.MinutesMotion) string {
	s := motionStatusName(ctx, m.Status)
	switch {
	case m.Undecided():
		s = views.T(ctx, "motion_status.undecided")
	case !m.Voted():
		return s
	}
	how := views.T(ctx, "minutes.by_members")
	if m.ByHands {
		how = views.T(ctx, "meetings.by_hands")
	}
	s += " · " + views.T(ctx, "meetings.tally", m.For, m.Against, m.Abstain) + " · " + how
	if m.Outcome == models.OutcomeNoQuorum {
		s += " · " + views.T(ctx, "minutes.no_quorum")
	}
	return s
}

func changeName(ctx context.Context, r models.MinutesRecord, c models.MinutesChange) string {
	if c.Field == "summary" {
		return views.T(ctx, "minutes.summary")
	}
	for _, it := range r.Items {
		if it.ID == c.ItemID {
			return views.T(ctx, "minutes.notes_on", it.Position, it.Title)
		}
	}
	return c.Field
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
