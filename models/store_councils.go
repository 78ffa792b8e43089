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
	"gorm.io/gorm/clause"
)

// Notification kinds of councils.
const (
	NotifyTopicDecided     NotificationKind = "topic_decided"     // your topic (or one you co-signed) was accepted, merged or declined
	NotifyMeetingAnnounced NotificationKind = "meeting_announced" // a meeting of your council is announced
)

// councilNoticeSource names the notices that announce meetings.
const councilNoticeSource = "meeting"

// CouncilView is a council as one viewer sees it: its members, and what the
// viewer may do there.
type CouncilView struct {
	Council
	Members  []CouncilMember // convener first, then by role and seniority
	MyRole   MemberRole      // "" when the viewer is not a member
	Manage   bool            // staff: set up members and rules
	Run      bool            // convener, secretary or managing staff: topics and meetings
	Resident bool            // a verified resident of the council's place: may submit and co-sign
}

// MemberIDs are the accounts of the council's members.
func (v CouncilView) MemberIDs() []uint64 {
	out := make([]uint64, len(v.Members))
	for i, m := range v.Members {
		out[i] = m.AccountID
	}
	return out
}

// Voting is the number of voting members.
func (v CouncilView) Voting() int { return VotingMembers(v.Members) }

// MayPropose reports whether the viewer may submit a topic.
func (v CouncilView) MayPropose() bool { return v.Resident || v.MyRole != "" }

// MayRaiseNeed reports whether the viewer may turn need d into a topic of
// this council: they may propose here, the need lies within the council's
// place, and it is theirs to raise.
func (v CouncilView) MayRaiseNeed(d NeedDetail, viewer uint64) bool {
	return v.MayPropose() && v.Place.Contains(d.Need.Place) && d.MayRaiseTopic(viewer)
}

// relatedTo reports whether any of p's grants lies on the same branch of
// the place tree as pl (above it or inside it): the council is theirs to see.
func relatedTo(p *Principal, pl Place) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if g.Place.Contains(pl) || pl.Contains(g.Place) {
			return true
		}
	}
	return false
}

// councilView loads a council with its members and the viewer's standing,
// or ErrNotFound when the viewer has nothing to do with it.
func (s *Store) councilView(ctx context.Context, p *Principal, id uint64) (CouncilView, error) {
	var v CouncilView
	if err := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&v.Council).Error; err != nil {
		return v, err
	}
	if v.ID == 0 || p == nil {
		return v, ErrNotFound
	}
	var err error
	if v.Place, err = s.PlaceByID(ctx, v.PlaceID); err != nil {
		return v, err
	}
	if err := s.conn(ctx).Preload("Account").Where("council_id = ?", id).Order("id").Find(&v.Members).Error; err != nil {
		return v, err
	}
	sortMembers(v.Members)
	for _, m := range v.Members {
		if m.AccountID == p.Account.ID {
			v.MyRole = m.Role
		}
	}
	v.stand(p)
	if !maySeeCouncil(p, v.MyRole, v.Place) {
		return CouncilView{}, ErrNotFound
	}
	return v, nil
}

// maySeeCouncil is who may see a council and what is in it: its members,
// whatever their role, and those with a grant on its branch of the place
// tree (relatedTo).
func maySeeCouncil(p *Principal, role MemberRole, place Place) bool {
	return role != "" || relatedTo(p, place)
}

// MaySeeTopics reports which of topics p may open (TopicByID's rule: those
// of councils p may see), with three queries for them all (councils, their
// places, p's seats) rather than a topic's whole page each.
func (s *Store) MaySeeTopics(ctx context.Context, p *Principal, topics []Topic) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	if p == nil || len(topics) == 0 {
		return out, nil
	}
	var ids []uint64
	for _, t := range topics {
		if !slices.Contains(ids, t.CouncilID) {
			ids = append(ids, t.CouncilID)
		}
	}
	var cs []Council
	if err := s.conn(ctx).Preload("Place").Where("id IN ?", ids).Find(&cs).Error; err != nil {
		return nil, err
	}
	var seats []CouncilMember
	if err := s.conn(ctx).Where("account_id = ? AND council_id IN ?", p.Account.ID, ids).Find(&seats).Error; err != nil {
		return nil, err
	}
	role := make(map[uint64]MemberRole, len(seats))
	for _, m := range seats {
		role[m.CouncilID] = m.Role
	}
	see := make(map[uint64]bool, len(cs))
	for _, c := range cs {
		see[c.ID] = maySeeCouncil(p, role[c.ID], c.Place)
	}
	for _, t := range topics {
		if see[t.CouncilID] {
			out[t.ID] = true
		}
	}
	return out, nil
}

// stand works out the viewer's standing on the council from MyRole and
// p's grants.
func (v *CouncilView) stand(p *Principal) {
	v.Manage = p.Can(PermManageCouncils, v.Place)
	v.Run = v.Manage || v.MyRole.Runs()
	v.Resident = false
	for _, g := range p.Grants {
		v.Resident = v.Resident || g.Role == RoleResident && v.Place.Contains(g.Place)
	}
}

// CouncilsForNeed lists, a page at a time, the councils p may turn need d
// (as p sees it) into a topic of: those whose place holds the need and on
// which p sits or whose place holds one of p's homes as a resident. It is
// the list CouncilView.MayRaiseNeed would keep, council by council.
func (s *Store) CouncilsForNeed(ctx context.Context, p *Principal, d NeedDetail, page, perPage int) ([]Council, int64, error) {
	if p == nil || !d.MayRaiseTopic(p.Account.ID) {
		return nil, 0, nil
	}
	var homes []uint64
	for _, g := range p.Grants {
		if g.Role == RoleResident {
			homes = append(homes, g.Place.AncestorIDs()...)
		}
	}
	cond, args := "councils.id IN (SELECT council_id FROM council_members WHERE account_id = ?)", []any{p.Account.ID}
	if len(homes) > 0 {
		cond, args = cond+" OR councils.place_id IN ?", append(args, homes)
	}
	q := s.conn(ctx).Model(&Council{}).Joins("JOIN places ON places.id = councils.place_id").
		Where("councils.place_id IN ?", d.Need.Place.AncestorIDs()).Where("("+cond+")", args...)
	return pageOf[Council](q, q.Session(&gorm.Session{}).Preload("Place").Order("places.path, councils.name, councils.id"), page, perPage)
}

