package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views"
	"yishi/views/ballots"
	"yishi/views/components"
)

// consoleBallots lists the ballots the staff member manages, by state.
func (s *Server) consoleBallots(c echo.Context) error {
	ctx := rctx(c)
	d := ballots.ConsoleListData{Page: pageParam(c), PerPage: ballotsPerPage, Base: "/console/ballots?"}
	q := models.BallotQuery{Page: d.Page, PerPage: ballotsPerPage}
	switch st := models.BallotStatus(c.QueryParam("status")); st {
	case models.BallotOpen, models.BallotScheduled, models.BallotClosed:
		q.Status, d.Status = st, string(st)
		d.Base += "status=" + string(st) + "&"
	}
	list, total, err := s.store.StaffBallots(ctx, me(c), q)
	if err != nil {
		return err
	}
	d.Total = total
	places, err := s.store.BulletinPlaces(ctx)
	if err != nil {
		return err
	}
	d.Items = s.ballotCards(c, list, placeLabels(places), true)
	return s.render(c, http.StatusOK, ballots.ConsoleList(d))
}

// localInput is the datetime-local form of t in the request's zone.
func localInput(c echo.Context, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(env(c).TZ).Format("2006-01-02T15:04")
}

// defFormData fills the definition form's choices around values.
func (s *Server) defFormData(c echo.Context, id uint64, form map[string]string, secret bool, fe models.FieldErrors) (ballots.FormData, error) {
	vctx := views.WithEnv(rctx(c), env(c))
	places, err := s.store.BallotPlaces(rctx(c), me(c))
	if err != nil {
		return ballots.FormData{}, err
	}
	d := ballots.FormData{ID: id, Form: form, Secret: secret, Errors: fe,
		Places: placeOptions(places, &components.Option{Value: "", Label: views.T(vctx, "resources.choose")})}
	for _, e := range models.Electorates {
		d.Electorates = append(d.Electorates, components.Option{Value: string(e), Label: views.T(vctx, "ballots.electorate."+string(e))})
	}
	for _, m := range models.Methods {
		d.Methods = append(d.Methods, components.Option{Value: string(m), Label: views.T(vctx, "ballots.method."+string(m))})
	}
	return d, nil
}

// ballotFormValues is a ballot's definition as the form shows it.
func ballotFormValues(c echo.Context, b models.Ballot) map[string]string {
	return map[string]string{"place_id": strconv.FormatUint(b.PlaceID, 10), "title": b.Title, "description": b.Description,
		"electorate": string(b.Electorate), "method": string(b.Method), "budget": budgetValue(b.BudgetFen),
		"min_choices": strconv.Itoa(b.MinChoices), "max_choices": strconv.Itoa(b.MaxChoices), "rank_k": strconv.Itoa(b.RankK),
		"seats": strconv.Itoa(b.Seats), "opens_at": localInput(c, b.OpensAt), "closes_at": localInput(c, b.ClosesAt), "turnout": strconv.Itoa(b.TurnoutPct)}
}

func budgetValue(fen int64) string {
	if fen == 0 {
		return ""
	}
	return models.FormatYuan(fen)
}

// readBallotForm reads the definition form; unreadable numbers and times
// become field errors.
func readBallotForm(c echo.Context) (models.BallotInput, map[string]string, bool, models.FieldErrors) {
	fe := models.FieldErrors{}
	form := map[string]string{}
	for _, k := range []string{"place_id", "title", "description", "electorate", "method", "budget", "min_choices", "max_choices", "rank_k", "seats", "opens_at", "closes_at", "turnout"} {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	secret := c.FormValue("secret") != ""
	in := models.BallotInput{Title: form["title"], Description: form["description"], Electorate: models.ElectorateKind(form["electorate"]),
		Method: models.BallotMethod(form["method"]), Secret: secret}
	in.PlaceID, _ = strconv.ParseUint(form["place_id"], 10, 64)
	num := func(k string) int {
		if form[k] == "" {
			return 0
		}
		n, err := strconv.Atoi(form[k])
		if err != nil {
			fe.Add(k, "err.ballot_range")
		}
		return n
	}
	in.MinChoices, in.MaxChoices, in.RankK, in.Seats, in.TurnoutPct = num("min_choices"), num("max_choices"), num("rank_k"), num("seats"), num("turnout")
	if form["budget"] != "" {
		fen, ok := models.ParseYuan(form["budget"])
		if !ok {
			fe.Add("budget", "err.budget_invalid")
		}
		in.BudgetFen = fen
	}
	at := func(k string) time.Time {
		if form[k] == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02T15:04", form[k], env(c).TZ)
		if err != nil {
			fe.Add(k, "err.ballot_time")
		}
		return t
	}
	in.OpensAt, in.ClosesAt = at("opens_at"), at("closes_at")
	return in, form, secret, fe
}

func (s *Server) newBallot(c echo.Context) error {
	now := s.store.Now()
	form := map[string]string{"electorate": string(models.ElectorateAdults), "method": string(models.MethodBudget), "seats": "1",
		"opens_at": localInput(c, now.Add(24*time.Hour).Truncate(time.Hour)), "closes_at": localInput(c, now.Add(8*24*time.Hour).Truncate(time.Hour)), "turnout": "0"}
	if rid, err := strconv.ParseUint(c.QueryParam("resolution"), 10, 64); err == nil {
		// Prefilled from a council resolution (决议), whose link the form
		// carries through to the ballot.
		v, err := s.spawnFrom(c, rid, models.ResolutionView.CheckSpawnBallot)
		if err != nil {
			return err
		}
		form["resolution"], form["title"], form["description"], form["place_id"] = strconv.FormatUint(rid, 10), shorten(v.Text, 100), v.Text, strconv.FormatUint(v.Council.PlaceID, 10)
	}
	d, err := s.defFormData(c, 0, form, true, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, ballots.NewBallot(d))
}

func (s *Server) createBallot(c echo.Context) error {
	in, form, secret, fe := readBallotForm(c)
	if len(fe) > 0 {
		check := in
		for k, v := range check.Validate(s.store.Now()) {
			fe.Add(k, v)
		}
	}
	rid := formID(c, "resolution")
	if rid != 0 {
		form["resolution"] = strconv.FormatUint(rid, 10)
	}
	if len(fe) == 0 {
		create := s.store.CreateBallot
		if rid != 0 {
			create = func(ctx context.Context, p *models.Principal, in models.BallotInput) (models.Ballot, error) {
				return s.store.SpawnBallot(ctx, p, rid, in)
			}
		}
		b, err := create(rctx(c), me(c), in)
		if !errors.As(err, &fe) {
			if err != nil {
				return err
			}
			flash(c, "ok", "ballots.saved")
			return redirect(c, "/console/ballots/"+strconv.FormatUint(b.ID, 10))
		}
	}
	d, err := s.defFormData(c, 0, form, secret, fe)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, ballots.NewBallot(d))
}

