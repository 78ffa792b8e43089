package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views/components"
	"yishi/views/matters"
)

const mattersPerPage = 20

// mattersList shows the matters of the viewer's villages.
func (s *Server) mattersList(c echo.Context) error {
	p := me(c)
	d := matters.ListData{Page: pageParam(c), PerPage: mattersPerPage, CanCreate: p.CanAnywhere(models.PermManageCouncils)}
	var err error
	if d.Matters, d.Total, err = s.store.Matters(rctx(c), p, d.Page, d.PerPage); err != nil {
		return err
	}
	if d.Labels, err = placeLabelsOf(s, c, d.Matters, func(m models.Matter) models.Place { return m.Place }); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, matters.List(d))
}

// placeLabelsOf names the places of listed items by their full names, in
// one query.
func placeLabelsOf[T any](s *Server, c echo.Context, items []T, place func(T) models.Place) (map[uint64]string, error) {
	places := make([]models.Place, len(items))
	for i, it := range items {
		places[i] = place(it)
	}
	return s.store.PlaceLabels(rctx(c), places)
}

// fullNameOptions are places as the choices of a drop-down, by full name
// (placeOptions names them within the list).
func (s *Server) fullNameOptions(c echo.Context, places []models.Place) ([]components.Option, map[uint64]string, error) {
	labels, err := s.store.PlaceLabels(rctx(c), places)
	if err != nil {
		return nil, nil, err
	}
	out := make([]components.Option, len(places))
	for i, pl := range places {
		out[i] = components.Option{Value: strconv.FormatUint(pl.ID, 10), Label: labels[pl.ID]}
	}
	return out, labels, nil
}

// matterNewData builds the registration form: the villages where the
// viewer manages councils, and the chains defined at or above them.
func (s *Server) matterNewData(c echo.Context, in models.MatterInput, fe models.FieldErrors) (matters.NewData, error) {
	p := me(c)
	d := matters.NewData{In: in, Errors: fe}
	villages, err := s.store.MatterPlaces(rctx(c), p)
	if err != nil {
		return d, err
	}
	if d.Villages, _, err = s.fullNameOptions(c, villages); err != nil {
		return d, err
	}
	procs, err := s.store.Procedures(rctx(c), p)
	if err != nil {
		return d, err
	}
	d.Procedures = []components.Option{{Value: "", Label: matters.ChainName(rctx(c), models.DefaultProcedure)}}
	for _, pr := range procs {
		for _, v := range villages {
			if pr.Place.Contains(v) {
				d.Procedures = append(d.Procedures, components.Option{Value: strconv.FormatUint(pr.ID, 10), Label: pr.Place.Name + " · " + pr.Name})
				break
			}
		}
	}
	return d, nil
}

func (s *Server) matterNew(c echo.Context) error {
	d, err := s.matterNewData(c, models.MatterInput{}, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, matters.New(d))
}

func (s *Server) matterCreate(c echo.Context) error {
	in := models.MatterInput{PlaceID: formID(c, "place_id"), ProcedureID: formID(c, "procedure_id"), Title: c.FormValue("title"),
		Description: c.FormValue("description"), Source: models.MatterSource(c.FormValue("source"))}
	m, err := s.store.CreateMatter(rctx(c), me(c), in)
	return s.saved(c, err, "village.created", "/matters/"+strconv.FormatUint(m.ID, 10), func(fe models.FieldErrors) (templ.Component, error) {
		d, err := s.matterNewData(c, in, fe)
		return matters.New(d), err
	})
}

// saved answers a form's post: done, it flashes okKey and goes on to to;
// refused for bad input, it shows the form again (built by again) with the
// errors; any other error passes through.
func (s *Server) saved(c echo.Context, err error, okKey, to string, again func(models.FieldErrors) (templ.Component, error)) error {
	if err == nil {
		flash(c, "ok", okKey)
		return redirect(c, to)
	}
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	page, err := again(fe)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, page)
}

