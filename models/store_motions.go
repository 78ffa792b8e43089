package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm/clause"
)

// NotifyMeetingOpened tells a council's members their meeting is in session
// and they may sign in.
const NotifyMeetingOpened NotificationKind = "meeting_opened"

// Sitting is what happens at a meeting once it opens (会议进行): who is
// present, the live quorum, the motions with their tallies, and the
// viewer's own standing.
type Sitting struct {
	Attendance []Attendance // in the order they signed in, with accounts
	Quorum     Quorum
	Motions    []Motion                // by agenda item, then in the order put; a voting motion carries its live tally
	MyVotes    map[uint64]MotionChoice // the viewer's votes by motion
	Present    bool                    // the viewer is signed in

	// Resolutions maps each adopted motion to its resolution (决议).
	Resolutions map[uint64]uint64
}

// Current is the motion a projector shows: the one being voted on, else
// the one whose vote closed last (decided, or undecided for want of a
// quorum), else nil.
func (st Sitting) Current() *Motion {
	var last *Motion
	for i := range st.Motions {
		m := &st.Motions[i]
		if m.Status == MotionVoting {
			return m
		}
		if m.ClosedAt != nil && (m.Status == MotionAdopted || m.Status == MotionRejected || m.Undecided()) && (last == nil || !m.ClosedAt.Before(*last.ClosedAt) && m.ID > last.ID || m.ClosedAt.After(*last.ClosedAt)) {
			last = m
		}
	}
	return last
}

// PresentIDs are the accounts signed in.
func (st Sitting) PresentIDs() map[uint64]bool {
	out := make(map[uint64]bool, len(st.Attendance))
	for _, a := range st.Attendance {
		out[a.AccountID] = true
	}
	return out
}

// loadSession fills the session of a meeting that has opened.
func (s *Store) loadSession(ctx context.Context, p *Principal, v *MeetingView) error {
	v.MyVotes = map[uint64]MotionChoice{}
	if err := s.conn(ctx).Preload("Account").Where("meeting_id = ?", v.ID).Order("id").Find(&v.Attendance).Error; err != nil {
		return err
	}
	present := v.PresentIDs()
	v.Present = p != nil && present[p.Account.ID]
	v.Quorum = QuorumOf(v.Council.Rules(), v.Council.Members, present)
	if err := s.conn(ctx).Model(&Motion{}).Joins("JOIN agenda_items ON agenda_items.id = motions.agenda_item_id").
		Where("motions.meeting_id = ?", v.ID).Order("agenda_items.position, motions.id").Find(&v.Motions).Error; err != nil {
		return err
	}
	for i, m := range v.Motions {
		if m.Status == MotionVoting && !m.ByHands {
			h, err := s.countVotes(ctx, m.ID)
			if err != nil {
				return err
			}
			v.Motions[i].For, v.Motions[i].Against, v.Motions[i].Abstain = h.For, h.Against, h.Abstain
		}
	}
	var err error
	if v.Resolutions, err = s.MeetingResolutions(ctx, v.ID); err != nil {
		return err
	}
	if p != nil && len(v.Motions) > 0 {
		var mine []MotionVote
		if err := s.conn(ctx).Joins("JOIN motions ON motions.id = motion_votes.motion_id").
			Where("motions.meeting_id = ? AND motion_votes.account_id = ?", v.ID, p.Account.ID).Find(&mine).Error; err != nil {
			return err
		}
		for _, x := range mine {
			v.MyVotes[x.MotionID] = x.Choice
		}
	}
	return nil
}

// countVotes counts the members' votes on a motion.
func (s *Store) countVotes(ctx context.Context, motionID uint64) (Hands, error) {
	var rows []struct {
		Choice MotionChoice
		N      int
	}
	var h Hands
	err := s.conn(ctx).Model(&MotionVote{}).Select("choice, COUNT(*) AS n").Where("motion_id = ?", motionID).Group("choice").Scan(&rows).Error
	for _, r := range rows {
		switch r.Choice {
		case ChoiceFor:
			h.For = r.N
		case ChoiceAgainst:
			h.Against = r.N
		case ChoiceAbstain:
			h.Abstain = r.N
		}
	}
	return h, err
}

