package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views"
	"yishi/views/ballots"
	"yishi/views/components"
	"yishi/views/site"
)

// ballotsPerPage is the length of a page of ballots.
const ballotsPerPage = 20

// ballotsList lists every ballot, filtered by state and place; public.
func (s *Server) ballotsList(c echo.Context) error {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	places, err := s.store.BulletinPlaces(ctx)
	if err != nil {
		return err
	}
	labels := placeLabels(places)
	all := &components.Option{Value: "", Label: views.T(vctx, "common.all")}
	d := ballots.ListData{Places: placeOptions(places, all), Statuses: []components.Option{*all}, Page: pageParam(c), PerPage: ballotsPerPage}
	for _, st := range []models.BallotStatus{models.BallotOpen, models.BallotScheduled, models.BallotClosed} {
		d.Statuses = append(d.Statuses, components.Option{Value: string(st), Label: views.T(vctx, "ballots.status."+string(st))})
	}
	q := models.BallotQuery{Page: d.Page, PerPage: ballotsPerPage}
	filters := ""
	switch st := models.BallotStatus(c.QueryParam("status")); st {
	case models.BallotOpen, models.BallotScheduled, models.BallotClosed:
		q.Status, d.Status = st, string(st)
		filters += "status=" + string(st) + "&"
	}
	if id, err := strconv.ParseUint(c.QueryParam("place"), 10, 64); err == nil {
		if _, known := labels[id]; known {
			q.PlaceID, d.Place = id, strconv.FormatUint(id, 10)
			filters += "place=" + d.Place + "&"
		}
	}
	d.Base = "/ballots?" + filters
	list, total, err := s.store.Ballots(ctx, q)
	if err != nil {
		return err
	}
	d.Total = total
	d.Items = s.ballotCards(c, list, labels, false)
	return s.render(c, http.StatusOK, ballots.List(d))
}

// ballotCards turns ballots into list cards.
func (s *Server) ballotCards(c echo.Context, list []models.Ballot, labels map[uint64]string, manage bool) []ballots.Card {
	vctx := views.WithEnv(rctx(c), env(c))
	now := s.store.Now()
	out := make([]ballots.Card, 0, len(list))
	for _, b := range list {
		place := labels[b.PlaceID]
		if place == "" {
			place = b.Place.Name
		}
		out = append(out, ballots.Card{ID: b.ID, Title: b.Title, Place: place, Status: b.Status(now), Method: b.Method,
			Opens: views.FormatTime(vctx, b.OpensAt), Closes: views.FormatTime(vctx, b.ClosesAt), Secret: b.Secret, Stalled: b.Stalled(), Manage: manage})
	}
	return out
}