// matterPage renders a matter's page with status, and the next step's form
// with what was typed when it failed.
func (s *Server) matterPage(c echo.Context, v models.MatterView, status int, form matters.Form) error {
	d := matters.ShowData{Matter: v, Form: form, Today: s.store.Now().In(env(c).TZ).Format("2006-01-02")}
	var err error
	if d.PlaceLabel, err = s.store.PlaceLabel(rctx(c), v.Place); err != nil {
		return err
	}
	if next := v.Next(); next != nil && v.Manage && next.Kind == models.StepMeeting {
		if d.Meetings, err = s.store.MatterMeetings(rctx(c), v); err != nil {
			return err
		}
	}
	return s.render(c, status, matters.Show(d))
}

func (s *Server) matterShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.store.MatterByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	return s.matterPage(c, v, http.StatusOK, matters.Form{})
}

func (s *Server) matterPrint(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.store.MatterByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	label, err := s.store.PlaceLabel(rctx(c), v.Place)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, matters.Print(matters.PrintData{Matter: v, PlaceLabel: label}))
}

// stepFields are the fields of the step form.
var stepFields = []string{"held_on", "form", "expected", "actual", "text", "result", "signatures", "meeting_id", "period_days", "remarks"}

// stepInput reads the step form; a date or a number that does not parse is
// a field error.
func stepInput(c echo.Context, tz *time.Location) (models.StepInput, models.FieldErrors) {
	fe := models.FieldErrors{}
	in := models.StepInput{Form: c.FormValue("form"), Text: c.FormValue("text"), Result: models.StepResult(c.FormValue("result")),
		Signatures: c.FormValue("signatures"), MeetingID: formID(c, "meeting_id"), Remarks: c.FormValue("remarks"), Channels: formValues(c, "channels")}
	if v := strings.TrimSpace(c.FormValue("held_on")); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, tz)
		if err != nil {
			fe.Add("held_on", "err.date_invalid")
		}
		in.HeldOn = t
	}
	number := func(name string) int {
		v := strings.TrimSpace(c.FormValue(name))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.Add(name, "err.number_invalid")
		}
		return n
	}
	in.Expected, in.Actual, in.PeriodDays = number("expected"), number("actual"), number("period_days")
	return in, fe
}

// formValues are the values of a multi-valued form field.
func formValues(c echo.Context, name string) []string {
	f, err := c.FormParams()
	if err != nil {
		return nil
	}
	return f[name]
}

// matterStep records the next step of a matter: only staff who manage its
// village, only the next step, and only once the recorder confirms. Bad
// input, or a step out of order, shows the page again with the form's
// errors.
func (s *Server) matterStep(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	pos, err := strconv.Atoi(c.Param("pos"))
	if err != nil || pos < 1 {
		return models.ErrNotFound
	}
	p := me(c)
	v, err := s.store.MatterByID(rctx(c), p, id)
	if err != nil {
		return err
	}
	if !v.Manage {
		return models.ErrForbidden
	}
	tz := env(c).TZ
	in, fe := stepInput(c, tz)
	if !confirmed(c) {
		fe.Add("confirm", "err.confirm_required")
	}
	stored := len(fe) == 0
	if !stored {
		// Said all at once: the step's own rules beside the missing
		// confirmation (the input is checked on a copy, as typed).
		probe := in
		for k, code := range v.CheckNext(&probe, s.store.Now()) {
			fe.Add(k, code)
		}
		err = fe
	} else {
		_, err = s.store.RecordStep(rctx(c), p, id, pos-1, in, tz)
		err = stepError(err, "confirm")
	}
	if err == nil {
		flash(c, "ok", "village.step_recorded")
		return redirect(c, "/matters/"+strconv.FormatUint(id, 10))
	}
	if !errors.As(err, &fe) {
		return err
	}
	if stored {
		// The store refused: show the matter as it is now.
		if v, err = s.store.MatterByID(rctx(c), p, id); err != nil {
			return err
		}
	}
	form := matters.Form{Errors: fe, Values: map[string]string{}, Multi: map[string][]string{"channels": in.Channels}}
	for _, k := range stepFields {
		form.Values[k] = c.FormValue(k)
	}
	return s.matterPage(c, v, http.StatusUnprocessableEntity, form)
}

