package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Domain errors of the needs list.
var (
	ErrNeedStep         = &Error{Code: "err.need_step_not_allowed"}
	ErrNotResident      = &Error{Code: "err.not_resident"}
	ErrAlreadySupported = &Error{Code: "err.already_supported"}
)

// Timeline entries that are not transitions.
const (
	NeedActFile   NeedAction = "file"   // the filer files the need (点单)
	NeedActReport NeedAction = "report" // a department called by a whistle reports (报到)
)

// MaxNeedPhotos is how many photos a need may carry.
const MaxNeedPhotos = 3

// Photo is an uploaded photo, already checked and re-encoded (see
// ProcessPhoto).
type Photo struct {
	ContentType   string
	Data          []byte
	Width, Height int
}

// communityOf returns the community (or village) a place lies in, or the
// place itself when it is above that level.
func communityOf(pl Place) uint64 {
	ids := pl.AncestorIDs()
	if len(ids) >= 2 {
		return ids[1]
	}
	if len(ids) == 1 {
		return ids[0]
	}
	return pl.ID
}

// residentHome returns the household an account is a verified resident of.
func (s *Store) residentHome(ctx context.Context, p *Principal) (Place, error) {
	if p == nil {
		return Place{}, ErrNotResident
	}
	hh, _, err := s.Residency(ctx, p.Account.ID)
	if err != nil {
		return Place{}, err
	}
	if hh == nil {
		return Place{}, ErrNotResident
	}
	return *hh, nil
}

// NeedCategories lists the categories in display order.
func (s *Store) NeedCategories(ctx context.Context, activeOnly bool) ([]NeedCategory, error) {
	db := s.conn(ctx).Order("sort, id")
	if activeOnly {
		db = db.Where("active = ?", true)
	}
	var out []NeedCategory
	return out, db.Find(&out).Error
}

// SetCategoryLimits changes a category's time limits; admins only, since
// categories are shared by every street of the deployment.
func (s *Store) SetCategoryLimits(ctx context.Context, p *Principal, id uint64, l TimeLimits) error {
	if !MaySetNeedLimits(p) {
		return ErrForbidden
	}
	if err := l.Validate().Err(); err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		var c NeedCategory
		if err := s.conn(ctx).First(&c, id).Error; err != nil {
			return notFound(err)
		}
		err := s.conn(ctx).Model(&c).Updates(map[string]any{
			"respond_minutes": int(l.Respond / time.Minute), "resolve_minutes": int(l.Resolve / time.Minute),
		}).Error
		if err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "need_category.limits", ObjectType: "need_category", ObjectID: id,
			Detail: fmt.Sprintf("%s respond %s resolve %s", c.Code, l.Respond, l.Resolve)})
	})
}

// MaySetNeedLimits reports whether p may change the categories' time
// limits: admins only, since the categories are shared by the whole
// deployment and a deployment may run many streets, whose staff must not
// change each other's limits.
func MaySetNeedLimits(p *Principal) bool { return p.Has(RoleAdmin) }

// NeedPlaces returns the places a verified resident may file a need at,
// which the filing form offers: their community (or village) first, then
// its compounds, residents' or villagers' groups (居民小组 / 村民小组) and
// buildings in tree order. A household is never one of
// them, so a need's page cannot show a room number to the neighbours.
func (s *Store) NeedPlaces(ctx context.Context, p *Principal) ([]Place, error) {
	home, err := s.residentHome(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.needPlaces(ctx, home)
}

func (s *Store) needPlaces(ctx context.Context, home Place) ([]Place, error) {
	anc, err := s.Ancestors(ctx, home)
	if err != nil {
		return nil, err
	}
	var com Place
	for _, a := range anc {
		if a.Kind == KindCommunity || a.Kind == KindVillage {
			com = a
		}
	}
	if com.ID == 0 {
		return nil, ErrNotResident
	}
	places, err := s.PlacesOfKind(ctx, com, KindCompound, KindGroup, KindBuilding)
	if err != nil {
		return nil, err
	}
	return append([]Place{com}, places...), nil
}

// FileNeed files a need for a verified resident at one of the places
// NeedPlaces offers them.
func (s *Store) FileNeed(ctx context.Context, p *Principal, in NeedInput, photos []Photo) (Need, error) {
	var n Need
	home, err := s.residentHome(ctx, p)
	if err != nil {
		return n, err
	}
	fe := in.Validate()
	if len(photos) > MaxNeedPhotos {
		fe.Add("photos", "err.too_many_photos")
	}
	var cat NeedCategory
	if in.CategoryID != 0 {
		if err := s.conn(ctx).Where("id = ? AND active = ?", in.CategoryID, true).Limit(1).Find(&cat).Error; err != nil {
			return n, err
		}
		if cat.ID == 0 {
			fe.Add("category_id", "err.invalid_choice")
		}
	}
	var pl Place
	if in.PlaceID != 0 {
		choices, err := s.needPlaces(ctx, home)
		if err != nil {
			return n, err
		}
		for _, c := range choices {
			if c.ID == in.PlaceID {
				pl = c
			}
		}
		if pl.ID == 0 {
			fe.Add("place_id", "err.place_outside_community")
		}
	}
	if err := fe.Err(); err != nil {
		return n, err
	}
	now := s.Now()
	l := cat.Limits()
	n = Need{
		FilerID: p.Account.ID, PlaceID: pl.ID, CategoryID: cat.ID, Description: in.Description, Public: in.Public,
		Status: NeedSubmitted, Level: NeedLevelGrid, RespondBy: now.Add(l.Respond), ResolveBy: now.Add(l.Resolve),
		CreatedAt: now, UpdatedAt: now,
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Create(&n).Error; err != nil {
			return err
		}
		for _, ph := range photos {
			row := NeedPhoto{NeedID: n.ID, ContentType: ph.ContentType, Data: ph.Data, Width: ph.Width, Height: ph.Height, CreatedAt: now}
			if err := s.conn(ctx).Create(&row).Error; err != nil {
				return err
			}
		}
		if err := s.addNeedEvent(ctx, n.ID, actorOf(p), NeedActFile, "", NeedSubmitted, "", nil); err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "need.file", ObjectType: "need", ObjectID: n.ID, PlaceID: &pl.ID,
			Detail: fmt.Sprintf("%s, %d photo(s)", cat.Code, len(photos))})
	})
	n.Place, n.Category = pl, cat
	return n, err
}