// manageData fills a ballot's console page; the store refuses staff of
// other places.
func (s *Server) manageData(c echo.Context, id uint64) (ballots.ManageData, models.Ballot, error) {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	p := me(c)
	var d ballots.ManageData
	b, err := s.store.Ballot(ctx, id)
	if err != nil {
		return d, b, err
	}
	if !p.Can(models.PermManageBallots, b.Place) {
		return d, b, models.ErrForbidden
	}
	if d.Show, err = s.ballotData(c, b, p); err != nil {
		return d, b, err
	}
	d.Show.CanVote = false
	d.Form = map[string]string{"period_days": "7"}
	if d.Def, err = s.defFormData(c, b.ID, ballotFormValues(c, b), b.Secret, nil); err != nil {
		return d, b, err
	}
	on := map[uint64]bool{}
	for _, cd := range d.Show.Candidates {
		on[cd.ID] = true
		d.OnBallot = append(d.OnBallot, ballots.CandidateRow{ID: cd.ID, Title: cd.Title, Place: cd.Place, Kind: cd.Kind, Cost: cd.Cost})
		if cd.ProjectID != nil {
			d.Projects = append(d.Projects, ballots.ProjectLink{ID: *cd.ProjectID, Title: cd.Title})
		}
	}
	status := b.Status(s.store.Now())
	if b.NoticeID != nil && status == models.BallotClosed {
		n, err := s.store.NoticeByID(ctx, *b.NoticeID)
		if err != nil {
			return d, b, err
		}
		d.NoticeWithdrawn = !n.Stands()
	}
	d.Editable = b.Editable(s.store.Now())
	if d.Editable {
		ready, err := s.store.BallotReady(ctx, b)
		if err != nil {
			return d, b, err
		}
		d.NotReady = !ready
		feasible, _, err := s.store.Candidates(ctx, p, models.CandidateQuery{Status: models.CandidateFeasible, PerPage: 100})
		if err != nil {
			return d, b, err
		}
		for _, cd := range feasible {
			if !on[cd.ID] && cd.ProjectID == nil && b.Place.Contains(cd.Place) {
				d.Addable = append(d.Addable, components.Option{Value: strconv.FormatUint(cd.ID, 10),
					Label: cd.Title + " · " + views.T(vctx, "projects.yuan", models.FormatYuan(cd.CostFen))})
			}
		}
	}
	if status == models.BallotOpen {
		pending, err := s.store.PendingPaperVotes(ctx, p, b.ID)
		if err != nil {
			return d, b, err
		}
		names := map[uint64]string{}
		for _, pv := range pending {
			if _, ok := names[pv.EnteredByID]; !ok {
				a, err := s.store.AccountByID(ctx, pv.EnteredByID)
				if err != nil {
					return d, b, err
				}
				names[pv.EnteredByID] = a.Name
			}
			ch, err := models.ParseChoices(pv.Choices)
			if err != nil {
				return d, b, err
			}
			d.Paper = append(d.Paper, ballots.PaperLine{ID: pv.ID, EnteredBy: names[pv.EnteredByID], EnteredAt: views.FormatTime(vctx, pv.EnteredAt),
				Choices: choiceWords(c, b, d.Show.Candidates, ch), Mine: pv.EnteredByID == p.Account.ID})
		}
	}
	ams, err := s.store.Amendments(ctx, b.ID)
	if err != nil {
		return d, b, err
	}
	for _, a := range ams {
		d.Amendments = append(d.Amendments, ballots.AmendmentLine{VoterKey: a.VoterKey, Reason: a.Reason, At: views.FormatTime(vctx, a.At)})
	}
	return d, b, nil
}

