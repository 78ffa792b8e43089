package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Notification kinds of minutes.
const (
	NotifyMinutesPublished NotificationKind = "minutes_published" // the minutes of your council's meeting are published
	NotifyMinutesAmended   NotificationKind = "minutes_amended"   // published minutes were amended
)

// MinutesSource is the SourceType of the notices that publish minutes and
// their resolutions, and their amendments; SourceID is the minutes' id.
const MinutesSource = "minutes"

// MinutesView is the minutes of a meeting as one viewer sees them.
type MinutesView struct {
	Meeting    MeetingView
	Minutes    *Minutes // nil until they are started
	Standing   MinutesStanding
	Readable   bool // the viewer may read the text: signed, or a member or staff
	Record     MinutesRecord
	Text       MinutesText
	Amendments []MinutesAmendment // oldest first, with their authors
	Notices    []Notice           // the public notices that publish them, oldest first
	Names      map[uint64]string  // who finalised, signed off and published them
}

// Status is the minutes' status, "" before they are started.
func (v MinutesView) Status() MinutesStatus {
	if v.Minutes == nil {
		return ""
	}
	return v.Minutes.Status
}

// May reports whether the viewer may take step a now.
func (v MinutesView) May(a MinutesAction) bool {
	_, err := MinutesStep(v.Meeting.Status, v.Status(), a, v.Standing)
	return err == nil
}

// NameOf is the name of the account id points to, "" for nil.
func (v MinutesView) NameOf(id *uint64) string {
	if id == nil {
		return ""
	}
	return v.Names[*id]
}

// MinutesOf returns the minutes of a meeting the viewer may see. Before
// they are signed off their text is for the council's members and staff
// only (Readable false to others).
func (s *Store) MinutesOf(ctx context.Context, p *Principal, meetingID uint64) (MinutesView, error) {
	var v MinutesView
	var err error
	if v.Meeting, err = s.MeetingByID(ctx, p, meetingID); err != nil {
		return v, err
	}
	v.Standing = MinutesStanding{Role: v.Meeting.Council.MyRole, Manage: v.Meeting.Council.Manage}
	var m Minutes
	res := s.conn(ctx).Where("meeting_id = ?", meetingID).Limit(1).Find(&m)
	if res.Error != nil {
		return v, res.Error
	}
	if res.RowsAffected == 0 {
		return v, nil
	}
	v.Minutes = &m
	v.Readable = m.Status.Public() || v.Standing.ReadsDrafts()
	if !v.Readable {
		return v, nil
	}
	if v.Record, err = m.Record(); err != nil {
		return v, err
	}
	if v.Text, err = m.Text(); err != nil {
		return v, err
	}
	if err := s.conn(ctx).Preload("Author").Where("minutes_id = ?", m.ID).Order("id").Find(&v.Amendments).Error; err != nil {
		return v, err
	}
	if v.Notices, err = s.NoticesForSource(ctx, MinutesSource, m.ID); err != nil {
		return v, err
	}
	v.Names = map[uint64]string{}
	var ids []uint64
	for _, id := range []*uint64{m.FinalisedByID, m.SignedByID, m.PublishedByID} {
		if id != nil {
			ids = append(ids, *id)
		}
	}
	if len(ids) > 0 {
		var accts []Account
		if err := s.conn(ctx).Where("id IN ?", ids).Find(&accts).Error; err != nil {
			return v, err
		}
		for _, a := range accts {
			v.Names[a.ID] = a.Name
		}
	}
	return v, nil
}

// minutesFor loads the minutes of a meeting for step a by p, locking the
// meeting's row on PostgreSQL so steps on one meeting's minutes run one
// after the other, and tells the status the step leads to.
func (s *Store) minutesFor(ctx context.Context, p *Principal, meetingID uint64, a MinutesAction) (MinutesView, MinutesStatus, error) {
	if err := s.lockRow(ctx, &Meeting{}, meetingID); err != nil {
		return MinutesView{}, "", err
	}
	v, err := s.MinutesOf(ctx, p, meetingID)
	if err != nil {
		return v, "", err
	}
	to, err := MinutesStep(v.Meeting.Status, v.Status(), a, v.Standing)
	return v, to, err
}

