package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views/councils"
	"yishi/views/site"
)

const (
	councilsPerPage = 20
	topicsPerPage   = 10
	meetingsPerPage = 10
)

// councilsList shows the councils the viewer has to do with; with ?need=
// it lists only those the viewer may turn that need into a topic of.
func (s *Server) councilsList(c echo.Context) error {
	p := me(c)
	d := councils.ListData{Page: pageParam(c), PerPage: councilsPerPage, CanCreate: p.CanAnywhere(models.PermManageCouncils)}
	var err error
	if n, _ := strconv.ParseUint(c.QueryParam("need"), 10, 64); n > 0 {
		var need models.NeedDetail
		if need, err = s.store.NeedByID(rctx(c), p, n); err != nil {
			return err
		}
		d.NeedID = n
		d.Councils, d.Total, err = s.store.CouncilsForNeed(rctx(c), p, need, d.Page, d.PerPage)
	} else {
		d.Councils, d.Total, err = s.store.Councils(rctx(c), p, d.Page, d.PerPage)
	}
	if err != nil {
		return err
	}
	if d.Labels, err = placeLabelsOf(s, c, d.Councils, func(co models.Council) models.Place { return co.Place }); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, councils.List(d))
}

// councilNewData builds the set-up form: the places the viewer manages.
func (s *Server) councilNewData(c echo.Context, in models.CouncilInput, fe models.FieldErrors) (councils.NewData, error) {
	d := councils.NewData{In: in, Errors: fe}
	places, err := s.store.CouncilPlaces(rctx(c), me(c))
	if err != nil {
		return d, err
	}
	d.Places, _, err = s.fullNameOptions(c, places)
	return d, err
}

func (s *Server) councilNew(c echo.Context) error {
	d, err := s.councilNewData(c, models.CouncilInput{Kind: models.CouncilResidents}, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, councils.New(d))
}

func (s *Server) councilCreate(c echo.Context) error {
	in := models.CouncilInput{PlaceID: formID(c, "place_id"), Kind: models.CouncilKind(c.FormValue("kind")), Name: c.FormValue("name")}
	co, err := s.store.CreateCouncil(rctx(c), me(c), in)
	if err == nil {
		flash(c, "ok", "councils.created")
		return redirect(c, "/councils/"+strconv.FormatUint(co.ID, 10))
	}
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	d, err := s.councilNewData(c, in, fe)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, councils.New(d))
}

// councilData gathers a council's page for the viewer.
func (s *Server) councilData(c echo.Context, id uint64) (councils.ShowData, error) {
	p := me(c)
	d := councils.ShowData{Page: pageParam(c), PerPage: topicsPerPage, Viewer: p.Account.ID}
	var err error
	if d.Council, err = s.store.CouncilByID(rctx(c), p, id); err != nil {
		return d, err
	}
	if d.PlaceLabel, err = s.store.PlaceLabel(rctx(c), d.Council.Place); err != nil {
		return d, err
	}
	for _, st := range models.TopicStatuses {
		if c.QueryParam("status") == string(st) {
			d.Tab = string(st)
		}
	}
	d.Topics, d.TopicTotal, err = s.store.CouncilTopics(rctx(c), id, models.TopicFilter{Status: models.TopicStatus(d.Tab), Page: d.Page, PerPage: d.PerPage})
	if err != nil {
		return d, err
	}
	d.MeetingPage, d.MeetingsPer = 1, meetingsPerPage
	if n, err := strconv.Atoi(c.QueryParam("mpage")); err == nil && n > 1 {
		d.MeetingPage = n
	}
	if d.Meetings, d.MeetingTotal, err = s.store.CouncilMeetings(rctx(c), d.Council, d.MeetingPage, meetingsPerPage); err != nil {
		return d, err
	}
	d.Resolutions, err = s.councilResolutions(c, id)
	return d, err
}

func (s *Server) councilShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.councilData(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, councils.Show(d))
}

// formOf keeps what was typed into the named fields, for showing a failed
// form again.
func formOf(c echo.Context, name string, fe models.FieldErrors, fields ...string) councils.Form {
	f := councils.Form{Name: name, Errors: fe, Values: map[string]string{}}
	for _, k := range fields {
		f.Values[k] = c.FormValue(k)
	}
	return f
}