// chainsList shows the chains the viewer may use.
func (s *Server) chainsList(c echo.Context) error {
	procs, err := s.store.Procedures(rctx(c), me(c))
	if err != nil {
		return err
	}
	labels, err := placeLabelsOf(s, c, procs, func(pr models.Procedure) models.Place { return pr.Place })
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, matters.Chains(matters.ChainsData{Procedures: procs, Labels: labels}))
}

// chainInput reads the chain form: its rows in order, blank ones left out.
func chainInput(c echo.Context) models.ProcedureInput {
	in := models.ProcedureInput{PlaceID: formID(c, "place_id"), Name: c.FormValue("name")}
	for i := 0; i < models.MaxProcedureSteps+1; i++ {
		name := c.FormValue(models.StepField("name", i))
		if strings.TrimSpace(name) == "" {
			continue
		}
		in.Steps = append(in.Steps, models.ProcedureStepInput{Name: name, Kind: models.StepKind(c.FormValue(models.StepField("kind", i))),
			CouncilKind: models.CouncilKind(c.FormValue(models.StepField("council", i)))})
	}
	return in
}

// chainFormData builds the chain form, with the places the viewer may
// define a chain for.
func (s *Server) chainFormData(c echo.Context, v models.ProcedureView, in models.ProcedureInput, fe models.FieldErrors) (matters.ChainFormData, error) {
	d := matters.ChainFormData{Procedure: v, In: in, Errors: fe}
	if v.ID != 0 {
		return d, nil
	}
	places, err := s.store.ProcedurePlaces(rctx(c), me(c))
	if err != nil {
		return d, err
	}
	d.Places, _, err = s.fullNameOptions(c, places)
	return d, err
}

// defaultRows prefill a new chain with the default steps, to adapt.
func defaultRows() []models.ProcedureStepInput {
	out := make([]models.ProcedureStepInput, len(models.DefaultProcedure.Steps))
	for i, st := range models.DefaultProcedure.Steps {
		out[i] = models.ProcedureStepInput{Name: st.Name, Kind: st.Kind, CouncilKind: st.CouncilKind}
	}
	return out
}

func (s *Server) chainNew(c echo.Context) error {
	d, err := s.chainFormData(c, models.ProcedureView{}, models.ProcedureInput{Steps: defaultRows()}, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, matters.ChainForm(d))
}

func (s *Server) chainCreate(c echo.Context) error {
	in := chainInput(c)
	pr, err := s.store.CreateProcedure(rctx(c), me(c), in)
	return s.saved(c, err, "village.chain_created", "/matters/chains/"+strconv.FormatUint(pr.ID, 10), func(fe models.FieldErrors) (templ.Component, error) {
		d, err := s.chainFormData(c, models.ProcedureView{}, in, fe)
		return matters.ChainForm(d), err
	})
}

// procedureRows are a stored chain's steps as form rows.
func procedureRows(v models.ProcedureView) models.ProcedureInput {
	in := models.ProcedureInput{PlaceID: v.PlaceID, Name: v.Name}
	for _, st := range v.Steps {
		in.Steps = append(in.Steps, models.ProcedureStepInput{Name: st.Name, Kind: st.Kind, CouncilKind: st.CouncilKind})
	}
	return in
}

func (s *Server) chainShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.store.ProcedureByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	d, err := s.chainFormData(c, v, procedureRows(v), nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, matters.ChainForm(d))
}

func (s *Server) chainUpdate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := chainInput(c)
	err = s.store.UpdateProcedure(rctx(c), me(c), id, in)
	return s.saved(c, err, "village.chain_saved", "/matters/chains/"+strconv.FormatUint(id, 10), func(fe models.FieldErrors) (templ.Component, error) {
		v, err := s.store.ProcedureByID(rctx(c), me(c), id)
		if err != nil {
			return nil, err
		}
		d, err := s.chainFormData(c, v, in, fe)
		return matters.ChainForm(d), err
	})
}