func (s *Store) addNeedEvent(ctx context.Context, needID uint64, actor *uint64, a NeedAction, from, to NeedStatus, note string, taker *uint64) error {
	return s.conn(ctx).Create(&NeedEvent{NeedID: needID, At: s.Now(), ActorID: actor, Action: a, FromStatus: from, ToStatus: to, Note: note, TakerID: taker}).Error
}

// lockNeed loads a need with its place and taker for a change, locking the
// row on PostgreSQL so two steps on one need run one after the other.
func (s *Store) lockNeed(ctx context.Context, id uint64) (Need, error) {
	var n Need
	db := s.conn(ctx)
	if db.Dialector.Name() == "postgres" {
		db = db.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := db.Where("id = ?", id).Limit(1).Find(&n).Error; err != nil {
		return n, err
	}
	if n.ID == 0 {
		return n, ErrNotFound
	}
	return n, s.loadNeedRefs(ctx, &n)
}

func (s *Store) loadNeedRefs(ctx context.Context, n *Need) error {
	var err error
	if n.Place, err = s.PlaceByID(ctx, n.PlaceID); err != nil {
		return err
	}
	if err := s.conn(ctx).First(&n.Category, n.CategoryID).Error; err != nil {
		return err
	}
	n.Taker = nil
	if n.TakerID != nil {
		var t Taker
		if err := s.conn(ctx).First(&t, *n.TakerID).Error; err != nil {
			return err
		}
		n.Taker = &t
	}
	return nil
}

// NeedRoles tells which parts p plays on need n.
func NeedRoles(p *Principal, n Need) []NeedActor {
	if p == nil {
		return nil
	}
	var out []NeedActor
	if n.FilerID == p.Account.ID {
		out = append(out, NeedByFiler)
	}
	if p.Can(PermHandleNeeds, n.Place) {
		out = append(out, NeedByStaff)
	}
	if n.Taker != nil && n.Taker.AccountID != nil && *n.Taker.AccountID == p.Account.ID {
		out = append(out, NeedByTaker)
	}
	return out
}

// needStep is one change to a need: the action, a note, and what else
// changes with it.
type needStep struct {
	action NeedAction
	note   string
	apply  func(ctx context.Context, n *Need, now time.Time) error
}

// step runs one action on a need for p: checks p plays a part allowed to
// take it from the need's status, applies it, and writes the timeline and
// the audit trail in one transaction.
func (s *Store) step(ctx context.Context, p *Principal, id uint64, st needStep) (Need, error) {
	var n Need
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = s.lockNeed(ctx, id); err != nil {
			return err
		}
		roles := NeedRoles(p, n)
		if len(roles) == 0 {
			return ErrNotFound
		}
		from := n.Status
		to, ok := NeedStatus(""), false
		for _, r := range roles {
			if to, ok = NeedTransition(from, st.action, r); ok {
				break
			}
		}
		if !ok {
			return ErrNeedStep
		}
		now := s.Now()
		former := n.TakerID // before the step: whom a recall takes the need from
		if st.apply != nil {
			if err := st.apply(ctx, &n, now); err != nil {
				return err
			}
		}
		n.Status, n.UpdatedAt = to, now
		err = s.conn(ctx).Model(&Need{}).Where("id = ?", n.ID).Updates(map[string]any{
			"status": n.Status, "level": n.Level, "taker_id": n.TakerID, "merged_into_id": n.MergedIntoID, "reason": n.Reason,
			"responded_at": n.RespondedAt, "resolved_at": n.ResolvedAt, "done_at": n.DoneAt, "closed_at": n.ClosedAt,
			"rating": n.Rating, "rating_comment": n.RatingComment, "last_chased_at": n.LastChasedAt, "updated_at": n.UpdatedAt,
		}).Error
		if err != nil {
			return err
		}
		if err := s.addNeedEvent(ctx, n.ID, actorOf(p), st.action, from, to, st.note, n.TakerID); err != nil {
			return err
		}
		if err := s.notifyNeed(ctx, actorOf(p), n, former, st.action, from, to); err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "need." + string(st.action), ObjectType: "need", ObjectID: n.ID,
			PlaceID: &n.PlaceID, Detail: truncate(fmt.Sprintf("%s → %s %s", from, to, st.note), 300)})
	})
	return n, err
}