// councilPost runs one of the council page's forms: on success it flashes
// okKey and goes back to the page, on bad input it shows the page again
// with that form's errors.
func (s *Server) councilPost(c echo.Context, form, okKey string, fields []string, do func(id uint64) (string, error)) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	to, err := do(id)
	err = stepError(err, "step")
	if err == nil {
		flash(c, "ok", okKey)
		if to == "" {
			to = "/councils/" + strconv.FormatUint(id, 10)
		}
		return redirect(c, to)
	}
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	d, err := s.councilData(c, id)
	if err != nil {
		return err
	}
	d.Form = formOf(c, form, fe, fields...)
	return s.render(c, http.StatusUnprocessableEntity, councils.Show(d))
}

func (s *Server) councilRules(c echo.Context) error {
	return s.councilPost(c, "rules", "councils.rules_saved", []string{"quorum", "pass_rule", "notice_days"}, func(id uint64) (string, error) {
		days, err := strconv.Atoi(strings.TrimSpace(c.FormValue("notice_days")))
		if err != nil {
			days = -1 // refused by the rules' validation, after the permission check
		}
		r := models.CouncilRules{Quorum: models.ParseFraction(c.FormValue("quorum")), Pass: models.PassRule(c.FormValue("pass_rule")), NoticeDays: days}
		return "", s.store.SetCouncilRules(rctx(c), me(c), id, r)
	})
}

func (s *Server) councilRename(c echo.Context) error {
	return s.councilPost(c, "rename", "councils.renamed", []string{"name", "kind"}, func(id uint64) (string, error) {
		return "", s.store.EditCouncil(rctx(c), me(c), id, c.FormValue("name"), models.CouncilKind(c.FormValue("kind")))
	})
}

func (s *Server) councilAddMember(c echo.Context) error {
	return s.councilPost(c, "member", "councils.member_added", []string{"phone", "role"}, func(id uint64) (string, error) {
		_, err := s.store.AddCouncilMember(rctx(c), me(c), id, c.FormValue("phone"), models.MemberRole(c.FormValue("role")))
		return "", err
	})
}

func (s *Server) councilRemoveMember(c echo.Context) error {
	mid, err := idParam(c, "mid")
	if err != nil {
		return err
	}
	return s.councilPost(c, "member", "councils.member_removed", nil, func(id uint64) (string, error) {
		return "", s.store.RemoveCouncilMember(rctx(c), me(c), id, mid)
	})
}

// meetingInput reads the meeting form; a time that does not parse is a
// field error.
func meetingInput(c echo.Context) (models.MeetingInput, models.FieldErrors) {
	in := models.MeetingInput{Title: c.FormValue("title"), Location: c.FormValue("location"), OnlineURL: c.FormValue("online_url")}
	if v := strings.TrimSpace(c.FormValue("starts_at")); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, env(c).TZ)
		if err != nil {
			return in, models.FieldErrors{"starts_at": "err.date_invalid"}
		}
		in.StartsAt = t
	}
	return in, nil
}

func (s *Server) meetingCreate(c echo.Context) error {
	return s.councilPost(c, "draft", "meetings.drafted", []string{"title", "starts_at", "location", "online_url"}, func(id uint64) (string, error) {
		in, fe := meetingInput(c)
		if fe != nil {
			return "", fe
		}
		m, err := s.store.CreateMeeting(rctx(c), me(c), id, in)
		return "/meetings/" + strconv.FormatUint(m.ID, 10), err
	})
}

// topicFormData builds the topic form, with the need it comes from.
func (s *Server) topicFormData(c echo.Context, councilID uint64, in models.TopicInput, fe models.FieldErrors) (councils.TopicFormData, error) {
	p := me(c)
	d := councils.TopicFormData{In: in, Errors: fe}
	var err error
	if d.Council, err = s.store.CouncilByID(rctx(c), p, councilID); err != nil {
		return d, err
	}
	if !d.Council.MayPropose() {
		return d, models.ErrNotPlaceMember
	}
	if in.NeedID != 0 {
		n, err := s.store.NeedByID(rctx(c), p, in.NeedID)
		switch {
		case err == nil:
			d.Need = &n.Need
		case errors.Is(err, models.ErrNotFound) && fe["need_id"] != "":
			// Shown as the form's error: a need this person cannot use.
		default:
			return d, err
		}
	}
	return d, nil
}