func (s *Store) auditMinutes(ctx context.Context, p *Principal, v MinutesView, a Audit) error {
	a.ActorID, a.ObjectType, a.ObjectID, a.PlaceID = actorOf(p), "meeting", v.Meeting.ID, &v.Meeting.Council.PlaceID
	a.Detail = truncate(a.Detail, 300)
	return s.Record(ctx, a)
}

// closingRecord is the record of closed meeting v taken when it closed
// (MeetingRecord), or, for a meeting closed before such records were kept,
// the meeting as v shows it now.
func (s *Store) closingRecord(ctx context.Context, v MeetingView, place string, now time.Time) (MinutesRecord, error) {
	var mr MeetingRecord
	if err := s.conn(ctx).Where("meeting_id = ?", v.ID).Limit(1).Find(&mr).Error; err != nil {
		return MinutesRecord{}, err
	}
	if mr.MeetingID == 0 {
		return NewMinutesRecord(v, place, now), nil
	}
	var rec MinutesRecord
	err := json.Unmarshal([]byte(mr.Record), &rec)
	return rec, err
}

// StartMinutes starts the minutes of a closed meeting: a draft prefilled
// with a snapshot of the meeting as it stood at its close (time and place,
// members, attendance, quorum, the agenda with its research, the motions
// and their votes; closingRecord) that later changes cannot alter.
func (s *Store) StartMinutes(ctx context.Context, p *Principal, meetingID uint64) (Minutes, error) {
	var out Minutes
	err := s.InTx(ctx, func(ctx context.Context) error {
		v, to, err := s.minutesFor(ctx, p, meetingID, MinutesActStart)
		if err != nil {
			return err
		}
		place, err := s.PlaceLabel(ctx, v.Meeting.Council.Place)
		if err != nil {
			return err
		}
		now := s.Now()
		rec, err := s.closingRecord(ctx, v.Meeting, place, now)
		if err != nil {
			return err
		}
		snap, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		out = Minutes{MeetingID: meetingID, Status: to, Snapshot: string(snap), Notes: "{}", CreatedByID: p.Account.ID, CreatedAt: now, UpdatedAt: now}
		if err := s.conn(ctx).Create(&out).Error; err != nil {
			if isDuplicate(err) {
				return ErrMinutesStep
			}
			return err
		}
		return s.auditMinutes(ctx, p, v, Audit{Action: "minutes.start",
			Detail: fmt.Sprintf("%d present of %d, %d item(s), %d motion(s)", rec.Count.Present, rec.Count.Members, len(rec.Items), len(rec.Motions))})
	})
	return out, err
}

// SaveMinutes saves the secretary's texts of a draft over the version
// (Minutes.Version) the editor started from. The secretary and the
// convener may both edit: when the saved texts are no longer that version,
// someone else saved meanwhile and nothing is saved (ErrMinutesConflict).
func (s *Store) SaveMinutes(ctx context.Context, p *Principal, meetingID uint64, base string, t MinutesText) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, _, err := s.minutesFor(ctx, p, meetingID, MinutesActEdit)
		if err != nil {
			return err
		}
		if base != v.Minutes.Version() {
			return ErrMinutesConflict
		}
		t = t.Normalize()
		if err := t.Validate(v.Record, false).Err(); err != nil {
			return err
		}
		if err := s.moveRow(ctx, &Minutes{}, v.Minutes.ID, MinutesDraft, map[string]any{"summary": t.Summary, "notes": encodeNotes(t.Notes)}); err != nil {
			return err
		}
		return s.auditMinutes(ctx, p, v, Audit{Action: "minutes.edit", Detail: fmt.Sprintf("summary %d chars, %d note(s)", utf8.RuneCountInString(t.Summary), len(t.Notes))})
	})
}