func (s *Server) consoleBallot(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, _, err := s.manageData(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, ballots.Manage(d))
}

// refuseManage shows the ballot's console page again with why a step was
// refused: field errors (422) or a rule (409); anything else is an error.
func (s *Server) refuseManage(c echo.Context, id uint64, err error, form map[string]string, def *ballots.FormData) error {
	var fe models.FieldErrors
	var de *models.Error
	status := http.StatusUnprocessableEntity
	switch {
	case errors.As(err, &fe):
	case errors.Is(err, models.ErrForbidden), errors.Is(err, models.ErrNotFound):
		return err
	case errors.As(err, &de):
		status = http.StatusConflict
	default:
		return err
	}
	d, _, lerr := s.manageData(c, id)
	if lerr != nil {
		return lerr
	}
	d.Errors = fe
	if de != nil {
		d.Refused = de.Code
	}
	for k, v := range form {
		d.Form[k] = v
	}
	if def != nil {
		d.Def = *def
	}
	return s.render(c, status, ballots.Manage(d))
}

func (s *Server) updateBallot(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in, form, secret, fe := readBallotForm(c)
	if len(fe) == 0 {
		_, err = s.store.UpdateBallot(rctx(c), me(c), id, in)
		if err == nil {
			flash(c, "ok", "ballots.saved")
			return redirect(c, "/console/ballots/"+strconv.FormatUint(id, 10))
		}
		if !errors.As(err, &fe) {
			return s.refuseManage(c, id, err, nil, nil)
		}
	}
	def, err := s.defFormData(c, id, form, secret, fe)
	if err != nil {
		return err
	}
	return s.refuseManage(c, id, fe, nil, &def)
}

// ballotStep runs one console step on a ballot and returns to its page.
func (s *Server) ballotStep(c echo.Context, needConfirm bool, step func(id uint64) error) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if needConfirm && c.FormValue("confirm") != "yes" {
		// Standing first: someone who may not act learns nothing more.
		b, err := s.store.Ballot(rctx(c), id)
		if err != nil {
			return err
		}
		if !me(c).Can(models.PermManageBallots, b.Place) {
			return models.ErrForbidden
		}
		return s.refuseManage(c, id, models.FieldErrors{"confirm": "ballots.confirm_needed"}, nil, nil)
	}
	if err := step(id); err != nil {
		return s.refuseManage(c, id, err, nil, nil)
	}
	flash(c, "ok", "ballots.done")
	return redirect(c, "/console/ballots/"+strconv.FormatUint(id, 10))
}

func (s *Server) addBallotCandidate(c echo.Context) error {
	return s.ballotStep(c, false, func(id uint64) error {
		cid, err := strconv.ParseUint(c.FormValue("candidate_id"), 10, 64)
		if err != nil {
			return models.FieldErrors{"candidate_id": "err.required"}
		}
		return s.store.AddCandidate(rctx(c), me(c), id, cid)
	})
}

func (s *Server) removeBallotCandidate(c echo.Context) error {
	return s.ballotStep(c, false, func(id uint64) error {
		cid, err := idParam(c, "cid")
		if err != nil {
			return err
		}
		return s.store.RemoveCandidate(rctx(c), me(c), id, cid)
	})
}

func (s *Server) openBallot(c echo.Context) error {
	return s.ballotStep(c, true, func(id uint64) error {
		_, err := s.store.OpenNow(rctx(c), me(c), id)
		return err
	})
}

func (s *Server) confirmPaper(c echo.Context) error {
	return s.ballotStep(c, true, func(id uint64) error {
		pid, err := idParam(c, "pid")
		if err != nil {
			return err
		}
		pending, err := s.store.PendingPaperVotes(rctx(c), me(c), id)
		if err != nil {
			return err
		}
		for _, pv := range pending {
			if pv.ID == pid {
				return s.store.ConfirmPaperVote(rctx(c), me(c), pid)
			}
		}
		return models.ErrPaperSettled
	})
}

func (s *Server) publishBallot(c echo.Context) error {
	return s.ballotStep(c, true, func(id uint64) error {
		days, err := strconv.Atoi(strings.TrimSpace(c.FormValue("period_days")))
		if err != nil || days < 1 || days > 60 {
			return models.FieldErrors{"period_days": "err.ballot_range"}
		}
		_, err = s.store.PublishResult(rctx(c), me(c), id, models.NoticeInput{PeriodDays: days, AllowObjections: true})
		return err
	})
}

func (s *Server) fundBallot(c echo.Context) error {
	return s.ballotStep(c, true, func(id uint64) error {
		_, err := s.store.FundCandidates(rctx(c), me(c), id)
		return err
	})
}

