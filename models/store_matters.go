package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// matterNoticeSource names the notices that publish a village matter's
// resolution and results.
const matterNoticeSource = "matter"

// ProcedureView is a chain as staff see it: its steps, how many matters
// follow it, and whether the viewer may still edit it.
type ProcedureView struct {
	Procedure
	Matters int64 // matters that follow it
	Manage  bool  // the viewer manages councils at its place
}

// Editable reports whether the viewer may change the chain: they manage its
// place and no matter follows it yet.
func (v ProcedureView) Editable() bool { return v.Manage && v.Matters == 0 }

// loadSteps fills in the steps of the chains procs, in order.
func (s *Store) loadSteps(ctx context.Context, procs []Procedure) error {
	if len(procs) == 0 {
		return nil
	}
	ids := make([]uint64, len(procs))
	at := map[uint64]int{}
	for i, pr := range procs {
		ids[i], at[pr.ID] = pr.ID, i
	}
	var steps []ProcedureStep
	if err := s.conn(ctx).Where("procedure_id IN ?", ids).Order("procedure_id, position").Find(&steps).Error; err != nil {
		return err
	}
	for _, st := range steps {
		i := at[st.ProcedureID]
		procs[i].Steps = append(procs[i].Steps, st)
	}
	return nil
}

// branchOf is the condition "places.* lies on the same branch as one of
// scopes" (inside one, or above one), with its arguments.
func branchOf(scopes []Place) (string, []any) {
	var conds []string
	var args []any
	for _, sc := range scopes {
		conds = append(conds, "places.path LIKE ?", "places.id IN ?")
		args = append(args, sc.Path+"%", sc.AncestorIDs())
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// grantPlaces are the places p holds its roles at.
func grantPlaces(p *Principal) []Place {
	out := make([]Place, len(p.Grants))
	for i, g := range p.Grants {
		out[i] = g.Place
	}
	return out
}

// Procedures lists the chains defined at the places where p manages
// councils, inside them or above them, by place and name, with their steps.
func (s *Store) Procedures(ctx context.Context, p *Principal) ([]Procedure, error) {
	scopes := p.Scopes(PermManageCouncils)
	if len(scopes) == 0 {
		return nil, nil
	}
	cond, args := branchOf(scopes)
	var out []Procedure
	err := s.conn(ctx).Joins("JOIN places ON places.id = procedures.place_id").Where(cond, args...).
		Preload("Place").Order("places.path, procedures.name, procedures.id").Limit(500).Find(&out).Error
	if err != nil {
		return nil, err
	}
	return out, s.loadSteps(ctx, out)
}

// procedure loads a stored chain with its place and steps.
func (s *Store) procedure(ctx context.Context, id uint64) (Procedure, error) {
	var pr Procedure
	if err := s.conn(ctx).Preload("Place").Where("id = ?", id).Limit(1).Find(&pr).Error; err != nil {
		return pr, err
	}
	if pr.ID == 0 {
		return pr, ErrNotFound
	}
	procs := []Procedure{pr}
	err := s.loadSteps(ctx, procs)
	return procs[0], err
}

// ProcedureByID returns a chain to staff who manage councils on its branch.
func (s *Store) ProcedureByID(ctx context.Context, p *Principal, id uint64) (ProcedureView, error) {
	var v ProcedureView
	var err error
	if v.Procedure, err = s.procedure(ctx, id); err != nil {
		return v, err
	}
	if !p.CanAnywhere(PermManageCouncils) || !relatedTo(p, v.Place) {
		return ProcedureView{}, ErrNotFound
	}
	v.Manage = p.Can(PermManageCouncils, v.Place)
	err = s.conn(ctx).Model(&Matter{}).Where("procedure_id = ?", id).Count(&v.Matters).Error
	return v, err
}

// ProcedurePlaces lists the places p may define a chain for: where p
// manages councils, above households.
func (s *Store) ProcedurePlaces(ctx context.Context, p *Principal) ([]Place, error) {
	return s.CouncilPlaces(ctx, p)
}

// writeSteps stores a chain's steps in order.
func (s *Store) writeSteps(ctx context.Context, procID uint64, steps []ProcedureStepInput) error {
	if len(steps) == 0 {
		return nil
	}
	rows := make([]ProcedureStep, len(steps))
	for i, st := range steps {
		rows[i] = ProcedureStep{ProcedureID: procID, Position: i, Name: st.Name, Kind: st.Kind, CouncilKind: st.CouncilKind}
		if st.Kind == StepPublication {
			rows[i].CouncilKind = ""
		}
	}
	return s.conn(ctx).Create(&rows).Error
}

func stepsDetail(steps []ProcedureStepInput) string {
	names := make([]string, len(steps))
	for i, st := range steps {
		names[i] = st.Name
	}
	return strings.Join(names, " → ")
}

// CreateProcedure defines a chain at a place where p manages councils.
func (s *Store) CreateProcedure(ctx context.Context, p *Principal, in ProcedureInput) (Procedure, error) {
	var pr Procedure
	if !p.CanAnywhere(PermManageCouncils) {
		return pr, ErrForbidden
	}
	fe := in.Validate()
	pl, err := s.choosablePlace(ctx, p, PermManageCouncils, in.PlaceID, notHousehold, fe)
	if err != nil {
		return pr, err
	}
	if err := fe.Err(); err != nil {
		return pr, err
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		now := s.Now()
		pr = Procedure{PlaceID: pl.ID, Name: in.Name, CreatedByID: p.Account.ID, CreatedAt: now, UpdatedAt: now}
		if err := s.conn(ctx).Create(&pr).Error; err != nil {
			return err
		}
		if err := s.writeSteps(ctx, pr.ID, in.Steps); err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "procedure.create", ObjectType: "procedure", ObjectID: pr.ID, PlaceID: &pr.PlaceID,
			Detail: truncate(pr.Name+": "+stepsDetail(in.Steps), 300)})
	})
	pr.Place = pl
	return pr, err
}

