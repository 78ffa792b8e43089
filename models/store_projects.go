package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Domain errors of the projects list.
var (
	ErrProjectStep          = &Error{Code: "err.project_step_not_allowed"}
	ErrAlreadyRated         = &Error{Code: "err.already_rated"}
	ErrNotResidentOfProject = &Error{Code: "err.not_resident_of_project"}
	ErrRatingWindowOpen     = &Error{Code: "err.rating_window_open"}
	ErrAlreadyApplied       = &Error{Code: "err.already_applied"}
	ErrAlreadyMatched       = &Error{Code: "err.already_matched"}
	ErrProjectPublished     = &Error{Code: "err.project_published"}
)

// ProjectSource is the SourceType of an outcome notice that publishes a
// project.
const ProjectSource = "project"

// Project notification kinds.
const (
	NotifyProjectApplied  NotificationKind = "project_applied"  // a social organisation applied in your open call
	NotifyProjectPicked   NotificationKind = "project_picked"   // your organisation was picked as undertaker
	NotifyProjectMatched  NotificationKind = "project_matched"  // your offer was matched to a project
	NotifyProjectProgress NotificationKind = "project_progress" // the undertaker reported progress or asked for acceptance
	NotifyProjectDecided  NotificationKind = "project_decided"  // your project was accepted or sent back
)

// ProjectRoles tells which parts p plays on project pr (whose Place and
// Undertaker are loaded).
func ProjectRoles(p *Principal, pr Project) []ProjectActor {
	if p == nil {
		return nil
	}
	var out []ProjectActor
	if p.Can(PermManageProjects, pr.Place) {
		out = append(out, ProjectByStaff)
	}
	if pr.Undertaker != nil && pr.Undertaker.AccountID != nil && *pr.Undertaker.AccountID == p.Account.ID {
		out = append(out, ProjectByUndertaker)
	}
	return out
}

func hasActor(list []ProjectActor, a ProjectActor) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// loadProject loads a project with its place, owner and undertaker, locking
// the row on PostgreSQL when lock is set.
func (s *Store) loadProject(ctx context.Context, id uint64, lock bool) (Project, error) {
	var pr Project
	db := s.conn(ctx)
	if lock && db.Dialector.Name() == "postgres" {
		db = db.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := db.Where("id = ?", id).Limit(1).Find(&pr).Error; err != nil {
		return pr, err
	}
	if pr.ID == 0 {
		return pr, ErrNotFound
	}
	var err error
	if pr.Place, err = s.PlaceByID(ctx, pr.PlaceID); err != nil {
		return pr, err
	}
	if err := s.conn(ctx).Where("id = ?", pr.OwnerID).Limit(1).Find(&pr.Owner).Error; err != nil {
		return pr, err
	}
	if pr.UndertakerID != nil {
		var u Provider
		if err := s.conn(ctx).Preload("Place").Where("id = ?", *pr.UndertakerID).Limit(1).Find(&u).Error; err != nil {
			return pr, err
		}
		pr.Undertaker = &u
	}
	return pr, nil
}

// projectFor loads a project p may see and, when parts are given, act on
// in one of them; forbidden when p may not see it (a draft is staff's
// only) or plays none of the parts.
func (s *Store) projectFor(ctx context.Context, p *Principal, id uint64, lock bool, parts ...ProjectActor) (Project, []ProjectActor, error) {
	pr, err := s.loadProject(ctx, id, lock)
	if err != nil {
		return pr, nil, err
	}
	roles := ProjectRoles(p, pr)
	if !pr.Status.Public() && !hasActor(roles, ProjectByStaff) {
		return pr, roles, ErrForbidden
	}
	if len(parts) == 0 {
		return pr, roles, nil
	}
	for _, want := range parts {
		if hasActor(roles, want) {
			return pr, roles, nil
		}
	}
	return pr, roles, ErrForbidden
}

func (s *Store) addProjectEvent(ctx context.Context, projectID uint64, actor *uint64, action string, from, to ProjectStatus, note string) error {
	return s.conn(ctx).Create(&ProjectEvent{ProjectID: projectID, At: s.Now(), ActorID: actor, Action: action, FromStatus: from, ToStatus: to, Note: truncate(note, 1000)}).Error
}

// projectAudit writes the project's timeline entry and the audit entry of
// one change.
func (s *Store) projectAudit(ctx context.Context, p *Principal, pr Project, action string, from, to ProjectStatus, note string) error {
	if err := s.addProjectEvent(ctx, pr.ID, actorOf(p), action, from, to, note); err != nil {
		return err
	}
	detail := note
	if from != to {
		detail = strings.TrimSpace(fmt.Sprintf("%s → %s %s", from, to, note))
	}
	return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "project." + action, ObjectType: "project", ObjectID: pr.ID, PlaceID: &pr.PlaceID,
		Detail: truncate(detail, 300)})
}