func sortMembers(ms []CouncilMember) {
	rank := map[MemberRole]int{MemberConvener: 0, MemberSecretary: 1, MemberRegular: 2, MemberGuest: 3}
	slices.SortStableFunc(ms, func(a, b CouncilMember) int { return rank[a.Role] - rank[b.Role] })
}

// CouncilByID returns a council for a viewer who may see it.
func (s *Store) CouncilByID(ctx context.Context, p *Principal, id uint64) (CouncilView, error) {
	return s.councilView(ctx, p, id)
}

// Councils lists the councils p has to do with: those at or above any place
// p holds a role at, those inside it, and those p sits on; by place, then
// name.
func (s *Store) Councils(ctx context.Context, p *Principal, page, perPage int) ([]Council, int64, error) {
	if p == nil {
		return nil, 0, nil
	}
	cond, args := "councils.id IN (SELECT council_id FROM council_members WHERE account_id = ?)", []any{p.Account.ID}
	if len(p.Grants) > 0 {
		branch, bargs := branchOf(grantPlaces(p))
		cond, args = cond+" OR "+branch, append(args, bargs...)
	}
	q := s.conn(ctx).Model(&Council{}).Joins("JOIN places ON places.id = councils.place_id").Where("("+cond+")", args...)
	return pageOf[Council](q, q.Session(&gorm.Session{}).Preload("Place").Order("places.path, councils.name, councils.id"), page, perPage)
}

// pageOf counts the rows count selects and loads one page of them through
// load (count's query with its order and preloads).
func pageOf[T any](count, load *gorm.DB, page, perPage int) ([]T, int64, error) {
	page, perPage = pageBounds(page, perPage)
	var total int64
	if err := count.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []T
	err := load.Offset((page - 1) * perPage).Limit(perPage).Find(&out).Error
	return out, total, err
}

// CouncilPlaces lists the places p may set up a council at (everything but
// households), by path.
func (s *Store) CouncilPlaces(ctx context.Context, p *Principal) ([]Place, error) {
	return s.scopedPlaces(ctx, p, PermManageCouncils)
}

// CreateCouncil sets up a council at a place with the rules its kind starts
// with (RulesFor); p needs PermManageCouncils there.
func (s *Store) CreateCouncil(ctx context.Context, p *Principal, in CouncilInput) (Council, error) {
	var c Council
	if !p.CanAnywhere(PermManageCouncils) {
		return c, ErrForbidden
	}
	fe := in.Validate()
	pl, err := s.choosablePlace(ctx, p, PermManageCouncils, in.PlaceID, notHousehold, fe)
	if err != nil {
		return c, err
	}
	if err := fe.Err(); err != nil {
		return c, err
	}
	r := RulesFor(in.Kind)
	now := s.Now()
	c = Council{PlaceID: pl.ID, Kind: in.Kind, Name: in.Name, QuorumNum: r.Quorum.Num, QuorumDen: r.Quorum.Den, QuorumOver: r.Quorum.Over, PassRule: r.Pass,
		NoticeDays: r.NoticeDays, CreatedAt: now, UpdatedAt: now}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Create(&c).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "council.create", ObjectType: "council", ObjectID: c.ID, PlaceID: &c.PlaceID,
			Detail: fmt.Sprintf("%s (%s)", c.Name, c.Kind)})
	})
	c.Place = pl
	return c, err
}

// councilFor loads a council for a change only some may make: may tells
// from the viewer's standing whether they may (staff managing it, or those
// running it).
func (s *Store) councilFor(ctx context.Context, p *Principal, id uint64, may func(CouncilView) bool) (CouncilView, error) {
	v, err := s.councilView(ctx, p, id)
	if err != nil {
		return v, err
	}
	if !may(v) {
		return v, ErrForbidden
	}
	return v, nil
}

func managing(v CouncilView) bool { return v.Manage }

func running(v CouncilView) bool { return v.Run }

// notSitting refuses a change to council id's members or rules while one of
// its meetings is in session (ErrCouncilSitting): the quorum of its votes
// is reckoned against the members, and the pass rule decides them. The
// council's row is locked first on PostgreSQL, as OpenMeeting locks it
// too, so a meeting opening at the same moment waits or is seen.
func (s *Store) notSitting(ctx context.Context, id uint64) error {
	if err := s.lockRow(ctx, &Council{}, id); err != nil {
		return err
	}
	var n int64
	if err := s.conn(ctx).Model(&Meeting{}).Where("council_id = ? AND status = ?", id, MeetingInSession).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return ErrCouncilSitting
	}
	return nil
}

// SetCouncilRules changes a council's quorum, pass rule and notice days.
func (s *Store) SetCouncilRules(ctx context.Context, p *Principal, id uint64, r CouncilRules) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.councilFor(ctx, p, id, managing)
		if err != nil {
			return err
		}
		if err := s.notSitting(ctx, id); err != nil {
			return err
		}
		if err := r.Validate().Err(); err != nil {
			return err
		}
		err = s.conn(ctx).Model(&Council{}).Where("id = ?", id).Updates(map[string]any{
			"quorum_num": r.Quorum.Num, "quorum_den": r.Quorum.Den, "quorum_over": r.Quorum.Over, "pass_rule": r.Pass, "notice_days": r.NoticeDays, "updated_at": s.Now(),
		}).Error
		if err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "council.rules", ObjectType: "council", ObjectID: id, PlaceID: &v.PlaceID,
			Detail: fmt.Sprintf("quorum %s, %s, %d notice days", r.Quorum, r.Pass, r.NoticeDays)})
	})
}

