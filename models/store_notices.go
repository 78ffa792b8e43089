package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// NoticeQuery selects published notices for the bulletin.
type NoticeQuery struct {
	// Within keeps notices scoped to this place or anywhere below it (0 = all).
	Within uint64
	// Affecting keeps notices scoped to this place or any place above it,
	// that is, the notices a resident of that place is concerned by (0 = all).
	Affecting uint64
	// OpenForObjections keeps only notices that accept objections at now.
	OpenForObjections bool
	Page, PerPage     int
}

// PublishedNotices lists published and withdrawn notices, newest first, with
// their places, and the total for paging.
func (s *Store) PublishedNotices(ctx context.Context, q NoticeQuery) ([]Notice, int64, error) {
	if q.PerPage <= 0 {
		q.PerPage = 20
	}
	if q.Page < 1 {
		q.Page = 1
	}
	db := s.conn(ctx).Model(&Notice{}).Where("notices.status IN ?", []NoticeStatus{NoticePublished, NoticeWithdrawn})
	if q.Within != 0 {
		scope, err := s.PlaceByID(ctx, q.Within)
		if err != nil {
			return nil, 0, err
		}
		db = db.Joins("JOIN places wp ON wp.id = notices.place_id").Where("wp.path LIKE ?", scope.Path+"%")
	}
	if q.Affecting != 0 {
		pl, err := s.PlaceByID(ctx, q.Affecting)
		if err != nil {
			return nil, 0, err
		}
		db = db.Where("notices.place_id IN ?", pl.AncestorIDs())
	}
	if q.OpenForObjections {
		now := s.Now()
		db = db.Where("notices.status = ? AND notices.allow_objections = ? AND (notices.period_ends_at IS NULL OR notices.period_ends_at > ?)", NoticePublished, true, now)
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Notice
	err := db.Preload("Place").Order("notices.published_at DESC, notices.id DESC").
		Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage).Find(&out).Error
	return out, total, err
}

// noticeWithPlace loads a notice of any status with its place.
func (s *Store) noticeWithPlace(ctx context.Context, id uint64) (Notice, error) {
	var n Notice
	err := s.conn(ctx).Preload("Place").First(&n, id).Error
	return n, notFound(err)
}

// NoticeByID loads a notice as the public sees it: published or withdrawn.
// A draft is not found.
func (s *Store) NoticeByID(ctx context.Context, id uint64) (Notice, error) {
	n, err := s.noticeWithPlace(ctx, id)
	if err != nil {
		return Notice{}, err
	}
	if n.Status == NoticeDraft {
		return Notice{}, ErrNotFound
	}
	return n, nil
}

// StaffNoticeByID loads a notice of any status for staff who may publish
// notices at its place.
func (s *Store) StaffNoticeByID(ctx context.Context, p *Principal, id uint64) (Notice, error) {
	n, err := s.noticeWithPlace(ctx, id)
	if err != nil {
		return Notice{}, err
	}
	if !p.Can(PermPublishNotices, n.Place) {
		return Notice{}, ErrForbidden
	}
	return n, nil
}

// noticeKinds are the levels a notice may be scoped to: one household's
// affairs are not for the public bulletin.
var noticeKinds = []PlaceKind{KindStreet, KindTownship, KindCommunity, KindVillage, KindCompound, KindGroup, KindBuilding}

// publishablePlace loads the place a notice is to be scoped to and checks
// that p may publish there.
func (s *Store) publishablePlace(ctx context.Context, p *Principal, placeID uint64) (Place, error) {
	pl, err := s.PlaceByID(ctx, placeID)
	if errors.Is(err, ErrNotFound) || err == nil && pl.Kind == KindHousehold {
		return Place{}, FieldErrors{"place_id": "err.invalid_choice"}
	}
	if err != nil {
		return Place{}, err
	}
	if !p.Can(PermPublishNotices, pl) {
		return Place{}, ErrForbidden
	}
	return pl, nil
}

// NoticePlaces lists the places p may scope a notice to, by path.
func (s *Store) NoticePlaces(ctx context.Context, p *Principal) ([]Place, error) {
	return s.scopedPlaces(ctx, p, PermPublishNotices)
}

