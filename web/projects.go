package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	_ "image/jpeg" // decode JPEG uploads
	_ "image/png"  // decode PNG uploads
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views"
	"yishi/views/components"
	"yishi/views/projects"
)

// projectsPerPage is the length of a page of projects.
const projectsPerPage = 20

// projectsList lists projects, filtered by status and place.
func (s *Server) projectsList(c echo.Context) error {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	p := me(c)
	places, err := s.store.BulletinPlaces(ctx)
	if err != nil {
		return err
	}
	labels := placeLabels(places)
	all := &components.Option{Value: "", Label: views.T(vctx, "common.all")}
	d := projects.ListData{Places: placeOptions(places, all), Statuses: []components.Option{*all}, Page: pageParam(c), PerPage: projectsPerPage,
		Staff: p.CanAnywhere(models.PermManageProjects)}
	for _, st := range models.ProjectStatuses {
		if st == models.ProjectDraft && !d.Staff {
			continue
		}
		d.Statuses = append(d.Statuses, components.Option{Value: string(st), Label: views.T(vctx, "projects.status."+string(st))})
	}
	q, filters := projectQuery(c, labels)
	q.Page, q.PerPage = d.Page, projectsPerPage
	d.Status = string(q.Status)
	if q.PlaceID != 0 {
		d.Place = strconv.FormatUint(q.PlaceID, 10)
	}
	d.Base = "/projects?" + filters
	d.Export = "/projects/export.xlsx?" + filters
	list, total, err := s.store.ListProjects(ctx, p, q)
	if err != nil {
		return err
	}
	d.Total = total
	for _, pr := range list {
		card := projects.Card{ID: pr.ID, Title: pr.Title, Place: labels[pr.PlaceID], Status: pr.Status, Budget: models.FormatYuan(pr.BudgetFen), Percent: pr.Percent}
		if card.Place == "" {
			card.Place = pr.Place.Name
		}
		if pr.Undertaker != nil {
			card.Undertaker = pr.Undertaker.Name
		}
		d.Items = append(d.Items, card)
	}
	return s.render(c, http.StatusOK, projects.List(d))
}

// projectQuery reads the list's filters (status, place) and returns them
// with the query string that repeats them.
func projectQuery(c echo.Context, labels map[uint64]string) (models.ProjectQuery, string) {
	var q models.ProjectQuery
	filters := ""
	if st := models.ProjectStatus(c.QueryParam("status")); st.Valid() {
		q.Status = st
		filters += "status=" + string(st) + "&"
	}
	var place string
	q.PlaceID, place = placeFilter(c, labels)
	return q, filters + place
}

// projectsExport downloads the projects list with its filters, every page
// of what the viewer may see.
func (s *Server) projectsExport(c echo.Context) error {
	ctx := rctx(c)
	places, err := s.store.BulletinPlaces(ctx)
	if err != nil {
		return err
	}
	labels := placeLabels(places)
	q, _ := projectQuery(c, labels)
	vctx := views.WithEnv(ctx, env(c))
	t := func(k string) string { return views.T(vctx, k) }
	date := func(at *time.Time) string {
		if at == nil {
			return ""
		}
		return views.FormatDate(vctx, *at)
	}
	header := []string{t("export.col_id"), t("export.col_title"), t("export.col_place"), t("export.col_status"), t("export.col_budget"),
		t("export.col_percent"), t("export.col_undertaker"), t("export.col_start"), t("export.col_end"), t("export.col_accepted")}
	var buf bytes.Buffer
	err = writeXLSX(&buf, []xlsxSheet{{Name: t("export.sheet_projects"), Header: header, Rows: func(add func([]any) error) error {
		for q.Page, q.PerPage = 1, 100; ; q.Page++ {
			list, total, err := s.store.ListProjects(ctx, me(c), q)
			if err != nil {
				return err
			}
			for _, pr := range list {
				place, undertaker := labels[pr.PlaceID], ""
				if place == "" {
					place = pr.Place.Name
				}
				if pr.Undertaker != nil {
					undertaker = pr.Undertaker.Name
				}
				err := add([]any{pr.ID, pr.Title, place, t("projects.status." + string(pr.Status)), models.FormatYuan(pr.BudgetFen),
					pr.Percent, undertaker, date(pr.StartOn), date(pr.EndOn), date(pr.AcceptedAt)})
				if err != nil {
					return err
				}
			}
			if int64(q.Page*q.PerPage) >= total {
				return nil
			}
		}
	}}})
	if err != nil {
		return err
	}
	day := s.store.Now().In(env(c).TZ).Format("20060102")
	return sendDownload(c, xlsxType, t("export.file_projects")+"-"+day+".xlsx", "projects-"+day+".xlsx", buf.Bytes())
}