// EditCouncil changes a council's name and kind, as staff who set it up
// under the wrong ones put them right. Its members, rules and history stay.
func (s *Store) EditCouncil(ctx context.Context, p *Principal, id uint64, name string, kind CouncilKind) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.councilFor(ctx, p, id, managing)
		if err != nil {
			return err
		}
		in := CouncilInput{PlaceID: v.PlaceID, Kind: kind, Name: name}
		if err := in.Validate().Err(); err != nil {
			return err
		}
		if err := s.conn(ctx).Model(&Council{}).Where("id = ?", id).Updates(map[string]any{"name": in.Name, "kind": in.Kind, "updated_at": s.Now()}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "council.rename", ObjectType: "council", ObjectID: id, PlaceID: &v.PlaceID,
			Detail: truncate(fmt.Sprintf("%s (%s) → %s (%s)", v.Name, v.Kind, in.Name, in.Kind), 300)})
	})
}

// AddCouncilMember seats the account with phone on the council in role.
func (s *Store) AddCouncilMember(ctx context.Context, p *Principal, id uint64, phone string, role MemberRole) (CouncilMember, error) {
	var m CouncilMember
	err := s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.councilFor(ctx, p, id, managing)
		if err != nil {
			return err
		}
		if err := s.notSitting(ctx, id); err != nil {
			return err
		}
		fe := FieldErrors{}
		if !role.Valid() {
			fe.Add("role", "err.invalid_choice")
		}
		acct, err := s.AccountByPhone(ctx, strings.TrimSpace(phone))
		if errors.Is(err, ErrNotFound) {
			fe.Add("phone", "err.account_not_found")
		} else if err != nil {
			return err
		}
		for _, x := range v.Members {
			if acct.ID != 0 && x.AccountID == acct.ID {
				fe.Add("phone", "err.already_member")
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		m = CouncilMember{CouncilID: id, AccountID: acct.ID, Role: role, CreatedAt: s.Now(), Account: acct}
		if err := s.conn(ctx).Create(&m).Error; err != nil {
			if isDuplicate(err) {
				return FieldErrors{"phone": "err.already_member"}
			}
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "council.member_add", ObjectType: "council", ObjectID: id, PlaceID: &v.PlaceID,
			Detail: fmt.Sprintf("account %d as %s", acct.ID, role)})
	})
	return m, err
}

// RemoveCouncilMember takes a seat away.
func (s *Store) RemoveCouncilMember(ctx context.Context, p *Principal, id, memberID uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.councilFor(ctx, p, id, managing)
		if err != nil {
			return err
		}
		if err := s.notSitting(ctx, id); err != nil {
			return err
		}
		res := s.conn(ctx).Where("id = ? AND council_id = ?", memberID, id).Delete(&CouncilMember{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "council.member_remove", ObjectType: "council", ObjectID: id, PlaceID: &v.PlaceID,
			Detail: fmt.Sprintf("member %d", memberID)})
	})
}

// TopicFilter selects a council's topics.
type TopicFilter struct {
	Status  TopicStatus // "" for all
	Page    int
	PerPage int
}

// CouncilTopics lists a council's topics, newest first.
func (s *Store) CouncilTopics(ctx context.Context, councilID uint64, f TopicFilter) ([]Topic, int64, error) {
	q := s.conn(ctx).Model(&Topic{}).Where("council_id = ?", councilID)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	return pageOf[Topic](q, q.Session(&gorm.Session{}).Preload("Proposer").Order("created_at DESC, id DESC"), f.Page, f.PerPage)
}

// SubmitTopic puts a topic to a council in the proposer's name. A verified
// resident of the council's place or a member may propose. With a need, the
// need must be one p may see, inside the council's place; the link is kept.
func (s *Store) SubmitTopic(ctx context.Context, p *Principal, councilID uint64, in TopicInput) (Topic, error) {
	var t Topic
	err := s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.councilView(ctx, p, councilID)
		if err != nil {
			return err
		}
		if !v.MayPropose() {
			return ErrNotPlaceMember
		}
		fe := in.Validate()
		var need *uint64
		if in.NeedID != 0 {
			d, err := s.NeedByID(ctx, p, in.NeedID)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if err != nil || !v.MayRaiseNeed(d, p.Account.ID) {
				fe.Add("need_id", "err.invalid_choice")
			}
			need = &in.NeedID
		}
		if err := fe.Err(); err != nil {
			return err
		}
		now := s.Now()
		t = Topic{CouncilID: councilID, ProposerID: p.Account.ID, Title: in.Title, Body: in.Body, NeedID: need, Status: TopicSubmitted,
			CreatedAt: now, UpdatedAt: now, Proposer: p.Account}
		if err := s.conn(ctx).Create(&t).Error; err != nil {
			return err
		}
		detail := t.Title
		if need != nil {
			detail = fmt.Sprintf("%s (need %d)", t.Title, *need)
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "topic.submit", ObjectType: "topic", ObjectID: t.ID, PlaceID: &v.PlaceID, Detail: truncate(detail, 300)})
	})
	return t, err
}

// TopicView is a topic as one viewer sees it.
type TopicView struct {
	Topic
	Council      CouncilView
	Cosigned     bool      // the viewer co-signed it
	Locked       bool      // on the agenda of a meeting announced, in session or held: no longer merged or declined
	MergeTargets []Topic   // open topics of the council it may be merged into (for those who run it)
	Meetings     []Meeting // meetings whose agenda holds it; drafts only for those who may see them
}

// MayCosign reports whether the viewer may co-sign.
func (v TopicView) MayCosign(viewer uint64) bool {
	return v.Council.MayPropose() && v.ProposerID != viewer && !v.Cosigned && v.Status.TakesCosigns()
}

// inCouncil loads row id of a council's table into dst through db, then
// the council it belongs to (councilOf reads it from dst) as p sees it.
func (s *Store) inCouncil(ctx context.Context, p *Principal, db *gorm.DB, id uint64, dst any, councilOf func() uint64) (CouncilView, error) {
	res := db.Where("id = ?", id).Limit(1).Find(dst)
	if res.Error != nil {
		return CouncilView{}, res.Error
	}
	if res.RowsAffected == 0 {
		return CouncilView{}, ErrNotFound
	}
	return s.councilView(ctx, p, councilOf())
}

