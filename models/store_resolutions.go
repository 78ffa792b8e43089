package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Notification kinds of resolutions.
const (
	NotifyResolutionChanged NotificationKind = "resolution_changed" // a resolution you follow was assigned, progressed or ended
	NotifyResolutionOverdue NotificationKind = "resolution_overdue" // a resolution you own or convene is overdue (催办)
)

// ResolutionView is a resolution as one viewer sees it.
type ResolutionView struct {
	Resolution
	Council  CouncilView
	Meeting  Meeting
	Topic    *Topic
	Updates  []ResolutionUpdate // oldest first, with authors
	Ratings  RatingSummary
	MyRating int // the viewer's stars, 0 when not rated
	Project  *Project
	Ballot   *Ballot
	// BallotNotHeld: the ballot spawned from it closed stalled (see
	// Ballot.Stalled), so another may be spawned in its place.
	BallotNotHeld bool
	Roles         []ResolutionActor // the viewer's parts
}

// May reports whether the viewer may take action a now.
func (v ResolutionView) May(a ResolutionAction) bool {
	_, ok := ResolutionTransition(v.Status, a, v.Roles...)
	return ok
}

// MayRate reports whether the viewer may rate the result: it is done, the
// viewer is a resident of the council's place or a member (those who may
// propose topics there), and has not rated it yet.
func (v ResolutionView) MayRate() bool {
	return v.Status == ResolutionDone && v.Council.MayPropose() && v.MyRating == 0
}

// MaySpawnProject reports whether the viewer may turn the resolution into
// a project: one who runs the council and manages projects at its place,
// while the resolution is open and has no project yet.
func (v ResolutionView) MaySpawnProject(p *Principal) bool {
	return v.CheckSpawnProject(p) == nil
}

// MaySpawnBallot is MaySpawnProject for a ballot (票决).
func (v ResolutionView) MaySpawnBallot(p *Principal) bool {
	return v.CheckSpawnBallot(p) == nil
}

// resolutionRoles are the parts p plays in a resolution of council c.
func resolutionRoles(p *Principal, c CouncilView, r Resolution) []ResolutionActor {
	var out []ResolutionActor
	if c.Run {
		out = append(out, ResolutionByRunner)
	}
	if p != nil && r.OwnerID != nil && *r.OwnerID == p.Account.ID {
		out = append(out, ResolutionByOwner)
	}
	return out
}

func resolutionLink(id uint64) string { return "/resolutions/" + strconv.FormatUint(id, 10) }

// createResolution records the resolution of a motion just adopted at
// meeting v, in the adoption's transaction; the agenda item's topic, if
// any, goes with it so its proposer and co-signers follow it.
func (s *Store) createResolution(ctx context.Context, p *Principal, v MeetingView, m Motion) error {
	now := s.Now()
	r := Resolution{CouncilID: v.CouncilID, MeetingID: v.ID, MotionID: m.ID, Text: m.Text, Status: ResolutionPending, CreatedAt: now, UpdatedAt: now}
	for _, it := range v.Items {
		if it.ID == m.AgendaItemID && it.TopicID != 0 {
			r.TopicID = &it.TopicID
		}
	}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "resolution.create", ObjectType: "resolution", ObjectID: r.ID, PlaceID: &v.Council.PlaceID,
		Detail: truncate(fmt.Sprintf("motion %d: %s", m.ID, m.Text), 300)})
}

// MeetingResolutions maps the adopted motions of a meeting to their
// resolutions.
func (s *Store) MeetingResolutions(ctx context.Context, meetingID uint64) (map[uint64]uint64, error) {
	var rs []Resolution
	if err := s.conn(ctx).Select("id, motion_id").Where("meeting_id = ?", meetingID).Find(&rs).Error; err != nil {
		return nil, err
	}
	out := make(map[uint64]uint64, len(rs))
	for _, r := range rs {
		out[r.MotionID] = r.ID
	}
	return out, nil
}

// TopicResolutions lists the resolutions a topic led to, oldest first.
func (s *Store) TopicResolutions(ctx context.Context, topicID uint64) ([]Resolution, error) {
	var out []Resolution
	return out, s.conn(ctx).Preload("Owner").Where("topic_id = ?", topicID).Order("id").Find(&out).Error
}