// amendBallot adds one voter to the roll: an account by phone, a roster
// resident or a household by number, with the reason.
func (s *Server) amendBallot(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	form := map[string]string{"phone": strings.TrimSpace(c.FormValue("phone")), "resident_id": strings.TrimSpace(c.FormValue("resident_id")),
		"household_id": strings.TrimSpace(c.FormValue("household_id")), "reason": c.FormValue("reason")}
	in := models.AmendInput{Reason: form["reason"]}
	in.ResidentID, _ = strconv.ParseUint(form["resident_id"], 10, 64)
	in.HouseholdID, _ = strconv.ParseUint(form["household_id"], 10, 64)
	if form["phone"] != "" {
		a, err := s.store.AccountByPhone(rctx(c), form["phone"])
		switch {
		case errors.Is(err, models.ErrNotFound):
			return s.refuseManage(c, id, models.FieldErrors{"phone": "err.not_found"}, form, nil)
		case err != nil:
			return err
		}
		in.AccountID = a.ID
	}
	if _, err := s.store.AmendRoll(rctx(c), me(c), id, in); err != nil {
		return s.refuseManage(c, id, err, form, nil)
	}
	flash(c, "ok", "ballots.amended")
	return redirect(c, "/console/ballots/"+strconv.FormatUint(id, 10))
}

// rollLines reads a page of the roll matching a name.
func (s *Server) rollLines(c echo.Context, id uint64, q string, page, per int) ([]ballots.RollLine, int64, error) {
	roll, total, err := s.store.Roll(rctx(c), me(c), id, q, page, per)
	if err != nil {
		return nil, 0, err
	}
	out := make([]ballots.RollLine, 0, len(roll))
	for _, r := range roll {
		out = append(out, ballots.RollLine{Key: r.VoterKey, Name: r.Name, Place: r.Place, Channel: r.Channel, Pending: r.Pending})
	}
	return out, total, nil
}

// paperPage finds a voter on the roll (by name, or by phone for an
// account) and, once one is picked, shows the slip entry form.
func (s *Server) paperPage(c echo.Context) error {
	return s.renderPaper(c, http.StatusOK, "", "", nil)
}

func (s *Server) renderPaper(c echo.Context, status int, receipt, refused string, form *ballots.VoteForm) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := rctx(c)
	p := me(c)
	b, err := s.store.Ballot(ctx, id)
	if err != nil {
		return err
	}
	if !p.Can(models.PermManageBallots, b.Place) {
		return models.ErrForbidden
	}
	if b.Status(s.store.Now()) != models.BallotOpen {
		return models.ErrBallotNotOpen
	}
	if b.Stalled() {
		return models.ErrBallotNotReady
	}
	show, err := s.ballotData(c, b, nil)
	if err != nil {
		return err
	}
	d := ballots.PaperData{Ballot: show, Query: strings.TrimSpace(c.QueryParam("q")), Receipt: receipt, Refused: refused, Page: pageParam(c), PerPage: 20}
	key := c.FormValue("voter")
	if receipt != "" {
		key = ""
	}
	if key != "" {
		lines, _, err := s.rollLines(c, id, "", 1, 1_000_000)
		if err != nil {
			return err
		}
		for _, r := range lines {
			if r.Key == key && r.Channel == "" {
				r := r
				d.Voter = &r
			}
		}
		if d.Voter == nil {
			return models.ErrAlreadyVoted
		}
		d.Ballot.Action = "/console/ballots/" + strconv.FormatUint(id, 10) + "/paper"
		d.Ballot.KioskVoter = key
		d.Ballot.CanVote = true
		if form != nil {
			d.Ballot.Form = *form
			for i := range d.Ballot.Candidates {
				d.Ballot.Candidates[i].Checked = form.Chosen[d.Ballot.Candidates[i].ID]
				d.Ballot.Candidates[i].Rank = form.Ranks[d.Ballot.Candidates[i].ID]
			}
		}
		d.Ballot.Refused = refused
		d.Refused = ""
	} else {
		if d.Roll, d.Total, err = s.rollLines(c, id, d.Query, d.Page, d.PerPage); err != nil {
			return err
		}
		d.Base = "/console/ballots/" + strconv.FormatUint(id, 10) + "/paper?q=" + d.Query + "&"
	}
	return s.render(c, status, ballots.Paper(d))
}

// enterPaper records the slip for the picked voter; a second staff
// member confirms it from the ballot's page. The page that follows does
// not show the slip next to the voter.
func (s *Server) enterPaper(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := rctx(c)
	b, err := s.store.Ballot(ctx, id)
	if err != nil {
		return err
	}
	if !me(c).Can(models.PermManageBallots, b.Place) {
		return models.ErrForbidden
	}
	opts, err := s.store.Options(ctx, id)
	if err != nil {
		return err
	}
	choices, form, cerr := readChoices(c, b, opts)
	if cerr == nil {
		_, rc, err := s.store.EnterPaperVote(ctx, me(c), id, c.FormValue("voter"), choices)
		switch {
		case err == nil:
			return s.renderPaper(c, http.StatusOK, rc.Code, "", nil)
		case isChoiceError(err):
			cerr = err
		default:
			return err
		}
	}
	var de *models.Error
	errors.As(cerr, &de)
	return s.renderPaper(c, http.StatusUnprocessableEntity, "", de.Code, &form)
}