// newProjectData fills the new-project form's choices.
func (s *Server) newProjectData(c echo.Context, d *projects.NewData, chosen map[uint64]bool) error {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	places, err := s.store.ProjectPlaces(ctx, me(c))
	if err != nil {
		return err
	}
	d.Places = placeOptions(places, &components.Option{Value: "", Label: views.T(vctx, "resources.choose")})
	d.Kinds = offerKindOptions(c, nil)
	if d.WantKinds == nil {
		d.WantKinds = map[string]bool{}
	}
	needs, err := s.store.ProjectNeedChoices(ctx, me(c))
	if err != nil {
		return err
	}
	all, err := s.store.BulletinPlaces(ctx)
	if err != nil {
		return err
	}
	labels := placeLabels(all)
	d.Needs = nil
	for _, n := range needs {
		where := labels[n.PlaceID]
		if where == "" {
			where = n.Place.Name
		}
		d.Needs = append(d.Needs, projects.NeedChoice{ID: n.ID, Checked: chosen[n.ID],
			Label: fmt.Sprintf("#%d %s · %s · %s", n.ID, n.Category.Name(env(c).Locale), where, shorten(n.Description, 40))})
	}
	return nil
}

// shorten cuts s to at most n characters, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func (s *Server) newProject(c echo.Context) error {
	d := projects.NewData{}
	chosen := map[uint64]bool{}
	if id, err := strconv.ParseUint(c.QueryParam("need"), 10, 64); err == nil {
		chosen[id] = true
	}
	if rid, err := strconv.ParseUint(c.QueryParam("resolution"), 10, 64); err == nil {
		// Prefilled from a council resolution (决议), whose link the form
		// carries through to the project.
		v, err := s.spawnFrom(c, rid, models.ResolutionView.CheckSpawnProject)
		if err != nil {
			return err
		}
		d.Resolution, d.Title, d.Summary, d.Place = rid, shorten(v.Text, 100), v.Text, strconv.FormatUint(v.Council.PlaceID, 10)
		if v.Topic != nil && v.Topic.NeedID != nil {
			chosen[*v.Topic.NeedID] = true
		}
	}
	if err := s.newProjectData(c, &d, chosen); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, projects.New(d))
}

func (s *Server) createProject(c echo.Context) error {
	fe := models.FieldErrors{}
	d := projects.NewData{Place: c.FormValue("place_id"), Title: c.FormValue("title"), Summary: c.FormValue("summary"), Budget: c.FormValue("budget"),
		Start: c.FormValue("start_on"), End: c.FormValue("end_on"), WantKinds: map[string]bool{}}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	in := models.ProjectInput{Title: d.Title, Summary: d.Summary}
	in.PlaceID, _ = strconv.ParseUint(d.Place, 10, 64)
	if strings.TrimSpace(d.Budget) != "" {
		fen, ok := models.ParseYuan(d.Budget)
		if !ok {
			fe.Add("budget", "err.budget_invalid")
		}
		in.BudgetFen = fen
	}
	for _, k := range form["want_kinds"] {
		in.WantKinds = append(in.WantKinds, models.OfferKind(k))
		d.WantKinds[k] = true
	}
	chosen := map[uint64]bool{}
	for _, v := range form["needs"] {
		if id, err := strconv.ParseUint(v, 10, 64); err == nil {
			in.NeedIDs = append(in.NeedIDs, id)
			chosen[id] = true
		}
	}
	in.StartOn = formDate(c, "start_on", fe)
	in.EndOn = formDate(c, "end_on", fe)
	if d.Resolution = formID(c, "resolution"); d.Resolution != 0 {
		in.SourceType, in.SourceID = models.ResolutionSource, d.Resolution
	}
	if len(fe) == 0 {
		create := s.store.CreateProject
		if d.Resolution != 0 {
			create = func(ctx context.Context, p *models.Principal, in models.ProjectInput) (models.Project, error) {
				return s.store.SpawnProject(ctx, p, d.Resolution, in)
			}
		}
		pr, err := create(rctx(c), me(c), in)
		if err == nil {
			flash(c, "ok", "projects.created")
			return redirect(c, "/projects/"+strconv.FormatUint(pr.ID, 10))
		}
		if !errors.As(err, &fe) {
			return err
		}
	} else {
		for k, v := range in.Validate() {
			fe.Add(k, v)
		}
	}
	d.Errors = fe
	if err := s.newProjectData(c, &d, chosen); err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, projects.New(d))
}