// ResolutionOfBallot returns the id of the resolution a ballot was spawned
// from, or 0. The link is written in the transaction that creates the
// ballot and changes only when a ballot that was not held is replaced by
// another (spawn), so once read outside a transaction it is remembered:
// the ballot page, which a whole street loads, asks on every view. Another
// process may go on naming the resolution on the replaced ballot's page,
// which is where that ballot came from.
func (s *Store) ResolutionOfBallot(ctx context.Context, ballotID uint64) (uint64, error) {
	if v, ok := s.frozen.spawnedFrom.Load(ballotID); ok {
		return v.(uint64), nil
	}
	var b Ballot
	if err := s.conn(ctx).Select("id, resolution_id").Where("id = ?", ballotID).Limit(1).Find(&b).Error; err != nil {
		return 0, err
	}
	var id uint64
	if b.ResolutionID != nil {
		id = *b.ResolutionID
	}
	if !inTx(ctx) {
		s.frozen.spawnedFrom.Store(ballotID, id)
	}
	return id, nil
}

// ResolutionTab filters a council's resolutions.
type ResolutionTab string

// Resolution tabs: "" all, open (not final), overdue, done.
const (
	ResolutionTabOpen    ResolutionTab = "open"
	ResolutionTabOverdue ResolutionTab = "overdue"
	ResolutionTabDone    ResolutionTab = "done"
)

// ResolutionTabs lists the tabs in the order the page shows them.
var ResolutionTabs = []ResolutionTab{"", ResolutionTabOpen, ResolutionTabOverdue, ResolutionTabDone}

// CouncilResolutions lists a council's resolutions under a tab at now,
// newest first, with their owners.
func (s *Store) CouncilResolutions(ctx context.Context, councilID uint64, tab ResolutionTab, page, perPage int) ([]Resolution, int64, error) {
	q := s.conn(ctx).Model(&Resolution{}).Where("council_id = ?", councilID)
	switch tab {
	case ResolutionTabOpen:
		q = q.Where("status IN ?", openResolution)
	case ResolutionTabOverdue:
		q = q.Where("status IN ? AND due_at <= ?", openResolution, s.Now())
	case ResolutionTabDone:
		q = q.Where("status = ?", ResolutionDone)
	}
	return pageOf[Resolution](q, q.Session(&gorm.Session{}).Preload("Owner").Order("created_at DESC, id DESC"), page, perPage)
}

// ResolutionByID returns a resolution for a viewer who may see its council.
func (s *Store) ResolutionByID(ctx context.Context, p *Principal, id uint64) (ResolutionView, error) {
	var v ResolutionView
	var err error
	if v.Council, err = s.inCouncil(ctx, p, s.conn(ctx).Preload("Owner"), id, &v.Resolution, func() uint64 { return v.CouncilID }); err != nil {
		return v, err
	}
	v.Roles = resolutionRoles(p, v.Council, v.Resolution)
	if err := s.conn(ctx).Where("id = ?", v.MeetingID).First(&v.Meeting).Error; err != nil {
		return v, err
	}
	if v.TopicID != nil {
		var t Topic
		if err := s.conn(ctx).Preload("Proposer").Where("id = ?", *v.TopicID).Limit(1).Find(&t).Error; err != nil {
			return v, err
		}
		if t.ID != 0 {
			v.Topic = &t
		}
	}
	if err := s.conn(ctx).Preload("Author").Where("resolution_id = ?", id).Order("created_at, id").Find(&v.Updates).Error; err != nil {
		return v, err
	}
	var rs []ResolutionRating
	if err := s.conn(ctx).Where("resolution_id = ?", id).Find(&rs).Error; err != nil {
		return v, err
	}
	stars := make([]int, len(rs))
	for i, r := range rs {
		stars[i] = r.Stars
		if p != nil && r.AccountID == p.Account.ID {
			v.MyRating = r.Stars
		}
	}
	v.Ratings = SummarizeRatings(stars)
	if v.ProjectID != nil {
		var pr Project
		if err := s.conn(ctx).Where("id = ?", *v.ProjectID).Limit(1).Find(&pr).Error; err != nil {
			return v, err
		}
		if pr.ID != 0 {
			v.Project = &pr
		}
	}
	if v.BallotID != nil {
		var b Ballot
		if err := s.conn(ctx).Omit("Place").Where("id = ?", *v.BallotID).Limit(1).Find(&b).Error; err != nil {
			return v, err
		}
		if b.ID != 0 {
			v.Ballot = &b
			if b.FrozenAt == nil && b.Status(s.Now()) == BallotClosed {
				ready, err := s.BallotReady(ctx, b)
				if err != nil {
					return v, err
				}
				v.BallotNotHeld = !ready
			}
		}
	}
	return v, nil
}