func requireText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return s, FieldErrors{field: "err.required"}
	case utf8.RuneCountInString(s) > max:
		return s, FieldErrors{field: "err.too_long"}
	}
	return s, nil
}

func markResponded(n *Need, now time.Time) {
	if n.RespondedAt == nil {
		n.RespondedAt = &now
	}
}

// AcceptNeed accepts a need for handling (受理).
func (s *Store) AcceptNeed(ctx context.Context, p *Principal, id uint64) (Need, error) {
	return s.step(ctx, p, id, needStep{action: NeedActAccept, apply: func(_ context.Context, n *Need, now time.Time) error {
		markResponded(n, now)
		return nil
	}})
}

// DeclineNeed declines a need with a reason the filer sees.
func (s *Store) DeclineNeed(ctx context.Context, p *Principal, id uint64, reason string) (Need, error) {
	reason, err := requireText("reason", reason, 500)
	if err != nil {
		return Need{}, err
	}
	return s.step(ctx, p, id, needStep{action: NeedActDecline, note: reason, apply: func(_ context.Context, n *Need, now time.Time) error {
		markResponded(n, now)
		n.Reason, n.ClosedAt = reason, &now
		return nil
	}})
}

// MergeNeed merges a need into another open need of the same community;
// its filer and supporters become the target's supporters.
func (s *Store) MergeNeed(ctx context.Context, p *Principal, id, targetID uint64) (Need, error) {
	if targetID == 0 || targetID == id {
		return Need{}, FieldErrors{"target_id": "err.merge_target_invalid"}
	}
	return s.step(ctx, p, id, needStep{action: NeedActMerge, note: fmt.Sprintf("#%d", targetID), apply: func(ctx context.Context, n *Need, now time.Time) error {
		target, err := s.lockNeed(ctx, targetID)
		if errors.Is(err, ErrNotFound) {
			return FieldErrors{"target_id": "err.merge_target_invalid"}
		} else if err != nil {
			return err
		}
		if !target.TakesMerges() || communityOf(target.Place) != communityOf(n.Place) || !p.Can(PermHandleNeeds, target.Place) {
			return FieldErrors{"target_id": "err.merge_target_invalid"}
		}
		var ids []uint64
		if err := s.conn(ctx).Model(&NeedSupport{}).Where("need_id = ?", n.ID).Pluck("account_id", &ids).Error; err != nil {
			return err
		}
		ids = append(ids, n.FilerID)
		for _, acc := range ids {
			if acc == target.FilerID {
				continue
			}
			sup := NeedSupport{NeedID: target.ID, AccountID: acc, CreatedAt: now}
			if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&sup).Error; err != nil {
				return err
			}
		}
		if err := s.recountSupport(ctx, target.ID); err != nil {
			return err
		}
		if err := s.addNeedEvent(ctx, target.ID, actorOf(p), NeedActMerge, target.Status, target.Status, fmt.Sprintf("#%d", n.ID), nil); err != nil {
			return err
		}
		markResponded(n, now)
		n.MergedIntoID, n.ClosedAt = &target.ID, &now
		return nil
	}})
}

func (s *Store) recountSupport(ctx context.Context, needID uint64) error {
	var c int64
	if err := s.conn(ctx).Model(&NeedSupport{}).Where("need_id = ?", needID).Count(&c).Error; err != nil {
		return err
	}
	return s.conn(ctx).Model(&Need{}).Where("id = ?", needID).Update("supporters", c).Error
}

// takerServes reports whether a taker may be sent needs at place pl: it
// works at or above the place, or inside the place's community.
func takerServes(t Taker, tp, pl Place) bool {
	if !t.Active {
		return false
	}
	return tp.Contains(pl) || communityOf(tp) == communityOf(pl)
}

// DispatchNeed sends an accepted need to a taker (派单).
func (s *Store) DispatchNeed(ctx context.Context, p *Principal, id, takerID uint64) (Need, error) {
	return s.step(ctx, p, id, needStep{action: NeedActDispatch, apply: func(ctx context.Context, n *Need, now time.Time) error {
		var t Taker
		if err := s.conn(ctx).Where("id = ?", takerID).Limit(1).Find(&t).Error; err != nil {
			return err
		}
		if t.ID == 0 {
			return FieldErrors{"taker_id": "err.invalid_choice"}
		}
		tp, err := s.PlaceByID(ctx, t.PlaceID)
		if err != nil {
			return err
		}
		if !takerServes(t, tp, n.Place) {
			return FieldErrors{"taker_id": "err.taker_out_of_area"}
		}
		n.TakerID, n.Taker = &t.ID, &t
		n.Reason = ""
		return nil
	}, note: ""})
}

// TakeNeed is the taker's 接单.
func (s *Store) TakeNeed(ctx context.Context, p *Principal, id uint64) (Need, error) {
	return s.step(ctx, p, id, needStep{action: NeedActTake})
}

// ReturnNeed hands a need back to staff with a reason, to be dispatched again.
func (s *Store) ReturnNeed(ctx context.Context, p *Principal, id uint64, reason string) (Need, error) {
	reason, err := requireText("reason", reason, 500)
	if err != nil {
		return Need{}, err
	}
	return s.step(ctx, p, id, needStep{action: NeedActReturn, note: reason, apply: func(_ context.Context, n *Need, _ time.Time) error {
		n.TakerID, n.Taker, n.Reason = nil, nil, reason
		return nil
	}})
}