// ballotData fills a ballot's page for viewer p: definition, candidates,
// where p stands, and the result once closed.
func (s *Server) ballotData(c echo.Context, b models.Ballot, p *models.Principal) (ballots.ShowData, error) {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	now := s.store.Now()
	d := ballots.ShowData{ID: b.ID, Title: b.Title, Description: b.Description, Status: b.Status(now), Electorate: b.Electorate, Method: b.Method,
		MinChoices: b.MinChoices, MaxChoices: b.MaxChoices, RankK: b.RankK, Seats: b.Seats, Budget: models.FormatYuan(b.BudgetFen), BudgetFen: b.BudgetFen,
		Opens: views.FormatTime(vctx, b.OpensAt), Closes: views.FormatTime(vctx, b.ClosesAt), TurnoutPct: b.TurnoutPct, Secret: b.Secret,
		Frozen: views.FormatTimePtr(vctx, b.FrozenAt), Fingerprint: b.Fingerprint, Voters: b.Voters(), Amendments: b.Amendments,
		NoticeID: b.NoticeID, Funded: b.FundedAt != nil, SignedIn: p != nil, Staff: p.Can(models.PermManageBallots, b.Place), Stalled: b.Stalled()}
	var err error
	if d.Resolution, err = s.store.ResolutionOfBallot(ctx, b.ID); err != nil {
		return d, err
	}
	if d.Place, err = s.store.CachedPlaceLabel(ctx, b.Place); err != nil {
		return d, err
	}
	cands, err := s.store.BallotOptions(ctx, b.ID)
	if err != nil {
		return d, err
	}
	titles := map[uint64]string{}
	for _, cd := range cands {
		line := ballots.CandidateLine{ID: cd.ID, Title: cd.Title, Description: cd.Description, Place: cd.Place.Name, Kind: cd.Kind,
			Cost: models.FormatYuan(cd.CostFen), CostFen: cd.CostFen, ProjectID: cd.ProjectID}
		if cd.ProjectID != nil {
			if line.ProjectOpen, err = s.mayOpen(c, "project", *cd.ProjectID); err != nil {
				return d, err
			}
		}
		for _, ph := range cd.Photos {
			line.Photos = append(line.Photos, ph.ID)
		}
		titles[cd.ID] = cd.Title
		d.Candidates = append(d.Candidates, line)
	}
	if d.Status == models.BallotOpen && b.FrozenAt != nil {
		s.candidateBodies(vctx, b.ID, env(c).Locale, d.Candidates)
	}
	if p != nil {
		st, err := s.store.Eligible(ctx, p, b.ID)
		if err != nil {
			return d, err
		}
		d.Eligible, d.Voted, d.Receipt, d.Pending, d.Channel = st.Eligible, st.Voted, st.Receipt, st.Pending, st.Channel
		d.CanVote = d.Status == models.BallotOpen && !d.Stalled && st.Eligible && !st.Voted
	}
	if d.Status == models.BallotClosed {
		r, err := s.store.Results(ctx, p, b.ID)
		if err != nil && !errors.Is(err, models.ErrBallotNotHeld) { // not held: the page says so
			return d, err
		}
		if r != nil {
			rv := &ballots.ResultView{Electorate: r.Electorate, Voted: r.Voted, Online: r.Online, Paper: r.Paper, Kiosk: r.Kiosk, No: r.No,
				Valid: r.Valid, Places: r.Detail.Places, DrawSeed: r.DrawSeed, BoardHead: r.BoardHead, Computed: views.FormatTime(vctx, r.ComputedAt)}
			for _, t := range r.Detail.Candidates {
				rv.Rows = append(rv.Rows, ballots.ResultRow{Title: titles[t.ID], Votes: t.Votes, Points: t.Points, Cost: models.FormatYuan(t.CostFen),
					Funded: t.Funded, Draw: t.Draw})
			}
			d.Result = rv
		}
	}
	if d.Method == models.MethodBudget {
		m := meter(b, nil, nil)
		d.Meter = &m
	}
	d.Form = ballots.VoteForm{Chosen: map[uint64]bool{}, Ranks: map[uint64]string{}}
	return d, nil
}

// showBallot is a ballot's page; ?receipt= looks a receipt up.
func (s *Server) showBallot(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := rctx(c)
	b, err := s.store.Ballot(ctx, id)
	if err != nil {
		return err
	}
	d, err := s.ballotData(c, b, me(c))
	if err != nil {
		return err
	}
	if code, ok := c.QueryParams()["receipt"]; ok {
		lv := &ballots.LookupView{Code: strings.TrimSpace(code[0])}
		rc, err := s.store.LookupReceipt(ctx, id, lv.Code)
		switch {
		case errors.Is(err, models.ErrReceiptUnknown):
			lv.Err = "err.receipt_unknown"
		case err != nil:
			return err
		default:
			lv.Found, lv.Check = true, rc
			if ch, err := models.ParseChoices(rc.Choices); err == nil {
				lv.Choices = choiceWords(c, b, d.Candidates, ch)
			}
		}
		d.Lookup = lv
	}
	return s.render(c, http.StatusOK, ballots.Show(d))
}

// choiceWords says a choice set in words: candidate titles in order, or
// yes/no.
func choiceWords(c echo.Context, b models.Ballot, cands []ballots.CandidateLine, ch models.Choices) []string {
	vctx := views.WithEnv(rctx(c), env(c))
	titles := map[uint64]string{}
	for _, cd := range cands {
		titles[cd.ID] = cd.Title
	}
	var out []string
	for i, id := range ch {
		switch {
		case b.Method == models.MethodYesNo && id == models.NoChoice:
			out = append(out, views.T(vctx, "ballots.no"))
		case b.Method == models.MethodYesNo:
			out = append(out, views.T(vctx, "ballots.yes_to", titles[id]))
		case b.Method == models.MethodRank:
			out = append(out, views.T(vctx, "ballots.rank_line", i+1, titles[id]))
		default:
			out = append(out, titles[id])
		}
	}
	return out
}