// followers are who hear of a resolution's steps: its topic's proposer
// and co-signers, and its owner.
func (s *Store) followers(ctx context.Context, r Resolution) ([]uint64, error) {
	var ids []uint64
	if r.TopicID != nil {
		var t Topic
		if err := s.conn(ctx).Where("id = ?", *r.TopicID).Limit(1).Find(&t).Error; err != nil {
			return nil, err
		}
		if t.ID != 0 {
			ids = append(ids, t.ProposerID)
		}
		var cos []uint64
		if err := s.conn(ctx).Model(&TopicCosign{}).Where("topic_id = ?", *r.TopicID).Order("account_id").Pluck("account_id", &cos).Error; err != nil {
			return nil, err
		}
		ids = append(ids, cos...)
	}
	if r.OwnerID != nil {
		ids = append(ids, *r.OwnerID)
	}
	return dedupe(ids), nil
}

func (s *Store) auditResolution(ctx context.Context, p *Principal, v ResolutionView, action, detail string) error {
	return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "resolution." + action, ObjectType: "resolution", ObjectID: v.ID, PlaceID: &v.Council.PlaceID,
		Detail: truncate(detail, 300)})
}

// resolutionStep takes step a on a resolution for p: it checks p's part
// and the transition, lets apply fill what else changes (set, the update's
// note and percent), writes, adds the timeline entry, tells the followers
// and writes the audit trail, in one transaction.
func (s *Store) resolutionStep(ctx context.Context, p *Principal, id uint64, a ResolutionAction, apply func(ctx context.Context, v *ResolutionView, set map[string]any, u *ResolutionUpdate) error) (Resolution, error) {
	var out Resolution
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockRow(ctx, &Resolution{}, id); err != nil {
			return err
		}
		v, err := s.ResolutionByID(ctx, p, id)
		if err != nil {
			return err
		}
		if len(v.Roles) == 0 {
			return ErrForbidden
		}
		to, ok := ResolutionTransition(v.Status, a, v.Roles...)
		if !ok {
			if !hasAnyRule(a, v.Roles) {
				return ErrForbidden
			}
			return ErrResolutionStep
		}
		now := s.Now()
		set := map[string]any{"status": to, "updated_at": now}
		u := ResolutionUpdate{ResolutionID: id, AuthorID: actorOf(p), Action: a, FromStatus: v.Status, ToStatus: to, CreatedAt: now}
		if err := apply(ctx, &v, set, &u); err != nil {
			return err
		}
		if err := s.moveRow(ctx, &Resolution{}, id, v.Status, set); err != nil {
			return err
		}
		if err := s.conn(ctx).Omit("Author").Create(&u).Error; err != nil {
			return err
		}
		if err := s.conn(ctx).Preload("Owner").Where("id = ?", id).First(&out).Error; err != nil {
			return err
		}
		to2, err := s.followers(ctx, out)
		if err != nil {
			return err
		}
		err = s.Notify(ctx, actorOf(p), to2, Note{Kind: NotifyResolutionChanged, SubjectType: "resolution", SubjectID: id,
			Key: fmt.Sprintf("resolution.notify_%s", a), Args: []string{truncate(out.Text, 40)}, Link: resolutionLink(id)})
		if err != nil {
			return err
		}
		return s.auditResolution(ctx, p, v, string(a), fmt.Sprintf("%s → %s %s", v.Status, to, u.Note))
	})
	return out, err
}