// scopedPlaces lists the places of the given kinds (by default, all above
// households) where p may do perm, by path.
func (s *Store) scopedPlaces(ctx context.Context, p *Principal, perm Permission, kinds ...PlaceKind) ([]Place, error) {
	if len(kinds) == 0 {
		kinds = noticeKinds
	}
	var out []Place
	for _, scope := range p.Scopes(perm) {
		ps, err := s.PlacesOfKind(ctx, scope, kinds...)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// BulletinPlacesMax bounds the list of places the public bulletin offers to
// filter by. A place beyond it still filters the bulletin (BulletinPlace).
const BulletinPlacesMax = 2000

// BulletinPlaces lists the places the public bulletin offers to filter by,
// by path, at most BulletinPlacesMax of them: streets and townships,
// communities and villages, compounds and groups.
func (s *Store) BulletinPlaces(ctx context.Context) ([]Place, error) {
	var out []Place
	err := s.conn(ctx).Where("kind IN ?", []PlaceKind{KindStreet, KindTownship, KindCommunity, KindVillage, KindCompound, KindGroup}).
		Order("path").Limit(BulletinPlacesMax).Find(&out).Error
	return out, err
}

// BulletinPlace loads the place the public bulletin is filtered by, whether
// or not BulletinPlaces lists it: any place a notice can be scoped to. A
// household, or no place at all, is ErrNotFound.
func (s *Store) BulletinPlace(ctx context.Context, id uint64) (Place, error) {
	if id == 0 {
		return Place{}, ErrNotFound
	}
	pl, err := s.PlaceByID(ctx, id)
	if err != nil {
		return Place{}, err
	}
	if !slices.Contains(noticeKinds, pl.Kind) {
		return Place{}, ErrNotFound
	}
	return pl, nil
}

// CreateNotice saves a draft notice; p needs PermPublishNotices at its place.
func (s *Store) CreateNotice(ctx context.Context, p *Principal, in NoticeInput) (Notice, error) {
	var out Notice
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.createNotice(ctx, p, in)
		return err
	})
	return out, err
}

func (s *Store) createNotice(ctx context.Context, p *Principal, in NoticeInput) (Notice, error) {
	if !p.CanAnywhere(PermPublishNotices) {
		return Notice{}, ErrForbidden
	}
	if err := in.Validate().Err(); err != nil {
		return Notice{}, err
	}
	pl, err := s.publishablePlace(ctx, p, in.PlaceID)
	if err != nil {
		return Notice{}, err
	}
	n := Notice{PlaceID: pl.ID, Title: in.Title, Body: in.Body, Status: NoticeDraft, AuthorID: p.Account.ID,
		PeriodDays: in.PeriodDays, AllowObjections: in.AllowObjections}
	if err := s.conn(ctx).Create(&n).Error; err != nil {
		return Notice{}, err
	}
	n.Place = pl
	return n, s.Record(ctx, Audit{ActorID: actorOf(p), Action: "notice.create", ObjectType: "notice", ObjectID: n.ID, PlaceID: &n.PlaceID, Detail: n.Title})
}

// UpdateNotice rewrites a draft; once published a notice is final.
func (s *Store) UpdateNotice(ctx context.Context, p *Principal, id uint64, in NoticeInput) (Notice, error) {
	var out Notice
	err := s.InTx(ctx, func(ctx context.Context) error {
		n, err := s.StaffNoticeByID(ctx, p, id)
		if err != nil {
			return err
		}
		if n.Status != NoticeDraft {
			return ErrConflict
		}
		if err := in.Validate().Err(); err != nil {
			return err
		}
		pl, err := s.publishablePlace(ctx, p, in.PlaceID)
		if err != nil {
			return err
		}
		if err := s.moveRow(ctx, &Notice{}, id, NoticeDraft, map[string]any{
			"place_id": pl.ID, "title": in.Title, "body": in.Body, "period_days": in.PeriodDays, "allow_objections": in.AllowObjections,
		}); err != nil {
			return err
		}
		n.PlaceID, n.Place, n.Title, n.Body, n.PeriodDays, n.AllowObjections = pl.ID, pl, in.Title, in.Body, in.PeriodDays, in.AllowObjections
		out = n
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "notice.update", ObjectType: "notice", ObjectID: n.ID, PlaceID: &n.PlaceID, Detail: n.Title})
	})
	return out, err
}