func projectLink(id uint64) string { return "/projects/" + strconv.FormatUint(id, 10) }

// notifyProject tells accounts about a project.
func (s *Store) notifyProject(ctx context.Context, p *Principal, to []uint64, kind NotificationKind, pr Project, key string) error {
	return s.Notify(ctx, actorOf(p), to, Note{Kind: kind, SubjectType: ProjectSource, SubjectID: pr.ID, Key: key,
		Args: []string{pr.Title}, Link: projectLink(pr.ID)})
}

func undertakerAccount(pr Project) []uint64 {
	if pr.Undertaker != nil && pr.Undertaker.AccountID != nil {
		return []uint64{*pr.Undertaker.AccountID}
	}
	return nil
}

// ProjectNeedChoices lists the needs p may build a project from: accepted
// and later, not declined or merged, in the places p manages projects for,
// newest first (at most 100).
func (s *Store) ProjectNeedChoices(ctx context.Context, p *Principal) ([]Need, error) {
	scopes := p.Scopes(PermManageProjects)
	if len(scopes) == 0 {
		return nil, ErrForbidden
	}
	var or *gorm.DB
	for _, sc := range scopes {
		if or == nil {
			or = s.conn(ctx).Where("np.path LIKE ?", likeEscape(sc.Path)+"%")
		} else {
			or = or.Or("np.path LIKE ?", likeEscape(sc.Path)+"%")
		}
	}
	var out []Need
	err := s.conn(ctx).Model(&Need{}).Joins("JOIN places np ON np.id = needs.place_id").Where(or).
		Where("needs.status IN ?", []NeedStatus{NeedAccepted, NeedDispatched, NeedInProgress, NeedDone, NeedClosed}).
		Preload("Place").Preload("Category").Order("needs.created_at DESC, needs.id DESC").Limit(100).Find(&out).Error
	return out, err
}

// ProjectPlaces lists the places p may create projects at: p's scopes and
// every community and compound inside them.
func (s *Store) ProjectPlaces(ctx context.Context, p *Principal) ([]Place, error) {
	return s.placesDownToCompound(ctx, p, PermManageProjects)
}

// placesDownToCompound lists the places where p holds perm, with every
// community, village, compound and group inside them, each once.
func (s *Store) placesDownToCompound(ctx context.Context, p *Principal, perm Permission) ([]Place, error) {
	var out []Place
	seen := map[uint64]bool{}
	for _, sc := range p.Scopes(perm) {
		below, err := s.PlacesOfKind(ctx, sc, KindStreet, KindTownship, KindCommunity, KindVillage, KindCompound, KindGroup)
		if err != nil {
			return nil, err
		}
		for _, pl := range append([]Place{sc}, below...) {
			if !seen[pl.ID] {
				seen[pl.ID] = true
				out = append(out, pl)
			}
		}
	}
	return out, nil
}

// CreateProject creates a draft project at a place p manages projects for,
// from needs inside that place (and, later, from another source).
func (s *Store) CreateProject(ctx context.Context, p *Principal, in ProjectInput) (Project, error) {
	var pr Project
	if p == nil {
		return pr, ErrForbidden
	}
	fe := in.Validate()
	var pl Place
	if in.PlaceID != 0 {
		var err error
		if pl, err = s.PlaceByID(ctx, in.PlaceID); errors.Is(err, ErrNotFound) {
			fe.Add("place_id", "err.invalid_choice")
		} else if err != nil {
			return pr, err
		} else if !p.Can(PermManageProjects, pl) {
			return pr, ErrForbidden
		}
	}
	var needs []Need
	if ids := dedupe(in.NeedIDs); len(ids) > 0 {
		if err := s.conn(ctx).Preload("Place").Where("id IN ?", ids).Find(&needs).Error; err != nil {
			return pr, err
		}
		if len(needs) != len(ids) {
			fe.Add("needs", "err.invalid_choice")
		}
		for _, n := range needs {
			if n.Status == NeedDeclined || n.Status == NeedMerged || n.Status == NeedSubmitted || (pl.ID != 0 && !pl.Contains(n.Place)) || !p.Can(PermManageProjects, n.Place) {
				fe.Add("needs", "err.project_need_outside")
			}
		}
	}
	if err := fe.Err(); err != nil {
		return pr, err
	}
	now := s.Now()
	pr = Project{Title: in.Title, Summary: in.Summary, PlaceID: pl.ID, OwnerID: p.Account.ID, BudgetFen: in.BudgetFen, WantKinds: joinKinds(in.WantKinds),
		StartOn: in.StartOn, EndOn: in.EndOn, Status: ProjectDraft, SourceType: in.SourceType, CreatedAt: now, UpdatedAt: now}
	if in.SourceID != 0 {
		pr.SourceID = &in.SourceID
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Omit(clause.Associations).Create(&pr).Error; err != nil {
			return err
		}
		for _, n := range needs {
			if err := s.conn(ctx).Create(&ProjectNeed{ProjectID: pr.ID, NeedID: n.ID}).Error; err != nil {
				return err
			}
		}
		pr.Place, pr.Owner = pl, p.Account
		return s.projectAudit(ctx, p, pr, "create", "", ProjectDraft, fmt.Sprintf("%s, %d need(s), %s yuan", pr.Title, len(needs), FormatYuan(pr.BudgetFen)))
	})
	return pr, err
}