// TopicByID returns a topic for a viewer who may see its council.
func (s *Store) TopicByID(ctx context.Context, p *Principal, id uint64) (TopicView, error) {
	var v TopicView
	var err error
	if v.Council, err = s.inCouncil(ctx, p, s.conn(ctx).Preload("Proposer"), id, &v.Topic, func() uint64 { return v.CouncilID }); err != nil {
		return v, err
	}
	var n int64
	if err := s.conn(ctx).Model(&TopicCosign{}).Where("topic_id = ? AND account_id = ?", id, p.Account.ID).Count(&n).Error; err != nil {
		return v, err
	}
	v.Cosigned = n > 0
	q := s.conn(ctx).Model(&Meeting{}).Joins("JOIN agenda_items ON agenda_items.meeting_id = meetings.id").Where("agenda_items.topic_id = ?", id)
	if !v.Council.Run && v.Council.MyRole == "" {
		// As CouncilMeetings: drafts only for those who run the council and
		// its members. A draft locks nothing, so Locked stays right.
		q = q.Where("meetings.status <> ?", MeetingDraft)
	}
	if err := q.Order("meetings.starts_at").Find(&v.Meetings).Error; err != nil {
		return v, err
	}
	for _, m := range v.Meetings {
		v.Locked = v.Locked || m.Status.LocksTopics()
	}
	if v.Council.Run && !v.Status.Final() {
		err := s.conn(ctx).Where("council_id = ? AND id <> ? AND status IN ?", v.CouncilID, id, []TopicStatus{TopicSubmitted, TopicAccepted}).
			Order("id DESC").Limit(100).Find(&v.MergeTargets).Error
		if err != nil {
			return v, err
		}
	}
	return v, nil
}

// TopicsForNeed lists the topics a need became, oldest first, so the need's
// page links forward to them.
func (s *Store) TopicsForNeed(ctx context.Context, needID uint64) ([]Topic, error) {
	var out []Topic
	return out, s.conn(ctx).Where("need_id = ?", needID).Order("id").Find(&out).Error
}

// lockRow locks row id of model's table for the rest of the transaction on
// PostgreSQL, so two changes to one topic or meeting (and the counts kept
// on it) run one after the other; SQLite's writer lock already does.
func (s *Store) lockRow(ctx context.Context, model any, id uint64) error {
	if s.conn(ctx).Dialector.Name() != "postgres" {
		return nil
	}
	return s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Limit(1).Find(model).Error
}

// CosignTopic adds p's co-signature (联署) to a topic, once.
func (s *Store) CosignTopic(ctx context.Context, p *Principal, id uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockRow(ctx, &Topic{}, id); err != nil {
			return err
		}
		v, err := s.TopicByID(ctx, p, id)
		if err != nil {
			return err
		}
		switch {
		case !v.Council.MayPropose():
			return ErrNotPlaceMember
		case v.Cosigned:
			return ErrAlreadyCosign
		case !v.MayCosign(p.Account.ID):
			return ErrTopicStep
		}
		if err := s.conn(ctx).Create(&TopicCosign{TopicID: id, AccountID: p.Account.ID, CreatedAt: s.Now()}).Error; err != nil {
			if isDuplicate(err) {
				return ErrAlreadyCosign
			}
			return err
		}
		if err := s.recountCosigns(ctx, id); err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "topic.cosign", ObjectType: "topic", ObjectID: id, PlaceID: &v.Council.PlaceID})
	})
}

func (s *Store) recountCosigns(ctx context.Context, id uint64) error {
	var c int64
	if err := s.conn(ctx).Model(&TopicCosign{}).Where("topic_id = ?", id).Count(&c).Error; err != nil {
		return err
	}
	return s.conn(ctx).Model(&Topic{}).Where("id = ?", id).Update("cosigners", c).Error
}

// decideTopic runs one of the convener's steps on a topic: checks p runs
// the council and the step is allowed, applies it, tells the proposer and
// co-signers, and writes the audit trail, in one transaction.
func (s *Store) decideTopic(ctx context.Context, p *Principal, id uint64, a TopicAction, note string, apply func(ctx context.Context, v *TopicView) error) (Topic, error) {
	var out Topic
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockRow(ctx, &Topic{}, id); err != nil {
			return err
		}
		v, err := s.TopicByID(ctx, p, id)
		if err != nil {
			return err
		}
		if !v.Council.Run {
			return ErrForbidden
		}
		to, ok := v.Next(a)
		if !ok {
			return ErrTopicStep
		}
		if apply != nil {
			if err := apply(ctx, &v); err != nil {
				return err
			}
		}
		now := s.Now()
		from := v.Status
		v.Status, v.DecidedAt, v.UpdatedAt = to, &now, now
		if err := s.moveRow(ctx, &Topic{}, id, from, map[string]any{
			"status": to, "reason": v.Reason, "merged_into_id": v.MergedIntoID, "decided_at": now, "updated_at": now,
		}); err != nil {
			return err
		}
		detail := truncate(fmt.Sprintf("%s → %s %s", from, to, note), 300)
		if to.Final() {
			// A merged or declined topic leaves the draft agendas it was on,
			// with the research on it there; a cancelled meeting's agenda,
			// as announced, stays on record.
			removed, err := s.dropDraftItems(ctx, p, v.Topic, v.Council.PlaceID, to)
			if err != nil {
				return err
			}
			if removed != "" {
				detail += "; taken off draft agendas: " + removed
			}
		}
		var ids []uint64
		if err := s.conn(ctx).Model(&TopicCosign{}).Where("topic_id = ?", id).Order("account_id").Pluck("account_id", &ids).Error; err != nil {
			return err
		}
		tid := strconv.FormatUint(id, 10)
		err = s.Notify(ctx, actorOf(p), append([]uint64{v.ProposerID}, ids...), Note{Kind: NotifyTopicDecided, SubjectType: "topic", SubjectID: id,
			Key: fmt.Sprintf("notify.topic_%s", to), Args: []string{truncate(v.Title, 40)}, Link: "/topics/" + tid})
		if err != nil {
			return err
		}
		out = v.Topic
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "topic." + string(a), ObjectType: "topic", ObjectID: id, PlaceID: &v.Council.PlaceID, Detail: detail})
	})
	return out, err
}