// --- kiosk ---

// stationToken is the station session's cookie token: the key of its
// models.KioskStation.
func stationToken(c echo.Context) string {
	if ck, err := c.Cookie(cookieSession); err == nil {
		return ck.Value
	}
	return ""
}

// errKioskStation refuses a kiosk check or vote on a device that is not in
// service-station mode for the ballot: residents never vote inside a staff
// member's full session.
var errKioskStation = &models.Error{Code: "err.kiosk_station_needed"}

// kioskStation loads the ballot for the kiosk's check and vote, which only
// a device in service-station mode for it may make.
func (s *Server) kioskStation(c echo.Context) (models.Ballot, error) {
	b, err := s.kioskBallot(c)
	if err != nil {
		return b, err
	}
	if me(c).KioskBallotID != b.ID {
		return b, errKioskStation
	}
	return b, nil
}

// kioskStart turns this device into a service station for the ballot
// (StartKioskSession): the staff member's session here is replaced by one
// fenced to the kiosk.
func (s *Server) kioskStart(c echo.Context) error {
	b, err := s.kioskBallot(c)
	if err != nil {
		return err
	}
	d := ballots.KioskData{Ballot: ballots.ShowData{ID: b.ID, Title: b.Title}, Errors: models.FieldErrors{}}
	pin := strings.TrimSpace(c.FormValue("pin"))
	if !models.ValidKioskPIN(pin) {
		d.Errors.Add("pin", "ballots.kiosk_pin_invalid")
	}
	if c.FormValue("confirm") != "yes" {
		d.Refused = "ballots.confirm_needed"
	}
	if len(d.Errors) > 0 || d.Refused != "" {
		return s.render(c, http.StatusUnprocessableEntity, ballots.Kiosk(d))
	}
	tok, err := s.store.StartKioskSession(rctx(c), me(c), b.ID, stationToken(c), pin)
	if err != nil {
		return err
	}
	s.setCookie(c, cookieSession, tok, 0)
	return redirect(c, kioskHome(b.ID))
}

// kioskBallot loads a ballot for the kiosk: staff of its place, open and
// not stalled.
func (s *Server) kioskBallot(c echo.Context) (models.Ballot, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Ballot{}, err
	}
	b, err := s.store.Ballot(rctx(c), id)
	if err != nil {
		return b, err
	}
	if !me(c).Can(models.PermManageBallots, b.Place) {
		return b, models.ErrForbidden
	}
	if b.Status(s.store.Now()) != models.BallotOpen {
		return b, models.ErrBallotNotOpen
	}
	if b.Stalled() {
		return b, models.ErrBallotNotReady
	}
	return b, nil
}

func (s *Server) kioskPage(c echo.Context) error {
	b, err := s.kioskBallot(c)
	if err != nil {
		return err
	}
	d := ballots.KioskData{Ballot: ballots.ShowData{ID: b.ID, Title: b.Title}}
	if me(c).KioskBallotID != b.ID {
		return s.render(c, http.StatusOK, ballots.Kiosk(d))
	}
	return s.renderCheck(c, http.StatusOK, d)
}

// renderCheck shows the station's check form, with a new one-time value:
// the form shown before, and any hand-over, end.
func (s *Server) renderCheck(c echo.Context, status int, d ballots.KioskData) error {
	check, err := s.store.KioskCheckForm(rctx(c), stationToken(c))
	if err != nil {
		return err
	}
	d.Station, d.Check = true, check
	return s.render(c, status, ballots.Kiosk(d))
}