// checkLabel names a checklist item in the viewer's language.
func checkLabel(c echo.Context, key string, milestones []models.ProjectMilestone) string {
	vctx := views.WithEnv(rctx(c), env(c))
	for _, m := range milestones {
		if models.MilestoneCheck(m.ID) == key {
			return views.T(vctx, "projects.check_milestone", m.Title)
		}
	}
	return views.T(vctx, "projects.check."+key)
}

// projectSources name, for each of models.ProjectSourceTypes, the message
// that labels a project's source (taking its id) and the path of the
// source's page (the id appended).
// kind is the source's kind for mayOpen.
var projectSources = map[string]struct{ key, path, kind string }{
	models.ResolutionSource: {"projects.source_resolution", "/resolutions/", "resolution"},
	models.BallotSource:     {"projects.source_ballot", "/ballots/", "ballot"},
}

// projectSourceLabel names a project's source in the reader's language,
// with the URL of its page when the reader may open it (mayOpen); a source
// of a type no page is known for is named as plain text, with no URL.
func (s *Server) projectSourceLabel(c echo.Context, vctx context.Context, sourceType string, id uint64) (label, url string, err error) {
	src, ok := projectSources[sourceType]
	if !ok {
		return views.T(vctx, "projects.source_other", id), "", nil
	}
	label = views.T(vctx, src.key, id)
	if open, err := s.mayOpen(c, src.kind, id); err != nil || !open {
		return label, "", err
	}
	return label, src.path + strconv.FormatUint(id, 10), nil
}