// refuseProposal answers someone who may not propose or co-sign in a
// council with a 403 page that says who may; other errors pass through.
func (s *Server) refuseProposal(c echo.Context, err error) error {
	if errors.Is(err, models.ErrNotPlaceMember) {
		return s.render(c, http.StatusForbidden, site.ErrorPage(http.StatusForbidden, "err.not_council_resident"))
	}
	return err
}

func (s *Server) topicNew(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := models.TopicInput{}
	if n, err := strconv.ParseUint(c.QueryParam("need"), 10, 64); err == nil {
		in.NeedID = n
	}
	d, err := s.topicFormData(c, id, in, nil)
	if err != nil {
		return s.refuseProposal(c, err)
	}
	if d.Need != nil {
		d.In.Body = d.Need.Description
	}
	return s.render(c, http.StatusOK, councils.NewTopic(d))
}

func (s *Server) topicSubmit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := models.TopicInput{Title: c.FormValue("title"), Body: c.FormValue("body"), NeedID: formID(c, "need_id")}
	t, err := s.store.SubmitTopic(rctx(c), me(c), id, in)
	if err == nil {
		flash(c, "ok", "topics.submitted")
		return redirect(c, "/topics/"+strconv.FormatUint(t.ID, 10))
	}
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		return s.refuseProposal(c, err)
	}
	d, err := s.topicFormData(c, id, in, fe)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, councils.NewTopic(d))
}

func (s *Server) topicShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.store.TopicByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	d, err := s.topicData(c, v)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, councils.Topic(d))
}

// topicData is a topic's page with the resolutions it led to.
func (s *Server) topicData(c echo.Context, v models.TopicView) (councils.TopicData, error) {
	d := councils.TopicData{Topic: v, Viewer: me(c).Account.ID, Now: s.store.Now()}
	var err error
	if d.Resolutions, err = s.store.TopicResolutions(rctx(c), v.ID); err != nil {
		return d, err
	}
	if v.NeedID != nil {
		d.NeedOpen, err = s.mayOpen(c, "need", *v.NeedID)
	}
	return d, err
}

func (s *Server) topicCosign(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.CosignTopic(rctx(c), me(c), id); err != nil {
		return s.refuseProposal(c, err)
	}
	flash(c, "ok", "topics.cosigned")
	return redirect(c, "/topics/"+strconv.FormatUint(id, 10))
}

// topicAction is one of the convener's steps on a topic. Declining and
// merging need the ticked confirmation box; bad input shows the page again
// with the form's errors.
func (s *Server) topicAction(a models.TopicAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := me(c)
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		v, err := s.store.TopicByID(rctx(c), p, id)
		if err != nil {
			return err
		}
		if !v.Council.Run {
			return models.ErrForbidden
		}
		fe := models.FieldErrors{}
		if a != models.TopicActAccept && !confirmed(c) {
			fe.Add("confirm", "err.confirm_required")
		}
		if len(fe) == 0 {
			switch a {
			case models.TopicActAccept:
				_, err = s.store.AcceptTopic(rctx(c), p, id)
			case models.TopicActMerge:
				_, err = s.store.MergeTopic(rctx(c), p, id, formID(c, "target_id"))
			case models.TopicActDecline:
				_, err = s.store.DeclineTopic(rctx(c), p, id, c.FormValue("reason"))
			}
			if err == nil {
				flash(c, "ok", fmt.Sprintf("topics.did_%s", a))
				return redirect(c, "/topics/"+strconv.FormatUint(id, 10))
			}
			if !errors.As(err, &fe) {
				return err
			}
		}
		d, err := s.topicData(c, v)
		if err != nil {
			return err
		}
		d.Form = formOf(c, string(a), fe, "target_id", "reason")
		return s.render(c, http.StatusUnprocessableEntity, councils.Topic(d))
	}
}

func (s *Server) meetingShow(c echo.Context) error { return s.meetingPage(c, councils.Meeting) }