// RecallNeed is staff taking a dispatched need back from its taker, with a
// reason, to dispatch it again (撤回改派): the taker never took it on, or
// stopped, or cannot act in the app at all (a taker with no account). The
// taker hears of it.
func (s *Store) RecallNeed(ctx context.Context, p *Principal, id uint64, reason string) (Need, error) {
	reason, err := requireText("reason", reason, 500)
	if err != nil {
		return Need{}, err
	}
	return s.step(ctx, p, id, needStep{action: NeedActRecall, note: reason, apply: func(_ context.Context, n *Need, _ time.Time) error {
		n.TakerID, n.Taker, n.Reason = nil, nil, reason
		return nil
	}})
}

// ProgressNeed records the taker's progress.
func (s *Store) ProgressNeed(ctx context.Context, p *Principal, id uint64, note string) (Need, error) {
	note, err := requireText("note", note, 1000)
	if err != nil {
		return Need{}, err
	}
	return s.step(ctx, p, id, needStep{action: NeedActProgress, note: note})
}

// CompleteNeed is the taker reporting the need done; the filer is then asked
// to rate it.
func (s *Store) CompleteNeed(ctx context.Context, p *Principal, id uint64, note string) (Need, error) {
	note, err := requireText("note", note, 1000)
	if err != nil {
		return Need{}, err
	}
	return s.step(ctx, p, id, needStep{action: NeedActComplete, note: note, apply: func(_ context.Context, n *Need, now time.Time) error {
		n.ResolvedAt, n.DoneAt = &now, &now
		return nil
	}})
}

// RateNeed is the filer confirming and rating a done need (评单), closing it.
func (s *Store) RateNeed(ctx context.Context, p *Principal, id uint64, rating int, comment string) (Need, error) {
	comment = strings.TrimSpace(comment)
	fe := FieldErrors{}
	if !ValidRating(rating) {
		fe.Add("rating", "err.rating_invalid")
	}
	if utf8.RuneCountInString(comment) > 500 {
		fe.Add("comment", "err.too_long")
	}
	if err := fe.Err(); err != nil {
		return Need{}, err
	}
	return s.step(ctx, p, id, needStep{action: NeedActRate, note: fmt.Sprintf("%d★ %s", rating, comment), apply: func(_ context.Context, n *Need, now time.Time) error {
		n.Rating, n.RatingComment, n.ClosedAt = rating, comment, &now
		return nil
	}})
}

// SendBackNeed is an unhappy filer sending a done need back to its taker
// (发回重办); it no longer counts as resolved.
func (s *Store) SendBackNeed(ctx context.Context, p *Principal, id uint64, reason string) (Need, error) {
	reason, err := requireText("reason", reason, 500)
	if err != nil {
		return Need{}, err
	}
	return s.step(ctx, p, id, needStep{action: NeedActSendBack, note: reason, apply: func(_ context.Context, n *Need, _ time.Time) error {
		n.ResolvedAt, n.DoneAt, n.Reason = nil, nil, reason
		return nil
	}})
}

// ChaseNeed is staff chasing an overdue or slow need (催办).
func (s *Store) ChaseNeed(ctx context.Context, p *Principal, id uint64, note string) (Need, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 500 {
		return Need{}, FieldErrors{"note": "err.too_long"}
	}
	return s.step(ctx, p, id, needStep{action: NeedActChase, note: note, apply: func(_ context.Context, n *Need, now time.Time) error {
		n.LastChasedAt = &now
		return nil
	}})
}

// EscalateNeed raises a need one level: grid → community → street. Raising
// it to the street blows the whistle (吹哨): callTakers, departments or
// units, must report (报到) within WhistleReportLimit.
func (s *Store) EscalateNeed(ctx context.Context, p *Principal, id uint64, note string, callTakers []uint64) (Need, *Whistle, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 1000 {
		return Need{}, nil, FieldErrors{"note": "err.too_long"}
	}
	var w *Whistle
	n, err := s.step(ctx, p, id, needStep{action: NeedActEscalate, note: note, apply: func(ctx context.Context, n *Need, now time.Time) error {
		next, ok := n.Level.Next()
		if !ok {
			return ErrNeedStep
		}
		n.Level = next
		if next != NeedLevelStreet {
			return nil
		}
		if len(callTakers) == 0 {
			return FieldErrors{"call": "err.whistle_needs_callee"}
		}
		var takers []Taker
		if err := s.conn(ctx).Preload("Place").Where("id IN ? AND active = ? AND kind IN ?", callTakers, true, []TakerKind{TakerDepartment, TakerUnit}).Find(&takers).Error; err != nil {
			return err
		}
		if len(takers) != len(dedupe(callTakers)) {
			return FieldErrors{"call": "err.invalid_choice"}
		}
		// Only bodies that serve the need's place may be called: one from
		// another street would be handed the need, staff-only text included.
		for _, t := range takers {
			if !takerServes(t, t.Place, n.Place) {
				return FieldErrors{"call": "err.taker_out_of_area"}
			}
		}
		w = &Whistle{NeedID: n.ID, BlownByID: p.Account.ID, BlownAt: now, ReportBy: now.Add(WhistleReportLimit), Note: note}
		if err := s.conn(ctx).Create(w).Error; err != nil {
			return err
		}
		for _, t := range takers {
			c := WhistleCall{WhistleID: w.ID, TakerID: t.ID}
			if err := s.conn(ctx).Create(&c).Error; err != nil {
				return err
			}
			c.Taker = t
			w.Calls = append(w.Calls, c)
		}
		if err := s.notifyWhistle(ctx, actorOf(p), *n, w.Calls); err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "whistle.blow", ObjectType: "whistle", ObjectID: w.ID, PlaceID: &n.PlaceID,
			Detail: fmt.Sprintf("need %d, %d called", n.ID, len(takers))})
	}})
	return n, w, err
}