// dropDraftItems takes topic t of a council at placeID, now status to
// (merged or declined), off the agendas of draft meetings with the research on it there. Each meeting's
// audit trail names the item and the research that went with it, and so
// does the summary returned for the topic's own entry ("" when the topic
// was on no draft agenda).
func (s *Store) dropDraftItems(ctx context.Context, p *Principal, t Topic, placeID uint64, to TopicStatus) (string, error) {
	drafts := s.conn(ctx).Model(&Meeting{}).Select("id").Where("status = ?", MeetingDraft)
	var items []AgendaItem
	if err := s.conn(ctx).Where("topic_id = ? AND meeting_id IN (?)", t.ID, drafts).Order("id").Find(&items).Error; err != nil {
		return "", err
	}
	if len(items) == 0 {
		return "", nil
	}
	ids := make([]uint64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	var rs []Research
	if err := s.conn(ctx).Omit("file_data").Where("agenda_item_id IN ?", ids).Order("id").Find(&rs).Error; err != nil {
		return "", err
	}
	research := map[uint64][]Research{}
	for _, r := range rs {
		research[r.AgendaItemID] = append(research[r.AgendaItemID], r)
	}
	if err := s.conn(ctx).Where("agenda_item_id IN ?", ids).Delete(&Research{}).Error; err != nil {
		return "", err
	}
	if err := s.conn(ctx).Where("id IN ?", ids).Delete(&AgendaItem{}).Error; err != nil {
		return "", err
	}
	var parts []string
	for _, it := range items {
		it.Topic = t
		gone := removedItem(it, research[it.ID])
		parts = append(parts, fmt.Sprintf("meeting %d %s", it.MeetingID, gone))
		err := s.Record(ctx, Audit{ActorID: actorOf(p), Action: "meeting.agenda_remove", ObjectType: "meeting", ObjectID: it.MeetingID, PlaceID: &placeID,
			Detail: fmt.Sprintf("%s, as its topic was %s", gone, to)})
		if err != nil {
			return "", err
		}
	}
	return strings.Join(parts, "; "), nil
}

// removedItem names an agenda item taken off an agenda, and the research
// deleted with it, for the audit trail: the topic's title, and each piece
// of research by id, the start of its note and its file's name.
func removedItem(it AgendaItem, rs []Research) string {
	out := fmt.Sprintf("item %d “%s” (topic %d)", it.ID, truncate(it.Topic.Title, 60), it.TopicID)
	if len(rs) == 0 {
		return out
	}
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = fmt.Sprintf("#%d “%s”", r.ID, truncate(r.Note, 30))
		if r.FileName != "" {
			names[i] += fmt.Sprintf(" with file “%s”", r.FileName)
		}
	}
	return fmt.Sprintf("%s and its %d research: %s", out, len(rs), strings.Join(names, ", "))
}

// AcceptTopic accepts a submitted topic for an agenda (采纳).
func (s *Store) AcceptTopic(ctx context.Context, p *Principal, id uint64) (Topic, error) {
	return s.decideTopic(ctx, p, id, TopicActAccept, "", nil)
}

// DeclineTopic declines a topic with a reason its proposer and co-signers
// read.
func (s *Store) DeclineTopic(ctx context.Context, p *Principal, id uint64, reason string) (Topic, error) {
	reason, err := requireText("reason", reason, 500)
	if err != nil {
		return Topic{}, err
	}
	return s.decideTopic(ctx, p, id, TopicActDecline, reason, func(_ context.Context, v *TopicView) error {
		v.Reason = reason
		return nil
	})
}

// MergeTopic merges a topic into another open topic of the same council;
// its proposer and co-signers become co-signers of the target.
func (s *Store) MergeTopic(ctx context.Context, p *Principal, id, targetID uint64) (Topic, error) {
	if targetID == 0 || targetID == id {
		return Topic{}, FieldErrors{"target_id": "err.merge_target_invalid"}
	}
	var out Topic
	err := s.InTx(ctx, func(ctx context.Context) error {
		// Both topics' counts change: lock them in id order, so two merges
		// the other way round wait rather than deadlock.
		for _, t := range []uint64{min(id, targetID), max(id, targetID)} {
			if err := s.lockRow(ctx, &Topic{}, t); err != nil {
				return err
			}
		}
		var err error
		out, err = s.mergeTopic(ctx, p, id, targetID)
		return err
	})
	return out, err
}

func (s *Store) mergeTopic(ctx context.Context, p *Principal, id, targetID uint64) (Topic, error) {
	return s.decideTopic(ctx, p, id, TopicActMerge, fmt.Sprintf("#%d", targetID), func(ctx context.Context, v *TopicView) error {
		var target Topic
		if err := s.conn(ctx).Where("id = ?", targetID).Limit(1).Find(&target).Error; err != nil {
			return err
		}
		if target.ID == 0 || target.CouncilID != v.CouncilID || target.Status.Final() {
			return FieldErrors{"target_id": "err.merge_target_invalid"}
		}
		var ids []uint64
		if err := s.conn(ctx).Model(&TopicCosign{}).Where("topic_id = ?", v.ID).Pluck("account_id", &ids).Error; err != nil {
			return err
		}
		now := s.Now()
		var cosigns []TopicCosign
		for _, acc := range append(ids, v.ProposerID) {
			if acc != target.ProposerID {
				cosigns = append(cosigns, TopicCosign{TopicID: target.ID, AccountID: acc, CreatedAt: now})
			}
		}
		if len(cosigns) > 0 {
			if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&cosigns).Error; err != nil {
				return err
			}
		}
		v.MergedIntoID = &target.ID
		return s.recountCosigns(ctx, target.ID)
	})
}