// kioskVerify finds the resident staff checked in person (a phone number,
// or a name that matches one account on the roll) and hands the device
// over with the vote form.
func (s *Server) kioskVerify(c echo.Context) error {
	b, err := s.kioskStation(c)
	if err != nil {
		return err
	}
	ctx := rctx(c)
	who := strings.TrimSpace(c.FormValue("who"))
	d := ballots.KioskData{Ballot: ballots.ShowData{ID: b.ID, Title: b.Title}, Query: who, Errors: models.FieldErrors{}, Station: true}
	if who == "" {
		d.Errors.Add("who", "err.required")
	}
	if c.FormValue("id_checked") != "yes" {
		d.Errors.Add("id_checked", "ballots.kiosk_id_needed")
	}
	pin := strings.TrimSpace(c.FormValue("pin"))
	if pin == "" {
		d.Errors.Add("pin", "err.required")
	}
	if len(d.Errors) > 0 {
		return s.renderCheck(c, http.StatusUnprocessableEntity, d)
	}
	// Staff's PIN and the form's one-time value before anything about
	// the resident: whoever holds the device learns nothing of the roll.
	handOver, err := s.store.KioskCheck(ctx, me(c), stationToken(c), c.FormValue("check"), pin)
	switch {
	case errors.Is(err, models.ErrKioskPIN):
		d.Errors.Add("pin", models.ErrKioskPIN.Code)
		return s.renderCheck(c, http.StatusUnprocessableEntity, d)
	case errors.Is(err, models.ErrKioskCheckStale):
		d.Refused = models.ErrKioskCheckStale.Code
		return s.renderCheck(c, http.StatusConflict, d)
	case errors.Is(err, models.ErrSessionExpired):
		s.setCookie(c, cookieSession, "", -1)
		flash(c, "error", "ballots.kiosk_station_locked")
		return redirect(c, "/login")
	case err != nil:
		return err
	}
	var accountID uint64
	if a, err := s.store.AccountByPhone(ctx, who); err == nil {
		accountID = a.ID
	} else if !errors.Is(err, models.ErrNotFound) {
		return err
	} else {
		lines, _, err := s.rollLines(c, b.ID, who, 1, 20)
		if err != nil {
			return err
		}
		var accounts []uint64
		for _, r := range lines {
			if id, ok := strings.CutPrefix(r.Key, "a:"); ok {
				n, _ := strconv.ParseUint(id, 10, 64)
				accounts = append(accounts, n)
			}
		}
		switch {
		case len(lines) == 0:
			d.Refused = "err.ballot_not_eligible"
		case len(accounts) != 1 || len(lines) != 1:
			d.Refused, d.Matches = "ballots.kiosk_ambiguous", lines
		default:
			accountID = accounts[0]
		}
		if accountID == 0 {
			return s.renderCheck(c, http.StatusUnprocessableEntity, d)
		}
	}
	voter, err := s.store.LoadPrincipal(ctx, accountID)
	if err != nil {
		return err
	}
	st, err := s.store.Eligible(ctx, voter, b.ID)
	if err != nil {
		return err
	}
	switch {
	case !st.Eligible:
		d.Refused = "err.ballot_not_eligible"
	case st.Voted:
		d.Refused = "err.ballot_already_voted"
	}
	if d.Refused != "" {
		return s.renderCheck(c, http.StatusConflict, d)
	}
	if err := s.store.KioskHandTo(ctx, stationToken(c), handOver, voter.Account.ID); err != nil {
		return err
	}
	opts, err := s.store.Options(ctx, b.ID)
	if err != nil {
		return err
	}
	return s.renderKioskVote(c, b, handOver, voter, opts, ballots.VoteForm{Chosen: map[uint64]bool{}, Ranks: map[uint64]string{}}, nil)
}

// kioskVoteAction is where the station's vote form posts.
func kioskVoteAction(ballotID uint64) string {
	return kioskHome(ballotID) + "/vote"
}

// kioskVotePath is the address of the vote form handed over with
// handOver: the display switches (large text, contrast, language) return
// there, so pressing one in the middle of a vote keeps the resident's
// hand-over instead of going back to the staff check.
func kioskVotePath(ballotID uint64, handOver string) string {
	return kioskVoteAction(ballotID) + "?voter=" + url.QueryEscape(handOver)
}

// renderKioskVote shows the vote form handed over to voter, with form's
// choices and the refusal of the last submission, if any.
func (s *Server) renderKioskVote(c echo.Context, b models.Ballot, handOver string, voter *models.Principal, opts []models.Option, form ballots.VoteForm, refused error) error {
	show, err := s.ballotData(c, b, nil)
	if err != nil {
		return err
	}
	show.CanVote, show.SignedIn, show.Eligible = true, true, true
	show.Action = kioskVoteAction(b.ID)
	show.KioskVoter, show.KioskName = handOver, voter.Account.Name
	withChoices(&show, b, opts, form)
	status := http.StatusOK
	var de *models.Error
	if errors.As(refused, &de) {
		show.Refused, status = de.Code, http.StatusUnprocessableEntity
	}
	env(c).Back = kioskVotePath(b.ID, handOver)
	return s.render(c, status, ballots.KioskVote(show))
}

// kioskHandedOver checks the station's hand-over handOver for a step of
// the vote (confirming: the vote's confirmation, which alone a hand-over
// whose vote was just cast still answers) and loads its resident; a
// hand-over that ended, or lay unused too long, shows the staff check with
// why (handled, nil voter).
func (s *Server) kioskHandedOver(c echo.Context, b models.Ballot, handOver string, confirming bool) (voter *models.Principal, handled bool, err error) {
	ctx := rctx(c)
	voterID, _, err := s.store.KioskHandedOver(ctx, stationToken(c), handOver, confirming)
	if errors.Is(err, models.ErrKioskHandOverExpired) || errors.Is(err, models.ErrKioskHandOverEnded) {
		var de *models.Error
		errors.As(err, &de)
		return nil, true, s.renderCheck(c, http.StatusConflict, ballots.KioskData{Ballot: ballots.ShowData{ID: b.ID, Title: b.Title}, Refused: de.Code})
	}
	if err != nil {
		return nil, false, err
	}
	voter, err = s.store.LoadPrincipal(ctx, voterID)
	return voter, false, err
}