// projectStep moves a project one step for p, with what else changes.
func (s *Store) projectStep(ctx context.Context, p *Principal, id uint64, action ProjectAction, note string, apply func(ctx context.Context, pr *Project, now time.Time) error) (Project, error) {
	var pr Project
	err := s.InTx(ctx, func(ctx context.Context) error {
		var roles []ProjectActor
		var err error
		pr, roles, err = s.projectFor(ctx, p, id, true, ProjectByStaff, ProjectByUndertaker)
		if err != nil {
			return err
		}
		from := pr.Status
		to, ok := from, false
		for _, r := range roles {
			if to, ok = ProjectTransition(from, action, r); ok {
				break
			}
		}
		if !ok {
			if !hasActor(roles, ProjectByStaff) {
				return ErrForbidden
			}
			return ErrProjectStep
		}
		now := s.Now()
		if apply != nil {
			if err := apply(ctx, &pr, now); err != nil {
				return err
			}
		}
		pr.Status, pr.UpdatedAt = to, now
		if err := s.conn(ctx).Model(&Project{}).Where("id = ?", pr.ID).Updates(map[string]any{
			"status": pr.Status, "undertaker_id": pr.UndertakerID, "accepted_at": pr.AcceptedAt, "closed_at": pr.ClosedAt, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		return s.projectAudit(ctx, p, pr, string(action), from, to, note)
	})
	return pr, err
}

// OpenCall opens a draft project to applications from social
// organisations (竞争承接).
func (s *Store) OpenCall(ctx context.Context, p *Principal, id uint64) (Project, error) {
	return s.projectStep(ctx, p, id, ProjectActOpenCall, "", nil)
}

// StartProject starts a draft project without an open call: the community
// carries it out itself (社工执行) or with the matched resources.
func (s *Store) StartProject(ctx context.Context, p *Principal, id uint64) (Project, error) {
	return s.projectStep(ctx, p, id, ProjectActStart, "", nil)
}

// ApplyForProject records a verified social organisation's application in
// an open call; the account must act for it.
func (s *Store) ApplyForProject(ctx context.Context, p *Principal, id, providerID uint64, note string) (ProjectApplication, error) {
	var a ProjectApplication
	if p == nil {
		return a, ErrForbidden
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		pr, _, err := s.projectFor(ctx, p, id, true)
		if err != nil {
			return err
		}
		var orgs []Provider
		if err := s.conn(ctx).Where("account_id = ? AND kind = ? AND verified_at IS NOT NULL", p.Account.ID, ProviderSocialOrg).Find(&orgs).Error; err != nil {
			return err
		}
		if len(orgs) == 0 {
			return ErrForbidden // only verified social organisations apply
		}
		var prov Provider
		for _, o := range orgs {
			if o.ID == providerID {
				prov = o
			}
		}
		if prov.ID == 0 {
			return FieldErrors{"provider_id": "err.invalid_choice"}
		}
		if note, err = requireText("note", note, 2000); err != nil {
			return err
		}
		if pr.Status != ProjectOpenCall {
			return ErrProjectStep
		}
		a = ProjectApplication{ProjectID: pr.ID, ProviderID: prov.ID, Note: note, ApplicantID: p.Account.ID, CreatedAt: s.Now(), Provider: prov}
		if err := s.conn(ctx).Omit(clause.Associations).Create(&a).Error; err != nil {
			if isDuplicate(err) {
				return ErrAlreadyApplied
			}
			return err
		}
		if err := s.projectAudit(ctx, p, pr, "apply", pr.Status, pr.Status, prov.Name); err != nil {
			return err
		}
		return s.notifyProject(ctx, p, []uint64{pr.OwnerID}, NotifyProjectApplied, pr, "notify.project_applied")
	})
	return a, err
}

// PickUndertaker picks one application in an open call; its organisation
// undertakes the project, which starts.
func (s *Store) PickUndertaker(ctx context.Context, p *Principal, id, applicationID uint64) (Project, error) {
	var prov Provider
	var pr Project
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		pr, err = s.projectStep(ctx, p, id, ProjectActPick, "", func(ctx context.Context, pr *Project, now time.Time) error {
			var a ProjectApplication
			if err := s.conn(ctx).Preload("Provider").Where("id = ? AND project_id = ?", applicationID, pr.ID).Limit(1).Find(&a).Error; err != nil {
				return err
			}
			if a.ID == 0 {
				return FieldErrors{"application_id": "err.invalid_choice"}
			}
			prov = a.Provider
			pr.UndertakerID, pr.Undertaker = &prov.ID, &prov
			return nil
		})
		if err != nil {
			return err
		}
		return s.notifyProject(ctx, p, undertakerAccount(pr), NotifyProjectPicked, pr, "notify.project_picked")
	})
	return pr, err
}