func dedupe(ids []uint64) []uint64 {
	seen := map[uint64]bool{}
	var out []uint64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ReportWhistle is a called department or unit reporting (报到).
func (s *Store) ReportWhistle(ctx context.Context, p *Principal, callID uint64, note string) error {
	note, err := requireText("note", note, 1000)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		var c WhistleCall
		if err := s.conn(ctx).Preload("Taker").Where("id = ?", callID).Limit(1).Find(&c).Error; err != nil {
			return err
		}
		if c.ID == 0 || p == nil || c.Taker.AccountID == nil || *c.Taker.AccountID != p.Account.ID {
			return ErrNotFound
		}
		if c.ReportedAt != nil {
			return ErrConflict
		}
		now := s.Now()
		if err := s.conn(ctx).Model(&c).Updates(map[string]any{"reported_at": now, "note": note}).Error; err != nil {
			return err
		}
		var w Whistle
		if err := s.conn(ctx).First(&w, c.WhistleID).Error; err != nil {
			return err
		}
		if err := s.addNeedEvent(ctx, w.NeedID, actorOf(p), NeedActReport, "", "", note, &c.TakerID); err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "whistle.report", ObjectType: "whistle", ObjectID: w.ID, Detail: c.Taker.Name})
	})
}

// RateWhistle is the street rating a whistle once its need is done
// (一哨一考核).
func (s *Store) RateWhistle(ctx context.Context, p *Principal, whistleID uint64, rating int, comment string) error {
	comment = strings.TrimSpace(comment)
	if !ValidRating(rating) {
		return FieldErrors{"rating": "err.rating_invalid"}
	}
	if utf8.RuneCountInString(comment) > 500 {
		return FieldErrors{"comment": "err.too_long"}
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		var w Whistle
		if err := s.conn(ctx).Where("id = ?", whistleID).Limit(1).Find(&w).Error; err != nil {
			return err
		}
		if w.ID == 0 {
			return ErrNotFound
		}
		n, err := s.lockNeed(ctx, w.NeedID)
		if err != nil {
			return err
		}
		street, err := s.streetStaff(ctx, p, n.Place)
		if err != nil {
			return err
		}
		if !street {
			return ErrForbidden
		}
		if !n.WhistlesRateable() {
			return ErrNeedStep
		}
		if w.RatedAt != nil {
			return ErrConflict
		}
		now := s.Now()
		if err := s.conn(ctx).Model(&w).Updates(map[string]any{"rating": rating, "rating_comment": comment, "rated_by_id": p.Account.ID, "rated_at": now}).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "whistle.rate", ObjectType: "whistle", ObjectID: w.ID, PlaceID: &n.PlaceID, Detail: fmt.Sprintf("%d", rating)})
	})
}

// SupportNeed adds a neighbour's support to a public need, once each.
func (s *Store) SupportNeed(ctx context.Context, p *Principal, id uint64) error {
	home, err := s.residentHome(ctx, p)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		n, err := s.lockNeed(ctx, id)
		if err != nil {
			return err
		}
		if !n.Public || communityOf(n.Place) != communityOf(home) {
			return ErrNotFound
		}
		if !n.TakesSupport(p.Account.ID) {
			return ErrNeedStep
		}
		var c int64
		if err := s.conn(ctx).Model(&NeedSupport{}).Where("need_id = ? AND account_id = ?", id, p.Account.ID).Count(&c).Error; err != nil {
			return err
		}
		if c > 0 {
			return ErrAlreadySupported
		}
		if err := s.conn(ctx).Create(&NeedSupport{NeedID: id, AccountID: p.Account.ID, CreatedAt: s.Now()}).Error; err != nil {
			return err
		}
		if err := s.recountSupport(ctx, id); err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "need.support", ObjectType: "need", ObjectID: id, PlaceID: &n.PlaceID})
	})
}

// AutoCloseNeeds closes, unrated, every done need its filer has not rated
// within NeedRatingWindow, and returns how many it closed.
func (s *Store) AutoCloseNeeds(ctx context.Context) (int, error) {
	now := s.Now()
	var ids []uint64
	if err := s.conn(ctx).Model(&Need{}).Where("status = ? AND done_at <= ?", NeedDone, now.Add(-NeedRatingWindow)).Order("id").Pluck("id", &ids).Error; err != nil {
		return 0, err
	}
	closed := 0
	for _, id := range ids {
		err := s.InTx(ctx, func(ctx context.Context) error {
			n, err := s.lockNeed(ctx, id)
			if err != nil {
				return err
			}
			to, ok := NeedTransition(n.Status, NeedActAutoClose, NeedBySystem)
			if !ok || n.DoneAt == nil || n.DoneAt.After(now.Add(-NeedRatingWindow)) {
				return nil // rated or sent back meanwhile
			}
			if err := s.conn(ctx).Model(&Need{}).Where("id = ?", id).Updates(map[string]any{"status": to, "closed_at": now, "updated_at": now}).Error; err != nil {
				return err
			}
			if err := s.addNeedEvent(ctx, id, nil, NeedActAutoClose, n.Status, to, "", nil); err != nil {
				return err
			}
			if err := s.notifyNeed(ctx, nil, n, n.TakerID, NeedActAutoClose, n.Status, to); err != nil {
				return err
			}
			closed++
			return s.Record(ctx, Audit{Action: "need.auto_close", ObjectType: "need", ObjectID: id, PlaceID: &n.PlaceID})
		})
		if err != nil {
			return closed, err
		}
	}
	return closed, nil
}