// hasAnyRule reports whether any of actors may take a from some state.
func hasAnyRule(a ResolutionAction, actors []ResolutionActor) bool {
	for _, r := range resolutionRules[a] {
		for _, by := range r.by {
			if slices.Contains(actors, by) {
				return true
			}
		}
	}
	return false
}

// eligibleOwner reports whether account a may own a resolution of council
// v: a member of it, or staff at, above or inside its place.
func (s *Store) eligibleOwner(ctx context.Context, v CouncilView, a Account) (bool, error) {
	for _, m := range v.Members {
		if m.AccountID == a.ID {
			return true, nil
		}
	}
	op, err := s.LoadPrincipal(ctx, a.ID)
	if err != nil {
		return false, err
	}
	for _, g := range op.Grants {
		if g.Role.IsStaff() && (g.Place.Contains(v.Place) || v.Place.Contains(g.Place)) {
			return true, nil
		}
	}
	return false, nil
}

// AssignResolution gives a resolution an owner, found by phone (a member
// of the council or staff of its place), and a due time (交办); again, it
// reassigns. Those who run the council assign.
func (s *Store) AssignResolution(ctx context.Context, p *Principal, id uint64, phone string, due time.Time) (Resolution, error) {
	return s.resolutionStep(ctx, p, id, ResolutionActAssign, func(ctx context.Context, v *ResolutionView, set map[string]any, u *ResolutionUpdate) error {
		fe := ValidateDue(due, s.Now())
		var acct Account
		phone = strings.TrimSpace(phone)
		if phone == "" {
			fe.Add("phone", "err.required")
		} else {
			var err error
			acct, err = s.AccountByPhone(ctx, phone)
			switch {
			case errors.Is(err, ErrNotFound):
				fe.Add("phone", "err.account_not_found")
			case err != nil:
				return err
			default:
				ok, err := s.eligibleOwner(ctx, v.Council, acct)
				if err != nil {
					return err
				}
				if !ok {
					fe.Add("phone", "resolution.err_owner")
				}
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		now := s.Now()
		set["owner_id"], set["due_at"], set["assigned_at"] = acct.ID, due.UTC(), now
		set["last_chased_at"] = nil
		u.Note = assignNote(acct.Name, due)
		return nil
	})
}

// assignSep parts the owner from the due time in an assignment's note.
const assignSep = " · "

// assignNote is the timeline note of an assignment: the owner's name and
// the due time (RFC 3339, UTC), which ParseAssignNote reads back.
func assignNote(owner string, due time.Time) string {
	return owner + assignSep + due.UTC().Format(time.RFC3339)
}

// ParseAssignNote reads an assignment's note: who took the resolution on
// and by when. ok is false for a note in any other form.
func ParseAssignNote(note string) (owner string, due time.Time, ok bool) {
	i := strings.LastIndex(note, assignSep)
	if i < 0 {
		return "", time.Time{}, false
	}
	due, err := time.Parse(time.RFC3339, note[i+len(assignSep):])
	if err != nil {
		return "", time.Time{}, false
	}
	return note[:i], due, true
}

// ReportProgress posts a progress update (进展) of the owner or of those
// who run the council, with an optional percentage done.
func (s *Store) ReportProgress(ctx context.Context, p *Principal, id uint64, in ProgressInput) (Resolution, error) {
	return s.resolutionStep(ctx, p, id, ResolutionActProgress, func(_ context.Context, _ *ResolutionView, set map[string]any, u *ResolutionUpdate) error {
		if err := in.Validate().Err(); err != nil {
			return err
		}
		u.Note, u.Percent = in.Note, in.Percent
		if in.Percent != nil {
			set["percent"] = *in.Percent
		}
		return nil
	})
}

// FinishResolution ends a resolution done (办结) with a summary of the
// result, which residents then rate.
func (s *Store) FinishResolution(ctx context.Context, p *Principal, id uint64, result string) (Resolution, error) {
	return s.endResolution(ctx, p, id, ResolutionActDone, "result", result, 2000)
}

// AbandonResolution ends a resolution abandoned (终止) with a reason the
// followers read.
func (s *Store) AbandonResolution(ctx context.Context, p *Principal, id uint64, reason string) (Resolution, error) {
	return s.endResolution(ctx, p, id, ResolutionActAbandon, "reason", reason, 500)
}

// endResolution ends a resolution by action a with the mandatory text of
// column field (the result or the reason), at most max characters long.
func (s *Store) endResolution(ctx context.Context, p *Principal, id uint64, a ResolutionAction, field, text string, max int) (Resolution, error) {
	text, err := requireText(field, text, max)
	if err != nil {
		return Resolution{}, err
	}
	return s.resolutionStep(ctx, p, id, a, func(_ context.Context, _ *ResolutionView, set map[string]any, u *ResolutionUpdate) error {
		set[field], set["closed_at"] = text, s.Now()
		u.Note = text
		if a == ResolutionActDone {
			hundred := 100
			set["percent"], u.Percent = hundred, &hundred
		}
		return nil
	})
}

// ErrResolutionRated refuses a second rating of one resolution by one
// resident: each rates once, and the first rating stands.
var ErrResolutionRated = &Error{Code: "resolution.err_already_rated"}

// RateResolution records p's rating of a done resolution's result, 1 to 5
// stars, once (a unique key backs it): residents of the council's place and
// its members rate.
func (s *Store) RateResolution(ctx context.Context, p *Principal, id uint64, stars int) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.ResolutionByID(ctx, p, id)
		if err != nil {
			return err
		}
		switch {
		case !v.Council.MayPropose():
			return ErrNotPlaceMember
		case v.Status != ResolutionDone:
			return ErrResolutionStep
		case v.MyRating != 0:
			return ErrResolutionRated
		case !ValidRating(stars):
			return FieldErrors{"stars": "err.rating_invalid"}
		}
		if err := s.conn(ctx).Create(&ResolutionRating{ResolutionID: id, AccountID: p.Account.ID, Stars: stars, CreatedAt: s.Now()}).Error; err != nil {
			if isDuplicate(err) {
				return ErrResolutionRated
			}
			return err
		}
		return s.auditResolution(ctx, p, v, "rate", fmt.Sprintf("%d star(s)", stars))
	})
}