// showData builds a project's page for the viewer.
func (s *Server) showData(c echo.Context, id uint64) (projects.ShowData, error) {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	p := me(c)
	det, err := s.store.ProjectByID(ctx, p, id)
	if err != nil {
		return projects.ShowData{}, err
	}
	pr := det.Project
	place, err := s.store.PlaceLabel(ctx, pr.Place)
	if err != nil {
		return projects.ShowData{}, err
	}
	now := s.store.Now()
	d := projects.ShowData{ID: pr.ID, Title: pr.Title, Summary: pr.Summary, Place: place, Status: pr.Status, Budget: models.FormatYuan(pr.BudgetFen),
		Percent: pr.Percent, Owner: pr.Owner.Name, Staff: det.Staff(), Undertakes: det.Undertaker(), Ratings: det.Ratings,
		Average: fmt.Sprintf("%.1f", det.Ratings.Average), MayRate: det.MayRate, RatingOpen: models.RatingOpen(pr.Status),
		MayClose: models.MayClose(pr.AcceptedAt, now), Form: map[string]string{}}
	if pr.Undertaker != nil {
		d.Undertaker = pr.Undertaker.Name + views.T(vctx, "common.paren", views.T(vctx, "resources.provider_kind."+string(pr.Undertaker.Kind)))
	}
	if pr.SourceType != "" && pr.SourceID != nil {
		if d.Source, d.SourceURL, err = s.projectSourceLabel(c, vctx, pr.SourceType, *pr.SourceID); err != nil {
			return projects.ShowData{}, err
		}
	}
	var kinds []string
	for _, k := range pr.Kinds() {
		kinds = append(kinds, views.T(vctx, "resources.kind."+string(k)))
	}
	d.Kinds = strings.Join(kinds, views.T(vctx, "common.list_sep"))
	if pr.StartOn != nil || pr.EndOn != nil {
		from, until := "", ""
		if pr.StartOn != nil {
			from = views.FormatDate(vctx, *pr.StartOn)
		}
		if pr.EndOn != nil {
			until = views.FormatDate(vctx, *pr.EndOn)
		}
		d.Dates = from + " – " + until
	}
	if det.MyRating != nil {
		d.MyRating = det.MyRating.Rating
	}
	_, published := models.StandingNotice(det.Notices)
	d.CanPublish = d.Staff && p.Can(models.PermPublishNotices, pr.Place) && (pr.Status == models.ProjectAccepted || pr.Status == models.ProjectClosed) && !published
	for _, n := range det.Needs {
		label, err := s.store.PlaceLabel(ctx, n.Place)
		if err != nil {
			return d, err
		}
		// What the filer wrote is for those who may read the need itself
		// (a need may be for staff only); the others see what it was about.
		see, err := s.store.MaySeeNeed(ctx, p, n.ID)
		if err != nil {
			return d, err
		}
		line := projects.NeedLine{ID: n.ID, Place: label, Category: n.Category.Name(env(c).Locale), Status: n.Status, Open: models.MayFollow(p, see)}
		if see {
			line.Text = shorten(n.Description, 200)
		}
		d.Needs = append(d.Needs, line)
	}
	for _, m := range det.Offers {
		if m.Withheld {
			d.Offers = append(d.Offers, projects.OfferLine{OfferID: m.OfferID, Title: views.T(vctx, "projects.offer_withheld"), Kind: m.Offer.Kind, Withheld: true})
			continue
		}
		line := projects.OfferLine{OfferID: m.OfferID, Title: m.Offer.Title, Kind: m.Offer.Kind, Provider: m.Offer.Provider.Name, Note: m.Note}
		if m.Amount > 0 {
			line.Amount = fmt.Sprintf("%d %s", m.Amount, m.Offer.CapacityUnit)
		}
		d.Offers = append(d.Offers, line)
	}
	if d.Staff && pr.Status != models.ProjectAccepted && pr.Status != models.ProjectClosed {
		sug, err := s.store.Suggest(ctx, p, pr.ID)
		if err != nil {
			return d, err
		}
		if len(sug) > 10 {
			sug = sug[:10]
		}
		for _, sc := range sug {
			d.Suggestions = append(d.Suggestions, projects.OfferLine{OfferID: sc.Offer.ID, Title: sc.Offer.Title, Kind: sc.Offer.Kind, Provider: sc.Offer.Provider.Name,
				Score: sc.Score, Parts: views.T(vctx, "projects.score_parts", sc.Kind, sc.Place, sc.Availability, sc.Rating)})
		}
	}
	for _, a := range det.Applications {
		d.Applications = append(d.Applications, projects.ApplicationLine{ID: a.ID, Provider: a.Provider.Name, Note: a.Note, At: views.FormatTime(vctx, a.CreatedAt)})
	}
	for _, pv := range det.Applicants {
		d.Applicants = append(d.Applicants, components.Option{Value: strconv.FormatUint(pv.ID, 10), Label: pv.Name})
	}
	for _, m := range det.Milestones {
		d.Milestones = append(d.Milestones, projects.MilestoneLine{ID: m.ID, Title: m.Title, Due: views.FormatDate(vctx, m.DueOn),
			Done: views.FormatTimePtr(vctx, m.DoneAt), Late: m.Late(now)})
	}
	for _, u := range det.Updates {
		line := projects.UpdateLine{Note: u.Note, Percent: u.Percent, At: views.FormatTime(vctx, u.CreatedAt), Author: u.Author.Name}
		for _, ph := range u.Photos {
			line.Photos = append(line.Photos, ph.ID)
		}
		d.Updates = append(d.Updates, line)
	}
	for _, a := range det.Acceptances {
		line := projects.AcceptanceLine{Accepted: a.Accepted, Note: a.Note, At: views.FormatTime(vctx, a.At), By: a.By.Name}
		for _, k := range a.CheckedItems() {
			line.Checked = append(line.Checked, checkLabel(c, k, det.Milestones))
		}
		d.Acceptances = append(d.Acceptances, line)
	}
	for _, r := range det.Comments {
		d.Comments = append(d.Comments, views.T(vctx, "projects.stars."+strconv.Itoa(r.Rating))+views.T(vctx, "common.colon")+r.Comment)
	}
	for _, n := range det.Notices {
		d.Notices = append(d.Notices, projects.NoticeLine{ID: n.ID, Title: n.Title, PublishedAt: views.FormatTimePtr(vctx, n.PublishedAt), Withdrawn: n.Status == models.NoticeWithdrawn})
	}
	for _, e := range det.Events {
		who := views.T(vctx, "projects.system")
		if e.Actor != nil {
			who = e.Actor.Name
		}
		text := views.T(vctx, "projects.event."+e.Action)
		if e.FromStatus != e.ToStatus && e.ToStatus != "" {
			text += " → " + views.T(vctx, "projects.status."+string(e.ToStatus))
		}
		if e.Note != "" && (e.Action == "reject" || e.Action == "accept" || e.Action == "milestone" || e.Action == "milestone_done") {
			text += views.T(vctx, "common.colon") + e.Note
		}
		d.Events = append(d.Events, projects.EventLine{At: views.FormatTime(vctx, e.At), Actor: who, Text: text})
	}
	return d, nil
}