// UpdateProcedure renames a chain and replaces its steps, as long as no
// matter follows it (a matter's record must keep the chain it was decided
// by). The chain stays at its place.
func (s *Store) UpdateProcedure(ctx context.Context, p *Principal, id uint64, in ProcedureInput) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockRow(ctx, &Procedure{}, id); err != nil {
			return err
		}
		v, err := s.ProcedureByID(ctx, p, id)
		if err != nil {
			return err
		}
		if !v.Manage {
			return ErrForbidden
		}
		if v.Matters > 0 {
			return ErrProcedureInUse
		}
		in.PlaceID = v.PlaceID
		if err := in.Validate().Err(); err != nil {
			return err
		}
		if err := s.conn(ctx).Model(&Procedure{}).Where("id = ?", id).Updates(map[string]any{"name": in.Name, "updated_at": s.Now()}).Error; err != nil {
			return err
		}
		if err := s.conn(ctx).Where("procedure_id = ?", id).Delete(&ProcedureStep{}).Error; err != nil {
			return err
		}
		if err := s.writeSteps(ctx, id, in.Steps); err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "procedure.update", ObjectType: "procedure", ObjectID: id, PlaceID: &v.PlaceID,
			Detail: truncate(in.Name+": "+stepsDetail(in.Steps), 300)})
	})
}

// MatterPlaces lists the villages where p may register matters: where p
// manages councils.
func (s *Store) MatterPlaces(ctx context.Context, p *Principal) ([]Place, error) {
	return s.scopedPlaces(ctx, p, PermManageCouncils, KindVillage)
}

// Matters lists the matters of the villages p has to do with (where p holds
// a role inside or above them, a resident's included), latest change first.
func (s *Store) Matters(ctx context.Context, p *Principal, page, perPage int) ([]Matter, int64, error) {
	if p == nil || len(p.Grants) == 0 {
		return nil, 0, nil
	}
	cond, args := branchOf(grantPlaces(p))
	q := s.conn(ctx).Model(&Matter{}).Joins("JOIN places ON places.id = matters.place_id").Where(cond, args...)
	return pageOf[Matter](q, q.Session(&gorm.Session{}).Preload("Place").Order("matters.updated_at DESC, matters.id DESC"), page, perPage)
}

// CreateMatter registers a village matter at a village where p manages
// councils, to be decided by the chosen chain (one defined at the village
// or above it) or by the default.
func (s *Store) CreateMatter(ctx context.Context, p *Principal, in MatterInput) (Matter, error) {
	var m Matter
	if !p.CanAnywhere(PermManageCouncils) {
		return m, ErrForbidden
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		fe := in.Validate()
		pl, err := s.choosablePlace(ctx, p, PermManageCouncils, in.PlaceID, func(pl Place) bool { return pl.Kind == KindVillage }, fe)
		if err != nil {
			return err
		}
		var proc *uint64
		if in.ProcedureID != 0 {
			// Locked, so the chain is not edited while a matter takes it up.
			if err := s.lockRow(ctx, &Procedure{}, in.ProcedureID); err != nil {
				return err
			}
			pr, err := s.procedure(ctx, in.ProcedureID)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if err != nil || pl.ID != 0 && !pr.Place.Contains(pl) {
				fe.Add("procedure_id", "err.invalid_choice")
			}
			proc = &in.ProcedureID
		}
		if err := fe.Err(); err != nil {
			return err
		}
		now := s.Now()
		m = Matter{PlaceID: pl.ID, ProcedureID: proc, Title: in.Title, Description: in.Description, Source: in.Source, Status: MatterOpen,
			CreatedByID: p.Account.ID, CreatedAt: now, UpdatedAt: now, Place: pl}
		if err := s.conn(ctx).Omit("Place").Create(&m).Error; err != nil {
			return err
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "matter.create", ObjectType: "matter", ObjectID: m.ID, PlaceID: &m.PlaceID,
			Detail: truncate(fmt.Sprintf("%s (%s, procedure %d)", m.Title, m.Source, in.ProcedureID), 300)})
	})
	return m, err
}