// OnMeetingChange makes fn hear of every committed change to a meeting in
// session: its opening and closing, attendance, motions, votes and shows of
// hands. fn runs after the commit, on the caller's goroutine; it must be
// quick (the live hub wakes the projectors, web/live).
func (s *Store) OnMeetingChange(fn func(meetingID uint64)) { s.meetingHook.Store(&fn) }

// changed tells the hook that meeting id changed, when err is nil and the
// change is committed (ctx carries no transaction still open), and returns
// err.
func (s *Store) changed(ctx context.Context, id uint64, err error) error {
	if err == nil && !inTx(ctx) {
		if fn := s.meetingHook.Load(); fn != nil {
			(*fn)(id)
		}
	}
	return err
}

// OpenMeeting opens an announced meeting (宣布开会), from OpenEarly before
// its time: it is in session, with a fresh attendance code for the room,
// and every member is told.
func (s *Store) OpenMeeting(ctx context.Context, p *Principal, id uint64) (Meeting, error) {
	var out Meeting
	err := s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.changeMeeting(ctx, p, id, MeetingActOpen)
		if err != nil {
			return err
		}
		// After the meeting's row, the council's: a change to its members
		// or rules at this moment (notSitting) waits, or is seen.
		if err := s.lockRow(ctx, &Council{}, v.CouncilID); err != nil {
			return err
		}
		now := s.Now()
		if err := CheckOpen(v.Meeting, now); err != nil {
			return err
		}
		code, err := NewAttendanceCode()
		if err != nil {
			return err
		}
		if err := s.moveRow(ctx, &Meeting{}, id, MeetingAnnounced, map[string]any{"status": MeetingInSession, "attendance_code": code, "opened_at": now, "updated_at": now}); err != nil {
			return err
		}
		if err := s.notifyMembers(ctx, p, v, NotifyMeetingOpened, "notify.meeting_opened", v.Council.Name, v.Title); err != nil {
			return err
		}
		out = v.Meeting
		out.Status, out.AttendanceCode, out.OpenedAt = MeetingInSession, code, &now
		return s.auditMeeting(ctx, p, v, "open", fmt.Sprintf("%d member(s) told", len(v.Council.Members)))
	})
	return out, s.changed(ctx, id, err)
}

// CloseMeeting closes a meeting in session (宣布散会), once no motion is
// still being voted on.
func (s *Store) CloseMeeting(ctx context.Context, p *Principal, id uint64) error {
	return s.changed(ctx, id, s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.changeMeeting(ctx, p, id, MeetingActClose)
		if err != nil {
			return err
		}
		for _, m := range v.Motions {
			if m.Status == MotionVoting {
				return ErrMotionsVoting
			}
		}
		now := s.Now()
		if err := s.moveRow(ctx, &Meeting{}, id, MeetingInSession, map[string]any{"status": MeetingClosed, "closed_at": now, "updated_at": now}); err != nil {
			return err
		}
		// The meeting as it stands now, which its minutes will start from
		// however the council changes meanwhile.
		v.Status, v.ClosedAt = MeetingClosed, &now
		place, err := s.PlaceLabel(ctx, v.Council.Place)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(NewMinutesRecord(v, place, now))
		if err != nil {
			return err
		}
		if err := s.conn(ctx).Create(&MeetingRecord{MeetingID: id, Record: string(raw), CreatedAt: now}).Error; err != nil {
			return err
		}
		return s.auditMeeting(ctx, p, v, "close", fmt.Sprintf("%d present of %d voting member(s), %d motion(s)", v.Quorum.Present, v.Quorum.Members, len(v.Motions)))
	}))
}

// addAttendance records accountID present at a meeting; a second time is
// ErrAlreadyPresent (a unique constraint backs it).
func (s *Store) addAttendance(ctx context.Context, a *Attendance) error {
	if err := s.conn(ctx).Create(a).Error; err != nil {
		if isDuplicate(err) {
			return ErrAlreadyPresent
		}
		return err
	}
	return nil
}

// actionCheckIn is the audit action of signing in with a code; a wrong
// code is recorded under it with ResultFailed.
const actionCheckIn = "meeting.check_in"

// CheckInFailures counts the wrong attendance codes accountID entered at a
// meeting since since (when it opened): the failed check-ins in the audit
// trail, found through its index on (actor_id, action, at).
func (s *Store) CheckInFailures(ctx context.Context, meetingID, accountID uint64, since time.Time) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&AuditEntry{}).
		Where("actor_id = ? AND action = ? AND at >= ? AND object_type = ? AND object_id = ? AND result = ?",
			accountID, actionCheckIn, since, "meeting", strconv.FormatUint(meetingID, 10), ResultFailed).
		Count(&n).Error
	return n, err
}