// ChaseOverdue chases (催办) every overdue open need not chased in the last
// day, and returns the needs it chased.
func (s *Store) ChaseOverdue(ctx context.Context) ([]Need, error) {
	now := s.Now()
	var cands []Need
	err := s.conn(ctx).Where("status IN ? AND (last_chased_at IS NULL OR last_chased_at <= ?) AND (resolve_by < ? OR (responded_at IS NULL AND respond_by < ?))",
		openNeed, now.Add(-24*time.Hour), now, now).Order("id").Find(&cands).Error
	if err != nil {
		return nil, err
	}
	var out []Need
	for _, c := range cands {
		err := s.InTx(ctx, func(ctx context.Context) error {
			n, err := s.lockNeed(ctx, c.ID)
			if err != nil {
				return err
			}
			if !n.Overdue(now) {
				return nil
			}
			if err := s.conn(ctx).Model(&Need{}).Where("id = ?", n.ID).Update("last_chased_at", now).Error; err != nil {
				return err
			}
			if err := s.addNeedEvent(ctx, n.ID, nil, NeedActChase, n.Status, n.Status, "", n.TakerID); err != nil {
				return err
			}
			if err := s.notifyNeed(ctx, nil, n, n.TakerID, NeedActChase, n.Status, n.Status); err != nil {
				return err
			}
			out = append(out, n)
			return s.Record(ctx, Audit{Action: "need.chase", ObjectType: "need", ObjectID: n.ID, PlaceID: &n.PlaceID, Detail: "overdue"})
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// NeedDetail is a need with everything its page shows.
type NeedDetail struct {
	Need
	Photos    []NeedPhoto // without Data
	Events    []NeedEvent
	Whistles  []Whistle
	Roles     []NeedActor
	Supported bool
	Neighbour bool          // a resident of the need's community who may support it
	MyCalls   []WhistleCall // whistle calls to takers p acts for, who must report (报到)
	Street    bool          // p handles needs for the whole street, and so rates whistles
}

// MaySupport reports whether the viewer, account, may add support now.
func (d NeedDetail) MaySupport(account uint64) bool {
	return d.Neighbour && !d.Supported && d.TakesSupport(account)
}

// MayRateWhistles reports whether the viewer may rate a whistle of the
// need now: the street, once the need is done, while one is unrated.
func (d NeedDetail) MayRateWhistles() bool {
	if !d.Street || !d.WhistlesRateable() {
		return false
	}
	for _, w := range d.Whistles {
		if w.RatedAt == nil {
			return true
		}
	}
	return false
}

// streetStaff reports whether p handles needs for the whole street (or
// township) that pl lies in.
func (s *Store) streetStaff(ctx context.Context, p *Principal, pl Place) (bool, error) {
	if p == nil {
		return false, nil
	}
	street, err := s.PlaceByID(ctx, pl.AncestorIDs()[0])
	if err != nil {
		return false, err
	}
	return p.Can(PermHandleNeeds, street), nil
}

// canSeeNeed reports whether p may see need n: its filer, its taker, staff
// of its place, and, when it is public, residents of its community.
func (s *Store) canSeeNeed(ctx context.Context, p *Principal, n Need) (roles []NeedActor, neighbour bool, err error) {
	roles = NeedRoles(p, n)
	if p == nil {
		return nil, false, nil
	}
	home, err := s.residentHome(ctx, p)
	if errors.Is(err, ErrNotResident) {
		return roles, false, nil
	} else if err != nil {
		return nil, false, err
	}
	return roles, n.Public && communityOf(home) == communityOf(n.Place), nil
}

// NeedByID returns a need's page for p, or ErrNotFound when p may not see it.
func (s *Store) NeedByID(ctx context.Context, p *Principal, id uint64) (NeedDetail, error) {
	d, err := s.needFor(ctx, p, id)
	if err != nil {
		return d, err
	}
	if d.Street, err = s.streetStaff(ctx, p, d.Need.Place); err != nil {
		return d, err
	}
	if err := s.conn(ctx).Select("id, need_id, content_type, width, height, created_at").Where("need_id = ?", id).Order("id").Find(&d.Photos).Error; err != nil {
		return d, err
	}
	if err := s.conn(ctx).Preload("Actor").Preload("Taker").Where("need_id = ?", id).Order("at, id").Find(&d.Events).Error; err != nil {
		return d, err
	}
	if p != nil {
		var c int64
		if err := s.conn(ctx).Model(&NeedSupport{}).Where("need_id = ? AND account_id = ?", id, p.Account.ID).Count(&c).Error; err != nil {
			return d, err
		}
		d.Supported = c > 0
	}
	return d, nil
}

// needFor loads need id with its places and whistles and the viewer's
// part in it, or ErrNotFound when p may not see it.
func (s *Store) needFor(ctx context.Context, p *Principal, id uint64) (NeedDetail, error) {
	var d NeedDetail
	if err := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&d.Need).Error; err != nil {
		return d, err
	}
	if d.Need.ID == 0 {
		return d, ErrNotFound
	}
	if err := s.loadNeedRefs(ctx, &d.Need); err != nil {
		return d, err
	}
	roles, neighbour, err := s.canSeeNeed(ctx, p, d.Need)
	if err != nil {
		return d, err
	}
	if err := s.conn(ctx).Preload("Calls", func(db *gorm.DB) *gorm.DB { return db.Order("id") }).Preload("Calls.Taker").Where("need_id = ?", id).Order("id").Find(&d.Whistles).Error; err != nil {
		return d, err
	}
	for _, w := range d.Whistles {
		for _, c := range w.Calls {
			if p != nil && c.Taker.AccountID != nil && *c.Taker.AccountID == p.Account.ID {
				d.MyCalls = append(d.MyCalls, c)
			}
		}
	}
	// A department or unit the street called sees the need it must report on.
	if len(roles) == 0 && !neighbour && len(d.MyCalls) == 0 {
		return NeedDetail{}, ErrNotFound
	}
	d.Roles, d.Neighbour = roles, neighbour
	return d, nil
}

// MaySeeNeed reports whether p may open need id's page, for pages that
// link to it: a link p could only follow to "not found" is not shown.
func (s *Store) MaySeeNeed(ctx context.Context, p *Principal, id uint64) (bool, error) {
	_, err := s.needFor(ctx, p, id)
	return Visible(err)
}

// Visible turns what a page's loader returned into whether the viewer may
// see the page: its refusals (not found, forbidden, not a member) are
// "no", other errors stay errors.
func Visible(err error) (bool, error) {
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotPlaceMember) {
		return false, nil
	}
	return err == nil, err
}

// MayFollow is the rule for a link to a page that needs a sign-in, given
// whether p may see the record (see): a viewer is offered only what they
// may open, and a visitor every such link, as signing in may open it.
func MayFollow(p *Principal, see bool) bool {
	return see || p == nil
}

// NeedPhotoFor returns one photo's bytes if p may see its need.
func (s *Store) NeedPhotoFor(ctx context.Context, p *Principal, needID, photoID uint64) (NeedPhoto, error) {
	if _, err := s.NeedByID(ctx, p, needID); err != nil {
		return NeedPhoto{}, err
	}
	var ph NeedPhoto
	if err := s.conn(ctx).Where("id = ? AND need_id = ?", photoID, needID).Limit(1).Find(&ph).Error; err != nil {
		return ph, err
	}
	if ph.ID == 0 {
		return ph, ErrNotFound
	}
	return ph, nil
}

// NeedScope says whose needs a list shows.
type NeedScope string

// Need list scopes.
const (
	NeedsMine       NeedScope = "mine"       // filed by me
	NeedsPublic     NeedScope = "public"     // public needs of my community
	NeedsDispatched NeedScope = "dispatched" // dispatched to a taker I act for
	NeedsStaff      NeedScope = "staff"      // everything in the places I handle needs for
)

// NeedFilter selects needs for a list.
type NeedFilter struct {
	Scope      NeedScope
	Status     NeedStatus
	CategoryID uint64
	PlaceID    uint64 // within this place (staff)
	Overdue    bool
	Page       int
	PerPage    int
}

// ListNeeds lists the needs p may see in a scope, newest first, and the
// total for paging.
func (s *Store) ListNeeds(ctx context.Context, p *Principal, f NeedFilter) ([]Need, int64, error) {
	if f.PerPage <= 0 || f.PerPage > 100 {
		f.PerPage = 20
	}
	if f.Page < 1 {
		f.Page = 1
	}
	db, err := s.needsQuery(ctx, p, f)
	if err != nil || db == nil {
		return nil, 0, err
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Need
	err = db.Preload("Place").Preload("Category").Preload("Taker").Order("needs.created_at DESC, needs.id DESC").
		Offset((f.Page - 1) * f.PerPage).Limit(f.PerPage).Find(&out).Error
	return out, total, err
}

// NeedCounts counts the needs p may see in a scope (with f's filters but
// its status) by status.
func (s *Store) NeedCounts(ctx context.Context, p *Principal, f NeedFilter) (map[NeedStatus]int64, error) {
	f.Status = ""
	db, err := s.needsQuery(ctx, p, f)
	if err != nil || db == nil {
		return map[NeedStatus]int64{}, err
	}
	var rows []struct {
		Status NeedStatus
		N      int64
	}
	if err := db.Select("needs.status AS status, COUNT(*) AS n").Group("needs.status").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[NeedStatus]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// needsQuery selects the needs p may see in f's scope with f's filters; nil
// when the scope is empty for p.
func (s *Store) needsQuery(ctx context.Context, p *Principal, f NeedFilter) (*gorm.DB, error) {
	if p == nil {
		return nil, ErrForbidden
	}
	db := s.conn(ctx).Model(&Need{}).Joins("JOIN places np ON np.id = needs.place_id")
	switch f.Scope {
	case NeedsMine:
		db = db.Where("needs.filer_id = ?", p.Account.ID)
	case NeedsPublic:
		home, err := s.residentHome(ctx, p)
		if errors.Is(err, ErrNotResident) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		com, err := s.PlaceByID(ctx, communityOf(home))
		if err != nil {
			return nil, err
		}
		db = db.Where("needs.public = ? AND np.path LIKE ? AND needs.status <> ?", true, com.Path+"%", NeedMerged)
	case NeedsDispatched:
		mine := s.conn(ctx).Model(&Taker{}).Select("id").Where("account_id = ?", p.Account.ID)
		called := s.conn(ctx).Table("whistles").Select("whistles.need_id").
			Joins("JOIN whistle_calls ON whistle_calls.whistle_id = whistles.id").Where("whistle_calls.taker_id IN (?)", mine)
		db = db.Where("needs.taker_id IN (?) OR needs.id IN (?)", mine, called)
	case NeedsStaff:
		scopes := p.Scopes(PermHandleNeeds)
		if len(scopes) == 0 {
			return nil, ErrForbidden
		}
		var or *gorm.DB
		for _, sc := range scopes {
			if or == nil {
				or = s.conn(ctx).Where("np.path LIKE ?", sc.Path+"%")
			} else {
				or = or.Or("np.path LIKE ?", sc.Path+"%")
			}
		}
		db = db.Where(or)
		if f.PlaceID != 0 {
			pl, err := s.PlaceByID(ctx, f.PlaceID)
			if err != nil {
				return nil, err
			}
			db = db.Where("np.path LIKE ?", pl.Path+"%")
		}
	default:
		return nil, ErrForbidden
	}
	if f.Status != "" {
		db = db.Where("needs.status = ?", f.Status)
	}
	if f.CategoryID != 0 {
		db = db.Where("needs.category_id = ?", f.CategoryID)
	}
	if f.Overdue {
		now := s.Now()
		db = db.Where("needs.status IN ? AND (needs.resolve_by < ? OR (needs.responded_at IS NULL AND needs.respond_by < ?))", openNeed, now, now)
	}
	return db, nil
}

// TakerInput is what staff enter to register a taker.
type TakerInput struct {
	Kind      TakerKind
	Name      string
	PlaceID   uint64
	AccountID *uint64
}

// CreateTaker registers a taker at a place staff handle needs for.
func (s *Store) CreateTaker(ctx context.Context, p *Principal, in TakerInput) (Taker, error) {
	var t Taker
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		fe.Add("name", "err.required")
	} else if utf8.RuneCountInString(in.Name) > 100 {
		fe.Add("name", "err.too_long")
	}
	valid := false
	for _, k := range TakerKinds {
		valid = valid || k == in.Kind
	}
	if !valid {
		fe.Add("kind", "err.invalid_choice")
	}
	if in.PlaceID == 0 {
		fe.Add("place_id", "err.required")
	}
	if err := fe.Err(); err != nil {
		return t, err
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		pl, err := s.PlaceByID(ctx, in.PlaceID)
		if err != nil {
			return err
		}
		if !p.Can(PermHandleNeeds, pl) {
			return ErrForbidden
		}
		if in.AccountID != nil {
			if _, err := s.AccountByID(ctx, *in.AccountID); err != nil {
				return FieldErrors{"phone": "err.account_not_found"}
			}
		}
		t = Taker{Kind: in.Kind, Name: in.Name, PlaceID: pl.ID, AccountID: in.AccountID, Active: true, CreatedAt: s.Now(), Place: pl}
		if err := s.conn(ctx).Create(&t).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "taker.create", ObjectType: "taker", ObjectID: t.ID, PlaceID: &pl.ID, Detail: string(t.Kind) + " " + t.Name})
	})
	return t, err
}