// MatterView is a matter as one viewer sees it: its chain, the records of
// the steps done, and what the viewer may do.
type MatterView struct {
	Matter
	Procedure Procedure    // the chain it follows, with its steps
	Records   []MatterStep // the steps recorded, in order
	Manage    bool         // the viewer manages councils at its village: records steps
}

// Next is the step to record next, or nil once the matter has ended.
func (v MatterView) Next() *ProcedureStep {
	if v.Status != MatterOpen || v.Done >= len(v.Procedure.Steps) {
		return nil
	}
	return &v.Procedure.Steps[v.Done]
}

// Record is the record of the step at position, or nil.
func (v MatterView) Record(position int) *MatterStep {
	if position < 0 || position >= len(v.Records) {
		return nil
	}
	return &v.Records[position]
}

// MatterByID returns a matter for a viewer who has to do with its village.
func (s *Store) MatterByID(ctx context.Context, p *Principal, id uint64) (MatterView, error) {
	var v MatterView
	if err := s.conn(ctx).Preload("Place").Where("id = ?", id).Limit(1).Find(&v.Matter).Error; err != nil {
		return v, err
	}
	if v.ID == 0 || !relatedTo(p, v.Place) {
		return MatterView{}, ErrNotFound
	}
	v.Manage = p.Can(PermManageCouncils, v.Place)
	v.Procedure = DefaultProcedure
	if v.ProcedureID != nil {
		var err error
		if v.Procedure, err = s.procedure(ctx, *v.ProcedureID); err != nil {
			return v, err
		}
	}
	err := s.conn(ctx).Preload("RecordedBy").Where("matter_id = ?", id).Order("position").Find(&v.Records).Error
	return v, err
}

// MeetingChoice is a council meeting a meeting step may point to.
type MeetingChoice struct {
	ID          uint64
	Title       string
	StartsAt    time.Time
	CouncilName string
	CouncilKind CouncilKind
}

// MatterMeetings lists the meetings, announced or later, of the councils at
// a matter's village or inside it, the latest first, for its next meeting
// step to point to.
func (s *Store) MatterMeetings(ctx context.Context, v MatterView) ([]MeetingChoice, error) {
	var out []MeetingChoice
	err := s.conn(ctx).Table("meetings").Select("meetings.id, meetings.title, meetings.starts_at, councils.name AS council_name, councils.kind AS council_kind").
		Joins("JOIN councils ON councils.id = meetings.council_id").Joins("JOIN places ON places.id = councils.place_id").
		Where("places.path LIKE ? AND meetings.status <> ?", v.Place.Path+"%", MeetingDraft).
		Order("meetings.starts_at DESC, meetings.id DESC").Limit(100).Scan(&out).Error
	return out, err
}

// checkStepMeeting checks the council meeting a meeting step points to: one
// p may see, held (announced or later) by a council at the matter's village
// or inside it, and of the kind the step expects, if any.
func (s *Store) checkStepMeeting(ctx context.Context, p *Principal, v MatterView, st ProcedureStep, meetingID uint64, fe FieldErrors) error {
	mv, err := s.MeetingByID(ctx, p, meetingID)
	if errors.Is(err, ErrNotFound) {
		fe.Add("meeting_id", "village.err.meeting_invalid")
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case mv.Status == MeetingDraft || !v.Place.Contains(mv.Council.Place):
		fe.Add("meeting_id", "village.err.meeting_invalid")
	case st.CouncilKind != "" && mv.Council.Kind != st.CouncilKind:
		fe.Add("meeting_id", "village.err.meeting_kind")
	}
	return nil
}