// FinaliseMinutes fixes a draft's text (定稿), with the texts last saved;
// it needs a summary. From now on the text is only amended, with a reason.
func (s *Store) FinaliseMinutes(ctx context.Context, p *Principal, meetingID uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, to, err := s.minutesFor(ctx, p, meetingID, MinutesActFinalise)
		if err != nil {
			return err
		}
		if err := v.Text.Validate(v.Record, true).Err(); err != nil {
			return err
		}
		now := s.Now()
		if err := s.moveRow(ctx, &Minutes{}, v.Minutes.ID, MinutesDraft, map[string]any{"status": to, "finalised_by_id": p.Account.ID, "finalised_at": now}); err != nil {
			return err
		}
		return s.auditMinutes(ctx, p, v, Audit{Action: "minutes.finalise", Detail: "finalised"})
	})
}

// ReturnMinutes sends finalised minutes back to draft (退回修改): the
// convener's step before signing, with a reason the page shows.
func (s *Store) ReturnMinutes(ctx context.Context, p *Principal, meetingID uint64, reason string) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, to, err := s.minutesFor(ctx, p, meetingID, MinutesActReturn)
		if err != nil {
			return err
		}
		if err := ValidateMinutesReason(reason).Err(); err != nil {
			return err
		}
		reason = strings.TrimSpace(reason)
		if err := s.moveRow(ctx, &Minutes{}, v.Minutes.ID, MinutesFinal, map[string]any{"status": to, "return_reason": reason, "finalised_by_id": nil, "finalised_at": nil}); err != nil {
			return err
		}
		return s.auditMinutes(ctx, p, v, Audit{Action: "minutes.return", Detail: reason})
	})
}

// SignMinutes is the convener's sign-off (签发) of finalised minutes: who
// and when are recorded.
func (s *Store) SignMinutes(ctx context.Context, p *Principal, meetingID uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, to, err := s.minutesFor(ctx, p, meetingID, MinutesActSign)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := s.moveRow(ctx, &Minutes{}, v.Minutes.ID, MinutesFinal, map[string]any{"status": to, "signed_by_id": p.Account.ID, "signed_at": now}); err != nil {
			return err
		}
		return s.auditMinutes(ctx, p, v, Audit{Action: "minutes.sign", Detail: "signed off by " + p.Account.Name})
	})
}

// postMinutesNotice puts a notice about minutes on the public bulletin at
// the council's place, published at once with a publicity period of days
// during which residents may object. Those who run a council publish its
// minutes whether or not they are staff, as they announce its meetings.
func (s *Store) postMinutesNotice(ctx context.Context, p *Principal, v MinutesView, title, body string, days int) (Notice, error) {
	if utf8.RuneCountInString(body) > 20000 {
		body = string([]rune(body)[:19900]) + "\n……（全文见会议记录页面）"
	}
	in := NoticeInput{PlaceID: v.Meeting.Council.PlaceID, Title: truncate(title, 120), Body: body, PeriodDays: days, AllowObjections: days > 0}
	return s.publishNow(ctx, p, in, MinutesSource, v.Minutes.ID)
}

// ValidateMinutesPeriod checks the publicity period minutes are published
// with: at least a day, at most MaxPeriodDays.
func ValidateMinutesPeriod(days int) FieldErrors {
	fe := FieldErrors{}
	if days < 1 || days > MaxPeriodDays {
		fe.Add("period_days", "err.period_days_invalid")
	}
	return fe
}