// MatchOffer matches a verified offer to a project (资源对接), with how
// much of it the project uses.
func (s *Store) MatchOffer(ctx context.Context, p *Principal, id, offerID uint64, amount int64, note string) error {
	fe := FieldErrors{}
	if amount < 0 {
		fe.Add("amount", "err.must_be_positive")
	} else if amount > MaxOfferCapacity {
		fe.Add("amount", "err.too_large")
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 500 {
		fe.Add("match_note", "err.too_long")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		pr, _, err := s.projectFor(ctx, p, id, true, ProjectByStaff)
		if err != nil {
			return err
		}
		if pr.Status == ProjectAccepted || pr.Status == ProjectClosed {
			return ErrProjectStep
		}
		var o Offer
		if err := s.conn(ctx).Preload("Provider").Where("id = ? AND status = ?", offerID, OfferVerified).Limit(1).Find(&o).Error; err != nil {
			return err
		}
		if o.ID == 0 {
			return FieldErrors{"offer_id": "err.invalid_choice"}
		}
		m := ProjectOffer{ProjectID: pr.ID, OfferID: o.ID, Amount: amount, Note: note, MatchedByID: actorOf(p), CreatedAt: s.Now()}
		if err := s.conn(ctx).Omit(clause.Associations).Create(&m).Error; err != nil {
			if isDuplicate(err) {
				return ErrAlreadyMatched
			}
			return err
		}
		if err := s.projectAudit(ctx, p, pr, "match", pr.Status, pr.Status, fmt.Sprintf("offer %d %s ×%d", o.ID, o.Title, amount)); err != nil {
			return err
		}
		var to []uint64
		if o.Provider.AccountID != nil {
			to = append(to, *o.Provider.AccountID)
		}
		return s.notifyProject(ctx, p, to, NotifyProjectMatched, pr, "notify.project_matched")
	})
}

// Suggest ranks the verified offers for a project (see ScoreOffers); staff
// of its place only.
func (s *Store) Suggest(ctx context.Context, p *Principal, id uint64) ([]OfferScore, error) {
	pr, _, err := s.projectFor(ctx, p, id, false, ProjectByStaff)
	if err != nil {
		return nil, err
	}
	var offers []Offer
	if err := s.conn(ctx).Preload("Provider").Where("status = ?", OfferVerified).Order("id").Find(&offers).Error; err != nil {
		return nil, err
	}
	var links []OfferPlace
	if err := s.conn(ctx).Find(&links).Error; err != nil {
		return nil, err
	}
	placeIDs := map[uint64]bool{}
	for _, l := range links {
		placeIDs[l.PlaceID] = true
	}
	ids := make([]uint64, 0, len(placeIDs))
	for id := range placeIDs {
		ids = append(ids, id)
	}
	var places []Place
	if len(ids) > 0 {
		if err := s.conn(ctx).Where("id IN ?", ids).Find(&places).Error; err != nil {
			return nil, err
		}
	}
	byID := map[uint64]Place{}
	for _, pl := range places {
		byID[pl.ID] = pl
	}
	in := SuggestInput{Kinds: pr.Kinds(), Place: pr.Place, Served: map[uint64][]Place{}, Excluded: map[uint64]bool{}, Ratings: map[uint64]float64{}}
	for _, l := range links {
		in.Served[l.OfferID] = append(in.Served[l.OfferID], byID[l.PlaceID])
	}
	var matched []uint64
	if err := s.conn(ctx).Model(&ProjectOffer{}).Where("project_id = ?", pr.ID).Pluck("offer_id", &matched).Error; err != nil {
		return nil, err
	}
	for _, m := range matched {
		in.Excluded[m] = true
	}
	in.From = s.Now()
	if pr.StartOn != nil {
		in.From = *pr.StartOn
	}
	in.Until = in.From
	if pr.EndOn != nil {
		in.Until = *pr.EndOn
	}
	type avg struct {
		ProviderID uint64
		Avg        float64
	}
	var avgs []avg
	if err := s.conn(ctx).Raw(`SELECT j.provider_id AS provider_id, AVG(r.rating * 1.0) AS avg FROM (
			SELECT o.provider_id AS provider_id, po.project_id AS project_id FROM project_offers po JOIN offers o ON o.id = po.offer_id
			UNION SELECT undertaker_id AS provider_id, id AS project_id FROM projects WHERE undertaker_id IS NOT NULL
		) j JOIN project_ratings r ON r.project_id = j.project_id GROUP BY j.provider_id`).Scan(&avgs).Error; err != nil {
		return nil, err
	}
	for _, a := range avgs {
		in.Ratings[a.ProviderID] = a.Avg
	}
	return ScoreOffers(offers, in), nil
}