// RecordStep records the step at position of a matter, strictly in the
// chain's order, for staff who manage councils at its village. A meeting
// that does not pass the matter ends it; a publication puts a notice on the
// bulletin at the village for its publicity period. Two recorders racing
// for one step store one record: the matter's row is locked, the update of
// its count is conditional, and (matter, position) is unique.
func (s *Store) RecordStep(ctx context.Context, p *Principal, id uint64, position int, in StepInput, tz *time.Location) (MatterStep, error) {
	var rec MatterStep
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockRow(ctx, &Matter{}, id); err != nil {
			return err
		}
		v, err := s.MatterByID(ctx, p, id)
		if err != nil {
			return err
		}
		if !v.Manage {
			return ErrForbidden
		}
		if err := CheckStep(v.Status, v.Done, len(v.Procedure.Steps), position); err != nil {
			return err
		}
		st := v.Procedure.Steps[position]
		now := s.Now()
		fe := v.CheckNext(&in, now)
		if st.Kind == StepMeeting && in.MeetingID != 0 {
			if err := s.checkStepMeeting(ctx, p, v, st, in.MeetingID, fe); err != nil {
				return err
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		rec = MatterStep{MatterID: id, Position: position, Name: st.Name, Kind: st.Kind, HeldOn: in.HeldOn.UTC(), Text: in.Text, Remarks: in.Remarks,
			RecordedByID: p.Account.ID, CreatedAt: now, RecordedBy: p.Account}
		switch st.Kind {
		case StepMeeting:
			rec.Form, rec.Expected, rec.Actual, rec.Result, rec.Signatures = in.Form, in.Expected, in.Actual, in.Result, in.Signatures
			if in.MeetingID != 0 {
				rec.MeetingID = &in.MeetingID
			}
		case StepPublication:
			rec.Form, rec.PeriodDays = strings.Join(in.Channels, ","), in.PeriodDays
		}
		if err := s.conn(ctx).Omit("RecordedBy").Create(&rec).Error; err != nil {
			if isDuplicate(err) {
				return ErrStepRecorded
			}
			return err
		}
		status := AfterStep(len(v.Procedure.Steps), position, st.Kind, rec.Result)
		changes := map[string]any{"done": position + 1, "status": status, "updated_at": now}
		if status != MatterOpen {
			changes["ended_at"] = now
		}
		res := s.conn(ctx).Model(&Matter{}).Where("id = ? AND done = ? AND status = ?", id, position, MatterOpen).Updates(changes)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrStepRecorded
		}
		if st.Kind == StepPublication {
			n, err := s.PublishOutcome(ctx, p, NoticeInput{PlaceID: v.PlaceID, Title: truncate(st.Name+"："+v.Title, 120),
				Body: PublicationText(v, st, rec, tz), PeriodDays: rec.PeriodDays, AllowObjections: true}, matterNoticeSource, id)
			if err != nil {
				return err
			}
			rec.NoticeID = &n.ID
			if err := s.conn(ctx).Model(&MatterStep{}).Where("id = ?", rec.ID).Update("notice_id", n.ID).Error; err != nil {
				return err
			}
		}
		return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "matter.step", ObjectType: "matter", ObjectID: id, PlaceID: &v.PlaceID,
			Detail: truncate(fmt.Sprintf("step %d %s: %s %s", position+1, st.Name, rec.Result, status), 300)})
	})
	return rec, err
}

// Chinese names of sources and channels, for the notices (the bulletin
// speaks the village's language, like every notice).
var (
	sourceZH  = map[MatterSource]string{SourceResidents: "群众建议", SourceOfficials: "干部提议", SourceAssigned: "上级交办"}
	channelZH = map[string]string{"board": "村务公开栏", "website": "网站", "wechat": "微信群", "broadcast": "广播", "door": "入户告知"}
	resultZH  = map[StepResult]string{StepPassed: "通过", StepFailed: "未通过"}
)

// PublicationText is the body of the notice a publication step puts on the
// bulletin: the matter, where its motion came from, how each meeting
// before decided it, what is published, and how to object.
func PublicationText(v MatterView, st ProcedureStep, rec MatterStep, tz *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "事项名称：%s\n动议来源：%s\n\n", v.Title, sourceZH[v.Source])
	for _, r := range v.Records {
		if r.Kind == StepMeeting {
			fmt.Fprintf(&b, "%s：%s，应到%d人，实到%d人，%s。\n", r.Name, r.HeldOn.In(tz).Format("2006年1月2日"), r.Expected, r.Actual, resultZH[r.Result])
		}
	}
	fmt.Fprintf(&b, "\n%s：\n%s\n\n", st.Name, rec.Text)
	ways := make([]string, 0, len(rec.Channels()))
	for _, c := range rec.Channels() {
		ways = append(ways, channelZH[c])
	}
	fmt.Fprintf(&b, "公开方式：%s\n公示期%d天。如有异议，请在公示期内向村务监督委员会反映，或在本页面提出。", strings.Join(ways, "、"), rec.PeriodDays)
	return b.String()
}