// CheckIn signs p in at a meeting in session with the code shown in the
// room (签到): members of the council only (guests sign in too, but do not
// count towards the quorum), once. Every wrong code is recorded; after
// MaxCheckInFailures of them during the session the member is refused
// (ErrCheckInLocked) and must ask the convener to mark them present.
func (s *Store) CheckIn(ctx context.Context, p *Principal, meetingID uint64, code string) error {
	var failed error
	err := s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.MeetingByID(ctx, p, meetingID)
		if err != nil {
			return err
		}
		switch {
		case v.Council.MyRole == "":
			return ErrNotCouncilMember
		case v.Status != MeetingInSession:
			return ErrMeetingStep
		case v.Present:
			return ErrAlreadyPresent
		}
		code = NormalizeCode(code)
		if code == "" {
			return FieldErrors{"code": "err.required"}
		}
		// One member's attempts run one after the other (their seat is
		// locked on PostgreSQL; SQLite has a single writer), so guesses
		// sent at once cannot all slip under the limit.
		for _, m := range v.Council.Members {
			if m.AccountID == p.Account.ID {
				if err := s.lockRow(ctx, &CouncilMember{}, m.ID); err != nil {
					return err
				}
			}
		}
		var since time.Time
		if v.OpenedAt != nil {
			since = *v.OpenedAt
		}
		n, err := s.CheckInFailures(ctx, meetingID, p.Account.ID, since)
		if err != nil {
			return err
		}
		if n >= MaxCheckInFailures {
			return ErrCheckInLocked
		}
		if code != v.AttendanceCode {
			failed = FieldErrors{"code": "err.attendance_code_wrong"}
			if n+1 >= MaxCheckInFailures {
				failed = ErrCheckInLocked
			}
			// Committed, not rolled back: the failure is what the limit counts.
			return s.Record(ctx, Audit{ActorID: actorOf(p), Action: actionCheckIn, ObjectType: "meeting", ObjectID: v.ID, PlaceID: &v.Council.PlaceID,
				Result: ResultFailed, Detail: fmt.Sprintf("wrong code, %d of %d", n+1, MaxCheckInFailures)})
		}
		if err := s.addAttendance(ctx, &Attendance{MeetingID: meetingID, AccountID: p.Account.ID, Method: AttendCode, CreatedAt: s.Now()}); err != nil {
			return err
		}
		return s.auditMeeting(ctx, p, v, "check_in", "by code")
	})
	if err == nil {
		err = failed
	}
	return s.changed(ctx, meetingID, err)
}

// MarkPresent records a member present at a meeting in session on the
// secretary's word (秘书登记到会), for those without a phone.
func (s *Store) MarkPresent(ctx context.Context, p *Principal, meetingID, accountID uint64) error {
	return s.changed(ctx, meetingID, s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.MeetingByID(ctx, p, meetingID)
		if err != nil {
			return err
		}
		if !v.Council.Run {
			return ErrForbidden
		}
		if v.Status != MeetingInSession {
			return ErrMeetingStep
		}
		found := false
		for _, m := range v.Council.Members {
			found = found || m.AccountID == accountID
		}
		if !found {
			return FieldErrors{"account_id": "err.invalid_choice"}
		}
		if err := s.addAttendance(ctx, &Attendance{MeetingID: meetingID, AccountID: accountID, Method: AttendMarked, MarkedByID: actorOf(p), CreatedAt: s.Now()}); err != nil {
			return err
		}
		return s.auditMeeting(ctx, p, v, "mark_present", fmt.Sprintf("account %d", accountID))
	}))
}