// kioskVoteForm shows the station's vote form again for a hand-over that
// is still running: where the display switches come back to.
func (s *Server) kioskVoteForm(c echo.Context) error {
	b, err := s.kioskBallot(c)
	if err != nil {
		return err
	}
	if me(c).KioskBallotID != b.ID {
		// Staff's own session: the page that starts station mode.
		return s.kioskPage(c)
	}
	token := c.QueryParam("voter")
	voter, handled, err := s.kioskHandedOver(c, b, token, false)
	if handled || err != nil {
		return err
	}
	opts, err := s.store.Options(rctx(c), b.ID)
	if err != nil {
		return err
	}
	return s.renderKioskVote(c, b, token, voter, opts, ballots.VoteForm{Chosen: map[uint64]bool{}, Ranks: map[uint64]string{}}, nil)
}

// kioskVote is the vote on the station's device: review, then confirm,
// then a receipt page that returns to the staff check by itself.
func (s *Server) kioskVote(c echo.Context) error {
	b, err := s.kioskStation(c)
	if err != nil {
		return err
	}
	ctx := rctx(c)
	staff := me(c)
	token := c.FormValue("voter")
	step := c.FormValue("step")
	voter, handled, err := s.kioskHandedOver(c, b, token, step == "confirm")
	if handled || err != nil {
		return err
	}
	opts, err := s.store.Options(ctx, b.ID)
	if err != nil {
		return err
	}
	choices, form, cerr := readChoices(c, b, opts)
	back := func(refused error) error {
		return s.renderKioskVote(c, b, token, voter, opts, form, refused)
	}
	next := kioskHome(b.ID)
	switch step {
	case "confirm":
		if cerr != nil {
			return back(cerr)
		}
		// A repeat moments after the vote (a double tap, a resent form)
		// is the same resident's: KioskVote answers it with the receipt
		// it gave, and nothing more is counted.
		rc, err := s.store.KioskVote(ctx, staff, voter, b.ID, choices)
		switch {
		case isChoiceError(err):
			return back(err)
		case err != nil:
			return err
		}
		if err := s.store.KioskVoted(ctx, stationToken(c), token); err != nil {
			return err
		}
		return s.render(c, http.StatusOK, ballots.Receipt(ballots.ReceiptData{ID: b.ID, Title: b.Title, Code: rc.Code, Repeat: rc.Repeat, Kiosk: true, Next: next}))
	case "review":
		if cerr == nil {
			cerr = models.ValidateChoices(b, opts, choices)
		}
		if cerr != nil {
			return back(cerr)
		}
		rd, err := s.reviewData(c, b, opts, choices)
		if err != nil {
			return err
		}
		rd.Action, rd.Kiosk = kioskVoteAction(b.ID), true
		rd.Fields = append(rd.Fields, ballots.Hidden{Name: "voter", Value: token})
		// A display switch on the review returns to the vote form, with
		// the hand-over; the choices are made again there.
		env(c).Back = kioskVotePath(b.ID, token)
		return s.render(c, http.StatusOK, ballots.Review(rd))
	}
	return back(nil)
}

// --- candidates ---

// candidatesData fills the candidates page: the proposals at the places
// the staff member manages ballots for, the form's choices and the caps.
func (s *Server) candidatesData(c echo.Context, form map[string]string, fe models.FieldErrors, reviewID uint64) (ballots.CandidatesData, error) {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	p := me(c)
	d := ballots.CandidatesData{Form: form, Errors: fe, ReviewID: reviewID, Page: pageParam(c), PerPage: 20}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	places, err := s.store.BallotPlaces(ctx, p)
	if err != nil {
		return d, err
	}
	d.Places = placeOptions(places, &components.Option{Value: "", Label: views.T(vctx, "resources.choose")})
	for _, k := range models.CandidateKinds {
		d.Kinds = append(d.Kinds, components.Option{Value: string(k), Label: views.T(vctx, "ballots.kind."+string(k))})
	}
	fp := models.CurrentFeasibilityPolicy()
	for _, k := range models.CandidateKinds {
		d.Caps = append(d.Caps, views.T(vctx, "ballots.cap_line", views.T(vctx, "ballots.kind."+string(k)), models.FormatYuan(fp.Caps[k])))
	}
	d.Needs = []components.Option{{Value: "", Label: views.T(vctx, "ballots.no_need")}}
	if p.CanAnywhere(models.PermHandleNeeds) {
		needs, _, err := s.store.ListNeeds(ctx, p, models.NeedFilter{Scope: models.NeedsStaff, PerPage: 100})
		if err != nil {
			return d, err
		}
		for _, n := range needs {
			d.Needs = append(d.Needs, components.Option{Value: strconv.FormatUint(n.ID, 10),
				Label: "#" + strconv.FormatUint(n.ID, 10) + " " + n.Place.Name + " · " + shorten(n.Description, 40)})
		}
	}
	all := components.Option{Value: "", Label: views.T(vctx, "common.all")}
	d.Statuses = []components.Option{all}
	for _, st := range []models.CandidateStatus{models.CandidateProposed, models.CandidateFeasible, models.CandidateInfeasible} {
		d.Statuses = append(d.Statuses, components.Option{Value: string(st), Label: views.T(vctx, "ballots.cstatus."+string(st))})
	}
	q := models.CandidateQuery{Page: d.Page, PerPage: d.PerPage}
	switch st := models.CandidateStatus(c.QueryParam("status")); st {
	case models.CandidateProposed, models.CandidateFeasible, models.CandidateInfeasible:
		q.Status, d.Status = st, string(st)
	}
	d.Base = "/console/candidates?status=" + d.Status + "&"
	list, total, err := s.store.Candidates(ctx, p, q)
	if err != nil {
		return d, err
	}
	d.Total = total
	names := map[uint64]string{}
	for _, cd := range list {
		row := ballots.CandidateRow{ID: cd.ID, Title: cd.Title, Place: cd.Place.Name, Kind: cd.Kind, Cost: models.FormatYuan(cd.CostFen),
			Source: cd.Source, NeedID: cd.NeedID, Status: cd.Status, Reason: cd.Reason}
		if cd.ReviewedByID != nil {
			if _, ok := names[*cd.ReviewedByID]; !ok {
				a, err := s.store.AccountByID(ctx, *cd.ReviewedByID)
				if err != nil {
					return d, err
				}
				names[*cd.ReviewedByID] = a.Name
			}
			row.Reviewer = names[*cd.ReviewedByID]
			row.Reviewed = views.FormatTimePtr(vctx, cd.ReviewedAt)
		}
		d.Items = append(d.Items, row)
	}
	return d, nil
}