// spawn creates a project or a ballot from a resolution through create
// and records its id in column col, keeping the link: p runs the council
// and holds perm at its place; the resolution is open and has none yet,
// or only a ballot that was not held.
func (s *Store) spawn(ctx context.Context, p *Principal, id uint64, perm Permission, col string, create func(ctx context.Context) (uint64, error)) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockRow(ctx, &Resolution{}, id); err != nil {
			return err
		}
		v, err := s.ResolutionByID(ctx, p, id)
		if err != nil {
			return err
		}
		if err := v.CheckSpawn(p, perm, col == "project_id" && v.ProjectID != nil || col == "ballot_id" && v.ballotTaken()); err != nil {
			return err
		}
		made, err := create(ctx)
		if err != nil {
			return err
		}
		if err := s.conn(ctx).Model(&Resolution{}).Where("id = ?", id).Updates(map[string]any{col: made, "updated_at": s.Now()}).Error; err != nil {
			return err
		}
		detail := fmt.Sprintf("%s %d", col, made)
		if col == "ballot_id" {
			// The ballot names its resolution for good; the resolution
			// names its latest ballot.
			if err := s.conn(ctx).Model(&Ballot{}).Where("id = ?", made).Update("resolution_id", id).Error; err != nil {
				return err
			}
			if v.BallotID != nil {
				detail += fmt.Sprintf(", in place of ballot %d, not held", *v.BallotID)
			}
		}
		return s.auditResolution(ctx, p, v, "spawn", detail)
	})
}

// SpawnProject creates a project on the projects list from a resolution
// (in carries what the form prefilled from it) and keeps the link both
// ways: the resolution's project_id and the project's source.
func (s *Store) SpawnProject(ctx context.Context, p *Principal, id uint64, in ProjectInput) (Project, error) {
	var pr Project
	err := s.spawn(ctx, p, id, PermManageProjects, "project_id", func(ctx context.Context) (uint64, error) {
		var err error
		in.SourceType, in.SourceID = ResolutionSource, id
		pr, err = s.CreateProject(ctx, p, in)
		return pr.ID, err
	})
	return pr, err
}