// PublishNotice puts a draft on the public bulletin now; its publicity
// period, if any, starts now. Publishing is final.
func (s *Store) PublishNotice(ctx context.Context, p *Principal, id uint64) (Notice, error) {
	var out Notice
	err := s.InTx(ctx, func(ctx context.Context) error {
		n, err := s.StaffNoticeByID(ctx, p, id)
		if err != nil {
			return err
		}
		if err := NoticeTransition(n.Status, NoticePublished); err != nil {
			return err
		}
		now := s.Now()
		end := PeriodEnd(now, n.PeriodDays)
		if err := s.moveRow(ctx, &Notice{}, id, NoticeDraft, map[string]any{
			"status": NoticePublished, "published_at": now, "period_ends_at": end, "updated_at": now,
		}); err != nil {
			return err
		}
		n.Status, n.PublishedAt, n.PeriodEndsAt = NoticePublished, &now, end
		out = n
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "notice.publish", ObjectType: "notice", ObjectID: n.ID, PlaceID: &n.PlaceID,
			Detail: fmt.Sprintf("%s; period %d days", n.Title, n.PeriodDays)})
	})
	return out, err
}

// WithdrawNotice takes a published notice off the running bulletin. It stays
// readable, marked withdrawn with the reason given, and takes no more
// objections.
func (s *Store) WithdrawNotice(ctx context.Context, p *Principal, id uint64, reason string) (Notice, error) {
	var out Notice
	err := s.InTx(ctx, func(ctx context.Context) error {
		n, err := s.StaffNoticeByID(ctx, p, id)
		if err != nil {
			return err
		}
		if err := NoticeTransition(n.Status, NoticeWithdrawn); err != nil {
			return err
		}
		if err := ValidateWithdrawReason(reason).Err(); err != nil {
			return err
		}
		reason = strings.TrimSpace(reason)
		now := s.Now()
		if err := s.moveRow(ctx, &Notice{}, id, NoticePublished, map[string]any{
			"status": NoticeWithdrawn, "withdrawn_at": now, "withdraw_reason": reason, "updated_at": now,
		}); err != nil {
			return err
		}
		n.Status, n.WithdrawnAt, n.WithdrawReason = NoticeWithdrawn, &now, reason
		out = n
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "notice.withdraw", ObjectType: "notice", ObjectID: n.ID, PlaceID: &n.PlaceID, Detail: reason})
	})
	return out, err
}

// PublishOutcome creates and publishes a notice in one go, for the
// capabilities that publish their outcomes (a ballot's result, a
// resolution, an adopted rule, a finished project). sourceType and sourceID
// name what it publishes; NoticesForSource finds it again. p needs
// PermPublishNotices at the notice's place.
func (s *Store) PublishOutcome(ctx context.Context, p *Principal, in NoticeInput, sourceType string, sourceID uint64) (Notice, error) {
	if err := ValidateSource(sourceType, sourceID); err != nil {
		return Notice{}, err
	}
	if !p.CanAnywhere(PermPublishNotices) {
		return Notice{}, ErrForbidden
	}
	if err := in.Validate().Err(); err != nil {
		return Notice{}, err
	}
	var out Notice
	err := s.InTx(ctx, func(ctx context.Context) error {
		pl, err := s.publishablePlace(ctx, p, in.PlaceID)
		if err != nil {
			return err
		}
		out, err = s.publishNow(ctx, p, in, sourceType, sourceID)
		out.Place = pl
		return err
	})
	return out, err
}

// publishNow puts a notice on the public bulletin at once, its publicity
// period (if any) starting now, and writes the audit trail. It checks no
// permission: its callers have (PublishOutcome), or publish in a capacity
// of their own (those who run a council announce its meetings and publish
// its minutes).
func (s *Store) publishNow(ctx context.Context, p *Principal, in NoticeInput, sourceType string, sourceID uint64) (Notice, error) {
	if err := in.Validate().Err(); err != nil {
		return Notice{}, err
	}
	now := s.Now()
	n := Notice{PlaceID: in.PlaceID, Title: in.Title, Body: in.Body, Status: NoticePublished, AuthorID: p.Account.ID, PublishedAt: &now,
		PeriodDays: in.PeriodDays, PeriodEndsAt: PeriodEnd(now, in.PeriodDays), AllowObjections: in.AllowObjections,
		SourceType: sourceType, SourceID: sourceID, CreatedAt: now, UpdatedAt: now}
	if err := s.conn(ctx).Create(&n).Error; err != nil {
		return Notice{}, err
	}
	detail := n.Title
	if sourceType != "" {
		detail = fmt.Sprintf("%s (%s %d)", n.Title, sourceType, sourceID)
	}
	return n, s.Record(ctx, Audit{ActorID: actorOf(p), Action: "notice.publish", ObjectType: "notice", ObjectID: n.ID, PlaceID: &n.PlaceID,
		Detail: fmt.Sprintf("%s; period %d days", detail, n.PeriodDays)})
}