// errRankOrder: the places given on a rank ballot are not 1, 2, 3… each once.
var errRankOrder = &models.Error{Code: "err.ballot_rank_order"}

// readChoices reads a vote form per the vote contract: "choice" repeated
// (candidate ids; "yes"/"no" on a yes/no ballot) or rank_{id} = 1..K. It
// returns the choices, the form state to show again, and a choice error.
func readChoices(c echo.Context, b models.Ballot, opts []models.Option) (models.Choices, ballots.VoteForm, error) {
	form := ballots.VoteForm{Chosen: map[uint64]bool{}, Ranks: map[uint64]string{}}
	values, err := c.FormParams()
	if err != nil {
		return nil, form, models.ErrChoiceEmpty
	}
	switch b.Method {
	case models.MethodYesNo:
		ans := values["choice"]
		if len(ans) == 0 {
			return nil, form, models.ErrChoiceEmpty
		}
		if len(ans) > 1 || len(opts) != 1 {
			return nil, form, models.ErrChoiceCount
		}
		form.Answer = ans[0]
		switch ans[0] {
		case "yes":
			return models.Choices{opts[0].ID}, form, nil
		case "no":
			return models.Choices{models.NoChoice}, form, nil
		}
		return nil, form, models.ErrChoiceUnknown
	case models.MethodRank:
		type placed struct {
			rank int
			id   uint64
		}
		var ps []placed
		var bad error
		for _, o := range opts {
			v := strings.TrimSpace(values.Get("rank_" + strconv.FormatUint(o.ID, 10)))
			if v == "" {
				continue
			}
			form.Ranks[o.ID] = v
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > b.RankK {
				bad = errRankOrder
				continue
			}
			ps = append(ps, placed{n, o.ID})
		}
		for k := range values {
			if id, ok := strings.CutPrefix(k, "rank_"); ok && values.Get(k) != "" {
				n, err := strconv.ParseUint(id, 10, 64)
				if err != nil || !hasOption(opts, n) {
					return nil, form, models.ErrChoiceUnknown
				}
			}
		}
		if bad != nil {
			return nil, form, bad
		}
		if len(ps) == 0 {
			return nil, form, models.ErrChoiceEmpty
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].rank < ps[j].rank })
		out := make(models.Choices, len(ps))
		for i, x := range ps {
			if x.rank != i+1 {
				return nil, form, errRankOrder
			}
			out[i] = x.id
		}
		return out, form, nil
	}
	var out models.Choices
	for _, v := range values["choice"] {
		id, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, form, models.ErrChoiceUnknown
		}
		form.Chosen[id] = true
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, form, models.ErrChoiceEmpty
	}
	return out, form, nil
}

func hasOption(opts []models.Option, id uint64) bool {
	for _, o := range opts {
		if o.ID == id {
			return true
		}
	}
	return false
}

// choiceFields are the hidden fields that carry choices from the review to
// the confirmation, in the vote form's own names.
func choiceFields(b models.Ballot, ch models.Choices) []ballots.Hidden {
	var out []ballots.Hidden
	for i, id := range ch {
		switch {
		case b.Method == models.MethodYesNo && id == models.NoChoice:
			out = append(out, ballots.Hidden{Name: "choice", Value: "no"})
		case b.Method == models.MethodYesNo:
			out = append(out, ballots.Hidden{Name: "choice", Value: "yes"})
		case b.Method == models.MethodRank:
			out = append(out, ballots.Hidden{Name: "rank_" + strconv.FormatUint(id, 10), Value: strconv.Itoa(i + 1)})
		default:
			out = append(out, ballots.Hidden{Name: "choice", Value: strconv.FormatUint(id, 10)})
		}
	}
	return out
}