// AddMilestone adds a planned step to a project that is not yet accepted.
func (s *Store) AddMilestone(ctx context.Context, p *Principal, id uint64, title string, due time.Time) (ProjectMilestone, error) {
	var m ProjectMilestone
	title, err := requireText("milestone_title", title, 120)
	fe := FieldErrors{}
	if err != nil {
		fe = err.(FieldErrors)
	}
	if due.IsZero() {
		fe.Add("due_on", "err.date_invalid")
	}
	if err := fe.Err(); err != nil {
		return m, err
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		pr, _, err := s.projectFor(ctx, p, id, true, ProjectByStaff)
		if err != nil {
			return err
		}
		if pr.Status == ProjectAwaitingAcceptance || pr.Status == ProjectAccepted || pr.Status == ProjectClosed {
			return ErrProjectStep
		}
		m = ProjectMilestone{ProjectID: pr.ID, Title: title, DueOn: due, CreatedAt: s.Now()}
		if err := s.conn(ctx).Create(&m).Error; err != nil {
			return err
		}
		return s.projectAudit(ctx, p, pr, "milestone", pr.Status, pr.Status, title+" "+due.Format("2006-01-02"))
	})
	return m, err
}

// CompleteMilestone marks a milestone done; staff or the undertaker, while
// the project is in progress.
func (s *Store) CompleteMilestone(ctx context.Context, p *Principal, id, milestoneID uint64) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		pr, _, err := s.projectFor(ctx, p, id, true, ProjectByStaff, ProjectByUndertaker)
		if err != nil {
			return err
		}
		if pr.Status != ProjectInProgress {
			return ErrProjectStep
		}
		var m ProjectMilestone
		if err := s.conn(ctx).Where("id = ? AND project_id = ?", milestoneID, pr.ID).Limit(1).Find(&m).Error; err != nil {
			return err
		}
		if m.ID == 0 {
			return ErrNotFound
		}
		if m.DoneAt != nil {
			return ErrConflict
		}
		now := s.Now()
		if err := s.conn(ctx).Model(&ProjectMilestone{}).Where("id = ?", m.ID).Update("done_at", now).Error; err != nil {
			return err
		}
		return s.projectAudit(ctx, p, pr, "milestone_done", pr.Status, pr.Status, m.Title)
	})
}

// AddProgress records a progress report with up to MaxProjectPhotos
// photos; staff or the undertaker, while the project is in progress.
func (s *Store) AddProgress(ctx context.Context, p *Principal, id uint64, percent int, note string, photos []Photo) (ProjectUpdate, error) {
	var u ProjectUpdate
	err := s.InTx(ctx, func(ctx context.Context) error {
		pr, roles, err := s.projectFor(ctx, p, id, true, ProjectByStaff, ProjectByUndertaker)
		if err != nil {
			return err
		}
		if pr.Status != ProjectInProgress {
			return ErrProjectStep
		}
		if err := ValidateProgress(pr.Percent, percent, note, len(photos)).Err(); err != nil {
			return err
		}
		now := s.Now()
		u = ProjectUpdate{ProjectID: pr.ID, AuthorID: p.Account.ID, Note: strings.TrimSpace(note), Percent: percent, CreatedAt: now}
		if err := s.conn(ctx).Omit(clause.Associations).Create(&u).Error; err != nil {
			return err
		}
		for _, ph := range photos {
			row := ProjectPhoto{ProjectID: pr.ID, UpdateID: u.ID, ContentType: ph.ContentType, Data: ph.Data, Width: ph.Width, Height: ph.Height, CreatedAt: now}
			if err := s.conn(ctx).Create(&row).Error; err != nil {
				return err
			}
		}
		if err := s.conn(ctx).Model(&Project{}).Where("id = ?", pr.ID).Updates(map[string]any{"percent": percent, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := s.projectAudit(ctx, p, pr, "progress", pr.Status, pr.Status, fmt.Sprintf("%d%%, %d photo(s)", percent, len(photos))); err != nil {
			return err
		}
		if !hasActor(roles, ProjectByStaff) {
			return s.notifyProject(ctx, p, []uint64{pr.OwnerID}, NotifyProjectProgress, pr, "notify.project_progress")
		}
		return nil
	})
	return u, err
}

// SubmitForAcceptance asks for acceptance (申请验收); staff or the
// undertaker.
func (s *Store) SubmitForAcceptance(ctx context.Context, p *Principal, id uint64) (Project, error) {
	var pr Project
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		if pr, err = s.projectStep(ctx, p, id, ProjectActSubmit, "", nil); err != nil {
			return err
		}
		return s.notifyProject(ctx, p, []uint64{pr.OwnerID}, NotifyProjectProgress, pr, "notify.project_submitted")
	})
	return pr, err
}