// meetingPage renders one view of a meeting the viewer may see.
func (s *Server) meetingPage(c echo.Context, page func(councils.MeetingData) templ.Component) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.store.MeetingByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, page(councils.MeetingData{Meeting: v}))
}

// meetingPost runs one of the meeting page's forms. An agenda change from
// htmx gets the agenda partial back; every other success goes back to the
// page, and bad input shows the page (or the partial) again with the
// form's errors.
func (s *Server) meetingPost(c echo.Context, form, okKey string, fields []string, do func(id uint64) error) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	err = do(id)
	var fe models.FieldErrors
	if err != nil && !errors.As(err, &fe) {
		return err
	}
	partial := strings.HasPrefix(form, "agenda") && isHTMX(c)
	if err == nil && !partial {
		flash(c, "ok", okKey)
		return redirect(c, "/meetings/"+strconv.FormatUint(id, 10))
	}
	v, err := s.store.MeetingByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	d := councils.MeetingData{Meeting: v}
	status := http.StatusOK
	if fe != nil {
		d.Form, status = formOf(c, form, fe, fields...), http.StatusUnprocessableEntity
	}
	if partial {
		// htmx swaps only successful answers; the errors are in the partial.
		return s.render(c, http.StatusOK, councils.Agenda(d))
	}
	return s.render(c, status, councils.Meeting(d))
}

func (s *Server) meetingUpdate(c echo.Context) error {
	return s.meetingPost(c, "edit", "meetings.saved", []string{"title", "starts_at", "location", "online_url"}, func(id uint64) error {
		in, fe := meetingInput(c)
		if fe != nil {
			return fe
		}
		return s.store.UpdateMeeting(rctx(c), me(c), id, in)
	})
}

func minutesField(c echo.Context) int {
	n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("minutes")))
	if err != nil {
		return 0
	}
	return n
}

func (s *Server) agendaAdd(c echo.Context) error {
	return s.meetingPost(c, "agenda", "meetings.item_added", []string{"topic_id", "minutes"}, func(id uint64) error {
		return stepError(s.store.AddAgendaItem(rctx(c), me(c), id, formID(c, "topic_id"), minutesField(c)), "step")
	})
}

// agendaItem handles one step on an agenda item: up, down, time, remove. A
// step the rules refuse (the meeting was announced meanwhile, say) comes
// back as the agenda with the message, so htmx swaps it in; without
// JavaScript the page shows it. An item with research is removed only
// with the form's box ticked, as its research goes with it.
func (s *Server) agendaItem(step string) echo.HandlerFunc {
	return func(c echo.Context) error {
		item, err := idParam(c, "item")
		if err != nil {
			return err
		}
		// The time box and remove forms name their item, so a refused
		// time shows again as typed, and a refused removal says why,
		// beside that item.
		return s.meetingPost(c, "agenda-item", "meetings.agenda_saved", []string{"item", "minutes", "removing"}, func(id uint64) error {
			p := me(c)
			var err error
			switch step {
			case "up":
				err = s.store.MoveAgendaItem(rctx(c), p, id, item, -1)
			case "down":
				err = s.store.MoveAgendaItem(rctx(c), p, id, item, +1)
			case "time":
				err = s.store.SetTimeBox(rctx(c), p, id, item, minutesField(c))
			default:
				err = s.store.RemoveAgendaItem(rctx(c), p, id, item, confirmed(c))
			}
			return stepError(err, "step")
		})
	}
}