// NoticesForSource lists the public notices (published or withdrawn) that
// publish the given source, oldest first.
func (s *Store) NoticesForSource(ctx context.Context, sourceType string, sourceID uint64) ([]Notice, error) {
	var out []Notice
	err := s.conn(ctx).Preload("Place").
		Where("source_type = ? AND source_id = ? AND status IN ?", sourceType, sourceID, []NoticeStatus{NoticePublished, NoticeWithdrawn}).
		Order("published_at, id").Find(&out).Error
	return out, err
}

// StaffNoticeQuery selects notices for the console.
type StaffNoticeQuery struct {
	Status        NoticeStatus // "" = all
	Page, PerPage int
}

// StaffNoticeRow is a notice as the console lists it, with how many
// objections it drew and how many still wait for an answer.
type StaffNoticeRow struct {
	Notice
	Objections int64
	Unanswered int64
}

// StaffNotices lists the notices at the places where p may publish, newest
// change first, with the total for paging.
func (s *Store) StaffNotices(ctx context.Context, p *Principal, q StaffNoticeQuery) ([]StaffNoticeRow, int64, error) {
	scopes := p.Scopes(PermPublishNotices)
	if len(scopes) == 0 {
		return nil, 0, ErrForbidden
	}
	if q.PerPage <= 0 {
		q.PerPage = 20
	}
	if q.Page < 1 {
		q.Page = 1
	}
	within := s.conn(ctx).Model(&Place{}).Select("id")
	for i, sc := range scopes {
		if i == 0 {
			within = within.Where("path LIKE ?", sc.Path+"%")
		} else {
			within = within.Or("path LIKE ?", sc.Path+"%")
		}
	}
	db := s.conn(ctx).Model(&Notice{}).Where("place_id IN (?)", within)
	if q.Status != "" {
		db = db.Where("status = ?", q.Status)
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var ns []Notice
	if err := db.Preload("Place").Order("updated_at DESC, id DESC").Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage).Find(&ns).Error; err != nil {
		return nil, 0, err
	}
	ids := make([]uint64, 0, len(ns))
	for _, n := range ns {
		ids = append(ids, n.ID)
	}
	var counts []struct {
		NoticeID   uint64
		Total      int64
		Unanswered int64
	}
	if len(ids) > 0 {
		err := s.conn(ctx).Model(&Objection{}).
			Select("notice_id, COUNT(*) AS total, SUM(CASE WHEN answered_at IS NULL THEN 1 ELSE 0 END) AS unanswered").
			Where("notice_id IN ?", ids).Group("notice_id").Scan(&counts).Error
		if err != nil {
			return nil, 0, err
		}
	}
	byID := map[uint64]int{}
	for i, c := range counts {
		byID[c.NoticeID] = i
	}
	out := make([]StaffNoticeRow, 0, len(ns))
	for _, n := range ns {
		row := StaffNoticeRow{Notice: n}
		if i, ok := byID[n.ID]; ok {
			row.Objections, row.Unanswered = counts[i].Total, counts[i].Unanswered
		}
		out = append(out, row)
	}
	return out, total, nil
}

// ObjectionRow is an objection with its author's phone, which pages show
// masked only.
type ObjectionRow struct {
	Objection
	AccountPhone string
}

// ObjectionsPerPage is how many objections a notice's page lists at once.
const ObjectionsPerPage = 50

// ObjectionsFor lists page (from 1) of a notice's objections, oldest
// first, and how many there are in all.
func (s *Store) ObjectionsFor(ctx context.Context, noticeID uint64, page int) ([]ObjectionRow, int64, error) {
	var total int64
	if err := s.conn(ctx).Model(&Objection{}).Where("notice_id = ?", noticeID).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []ObjectionRow
	err := s.conn(ctx).Table("objections o").Select("o.*, a.phone AS account_phone").
		Joins("JOIN accounts a ON a.id = o.account_id").Where("o.notice_id = ?", noticeID).
		Order("o.id").Offset((max(page, 1) - 1) * ObjectionsPerPage).Limit(ObjectionsPerPage).Scan(&rows).Error
	return rows, total, err
}