// PublishMinutes publishes signed minutes and the meeting's resolutions
// (the adopted motions) as a notice with a publicity period of days, and
// tells every member of the council.
func (s *Store) PublishMinutes(ctx context.Context, p *Principal, meetingID uint64, days int, tz *time.Location) (Notice, error) {
	var n Notice
	err := s.InTx(ctx, func(ctx context.Context) error {
		v, to, err := s.minutesFor(ctx, p, meetingID, MinutesActPublish)
		if err != nil {
			return err
		}
		if err := ValidateMinutesPeriod(days).Err(); err != nil {
			return err
		}
		title := v.Record.Council + "会议纪要及决议公示：" + v.Record.Meeting
		if n, err = s.postMinutesNotice(ctx, p, v, title, MinutesNoticeText(v.Record, v.Text, tz), days); err != nil {
			return err
		}
		now := s.Now()
		if err := s.moveRow(ctx, &Minutes{}, v.Minutes.ID, MinutesSigned, map[string]any{"status": to, "published_by_id": p.Account.ID, "published_at": now, "notice_id": n.ID}); err != nil {
			return err
		}
		if err := s.notifyMinutes(ctx, p, v, NotifyMinutesPublished, "notify.minutes_published"); err != nil {
			return err
		}
		return s.auditMinutes(ctx, p, v, Audit{Action: "minutes.publish",
			Detail: fmt.Sprintf("notice %d, %d resolution(s), period %d days", n.ID, len(v.Record.Resolutions()), days)})
	})
	return n, err
}

func (s *Store) notifyMinutes(ctx context.Context, p *Principal, v MinutesView, kind NotificationKind, key string) error {
	return s.Notify(ctx, actorOf(p), v.Meeting.Council.MemberIDs(), Note{Kind: kind, SubjectType: "meeting", SubjectID: v.Meeting.ID,
		Key: key, Args: []string{v.Record.Council, v.Record.Meeting}, Link: "/meetings/" + strconv.FormatUint(v.Meeting.ID, 10) + "/minutes"})
}

// AmendMinutes amends fixed minutes (更正) with a reason: the new texts
// replace the old, which the amendment keeps with who, when and why. Once
// the minutes are published, the amendment is published too, as a
// follow-up notice with the original's publicity period (a published
// notice is final and is never rewritten), and members are told. base is
// the version (Minutes.Version) the amending editor started from: when
// another amendment came in meanwhile, nothing is amended
// (ErrMinutesAmendedMeanwhile), as the form's full texts would otherwise
// undo it unseen.
func (s *Store) AmendMinutes(ctx context.Context, p *Principal, meetingID uint64, base string, t MinutesText, reason string, tz *time.Location) (MinutesAmendment, error) {
	var out MinutesAmendment
	err := s.InTx(ctx, func(ctx context.Context) error {
		v, _, err := s.minutesFor(ctx, p, meetingID, MinutesActAmend)
		if err != nil {
			return err
		}
		if base != v.Minutes.Version() {
			return ErrMinutesAmendedMeanwhile
		}
		t = t.Normalize()
		changes, err := CheckAmendment(v.Record, v.Text, t, reason)
		if err != nil {
			return err
		}
		reason = strings.TrimSpace(reason)
		raw, err := json.Marshal(changes)
		if err != nil {
			return err
		}
		now := s.Now()
		out = MinutesAmendment{MinutesID: v.Minutes.ID, AuthorID: p.Account.ID, Reason: reason, Changes: string(raw), CreatedAt: now, Author: p.Account}
		if v.Minutes.Status == MinutesPublished {
			days := DefaultMinutesPeriod
			if len(v.Notices) > 0 {
				days = v.Notices[0].PeriodDays
			}
			title := v.Record.Council + "会议纪要更正：" + v.Record.Meeting
			n, err := s.postMinutesNotice(ctx, p, v, title, AmendmentText(v.Record, changes, reason, now, tz), days)
			if err != nil {
				return err
			}
			out.NoticeID = &n.ID
			if err := s.notifyMinutes(ctx, p, v, NotifyMinutesAmended, "notify.minutes_amended"); err != nil {
				return err
			}
		}
		if err := s.conn(ctx).Create(&out).Error; err != nil {
			return err
		}
		if err := s.moveRow(ctx, &Minutes{}, v.Minutes.ID, v.Minutes.Status, map[string]any{"summary": t.Summary, "notes": encodeNotes(t.Notes)}); err != nil {
			return err
		}
		return s.auditMinutes(ctx, p, v, Audit{Action: "minutes.amend", Detail: fmt.Sprintf("%d change(s): %s", len(changes), reason)})
	})
	return out, err
}