// isChoiceError tells the errors a voter fixes by choosing again (422).
func isChoiceError(err error) bool {
	for _, e := range []error{models.ErrChoiceEmpty, models.ErrChoiceCount, models.ErrChoiceUnknown, models.ErrChoiceTwice, models.ErrOverBudget, errRankOrder} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// meter computes the remaining-budget meter for chosen candidate ids.
func meter(b models.Ballot, opts []models.Option, chosen map[uint64]bool) ballots.Meter {
	var spent int64
	n := 0
	for _, o := range opts {
		if chosen[o.ID] {
			spent += o.CostFen
			n++
		}
	}
	m := ballots.Meter{BallotID: b.ID, Budget: models.FormatYuan(b.BudgetFen), Spent: models.FormatYuan(spent), Count: n}
	if left := b.BudgetFen - spent; left < 0 {
		m.Over, m.Left = models.FormatYuan(-left), "0.00"
	} else {
		m.Left = models.FormatYuan(left)
	}
	return m
}

// ballotMeter answers the budget meter's htmx request with the fragment.
func (s *Server) ballotMeter(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	b, err := s.store.Ballot(rctx(c), id)
	if err != nil {
		return err
	}
	if b.Method != models.MethodBudget {
		return models.ErrNotFound
	}
	opts, err := s.store.Options(rctx(c), id)
	if err != nil {
		return err
	}
	_, form, _ := readChoices(c, b, opts)
	return s.render(c, http.StatusOK, ballots.MeterView(meter(b, opts, form.Chosen)))
}

// withChoices puts the choices of form on the ballot page d, with the
// budget meter they leave.
func withChoices(d *ballots.ShowData, b models.Ballot, opts []models.Option, form ballots.VoteForm) {
	d.Form = form
	for i := range d.Candidates {
		d.Candidates[i].Checked = form.Chosen[d.Candidates[i].ID]
		d.Candidates[i].Rank = form.Ranks[d.Candidates[i].ID]
	}
	if b.Method == models.MethodBudget {
		m := meter(b, opts, form.Chosen)
		d.Meter = &m
	}
}

// renderVoteForm shows the ballot page again with the voter's choices and
// why they were refused (422).
func (s *Server) renderVoteForm(c echo.Context, b models.Ballot, p *models.Principal, opts []models.Option, form ballots.VoteForm, refused error, status int) error {
	if b.Place.ID == 0 { // from VoteBallot
		var err error
		if b, err = s.store.Ballot(rctx(c), b.ID); err != nil {
			return err
		}
	}
	d, err := s.ballotData(c, b, p)
	if err != nil {
		return err
	}
	withChoices(&d, b, opts, form)
	var de *models.Error
	if errors.As(refused, &de) {
		d.Refused = de.Code
	}
	return s.render(c, status, ballots.Show(d))
}

// notEligible is the 403 page of someone who is not on the roll.
func (s *Server) notEligible(c echo.Context) error {
	return s.render(c, http.StatusForbidden, site.ErrorPage(http.StatusForbidden, "err.ballot_not_eligible"))
}

// ballotVote is the vote contract's POST /ballots/:id/vote: step=review
// re-shows the choices for confirmation (the same checks the vote will
// make, 422 on bad choices); step=confirm casts the vote and answers 200
// with the receipt, the original one on a repeat; step=edit goes back to
// the form with the choices kept.
func (s *Server) ballotVote(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := rctx(c)
	p := me(c)
	// The ballot's place is loaded only if a page needs it (renderVoteForm).
	b, err := s.store.VoteBallot(ctx, id)
	if err != nil {
		return err
	}
	opts, err := s.store.Options(ctx, id)
	if err != nil {
		return err
	}
	choices, form, cerr := readChoices(c, b, opts)
	step := c.FormValue("step")
	if step == "confirm" {
		if cerr != nil {
			if b.Status(s.store.Now()) != models.BallotOpen {
				return models.ErrBallotNotOpen
			}
			return s.renderVoteForm(c, b, p, opts, form, cerr, http.StatusUnprocessableEntity)
		}
		rc, err := s.store.CastVote(ctx, p, id, choices)
		switch {
		case errors.Is(err, models.ErrNotEligible):
			return s.notEligible(c)
		case isChoiceError(err):
			return s.renderVoteForm(c, b, p, opts, form, err, http.StatusUnprocessableEntity)
		case err != nil:
			return err
		}
		return s.render(c, http.StatusOK, ballots.Receipt(ballots.ReceiptData{ID: b.ID, Title: b.Title, Code: rc.Code, Repeat: rc.Repeat, Pending: rc.Pending}))
	}
	if b.Status(s.store.Now()) != models.BallotOpen {
		return models.ErrBallotNotOpen
	}
	if b.Stalled() {
		return models.ErrBallotNotReady
	}
	st, err := s.store.Eligible(ctx, p, id)
	if err != nil {
		return err
	}
	if !st.Eligible {
		return s.notEligible(c)
	}
	if st.Voted {
		if st.Channel == models.ChannelPaper {
			return models.ErrAlreadyVoted
		}
		return s.render(c, http.StatusOK, ballots.Receipt(ballots.ReceiptData{ID: b.ID, Title: b.Title, Code: st.Receipt, Repeat: true}))
	}
	if step != "review" {
		return s.renderVoteForm(c, b, p, opts, form, nil, http.StatusOK)
	}
	if cerr == nil {
		cerr = models.ValidateChoices(b, opts, choices)
	}
	if cerr != nil {
		return s.renderVoteForm(c, b, p, opts, form, cerr, http.StatusUnprocessableEntity)
	}
	rd, err := s.reviewData(c, b, opts, choices)
	if err != nil {
		return err
	}
	rd.Action = "/ballots/" + strconv.FormatUint(b.ID, 10) + "/vote"
	return s.render(c, http.StatusOK, ballots.Review(rd))
}

// reviewData is the confirmation step of checked choices.
func (s *Server) reviewData(c echo.Context, b models.Ballot, opts []models.Option, choices models.Choices) (ballots.ReviewData, error) {
	cands, err := s.store.BallotOptions(rctx(c), b.ID)
	if err != nil {
		return ballots.ReviewData{}, err
	}
	lines := make([]ballots.CandidateLine, 0, len(cands))
	for _, cd := range cands {
		lines = append(lines, ballots.CandidateLine{ID: cd.ID, Title: cd.Title})
	}
	rd := ballots.ReviewData{ID: b.ID, Title: b.Title, Method: b.Method, Lines: choiceWords(c, b, lines, choices), Fields: choiceFields(b, choices)}
	if b.Method == models.MethodBudget {
		chosen := map[uint64]bool{}
		for _, id := range choices {
			chosen[id] = true
		}
		m := meter(b, opts, chosen)
		rd.Total, rd.Budget = m.Spent, m.Budget
	}
	return rd, nil
}

// ballotBoard downloads a closed ballot's hash-chained board; before the
// close there is none (409).
func (s *Server) ballotBoard(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	data, err := s.store.BoardJSON(rctx(c), id)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="ballot-`+strconv.FormatUint(id, 10)+`-board.json"`)
	// Once built the board never changes.
	h.Set("Cache-Control", "public, max-age=86400, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "application/json; charset=utf-8", data)
}

// ballotResultExport downloads a closed ballot's result as a spreadsheet:
// the candidates with their counts and outcome, the turnout by channel and
// by area. It holds what the ballot page shows anyone after the close and
// nothing more (no voter, no choice set); before the close there is none.
func (s *Server) ballotResultExport(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	b, err := s.store.Ballot(rctx(c), id)
	if err != nil {
		return err
	}
	d, err := s.ballotData(c, b, nil)
	if err != nil {
		return err
	}
	switch {
	case d.Stalled && d.Status == models.BallotClosed:
		return models.ErrBallotNotHeld
	case d.Result == nil:
		return models.ErrBallotNotClosed
	}
	r := d.Result
	vctx := views.WithEnv(rctx(c), env(c))
	t := func(k string) string { return views.T(vctx, k) }
	rank := d.Method == models.MethodRank
	header := []string{t("ballots.rank"), t("ballots.candidate"), t("ballots.votes")}
	if rank {
		header = append(header, t("ballots.points"))
	}
	header = append(header, t("ballots.cost"), t("ballots.outcome"))
	results := xlsxSheet{Name: t("ballots.results"), Header: header, Rows: func(add func([]any) error) error {
		for i, row := range r.Rows {
			line := []any{i + 1, row.Title, row.Votes}
			if rank {
				line = append(line, row.Points)
			}
			outcome := ""
			if row.Funded {
				outcome = t("ballots.funded." + string(d.Method))
			}
			if err := add(append(line, row.Cost, outcome)); err != nil {
				return err
			}
		}
		return nil
	}}
	turnout := xlsxSheet{Name: t("ballots.turnout"), Header: []string{t("ballots.xlsx_area"), t("ballots.xlsx_electorate"), t("ballots.xlsx_voted"),
		t("ballots.channel.online"), t("ballots.channel.paper"), t("ballots.channel.kiosk")}, Rows: func(add func([]any) error) error {
		if err := add([]any{t("ballots.xlsx_all"), r.Electorate, r.Voted, r.Online, r.Paper, r.Kiosk}); err != nil {
			return err
		}
		for _, pl := range r.Places {
			if err := add([]any{pl.Name, pl.Electorate, pl.Voted}); err != nil {
				return err
			}
		}
		return nil
	}}
	var buf bytes.Buffer
	if err := writeXLSX(&buf, []xlsxSheet{results, turnout}); err != nil {
		return err
	}
	name := strconv.FormatUint(id, 10)
	return sendDownload(c, xlsxType,
		t("ballots.xlsx_file")+"-"+name+".xlsx", "ballot-"+name+"-result.xlsx", buf.Bytes())
}

// ballotPhoto serves a photo of a candidate on a ballot.
func (s *Server) ballotPhoto(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	cid, err := idParam(c, "cid")
	if err != nil {
		return err
	}
	pid, err := idParam(c, "pid")
	if err != nil {
		return err
	}
	opts, err := s.store.Options(rctx(c), id)
	if err != nil {
		return err
	}
	if !hasOption(opts, cid) {
		return models.ErrNotFound
	}
	ph, err := s.store.CandidatePhotoByID(rctx(c), pid)
	if err != nil {
		return err
	}
	if ph.CandidateID != cid {
		return models.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	c.Response().Header().Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, ph.ContentType, ph.Data)
}

// bodiesTTL is how long a rendered candidate is reused: as long as the
// store keeps the candidates themselves (a renamed place shows within it).
const bodiesTTL = 2 * time.Second

type bodiesKey struct {
	ballot uint64
	locale string
}

type bodiesEntry struct {
	at     time.Time
	ids    []uint64
	bodies []string
}

// candidateBodies fills each line's Body, rendered once per ballot and
// language while the ballot is open (its candidates cannot change then)
// and reused for bodiesTTL: the part of the page a whole street loads at
// once that is the same for everyone.
func (s *Server) candidateBodies(vctx context.Context, ballotID uint64, locale string, lines []ballots.CandidateLine) {
	key := bodiesKey{ballotID, locale}
	if v, ok := s.bodies.Load(key); ok {
		e := v.(bodiesEntry)
		if time.Since(e.at) < bodiesTTL && len(e.ids) == len(lines) {
			same := true
			for i := range lines {
				same = same && e.ids[i] == lines[i].ID
			}
			if same {
				for i := range lines {
					lines[i].Body = e.bodies[i]
				}
				return
			}
		}
	}
	e := bodiesEntry{at: time.Now(), ids: make([]uint64, len(lines)), bodies: make([]string, len(lines))}
	var buf strings.Builder
	for i, l := range lines {
		buf.Reset()
		if err := ballots.CandidateBody(ballotID, l).Render(vctx, &buf); err != nil {
			return // the page renders them itself
		}
		e.ids[i], e.bodies[i] = l.ID, buf.String()
	}
	// Entries of ballots no longer viewed (closed ones) go when another
	// ballot's entry is renewed: there are only a few, every bodiesTTL.
	s.bodies.Range(func(k, v any) bool {
		if time.Since(v.(bodiesEntry).at) >= bodiesTTL {
			s.bodies.Delete(k)
		}
		return true
	})
	s.bodies.Store(key, e)
	for i := range lines {
		lines[i].Body = e.bodies[i]
	}
}