// ObjectionStanding tells whether p may object to the public notice n now:
// nil if so, else ErrObjectionsClosed, ErrNotResidentHere or
// ErrObjectionPending.
func (s *Store) ObjectionStanding(ctx context.Context, p *Principal, n Notice) error {
	var household *Place
	if p != nil {
		for _, g := range p.Grants {
			if g.Role == RoleResident {
				pl := g.Place
				household = &pl
				break
			}
		}
	}
	if err := ObjectionAllowed(n, n.Place, household, s.Now()); err != nil {
		return err
	}
	var open int64
	if err := s.conn(ctx).Model(&Objection{}).Where("notice_id = ? AND account_id = ? AND answered_at IS NULL", n.ID, p.Account.ID).Count(&open).Error; err != nil {
		return err
	}
	if open > 0 {
		return ErrObjectionPending
	}
	return nil
}

// FileObjection records a verified resident's objection to a notice during
// its publicity period.
func (s *Store) FileObjection(ctx context.Context, p *Principal, noticeID uint64, reason string) (Objection, error) {
	var out Objection
	err := s.InTx(ctx, func(ctx context.Context) error {
		if p == nil {
			return ErrForbidden
		}
		n, err := s.NoticeByID(ctx, noticeID)
		if err != nil {
			return err
		}
		if err := s.ObjectionStanding(ctx, p, n); err != nil {
			return err
		}
		if err := ValidateObjectionText("reason", reason).Err(); err != nil {
			return err
		}
		o := Objection{NoticeID: n.ID, AccountID: p.Account.ID, Reason: strings.TrimSpace(reason)}
		if err := s.conn(ctx).Create(&o).Error; err != nil {
			if isDuplicate(err) {
				return ErrObjectionPending
			}
			return err
		}
		out = o
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "objection.file", ObjectType: "objection", ObjectID: o.ID, PlaceID: &n.PlaceID,
			Detail: fmt.Sprintf("notice %d", n.ID)})
	})
	return out, err
}

// AnswerObjection gives staff's public answer to an objection; an
// objection is answered once.
func (s *Store) AnswerObjection(ctx context.Context, p *Principal, noticeID, objectionID uint64, answer string) (Objection, error) {
	var out Objection
	err := s.InTx(ctx, func(ctx context.Context) error {
		n, err := s.StaffNoticeByID(ctx, p, noticeID)
		if err != nil {
			return err
		}
		var o Objection
		if err := s.conn(ctx).Where("id = ? AND notice_id = ?", objectionID, n.ID).First(&o).Error; err != nil {
			return notFound(err)
		}
		if o.AnsweredAt != nil {
			return ErrAlreadyAnswered
		}
		if err := ValidateObjectionText("answer", answer).Err(); err != nil {
			return err
		}
		now := s.Now()
		o.Answer, o.AnsweredByID, o.AnsweredAt = strings.TrimSpace(answer), actorOf(p), &now
		res := s.conn(ctx).Model(&Objection{}).Where("id = ? AND answered_at IS NULL", o.ID).Updates(map[string]any{
			"answer": o.Answer, "answered_by_id": o.AnsweredByID, "answered_at": now,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrAlreadyAnswered
		}
		out = o
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "objection.answer", ObjectType: "objection", ObjectID: o.ID, PlaceID: &n.PlaceID,
			Detail: fmt.Sprintf("notice %d", n.ID)})
	})
	return out, err
}

// NoticeOrigin names the record a notice was published from, for a link
// back to it: its kind ("project", "ballot", "meeting", "minutes",
// "matter") and id, where the minutes answer with their meeting's id.
// Notices staff wrote themselves have none ("", 0).
func (s *Store) NoticeOrigin(ctx context.Context, n Notice) (string, uint64, error) {
	switch n.SourceType {
	case ProjectSource, BallotSource, councilNoticeSource, matterNoticeSource:
		return n.SourceType, n.SourceID, nil
	case MinutesSource:
		var ids []uint64
		if err := s.conn(ctx).Model(&Minutes{}).Where("id = ?", n.SourceID).Pluck("meeting_id", &ids).Error; err != nil || len(ids) == 0 {
			return "", 0, err
		}
		return MinutesSource, ids[0], nil
	}
	return "", 0, nil
}