// MotionResultText says a motion's result in the council's language, the
// way minutes and notices write it: 通过（同意8票，反对0票，弃权1票，成员表决）;
// one voted on without a quorum is 未形成决定（未达法定人数）with its tally.
func MotionResultText(m MinutesMotion) string {
	result := map[MotionStatus]string{MotionAdopted: "通过", MotionRejected: "未通过", MotionWithdrawn: "撤回", MotionDraft: "未表决", MotionVoting: "未表决"}[m.Status]
	switch {
	case m.Undecided():
		result = "未形成决定"
	case !m.Voted():
		return result
	}
	how := "成员表决"
	if m.ByHands {
		how = "举手表决"
	}
	if m.Outcome == OutcomeNoQuorum {
		result += "（未达法定人数）"
	}
	return fmt.Sprintf("%s（同意%d票，反对%d票，弃权%d票；%s）", result, m.For, m.Against, m.Abstain, how)
}

// MinutesNoticeText is the body of the notice that publishes minutes and
// resolutions, in Chinese like every notice on the bulletin.
func MinutesNoticeText(r MinutesRecord, t MinutesText, tz *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s于%s在%s召开会议（%s）。\n", r.Council, r.StartsAt.In(tz).Format("2006年1月2日 15:04"), r.Location, r.Meeting)
	met := "达到"
	if !r.Count.Met {
		met = "未达到"
	}
	fmt.Fprintf(&b, "应到有表决权成员%d人，实到%d人，%s法定人数；列席%d人。召集人：%s；记录人：%s。\n", r.Count.Members, r.Count.Present, met, len(r.Guests), r.Convener, r.Secretary)
	b.WriteString("\n一、会议议程\n")
	for i, it := range r.Items {
		fmt.Fprintf(&b, "%d. %s（约%d分钟）\n", i+1, it.Title, it.Minutes)
		if note := t.Notes[it.ID]; note != "" {
			fmt.Fprintf(&b, "   讨论情况：%s\n", note)
		}
	}
	b.WriteString("\n二、表决情况\n")
	if len(r.Motions) == 0 {
		b.WriteString("本次会议无表决事项。\n")
	}
	for i, m := range r.Motions {
		fmt.Fprintf(&b, "%d. %s —— %s\n", i+1, m.Text, MotionResultText(m))
	}
	b.WriteString("\n三、会议决议\n")
	res := r.Resolutions()
	if len(res) == 0 {
		b.WriteString("本次会议未形成决议。\n")
	}
	for i, m := range res {
		fmt.Fprintf(&b, "%d. %s\n", i+1, m.Text)
	}
	if t.Summary != "" {
		fmt.Fprintf(&b, "\n四、会议纪要\n%s\n", t.Summary)
	}
	b.WriteString("\n公示期内，居民对会议纪要和决议如有异议，可在本公示页面提出。")
	return b.String()
}

// changeLabel names a changed text in Chinese.
func changeLabel(r MinutesRecord, c MinutesChange) string {
	if c.Field == "summary" {
		return "会议纪要"
	}
	for _, it := range r.Items {
		if it.ID == c.ItemID {
			return fmt.Sprintf("议程%d“%s”的讨论情况", it.Position, it.Title)
		}
	}
	return c.Field
}

// AmendmentText is the body of the notice that publishes an amendment.
func AmendmentText(r MinutesRecord, changes []MinutesChange, reason string, at time.Time, tz *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s于%s对%s的会议纪要作如下更正。\n更正原因：%s\n", r.Council, at.In(tz).Format("2006年1月2日"), r.Meeting, reason)
	for i, c := range changes {
		fmt.Fprintf(&b, "\n%d. %s\n原文：%s\n更正为：%s\n", i+1, changeLabel(r, c), orNone(c.Before), orNone(c.After))
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "（无）"
	}
	return s
}