// CouncilMeetings lists a council's meetings, the latest first; drafts only
// for those who run it and its members.
func (s *Store) CouncilMeetings(ctx context.Context, v CouncilView, page, perPage int) ([]Meeting, int64, error) {
	q := s.conn(ctx).Model(&Meeting{}).Where("council_id = ?", v.ID)
	if !v.Run && v.MyRole == "" {
		q = q.Where("status <> ?", MeetingDraft)
	}
	return pageOf[Meeting](q, q.Session(&gorm.Session{}).Order("starts_at DESC, id DESC"), page, perPage)
}

// CreateMeeting drafts a meeting of a council.
func (s *Store) CreateMeeting(ctx context.Context, p *Principal, councilID uint64, in MeetingInput) (Meeting, error) {
	var m Meeting
	err := s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.councilFor(ctx, p, councilID, running)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := in.Validate(now).Err(); err != nil {
			return err
		}
		m = Meeting{CouncilID: councilID, Title: in.Title, StartsAt: in.StartsAt.UTC(), Location: in.Location, OnlineURL: in.OnlineURL,
			Status: MeetingDraft, CreatedByID: p.Account.ID, CreatedAt: now, UpdatedAt: now}
		if err := s.conn(ctx).Create(&m).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "meeting.create", ObjectType: "meeting", ObjectID: m.ID, PlaceID: &v.PlaceID,
			Detail: fmt.Sprintf("%s at %s", m.Title, m.StartsAt.Format(time.RFC3339))})
	})
	return m, err
}

// MeetingView is a meeting as one viewer sees it.
type MeetingView struct {
	Meeting
	Council    CouncilView
	Items      []AgendaItem          // in order, with their topics
	Research   map[uint64][]Research // by agenda item, without file contents
	Candidates []Topic               // accepted topics on no agenda of a meeting being prepared, announced or in session
	Notice     *Notice
	Sitting    // attendance, quorum and motions, once the meeting opens
}

// Minutes is the agenda's total time box.
func (v MeetingView) Minutes() int {
	n := 0
	for _, it := range v.Items {
		n += it.Minutes
	}
	return n
}

// MeetingByID returns a meeting for a viewer who may see its council; a
// draft only for those who run the council and its members, who research
// its items before it is announced.
func (s *Store) MeetingByID(ctx context.Context, p *Principal, id uint64) (MeetingView, error) {
	var v MeetingView
	var err error
	if v.Council, err = s.inCouncil(ctx, p, s.conn(ctx), id, &v.Meeting, func() uint64 { return v.CouncilID }); err != nil {
		return v, err
	}
	if v.Status == MeetingDraft && !v.Council.Run && v.Council.MyRole == "" {
		return MeetingView{}, ErrNotFound
	}
	if err := s.conn(ctx).Preload("Topic").Preload("Topic.Proposer").Where("meeting_id = ?", id).Order("position, id").Find(&v.Items).Error; err != nil {
		return v, err
	}
	v.Research = map[uint64][]Research{}
	if len(v.Items) > 0 {
		ids := make([]uint64, len(v.Items))
		for i, it := range v.Items {
			ids[i] = it.ID
		}
		var rs []Research
		if err := s.conn(ctx).Omit("file_data").Preload("Author").Where("agenda_item_id IN ?", ids).Order("id").Find(&rs).Error; err != nil {
			return v, err
		}
		for _, r := range rs {
			v.Research[r.AgendaItemID] = append(v.Research[r.AgendaItemID], r)
		}
	}
	if v.Council.Run && v.Status.Editable() {
		if err := s.agendaCandidates(ctx, v.CouncilID).Order("id").Limit(200).Find(&v.Candidates).Error; err != nil {
			return v, err
		}
	}
	if v.Status != MeetingDraft {
		// A draft has had no sitting: no attendance, motions or resolutions.
		if err := s.loadSession(ctx, p, &v); err != nil {
			return v, err
		}
	}
	if v.NoticeID != nil {
		n, err := s.NoticeByID(ctx, *v.NoticeID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return v, err
		}
		if err == nil {
			v.Notice = &n
		}
	}
	return v, nil
}

// agendaCandidates is the query of a council's topics that may go on an
// agenda: accepted and on no agenda of a meeting being prepared, announced
// or in session.
func (s *Store) agendaCandidates(ctx context.Context, councilID uint64) *gorm.DB {
	busy := s.conn(ctx).Model(&AgendaItem{}).Select("agenda_items.topic_id").Joins("JOIN meetings ON meetings.id = agenda_items.meeting_id").
		Where("meetings.status IN ?", MeetingsHoldingTopics)
	return s.conn(ctx).Model(&Topic{}).Where("council_id = ? AND status = ? AND id NOT IN (?)", councilID, TopicAccepted, busy)
}

// lockAgendaTopics locks, on PostgreSQL, the topic rows of meeting id's
// agenda, in the order of their ids, for the rest of the transaction. A
// step that publishes or fixes the agenda takes them after the meeting's
// row: a topic declined or merged meanwhile (which takes the topic's row
// and then takes it off draft agendas) is then either off the agenda
// before the step reads it, or waits until the step is done.
func (s *Store) lockAgendaTopics(ctx context.Context, id uint64) error {
	if s.conn(ctx).Dialector.Name() != "postgres" {
		return nil
	}
	items := s.conn(ctx).Model(&AgendaItem{}).Select("topic_id").Where("meeting_id = ?", id)
	var ids []uint64
	return s.conn(ctx).Model(&Topic{}).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id IN (?)", items).Order("id").Pluck("id", &ids).Error
}

// editMeeting loads a meeting for a change to its draft by one who runs its
// council, locking the row on PostgreSQL.
func (s *Store) editMeeting(ctx context.Context, p *Principal, id uint64, need func(MeetingStatus) bool) (MeetingView, error) {
	if err := s.lockRow(ctx, &Meeting{}, id); err != nil {
		return MeetingView{}, err
	}
	v, err := s.MeetingByID(ctx, p, id)
	if err != nil {
		return v, err
	}
	if !v.Council.Run {
		return v, ErrForbidden
	}
	if !need(v.Status) {
		return v, ErrMeetingStep
	}
	return v, nil
}