func (s *Server) showProject(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.showData(c, id)
	if errors.Is(err, models.ErrForbidden) && me(c) == nil {
		// A draft: staff may see it once signed in.
		return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, projects.Show(d))
}

// projectFormFailed answers a step on the project page that failed: field
// errors re-render the page with what was typed; anything else is an
// error page.
func (s *Server) projectFormFailed(c echo.Context, id uint64, err error, form map[string]string) error {
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	d, derr := s.showData(c, id)
	if derr != nil {
		return derr
	}
	d.Errors, d.Form = fe, form
	return s.render(c, http.StatusUnprocessableEntity, projects.Show(d))
}

// projectDone follows a successful step back to the project's page.
func projectDone(c echo.Context, id uint64, key string) error {
	flash(c, "ok", key)
	return redirect(c, "/projects/"+strconv.FormatUint(id, 10))
}

func (s *Server) projectPhoto(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	pid, err := idParam(c, "photo")
	if err != nil {
		return err
	}
	ph, err := s.store.ProjectPhotoFor(rctx(c), me(c), id, pid)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	c.Response().Header().Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, ph.ContentType, ph.Data)
}

func (s *Server) matchOffer(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	offerID, _ := strconv.ParseUint(c.FormValue("offer_id"), 10, 64)
	var amount int64
	if v := strings.TrimSpace(c.FormValue("amount")); v != "" {
		if amount, err = strconv.ParseInt(v, 10, 64); err != nil {
			amount = -1
		}
	}
	if err := s.store.MatchOffer(rctx(c), me(c), id, offerID, amount, c.FormValue("match_note")); err != nil {
		return s.projectFormFailed(c, id, err, nil)
	}
	return projectDone(c, id, "projects.matched")
}

func (s *Server) openCall(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.store.OpenCall(rctx(c), me(c), id); err != nil {
		return err
	}
	return projectDone(c, id, "projects.call_opened")
}

func (s *Server) startProject(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.store.StartProject(rctx(c), me(c), id); err != nil {
		return err
	}
	return projectDone(c, id, "projects.started")
}

// mayAct says whether the principal plays one of parts on the project:
// not found when it may not see it, forbidden when it plays none.
func (s *Server) mayAct(c echo.Context, id uint64, parts ...models.ProjectActor) error {
	det, err := s.store.ProjectByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	for _, want := range parts {
		if (want == models.ProjectByStaff && det.Staff()) || (want == models.ProjectByUndertaker && det.Undertaker()) {
			return nil
		}
	}
	return models.ErrForbidden
}

// requireConfirm checks the confirmation box of a final step after making
// sure p may act on the project at all, so that a refused request learns
// nothing and changes nothing.
func (s *Server) requireConfirm(c echo.Context, id uint64, parts ...models.ProjectActor) (bool, error) {
	if c.FormValue("confirm") == "on" {
		return true, nil
	}
	if err := s.mayAct(c, id, parts...); err != nil {
		return false, err
	}
	flash(c, "error", "err.confirm_required")
	return false, redirect(c, "/projects/"+strconv.FormatUint(id, 10))
}

func (s *Server) pickUndertaker(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if ok, err := s.requireConfirm(c, id, models.ProjectByStaff); !ok {
		return err
	}
	appID, _ := strconv.ParseUint(c.FormValue("application_id"), 10, 64)
	if _, err := s.store.PickUndertaker(rctx(c), me(c), id, appID); err != nil {
		return s.projectFormFailed(c, id, err, nil)
	}
	return projectDone(c, id, "projects.picked")
}

func (s *Server) applyForProject(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	providerID, _ := strconv.ParseUint(c.FormValue("provider_id"), 10, 64)
	if _, err := s.store.ApplyForProject(rctx(c), me(c), id, providerID, c.FormValue("note")); err != nil {
		return s.projectFormFailed(c, id, err, map[string]string{"provider_id": c.FormValue("provider_id"), "note": c.FormValue("note")})
	}
	return projectDone(c, id, "projects.applied")
}