// SpawnBallot creates a ballot from a resolution and keeps the link both
// ways (the resolution's ballot_id; the ballot's page finds it by that).
func (s *Store) SpawnBallot(ctx context.Context, p *Principal, id uint64, in BallotInput) (Ballot, error) {
	var b Ballot
	err := s.spawn(ctx, p, id, PermManageBallots, "ballot_id", func(ctx context.Context) (uint64, error) {
		var err error
		b, err = s.CreateBallot(ctx, p, in)
		return b.ID, err
	})
	return b, err
}

// conveners are the accounts convening council id, else those running it
// as secretary.
func (s *Store) conveners(ctx context.Context, councilID uint64) ([]uint64, error) {
	var ms []CouncilMember
	if err := s.conn(ctx).Where("council_id = ?", councilID).Order("id").Find(&ms).Error; err != nil {
		return nil, err
	}
	var conv, sec []uint64
	for _, m := range ms {
		switch m.Role {
		case MemberConvener:
			conv = append(conv, m.AccountID)
		case MemberSecretary:
			sec = append(sec, m.AccountID)
		}
	}
	if len(conv) == 0 {
		return sec, nil
	}
	return conv, nil
}

// ChaseResolutions chases (催办) every overdue open resolution not chased
// in the last day at the store's now: its owner and the council's convener
// are told through the notification outbox, the chase goes on its timeline
// and last_chased_at records it. It returns those it chased.
func (s *Store) ChaseResolutions(ctx context.Context) ([]Resolution, error) {
	now := s.Now()
	var cands []Resolution
	err := s.conn(ctx).Where("status IN ? AND due_at <= ? AND (last_chased_at IS NULL OR last_chased_at <= ?)",
		[]ResolutionStatus{ResolutionAssigned, ResolutionInProgress}, now, now.Add(-ChaseInterval)).Order("id").Find(&cands).Error
	if err != nil {
		return nil, err
	}
	// The councils' places and conveners, read once per council.
	type council struct {
		placeID   uint64
		conveners []uint64
	}
	councils := map[uint64]council{}
	var out []Resolution
	for _, c := range cands {
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := s.lockRow(ctx, &Resolution{}, c.ID); err != nil {
				return err
			}
			var r Resolution
			if err := s.conn(ctx).Where("id = ?", c.ID).First(&r).Error; err != nil {
				return err
			}
			if !ResolutionChaseDue(r, now) {
				return nil
			}
			if err := s.conn(ctx).Model(&Resolution{}).Where("id = ?", r.ID).Update("last_chased_at", now).Error; err != nil {
				return err
			}
			u := ResolutionUpdate{ResolutionID: r.ID, Action: ResolutionActChase, FromStatus: r.Status, ToStatus: r.Status, CreatedAt: now}
			if err := s.conn(ctx).Omit("Author").Create(&u).Error; err != nil {
				return err
			}
			co, ok := councils[r.CouncilID]
			if !ok {
				var row Council
				if err := s.conn(ctx).Where("id = ?", r.CouncilID).First(&row).Error; err != nil {
					return err
				}
				co.placeID = row.PlaceID
				var err error
				if co.conveners, err = s.conveners(ctx, r.CouncilID); err != nil {
					return err
				}
				councils[r.CouncilID] = co
			}
			to := slices.Clone(co.conveners)
			if r.OwnerID != nil {
				to = append(to, *r.OwnerID)
			}
			err := s.Notify(ctx, nil, to, Note{Kind: NotifyResolutionOverdue, SubjectType: "resolution", SubjectID: r.ID,
				Key: "resolution.notify_overdue", Args: []string{truncate(r.Text, 40)}, Link: resolutionLink(r.ID)})
			if err != nil {
				return err
			}
			out = append(out, r)
			return s.Record(ctx, Audit{Action: "resolution.chase", ObjectType: "resolution", ObjectID: r.ID, PlaceID: &co.placeID, Detail: "overdue"})
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