// changeMeeting locks a meeting for one who runs its council and checks
// that action a may be taken from its status.
func (s *Store) changeMeeting(ctx context.Context, p *Principal, id uint64, a MeetingAction) (MeetingView, error) {
	return s.editMeeting(ctx, p, id, func(st MeetingStatus) bool {
		_, ok := MeetingTransition(st, a)
		return ok
	})
}

// notifyMembers tells the council's members of a step of meeting v, with
// a link to it.
func (s *Store) notifyMembers(ctx context.Context, p *Principal, v MeetingView, kind NotificationKind, key string, args ...string) error {
	return s.Notify(ctx, actorOf(p), v.Council.MemberIDs(), Note{Kind: kind, SubjectType: "meeting", SubjectID: v.ID,
		Key: key, Args: args, Link: "/meetings/" + strconv.FormatUint(v.ID, 10)})
}

func (s *Store) auditMeeting(ctx context.Context, p *Principal, v MeetingView, action, detail string) error {
	return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "meeting." + action, ObjectType: "meeting", ObjectID: v.ID, PlaceID: &v.Council.PlaceID, Detail: truncate(detail, 300)})
}

// UpdateMeeting changes a draft meeting's title, time, place and link.
func (s *Store) UpdateMeeting(ctx context.Context, p *Principal, id uint64, in MeetingInput) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.editMeeting(ctx, p, id, MeetingStatus.Editable)
		if err != nil {
			return err
		}
		if err := in.Validate(s.Now()).Err(); err != nil {
			return err
		}
		err = s.conn(ctx).Model(&Meeting{}).Where("id = ?", id).Updates(map[string]any{
			"title": in.Title, "starts_at": in.StartsAt.UTC(), "location": in.Location, "online_url": in.OnlineURL, "updated_at": s.Now(),
		}).Error
		if err != nil {
			return err
		}
		return s.auditMeeting(ctx, p, v, "update", fmt.Sprintf("%s at %s", in.Title, in.StartsAt.UTC().Format(time.RFC3339)))
	})
}

// AddAgendaItem puts an accepted topic of the council at the end of a
// draft meeting's agenda with a time box in minutes.
func (s *Store) AddAgendaItem(ctx context.Context, p *Principal, meetingID, topicID uint64, minutes int) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.editMeeting(ctx, p, meetingID, MeetingStatus.Editable)
		if err != nil {
			return err
		}
		// The topic's row is locked before it is checked, after the
		// meeting's (the order every path takes): two conveners putting
		// it on two agendas at once, or one declining it meanwhile, wait
		// for one another, and the second finds it taken.
		if err := s.lockRow(ctx, &Topic{}, topicID); err != nil {
			return err
		}
		fe := FieldErrors{}
		var free int64
		if err := s.agendaCandidates(ctx, v.CouncilID).Where("id = ?", topicID).Count(&free).Error; err != nil {
			return err
		}
		if free == 0 {
			fe.Add("topic_id", "err.invalid_choice")
		}
		if !ValidTimeBox(minutes) {
			fe.Add("minutes", "err.time_box_invalid")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		pos := 1
		if n := len(v.Items); n > 0 {
			pos = v.Items[n-1].Position + 1
		}
		it := AgendaItem{MeetingID: meetingID, TopicID: topicID, Position: pos, Minutes: minutes, CreatedAt: s.Now()}
		if err := s.conn(ctx).Create(&it).Error; err != nil {
			if isDuplicate(err) {
				return FieldErrors{"topic_id": "err.invalid_choice"}
			}
			return err
		}
		return s.auditMeeting(ctx, p, v, "agenda_add", fmt.Sprintf("topic %d, %d min", topicID, minutes))
	})
}

// itemOf finds an agenda item of the meeting.
func itemOf(v MeetingView, itemID uint64) (int, error) {
	for i, it := range v.Items {
		if it.ID == itemID {
			return i, nil
		}
	}
	return -1, ErrNotFound
}

// SetTimeBox changes an agenda item's time box.
func (s *Store) SetTimeBox(ctx context.Context, p *Principal, meetingID, itemID uint64, minutes int) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.editMeeting(ctx, p, meetingID, MeetingStatus.Editable)
		if err != nil {
			return err
		}
		if _, err := itemOf(v, itemID); err != nil {
			return err
		}
		if !ValidTimeBox(minutes) {
			return FieldErrors{"minutes": "err.time_box_invalid"}
		}
		if err := s.conn(ctx).Model(&AgendaItem{}).Where("id = ?", itemID).Update("minutes", minutes).Error; err != nil {
			return err
		}
		return s.auditMeeting(ctx, p, v, "agenda_time", fmt.Sprintf("item %d, %d min", itemID, minutes))
	})
}

// MoveAgendaItem moves an item one place up (delta -1) or down (+1); at
// either end it stays where it is.
func (s *Store) MoveAgendaItem(ctx context.Context, p *Principal, meetingID, itemID uint64, delta int) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.editMeeting(ctx, p, meetingID, MeetingStatus.Editable)
		if err != nil {
			return err
		}
		i, err := itemOf(v, itemID)
		if err != nil {
			return err
		}
		j := i + delta
		if j < 0 || j >= len(v.Items) {
			return nil
		}
		v.Items[i], v.Items[j] = v.Items[j], v.Items[i]
		for k, it := range v.Items {
			if it.Position != k+1 {
				if err := s.conn(ctx).Model(&AgendaItem{}).Where("id = ?", it.ID).Update("position", k+1).Error; err != nil {
					return err
				}
			}
		}
		return s.auditMeeting(ctx, p, v, "agenda_move", fmt.Sprintf("item %d to %d", itemID, j+1))
	})
}