// Checklist returns the acceptance checklist of a project.
func (s *Store) Checklist(ctx context.Context, projectID uint64) ([]string, error) {
	var ms []ProjectMilestone
	if err := s.conn(ctx).Where("project_id = ?", projectID).Order("due_on, id").Find(&ms).Error; err != nil {
		return nil, err
	}
	return ChecklistFor(ms), nil
}

// DecideProject records an acceptance decision (验收) against the
// checklist: accepted when every item is checked, or sent back to work
// with a note saying what is missing.
func (s *Store) DecideProject(ctx context.Context, p *Principal, id uint64, accept bool, checked []string, note string) (Project, error) {
	action := ProjectActReject
	if accept {
		action = ProjectActAccept
	}
	note = strings.TrimSpace(note)
	key := "notify.project_rejected"
	if accept {
		key = "notify.project_accepted"
	}
	var pr Project
	err := s.InTx(ctx, func(ctx context.Context) error {
		var err error
		pr, err = s.projectStep(ctx, p, id, action, note, func(ctx context.Context, pr *Project, now time.Time) error {
			list, err := s.Checklist(ctx, pr.ID)
			if err != nil {
				return err
			}
			items, fe := DecideAcceptance(list, checked, accept, note)
			if err := fe.Err(); err != nil {
				return err
			}
			a := ProjectAcceptance{ProjectID: pr.ID, Accepted: accept, Checked: strings.Join(items, ","), Note: note, ByID: p.Account.ID, At: now}
			if err := s.conn(ctx).Omit(clause.Associations).Create(&a).Error; err != nil {
				return err
			}
			if accept {
				pr.AcceptedAt = &now
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := s.notifyProject(ctx, p, append(undertakerAccount(pr), pr.OwnerID), NotifyProjectDecided, pr, key); err != nil || !accept {
			return err
		}
		// The residents whose needs it answers are asked to rate it.
		var filers []uint64
		err = s.conn(ctx).Model(&Need{}).Where("id IN (?)", s.conn(ctx).Model(&ProjectNeed{}).Select("need_id").Where("project_id = ?", pr.ID)).
			Pluck("filer_id", &filers).Error
		if err != nil {
			return err
		}
		return s.notifyProject(ctx, p, filers, NotifyProjectDecided, pr, "notify.project_rate_please")
	})
	return pr, err
}

// CloseProject closes an accepted project once its rating window is over.
func (s *Store) CloseProject(ctx context.Context, p *Principal, id uint64) (Project, error) {
	return s.projectStep(ctx, p, id, ProjectActClose, "", func(_ context.Context, pr *Project, now time.Time) error {
		if !MayClose(pr.AcceptedAt, now) {
			return ErrRatingWindowOpen
		}
		pr.ClosedAt = &now
		return nil
	})
}

// mayRate reports whether p may rate project pr (效果民评): a verified
// resident of its place, or the filer of a need it answers, who may live
// elsewhere in the community and was asked to rate it on acceptance.
func (s *Store) mayRate(ctx context.Context, p *Principal, pr Project) (bool, error) {
	if p == nil {
		return false, nil
	}
	home, err := s.residentHome(ctx, p)
	if err == nil && pr.Place.Contains(home) {
		return true, nil
	}
	if err != nil && !errors.Is(err, ErrNotResident) {
		return false, err
	}
	var n int64
	err = s.conn(ctx).Model(&Need{}).Where("filer_id = ?", p.Account.ID).
		Where("id IN (?)", s.conn(ctx).Model(&ProjectNeed{}).Select("need_id").Where("project_id = ?", pr.ID)).Count(&n).Error
	return n > 0, err
}

// RateProject records a rating of an accepted project (效果民评), once per
// account, by a verified resident of its place or a filer of one of the
// needs it answers.
func (s *Store) RateProject(ctx context.Context, p *Principal, id uint64, rating int, comment string) error {
	comment = strings.TrimSpace(comment)
	return s.InTx(ctx, func(ctx context.Context) error {
		pr, _, err := s.projectFor(ctx, p, id, false)
		if err != nil {
			return err
		}
		if ok, err := s.mayRate(ctx, p, pr); err != nil {
			return err
		} else if !ok {
			return ErrNotResidentOfProject
		}
		if !RatingOpen(pr.Status) {
			return ErrProjectStep
		}
		if !ValidRating(rating) {
			return FieldErrors{"rating": "err.rating_invalid"}
		}
		if len([]rune(comment)) > 500 {
			return FieldErrors{"comment": "err.too_long"}
		}
		r := ProjectRating{ProjectID: pr.ID, AccountID: p.Account.ID, Rating: rating, Comment: comment, CreatedAt: s.Now()}
		if err := s.conn(ctx).Create(&r).Error; err != nil {
			if isDuplicate(err) {
				return ErrAlreadyRated
			}
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "project.rate", ObjectType: "project", ObjectID: pr.ID, PlaceID: &pr.PlaceID,
			Detail: fmt.Sprintf("%d star(s)", rating)})
	})
}

// StandingNotice returns the notice that stands published among a
// project's notices (see NoticesForSource), if any: a withdrawn notice (an
// objection upheld, a mistake in its text) does not count, so the outcome
// may be published again, as a ballot's result may.
func StandingNotice(notices []Notice) (Notice, bool) {
	for _, n := range notices {
		if n.Stands() {
			return n, true
		}
	}
	return Notice{}, false
}

// PublishProject publishes an accepted project's outcome as a notice (公示)
// at its place, once (ErrProjectPublished while a notice stands);
// PublishOutcome checks p may publish there.
func (s *Store) PublishProject(ctx context.Context, p *Principal, id uint64, in NoticeInput) (Notice, error) {
	var n Notice
	err := s.InTx(ctx, func(ctx context.Context) error {
		pr, _, err := s.projectFor(ctx, p, id, true, ProjectByStaff)
		if err != nil {
			return err
		}
		if pr.Status != ProjectAccepted && pr.Status != ProjectClosed {
			return ErrProjectStep
		}
		old, err := s.NoticesForSource(ctx, ProjectSource, pr.ID)
		if err != nil {
			return err
		}
		if _, ok := StandingNotice(old); ok {
			return ErrProjectPublished
		}
		in.PlaceID = pr.PlaceID
		if n, err = s.PublishOutcome(ctx, p, in, ProjectSource, pr.ID); err != nil {
			return err
		}
		return s.projectAudit(ctx, p, pr, "publish", pr.Status, pr.Status, fmt.Sprintf("notice %d", n.ID))
	})
	return n, err
}

// ProjectQuery selects projects for the list.
type ProjectQuery struct {
	Status        ProjectStatus
	PlaceID       uint64 // within this place
	Page, PerPage int
}

// ListProjects lists the projects p may see (every project out of draft,
// and drafts at the places p manages projects for), newest first.
func (s *Store) ListProjects(ctx context.Context, p *Principal, q ProjectQuery) ([]Project, int64, error) {
	q.Page, q.PerPage = pageBounds(q.Page, q.PerPage)
	db := s.conn(ctx).Model(&Project{}).Joins("JOIN places pp ON pp.id = projects.place_id")
	vis := s.conn(ctx).Where("projects.status <> ?", ProjectDraft)
	for _, sc := range p.Scopes(PermManageProjects) {
		vis = vis.Or("pp.path LIKE ?", likeEscape(sc.Path)+"%")
	}
	db = db.Where(vis)
	if q.Status != "" {
		db = db.Where("projects.status = ?", q.Status)
	}
	if q.PlaceID != 0 {
		pl, err := s.PlaceByID(ctx, q.PlaceID)
		if err != nil {
			return nil, 0, err
		}
		db = db.Where("pp.path LIKE ?", likeEscape(pl.Path)+"%")
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Project
	err := db.Preload("Place").Preload("Undertaker").Order("projects.updated_at DESC, projects.id DESC").
		Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage).Find(&out).Error
	return out, total, err
}

// ProjectDetail is the whole chain of one project as its page shows it.
type ProjectDetail struct {
	Project      Project
	Roles        []ProjectActor
	Needs        []Need
	Offers       []ProjectOffer // matched offers, withheld where p may not see them
	Applications []ProjectApplication
	Milestones   []ProjectMilestone
	Updates      []ProjectUpdate
	Acceptances  []ProjectAcceptance
	Ratings      RatingSummary
	Comments     []ProjectRating // ratings with a comment, newest first
	MyRating     *ProjectRating
	MayRate      bool       // p may rate (see mayRate) and has not rated
	Applicants   []Provider // the verified social organisations p may apply for
	Notices      []Notice
	Events       []ProjectEvent
	Checklist    []string
}

// Staff reports whether the viewer is staff of the project's place.
func (d ProjectDetail) Staff() bool { return hasActor(d.Roles, ProjectByStaff) }

// Undertaker reports whether the viewer acts for the undertaker.
func (d ProjectDetail) Undertaker() bool { return hasActor(d.Roles, ProjectByUndertaker) }

// MaySeeProject reports whether p (nil: a visitor) may open project id's
// page: a draft is its staff's only.
func (s *Store) MaySeeProject(ctx context.Context, p *Principal, id uint64) (bool, error) {
	_, _, err := s.projectFor(ctx, p, id, false)
	return Visible(err)
}

// ProjectByID returns a project's whole chain for p (nil for a visitor),
// or ErrNotFound when p may not see it.
func (s *Store) ProjectByID(ctx context.Context, p *Principal, id uint64) (ProjectDetail, error) {
	var d ProjectDetail
	pr, roles, err := s.projectFor(ctx, p, id, false)
	if err != nil {
		return d, err
	}
	d.Project, d.Roles = pr, roles
	db := s.conn(ctx)
	if err := db.Preload("Place").Preload("Category").Where("id IN (?)", db.Model(&ProjectNeed{}).Select("need_id").Where("project_id = ?", id)).
		Order("id").Find(&d.Needs).Error; err != nil {
		return d, err
	}
	if err := s.conn(ctx).Preload("Offer").Preload("Offer.Provider").Preload("Offer.Provider.Place").Where("project_id = ?", id).Order("created_at, offer_id").Find(&d.Offers).Error; err != nil {
		return d, err
	}
	for i, m := range d.Offers {
		if !m.Offer.ShownOnProject(p, d.Staff()) {
			d.Offers[i] = m.withhold()
		}
	}
	if err := s.conn(ctx).Preload("Provider").Preload("Provider.Place").Where("project_id = ?", id).Order("id").Find(&d.Applications).Error; err != nil {
		return d, err
	}
	if err := s.conn(ctx).Where("project_id = ?", id).Order("due_on, id").Find(&d.Milestones).Error; err != nil {
		return d, err
	}
	d.Checklist = ChecklistFor(d.Milestones)
	if err := s.conn(ctx).Preload("Author").Preload("Photos", func(db *gorm.DB) *gorm.DB {
		return db.Select("id, project_id, update_id, content_type, width, height, created_at").Order("id")
	}).Where("project_id = ?", id).Order("created_at DESC, id DESC").Find(&d.Updates).Error; err != nil {
		return d, err
	}
	if err := s.conn(ctx).Preload("By").Where("project_id = ?", id).Order("at, id").Find(&d.Acceptances).Error; err != nil {
		return d, err
	}
	var ratings []ProjectRating
	if err := s.conn(ctx).Where("project_id = ?", id).Order("created_at DESC").Find(&ratings).Error; err != nil {
		return d, err
	}
	stars := make([]int, 0, len(ratings))
	for i, r := range ratings {
		stars = append(stars, r.Rating)
		if r.Comment != "" {
			d.Comments = append(d.Comments, r)
		}
		if p != nil && r.AccountID == p.Account.ID {
			d.MyRating = &ratings[i]
		}
	}
	d.Ratings = SummarizeRatings(stars)
	if p != nil && d.MyRating == nil && RatingOpen(pr.Status) {
		if d.MayRate, err = s.mayRate(ctx, p, pr); err != nil {
			return d, err
		}
	}
	if p != nil && pr.Status == ProjectOpenCall {
		var mine []Provider
		if err := s.conn(ctx).Where("account_id = ? AND kind = ? AND verified_at IS NOT NULL", p.Account.ID, ProviderSocialOrg).
			Where("id NOT IN (?)", s.conn(ctx).Model(&ProjectApplication{}).Select("provider_id").Where("project_id = ?", id)).
			Order("id").Find(&mine).Error; err != nil {
			return d, err
		}
		d.Applicants = mine
	}
	if d.Notices, err = s.NoticesForSource(ctx, ProjectSource, id); err != nil {
		return d, err
	}
	if err := s.conn(ctx).Preload("Actor").Where("project_id = ?", id).Order("at, id").Find(&d.Events).Error; err != nil {
		return d, err
	}
	return d, nil
}

// ProjectPhotoFor returns a progress photo's bytes if p may see the project.
func (s *Store) ProjectPhotoFor(ctx context.Context, p *Principal, projectID, photoID uint64) (ProjectPhoto, error) {
	var ph ProjectPhoto
	if _, _, err := s.projectFor(ctx, p, projectID, false); err != nil {
		return ph, err
	}
	if err := s.conn(ctx).Where("id = ? AND project_id = ?", photoID, projectID).Limit(1).Find(&ph).Error; err != nil {
		return ph, err
	}
	if ph.ID == 0 {
		return ph, ErrNotFound
	}
	return ph, nil
}

// ProjectsForNeed lists the public projects a need became part of, for the
// need's page to link forward.
func (s *Store) ProjectsForNeed(ctx context.Context, needID uint64) ([]Project, error) {
	var out []Project
	err := s.conn(ctx).Where("status <> ? AND id IN (?)", ProjectDraft, s.conn(ctx).Model(&ProjectNeed{}).Select("project_id").Where("need_id = ?", needID)).
		Order("id").Find(&out).Error
	return out, err
}