func (s *Server) addMilestone(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	fe := models.FieldErrors{}
	due := formDate(c, "due_on", fe)
	form := map[string]string{"milestone_title": c.FormValue("milestone_title"), "due_on": c.FormValue("due_on")}
	if len(fe) == 0 && due == nil {
		fe.Add("due_on", "err.required")
	}
	if len(fe) > 0 {
		// Check the principal may act before showing the form again.
		if err := s.mayAct(c, id, models.ProjectByStaff); err != nil {
			return err
		}
		return s.projectFormFailed(c, id, fe, form)
	}
	if _, err := s.store.AddMilestone(rctx(c), me(c), id, c.FormValue("milestone_title"), *due); err != nil {
		return s.projectFormFailed(c, id, err, form)
	}
	return projectDone(c, id, "projects.milestone_added")
}

func (s *Server) completeMilestone(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	mid, err := idParam(c, "mid")
	if err != nil {
		return err
	}
	if err := s.store.CompleteMilestone(rctx(c), me(c), id, mid); err != nil {
		return err
	}
	return projectDone(c, id, "projects.milestone_done")
}

// readProjectPhotos reads the uploaded progress photos, accepting only
// JPEG and PNG images that decode, up to maxProjectPhotoBytes each.
func (s *Server) projectProgress(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	form := map[string]string{"percent": c.FormValue("percent"), "progress_note": c.FormValue("progress_note")}
	percent, perr := strconv.Atoi(strings.TrimSpace(c.FormValue("percent")))
	if perr != nil {
		percent = -1
	}
	photos, fe, err := readPhotos(c, models.MaxProjectPhotos)
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		if err := s.mayAct(c, id, models.ProjectByStaff, models.ProjectByUndertaker); err != nil {
			return err
		}
		return s.projectFormFailed(c, id, fe, form)
	}
	if _, err := s.store.AddProgress(rctx(c), me(c), id, percent, c.FormValue("progress_note"), photos); err != nil {
		var fe models.FieldErrors
		if errors.As(err, &fe) {
			if v, ok := fe["note"]; ok {
				delete(fe, "note")
				fe["progress_note"] = v
			}
		}
		return s.projectFormFailed(c, id, err, form)
	}
	return projectDone(c, id, "projects.progress_added")
}

func (s *Server) submitProject(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if ok, err := s.requireConfirm(c, id, models.ProjectByStaff, models.ProjectByUndertaker); !ok {
		return err
	}
	if _, err := s.store.SubmitForAcceptance(rctx(c), me(c), id); err != nil {
		return err
	}
	return projectDone(c, id, "projects.submitted")
}

// acceptData builds the acceptance page.
func (s *Server) acceptData(c echo.Context, id uint64) (projects.AcceptData, error) {
	det, err := s.store.ProjectByID(rctx(c), me(c), id)
	if err != nil {
		return projects.AcceptData{}, err
	}
	if !det.Staff() {
		return projects.AcceptData{}, models.ErrForbidden
	}
	if det.Project.Status != models.ProjectAwaitingAcceptance {
		return projects.AcceptData{}, models.ErrProjectStep
	}
	d := projects.AcceptData{ID: id, Title: det.Project.Title, Checked: map[string]bool{}}
	for _, k := range det.Checklist {
		d.Items = append(d.Items, projects.CheckItem{Key: k, Label: checkLabel(c, k, det.Milestones)})
	}
	return d, nil
}

func (s *Server) acceptancePage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.acceptData(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, projects.Accept(d))
}

func (s *Server) decideProject(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.acceptData(c, id)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	d.Decision, d.Note = c.FormValue("decision"), c.FormValue("note")
	for _, k := range form["checked"] {
		d.Checked[k] = true
	}
	if d.Decision != "accept" && d.Decision != "reject" {
		d.Errors = models.FieldErrors{"decision": "err.required"}
		return s.render(c, http.StatusUnprocessableEntity, projects.Accept(d))
	}
	_, err = s.store.DecideProject(rctx(c), me(c), id, d.Decision == "accept", form["checked"], d.Note)
	if errors.As(err, &d.Errors) {
		return s.render(c, http.StatusUnprocessableEntity, projects.Accept(d))
	} else if err != nil {
		return err
	}
	if d.Decision == "accept" {
		return projectDone(c, id, "projects.accepted_done")
	}
	return projectDone(c, id, "projects.rejected_done")
}