// RemoveAgendaItem takes an item off a draft agenda; the topic stays
// accepted for another meeting. The research on the item (notes and
// files) is deleted with it, which cannot be undone: an item with research
// goes only with withResearch, the remover's explicit confirmation, and
// the audit trail names what went.
func (s *Store) RemoveAgendaItem(ctx context.Context, p *Principal, meetingID, itemID uint64, withResearch bool) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.editMeeting(ctx, p, meetingID, MeetingStatus.Editable)
		if err != nil {
			return err
		}
		i, err := itemOf(v, itemID)
		if err != nil {
			return err
		}
		rs := v.Research[itemID]
		if len(rs) > 0 && !withResearch {
			return FieldErrors{"confirm": "err.agenda_item_has_research"}
		}
		if err := s.conn(ctx).Where("agenda_item_id = ?", itemID).Delete(&Research{}).Error; err != nil {
			return err
		}
		if err := s.conn(ctx).Where("id = ?", itemID).Delete(&AgendaItem{}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "meeting.agenda_remove", ObjectType: "meeting", ObjectID: v.ID, PlaceID: &v.Council.PlaceID,
			Detail: removedItem(v.Items[i], rs)})
	})
}

// AddResearch attaches pre-meeting research (商前调研) to an agenda item,
// until the meeting opens. Those who run the council and its voting
// members may add research.
func (s *Store) AddResearch(ctx context.Context, p *Principal, meetingID, itemID uint64, in ResearchInput) (Research, error) {
	var r Research
	err := s.InTx(ctx, func(ctx context.Context) error {
		v, err := s.MeetingByID(ctx, p, meetingID)
		if err != nil {
			return err
		}
		if !v.Council.Run && !v.Council.MyRole.Votes() {
			return ErrForbidden
		}
		if !v.Status.TakesResearch() {
			return ErrMeetingStep
		}
		if _, err := itemOf(v, itemID); err != nil {
			return err
		}
		if err := in.Validate().Err(); err != nil {
			return err
		}
		r = Research{AgendaItemID: itemID, AuthorID: p.Account.ID, Note: in.Note, CostFen: in.CostFen, Canvassed: in.Canvassed,
			FileName: in.FileName, FileType: in.FileType, FileData: in.FileData, FileSize: len(in.FileData), CreatedAt: s.Now()}
		if len(in.FileData) == 0 {
			r.FileName, r.FileType = "", ""
		}
		if err := s.conn(ctx).Create(&r).Error; err != nil {
			return err
		}
		return s.auditMeeting(ctx, p, v, "research", fmt.Sprintf("item %d: %d fen, %d canvassed, file %q", itemID, r.CostFen, r.Canvassed, r.FileName))
	})
	return r, err
}

// ResearchFile returns a research entry with its file, for a viewer who
// may see the meeting.
func (s *Store) ResearchFile(ctx context.Context, p *Principal, meetingID, researchID uint64) (Research, error) {
	v, err := s.MeetingByID(ctx, p, meetingID)
	if err != nil {
		return Research{}, err
	}
	for _, rs := range v.Research {
		for _, r := range rs {
			if r.ID == researchID && r.FileSize > 0 {
				var full Research
				return full, s.conn(ctx).Where("id = ?", researchID).First(&full).Error
			}
		}
	}
	return Research{}, ErrNotFound
}

// AgendaText is the body of the notice that announces a meeting: when,
// where, the online link, and the agenda with its time boxes. It is the
// council's language, Chinese, like every notice on the bulletin.
func AgendaText(v MeetingView, tz *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s定于%s召开会议。\n\n", v.Council.Name, v.StartsAt.In(tz).Format("2006年1月2日 15:04"))
	fmt.Fprintf(&b, "会议地点：%s\n", v.Location)
	if v.OnlineURL != "" {
		fmt.Fprintf(&b, "线上参会：%s\n", v.OnlineURL)
	}
	b.WriteString("\n会议议程：\n")
	for i, it := range v.Items {
		fmt.Fprintf(&b, "%d. %s（约%d分钟）\n", i+1, it.Topic.Title, it.Minutes)
	}
	b.WriteString("\n欢迎议题提出人列席，居民可旁听。")
	return b.String()
}

// meetingNotice publishes a notice about meeting v on the council's
// place: its title is the council's name, kind and the meeting's title.
func (s *Store) meetingNotice(ctx context.Context, p *Principal, v MeetingView, kind, body string) (Notice, error) {
	in := NoticeInput{PlaceID: v.Council.PlaceID, Title: truncate(v.Council.Name+kind+v.Title, 120), Body: body}
	return s.publishNow(ctx, p, in, councilNoticeSource, v.ID)
}

// AnnounceMeeting announces a draft meeting: at least the council's notice
// days ahead and with an agenda, it publishes the agenda as a notice at the
// council's place and tells every member, in one transaction.
func (s *Store) AnnounceMeeting(ctx context.Context, p *Principal, id uint64, tz *time.Location) (Meeting, error) {
	var out Meeting
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockRow(ctx, &Meeting{}, id); err != nil {
			return err
		}
		if err := s.lockAgendaTopics(ctx, id); err != nil {
			return err
		}
		v, err := s.editMeeting(ctx, p, id, func(MeetingStatus) bool { return true })
		if err != nil {
			return err
		}
		now := s.Now()
		if err := CheckAnnounce(v.Meeting, len(v.Items), v.Council.NoticeDays, now); err != nil {
			return err
		}
		n, err := s.meetingNotice(ctx, p, v, "会议公告：", AgendaText(v, tz))
		if err != nil {
			return err
		}
		if err := s.moveRow(ctx, &Meeting{}, id, MeetingDraft, map[string]any{"status": MeetingAnnounced, "notice_id": n.ID, "announced_at": now, "updated_at": now}); err != nil {
			return err
		}
		if err := s.notifyMembers(ctx, p, v, NotifyMeetingAnnounced, "notify.meeting_announced", v.Council.Name, v.StartsAt.In(tz).Format("2006-01-02 15:04")); err != nil {
			return err
		}
		out = v.Meeting
		out.Status, out.NoticeID, out.AnnouncedAt = MeetingAnnounced, &n.ID, &now
		return s.auditMeeting(ctx, p, v, "announce", fmt.Sprintf("notice %d, %d item(s), %d member(s) told", n.ID, len(v.Items), len(v.Council.Members)))
	})
	return out, err
}