// AddMotion puts a motion (表决事项) on an agenda item of an announced
// meeting or one in session; it waits as a draft until its vote opens.
func (s *Store) AddMotion(ctx context.Context, p *Principal, meetingID uint64, in MotionInput) (Motion, error) {
	var m Motion
	err := s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.editMeeting(ctx, p, meetingID, TakesMotions)
		if err != nil {
			return err
		}
		fe := in.Validate()
		if in.AgendaItemID != 0 {
			if _, err := itemOf(v, in.AgendaItemID); err != nil {
				fe.Add("item_id", "err.invalid_choice")
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		now := s.Now()
		m = Motion{MeetingID: meetingID, AgendaItemID: in.AgendaItemID, Text: in.Text, Status: MotionDraft, CreatedByID: p.Account.ID, CreatedAt: now, UpdatedAt: now}
		if err := s.conn(ctx).Create(&m).Error; err != nil {
			return err
		}
		return s.auditMotion(ctx, p, v, m.ID, "create", truncate(m.Text, 200))
	})
	return m, s.changed(ctx, meetingID, err)
}

func (s *Store) auditMotion(ctx context.Context, p *Principal, v MeetingView, motionID uint64, action, detail string) error {
	return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "motion." + action, ObjectType: "motion", ObjectID: motionID, PlaceID: &v.Council.PlaceID,
		Detail: truncate(fmt.Sprintf("meeting %d: %s", v.ID, detail), 300)})
}

// motionOf loads a motion of a meeting and the meeting as p sees it. With lock, the
// motion's row is locked for the rest of the transaction on PostgreSQL:
// "UPDATE" for a change to the motion, "SHARE" for a vote, so votes run
// side by side and a close waits for the votes in flight.
func (s *Store) motionOf(ctx context.Context, p *Principal, meetingID, id uint64, lock string) (Motion, MeetingView, error) {
	var m Motion
	q := s.conn(ctx)
	if lock != "" && q.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: lock})
	}
	res := q.Where("id = ?", id).Limit(1).Find(&m)
	if res.Error != nil {
		return m, MeetingView{}, res.Error
	}
	if res.RowsAffected == 0 || m.MeetingID != meetingID {
		return m, MeetingView{}, ErrNotFound
	}
	v, err := s.MeetingByID(ctx, p, m.MeetingID)
	if err != nil {
		return m, v, err
	}
	for _, x := range v.Motions {
		if x.ID == id {
			m = x // with its live tally
		}
	}
	return m, v, nil
}