func (s *Server) closeProject(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if ok, err := s.requireConfirm(c, id, models.ProjectByStaff); !ok {
		return err
	}
	if _, err := s.store.CloseProject(rctx(c), me(c), id); err != nil {
		return err
	}
	return projectDone(c, id, "projects.closed_done")
}

func (s *Server) rateProject(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rating, _ := strconv.Atoi(c.FormValue("rating"))
	err = s.store.RateProject(rctx(c), me(c), id, rating, c.FormValue("comment"))
	switch {
	case errors.Is(err, models.ErrNotResidentOfProject), errors.Is(err, models.ErrAlreadyRated):
		d, derr := s.showData(c, id)
		if derr != nil {
			return derr
		}
		var de *models.Error
		if errors.As(err, &de) {
			d.Refused = de.Code
		}
		status := http.StatusForbidden
		if errors.Is(err, models.ErrAlreadyRated) {
			status = http.StatusConflict
		}
		return s.render(c, status, projects.Show(d))
	case err != nil:
		return s.projectFormFailed(c, id, err, map[string]string{"rating": c.FormValue("rating"), "comment": c.FormValue("comment")})
	}
	return projectDone(c, id, "projects.rated")
}

// publishData builds the outcome notice form, prefilled from the project.
func (s *Server) publishData(c echo.Context, id uint64) (projects.PublishData, error) {
	vctx := views.WithEnv(rctx(c), env(c))
	det, err := s.store.ProjectByID(rctx(c), me(c), id)
	if err != nil {
		return projects.PublishData{}, err
	}
	pr := det.Project
	if !det.Staff() || !me(c).Can(models.PermPublishNotices, pr.Place) {
		return projects.PublishData{}, models.ErrForbidden
	}
	if pr.Status != models.ProjectAccepted && pr.Status != models.ProjectClosed {
		return projects.PublishData{}, models.ErrProjectStep
	}
	d := projects.PublishData{ID: id, Project: pr.Title, Title: views.T(vctx, "projects.notice_title", pr.Title), PeriodDays: "7", AllowObjections: true}
	if n, ok := models.StandingNotice(det.Notices); ok {
		d.Published = n.ID
	}
	var b strings.Builder
	b.WriteString(views.T(vctx, "projects.notice_body", pr.Title, models.FormatYuan(pr.BudgetFen)))
	if pr.Undertaker != nil {
		b.WriteString("\n" + views.T(vctx, "projects.undertaker") + views.T(vctx, "common.colon") + pr.Undertaker.Name)
	}
	for _, a := range det.Acceptances {
		if a.Accepted {
			b.WriteString("\n" + views.T(vctx, "projects.accepted") + views.T(vctx, "common.paren", views.FormatDate(vctx, a.At)) + views.T(vctx, "common.colon") + a.Note)
		}
	}
	b.WriteString("\n" + views.T(vctx, "projects.notice_link", s.cfgBaseURL(c)+"/projects/"+strconv.FormatUint(id, 10)))
	d.Body = b.String()
	return d, nil
}

// cfgBaseURL is the site's address for links in notice text.
func (s *Server) cfgBaseURL(c echo.Context) string {
	if b := env(c).BaseURL; b != "" {
		return strings.TrimRight(b, "/")
	}
	return ""
}

func (s *Server) publishProjectPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.publishData(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, projects.Publish(d))
}

func (s *Server) publishProject(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.publishData(c, id)
	if err != nil {
		return err
	}
	d.Title, d.Body, d.PeriodDays, d.AllowObjections = c.FormValue("title"), c.FormValue("body"), c.FormValue("period_days"), c.FormValue("allow_objections") == "on"
	days, derr := strconv.Atoi(strings.TrimSpace(d.PeriodDays))
	if derr != nil {
		d.Errors = models.FieldErrors{"period_days": "err.period_days_invalid"}
		return s.render(c, http.StatusUnprocessableEntity, projects.Publish(d))
	}
	n, err := s.store.PublishProject(rctx(c), me(c), id, models.NoticeInput{Title: d.Title, Body: d.Body, PeriodDays: days, AllowObjections: d.AllowObjections})
	if errors.As(err, &d.Errors) {
		return s.render(c, http.StatusUnprocessableEntity, projects.Publish(d))
	} else if err != nil {
		return err
	}
	flash(c, "ok", "projects.published")
	return redirect(c, "/notices/"+strconv.FormatUint(n.ID, 10))
}