func (s *Server) consoleCandidates(c echo.Context) error {
	d, err := s.candidatesData(c, nil, nil, 0)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, ballots.Candidates(d))
}

// candidateForm reads a candidate proposal from the form, with its photos,
// and every problem with it at once.
func candidateForm(c echo.Context) (map[string]string, models.CandidateInput, []models.Photo, models.FieldErrors, error) {
	form := map[string]string{}
	for _, k := range []string{"need_id", "place_id", "title", "description", "kind", "cost"} {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	in := models.CandidateInput{Title: form["title"], Description: form["description"], Kind: models.CandidateKind(form["kind"])}
	in.PlaceID, _ = strconv.ParseUint(form["place_id"], 10, 64)
	fe := models.FieldErrors{}
	if form["need_id"] != "" {
		id, err := strconv.ParseUint(form["need_id"], 10, 64)
		if err != nil {
			fe.Add("need_id", "err.invalid_choice")
		}
		in.NeedID = &id
	}
	if form["cost"] != "" {
		fen, ok := models.ParseYuan(form["cost"])
		if !ok {
			fe.Add("cost", "err.budget_invalid")
		}
		in.CostFen = fen
	}
	photos, pfe, err := readPhotos(c, models.MaxCandidatePhotos)
	if err != nil {
		return form, in, nil, fe, err
	}
	for k, v := range pfe {
		fe.Add(k, v)
	}
	if len(fe) > 0 {
		// Say everything that is wrong at once.
		check := in
		for k, v := range check.Validate() {
			fe.Add(k, v)
		}
	}
	return form, in, photos, fe, nil
}

// createCandidate records a proposal, from a need or directly, with photos.
func (s *Server) createCandidate(c echo.Context) error {
	form, in, photos, fe, err := candidateForm(c)
	if err != nil {
		return err
	}
	if len(fe) == 0 {
		_, err := s.store.CreateCandidate(rctx(c), me(c), in, photos)
		if !errors.As(err, &fe) {
			if err != nil {
				return err
			}
			flash(c, "ok", "ballots.proposed")
			return redirect(c, "/console/candidates")
		}
	}
	d, err := s.candidatesData(c, form, fe, 0)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, ballots.Candidates(d))
}

// reviewCandidate records the feasibility review with its reason.
func (s *Server) reviewCandidate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	cd, err := s.store.CandidateByID(rctx(c), id)
	if err != nil {
		return err
	}
	if !me(c).Can(models.PermManageBallots, cd.Place) {
		return models.ErrForbidden
	}
	in := models.ReviewInput{Feasible: c.FormValue("feasible") == "yes", Reason: c.FormValue("reason")}
	fe := models.FieldErrors{}
	if v := c.FormValue("feasible"); v != "yes" && v != "no" {
		fe.Add("feasible", "err.required")
	}
	vals, _ := c.FormParams()
	for _, x := range vals["exclusion"] {
		in.Exclusions = append(in.Exclusions, models.Exclusion(x))
	}
	if len(fe) == 0 {
		_, err = s.store.ReviewCandidate(rctx(c), me(c), id, in)
		if !errors.As(err, &fe) {
			if err != nil {
				return err
			}
			flash(c, "ok", "ballots.reviewed")
			return redirect(c, "/console/candidates")
		}
	}
	d, err := s.candidatesData(c, map[string]string{"reason": in.Reason}, fe, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, ballots.Candidates(d))
}