// MotionStep takes one of the convener's steps on a motion: opening its
// vote (one motion at a time, in session), closing it (the tally is fixed
// and the council's pass rule adopts or rejects it; without a quorum
// nothing is decided and the motion waits to be voted on again), or
// withdrawing it. Opening the vote again on an undecided motion clears
// what the vote without a quorum counted, which its audit entry keeps.
func (s *Store) MotionStep(ctx context.Context, p *Principal, meetingID, id uint64, a MotionAction) (Motion, error) {
	var out Motion
	err := s.InTx(ctx, func(ctx context.Context) error {
		// Steps on one meeting's motions run one after the other (and
		// after a close of the meeting), so two votes never open at once.
		if err := s.lockRow(ctx, &Meeting{}, meetingID); err != nil {
			return err
		}
		m, v, err := s.motionOf(ctx, p, meetingID, id, "UPDATE")
		if err != nil {
			return err
		}
		if !v.Council.Run {
			return ErrForbidden
		}
		if !MotionStepOpen(v.Status, a) {
			return ErrMeetingStep
		}
		now := s.Now()
		var outcome Outcome
		if a == MotionActClose {
			outcome = v.Council.Rules().Decide(v.Quorum.Members, v.Quorum.Present, m.Tally())
		}
		to, ok := MotionTransition(m.Status, a, outcome)
		if !ok {
			return ErrMotionStep
		}
		set := map[string]any{"status": to, "updated_at": now}
		detail := string(to)
		switch a {
		case MotionActOpen:
			for _, x := range v.Motions {
				if x.Status == MotionVoting {
					return ErrAnotherVoting
				}
			}
			set["opened_at"] = now
			if m.Undecided() {
				if err := s.conn(ctx).Where("motion_id = ?", id).Delete(&MotionVote{}).Error; err != nil {
					return err
				}
				set["votes_for"], set["votes_against"], set["votes_abstain"], set["by_hands"], set["hands_by_id"] = 0, 0, 0, false, nil
				set["members"], set["present"], set["outcome"], set["closed_at"] = 0, 0, "", nil
				detail = fmt.Sprintf("%s again after no quorum (%d for, %d against, %d abstain; %d of %d present)", to, m.For, m.Against, m.Abstain, m.Present, m.Members)
				m = Motion{ID: m.ID, MeetingID: m.MeetingID, AgendaItemID: m.AgendaItemID, Text: m.Text, Status: m.Status, CreatedByID: m.CreatedByID, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
			}
		case MotionActClose:
			t := m.Tally()
			set["votes_for"], set["votes_against"], set["votes_abstain"] = t.For, t.Against, t.Abstain
			set["members"], set["present"], set["outcome"], set["closed_at"] = v.Quorum.Members, v.Quorum.Present, outcome, now
			detail = fmt.Sprintf("%s: %d for, %d against, %d abstain; %d of %d present; %s", to, t.For, t.Against, t.Abstain, v.Quorum.Present, v.Quorum.Members, outcome)
			m.Members, m.Present, m.Outcome, m.ClosedAt = v.Quorum.Members, v.Quorum.Present, outcome, &now
		case MotionActWithdraw:
			set["closed_at"] = now
			m.ClosedAt = &now
		}
		if err := s.moveRow(ctx, &Motion{}, id, m.Status, set); err != nil {
			return err
		}
		out = m
		out.Status = to
		if to == MotionAdopted {
			// An adopted motion is a resolution to carry out (决议).
			if err := s.createResolution(ctx, p, v, m); err != nil {
				return err
			}
		}
		return s.auditMotion(ctx, p, v, id, string(a), detail)
	})
	return out, s.changed(ctx, meetingID, err)
}

// CastMotionVote records p's vote on a motion being voted on: for, against
// or abstain, once. A second vote is refused with ErrMotionVoted and the
// vote already cast, which a unique constraint on (motion, member) backs
// when two arrive at once.
func (s *Store) CastMotionVote(ctx context.Context, p *Principal, meetingID, id uint64, c MotionChoice) (MotionVote, error) {
	var out MotionVote
	err := s.InTx(ctx, func(ctx context.Context) error {
		m, v, err := s.motionOf(ctx, p, meetingID, id, "SHARE")
		if err != nil {
			return err
		}
		if v.Council.MyRole == "" {
			return ErrForbidden // not a member at all
		}
		_, voted := v.MyVotes[id]
		if err := CheckMotionVote(v.Status, m, v.Council.MyRole, v.Present, voted, c); err != nil {
			return err
		}
		out = MotionVote{MotionID: id, AccountID: p.Account.ID, Choice: c, CreatedAt: s.Now()}
		if err := s.conn(ctx).Create(&out).Error; err != nil {
			if isDuplicate(err) {
				return ErrMotionVoted
			}
			return err
		}
		return s.auditMotion(ctx, p, v, id, "vote", string(c))
	})
	if errors.Is(err, ErrMotionVoted) {
		// The transaction that hit the constraint is gone (PostgreSQL
		// aborts it): read the vote already cast afresh.
		var prior MotionVote
		if e := s.conn(ctx).Where("motion_id = ? AND account_id = ?", id, p.Account.ID).Limit(1).Find(&prior).Error; e != nil {
			return prior, e
		}
		return prior, err
	}
	return out, s.changed(ctx, meetingID, err)
}

// RecordHands records a show of hands (举手表决) on a motion being voted
// on, in place of members' phone votes, with who entered it; those who run
// the council may correct it until the vote closes.
func (s *Store) RecordHands(ctx context.Context, p *Principal, meetingID, id uint64, h Hands) error {
	return s.changed(ctx, meetingID, s.InTx(ctx, func(ctx context.Context) error {
		m, v, err := s.motionOf(ctx, p, meetingID, id, "UPDATE")
		if err != nil {
			return err
		}
		if !v.Council.Run {
			return ErrForbidden
		}
		if v.Status != MeetingInSession || m.Status != MotionVoting {
			return ErrMotionStep
		}
		if err := ValidateHands(h, v.Quorum.Present).Err(); err != nil {
			return err
		}
		err = s.conn(ctx).Model(&Motion{}).Where("id = ?", id).Updates(map[string]any{
			"votes_for": h.For, "votes_against": h.Against, "votes_abstain": h.Abstain, "by_hands": true, "hands_by_id": p.Account.ID, "updated_at": s.Now(),
		}).Error
		if err != nil {
			return err
		}
		return s.auditMotion(ctx, p, v, id, "hands", fmt.Sprintf("%d for, %d against, %d abstain", h.For, h.Against, h.Abstain))
	}))
}