// TakersFor lists the active takers a need at pl may be dispatched to.
func (s *Store) TakersFor(ctx context.Context, pl Place) ([]Taker, error) {
	var all []Taker
	if err := s.conn(ctx).Preload("Place").Where("active = ?", true).Order("kind, name").Find(&all).Error; err != nil {
		return nil, err
	}
	var out []Taker
	for _, t := range all {
		if takerServes(t, t.Place, pl) {
			out = append(out, t)
		}
	}
	return out, nil
}

// ListTakers lists the takers registered at the places p handles needs
// for, by place and name.
func (s *Store) ListTakers(ctx context.Context, p *Principal) ([]Taker, error) {
	scopes := p.Scopes(PermHandleNeeds)
	if len(scopes) == 0 {
		return nil, ErrForbidden
	}
	db := s.conn(ctx).Model(&Taker{}).Joins("JOIN places tp ON tp.id = takers.place_id")
	var or *gorm.DB
	for _, sc := range scopes {
		if or == nil {
			or = s.conn(ctx).Where("tp.path LIKE ?", sc.Path+"%")
		} else {
			or = or.Or("tp.path LIKE ?", sc.Path+"%")
		}
	}
	var out []Taker
	return out, db.Where(or).Preload("Place").Order("tp.path, takers.kind, takers.name").Find(&out).Error
}

// ActsForTaker reports whether the account acts for an active taker.
func (s *Store) ActsForTaker(ctx context.Context, accountID uint64) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&Taker{}).Where("account_id = ? AND active = ?", accountID, true).Count(&n).Error
	return n > 0, err
}