// readResearch reads the research form with its optional file.
func readResearch(c echo.Context) (models.ResearchInput, models.FieldErrors, error) {
	in := models.ResearchInput{Note: c.FormValue("note")}
	fe := models.FieldErrors{}
	if v := strings.TrimSpace(c.FormValue("cost")); v != "" {
		yuan, err := strconv.ParseFloat(v, 64)
		if err != nil || yuan < 0 {
			fe.Add("cost", "err.number_invalid")
		}
		in.CostFen = int64(yuan*100 + 0.5)
	}
	if v := strings.TrimSpace(c.FormValue("canvassed")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.Add("canvassed", "err.number_invalid")
		}
		in.Canvassed = n
	}
	fh, err := c.FormFile("file")
	if err != nil || fh == nil || fh.Size == 0 {
		return in, fe, nil
	}
	if fh.Size > models.MaxResearchFile {
		fe.Add("file", "err.file_too_large")
		return in, fe, nil
	}
	f, err := fh.Open()
	if err != nil {
		return in, fe, err
	}
	defer f.Close()
	if in.FileData, err = io.ReadAll(io.LimitReader(f, models.MaxResearchFile+1)); err != nil {
		return in, fe, err
	}
	// The type is sniffed from the contents, not taken from the browser;
	// Office files are zip archives and are told apart by their name.
	in.FileName, in.FileType = fh.Filename, http.DetectContentType(in.FileData)
	if in.FileType == "application/zip" {
		switch {
		case strings.HasSuffix(strings.ToLower(fh.Filename), ".xlsx"):
			in.FileType = xlsxType
		case strings.HasSuffix(strings.ToLower(fh.Filename), ".docx"):
			in.FileType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		}
	}
	in.FileType, _, _ = strings.Cut(in.FileType, ";")
	return in, fe, nil
}

func (s *Server) researchAdd(c echo.Context) error {
	item, err := idParam(c, "item")
	if err != nil {
		return err
	}
	return s.meetingPost(c, "research-"+strconv.FormatUint(item, 10), "meetings.research_added", []string{"note", "cost", "canvassed"}, func(id uint64) error {
		in, fe, err := readResearch(c)
		if err != nil {
			return err
		}
		if len(fe) > 0 {
			for k, v := range in.Validate() {
				fe.Add(k, v)
			}
			return fe
		}
		_, err = s.store.AddResearch(rctx(c), me(c), id, item, in)
		return err
	})
}

// researchFile serves an attached file to those who may see the meeting,
// as a download, never to shared caches.
func (s *Server) researchFile(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rid, err := idParam(c, "rid")
	if err != nil {
		return err
	}
	r, err := s.store.ResearchFile(rctx(c), me(c), id, rid)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Content-Disposition", contentDisposition(r.FileName, r.FileName))
	return c.Blob(http.StatusOK, r.FileType, r.FileData)
}

func (s *Server) meetingAnnounce(c echo.Context) error {
	return s.meetingPost(c, "announce", "meetings.announced", nil, func(id uint64) error {
		if err := needConfirm(c); err != nil {
			return err
		}
		_, err := s.store.AnnounceMeeting(rctx(c), me(c), id, env(c).TZ)
		// Too late, nothing on the agenda, already announced: say so on the
		// form.
		return stepError(err, "announce")
	})
}

// meetingPostpone moves an announced meeting to a later time, with a
// reason and the confirmation box.
func (s *Server) meetingPostpone(c echo.Context) error {
	return s.meetingPost(c, "postpone", "meetings.postponed", []string{"starts_at", "reason"}, func(id uint64) error {
		if err := s.mustRun(c, id); err != nil {
			return err
		}
		in, fe := meetingInput(c)
		if fe == nil {
			fe = models.FieldErrors{}
		}
		if !confirmed(c) {
			fe.Add("confirm", "err.confirm_required")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		_, err := s.store.PostponeMeeting(rctx(c), me(c), id, in.StartsAt, c.FormValue("reason"), env(c).TZ)
		return stepError(err, "postpone")
	})
}

// meetingCancel calls a draft or announced meeting off, with a reason and
// the confirmation box.
func (s *Server) meetingCancel(c echo.Context) error {
	return s.meetingPost(c, "cancel", "meetings.cancelled", []string{"reason"}, func(id uint64) error {
		if err := s.mustRun(c, id); err != nil {
			return err
		}
		if err := needConfirm(c); err != nil {
			return err
		}
		return stepError(s.store.CancelMeeting(rctx(c), me(c), id, c.FormValue("reason"), env(c).TZ), "cancel")
	})
}

// stepError turns a step the rules refuse (the wrong state, already done,
// not signed in) into an error on the form's field, so the page says so
// beside the form; a refusal of permission and a missing object pass
// through to the error page.
func stepError(err error, field string) error {
	var de *models.Error
	if errors.As(err, &de) && !errors.Is(err, models.ErrForbidden) && !errors.Is(err, models.ErrNotFound) {
		return models.FieldErrors{field: de.Code}
	}
	return err
}
