package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views"
	"yishi/views/ballots"
	"yishi/views/components"
)

// proposeData fills a resident's proposal form: the places around their
// household (community down to building) and their own open needs.
func (s *Server) proposeData(c echo.Context, form map[string]string, fe models.FieldErrors) (ballots.ProposeData, error) {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	p := me(c)
	d := ballots.ProposeData{Form: form, Errors: fe}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	hh, _, err := s.store.Residency(ctx, p.Account.ID)
	if err != nil {
		return d, err
	}
	if hh == nil {
		return d, nil
	}
	d.Verified = true
	above, err := s.store.Ancestors(ctx, *hh)
	if err != nil {
		return d, err
	}
	d.Places = []components.Option{{Value: "", Label: views.T(vctx, "resources.choose")}}
	label := ""
	for _, pl := range above {
		if pl.Kind == models.KindStreet || pl.Kind == models.KindTownship {
			continue
		}
		if label != "" {
			label += " / "
		}
		label += pl.Name
		d.Places = append(d.Places, components.Option{Value: strconv.FormatUint(pl.ID, 10), Label: label})
	}
	for _, k := range models.CandidateKinds {
		d.Kinds = append(d.Kinds, components.Option{Value: string(k), Label: views.T(vctx, "ballots.kind."+string(k))})
	}
	fp := models.CurrentFeasibilityPolicy()
	for _, k := range models.CandidateKinds {
		d.Caps = append(d.Caps, views.T(vctx, "ballots.cap_line", views.T(vctx, "ballots.kind."+string(k)), models.FormatYuan(fp.Caps[k])))
	}
	d.Needs = []components.Option{{Value: "", Label: views.T(vctx, "ballots.no_need")}}
	mine, _, err := s.store.ListNeeds(ctx, p, models.NeedFilter{Scope: models.NeedsMine, PerPage: 100})
	if err != nil {
		return d, err
	}
	for _, n := range mine {
		if n.Status == models.NeedDeclined || n.Status == models.NeedMerged {
			continue
		}
		d.Needs = append(d.Needs, components.Option{Value: strconv.FormatUint(n.ID, 10),
			Label: "#" + strconv.FormatUint(n.ID, 10) + " " + shorten(n.Description, 40)})
	}
	return d, nil
}

// proposePage lets a verified resident propose a micro-project candidate
// (居民直接提出); staff review its feasibility before any ballot lists it.
func (s *Server) proposePage(c echo.Context) error {
	d, err := s.proposeData(c, nil, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, ballots.Propose(d))
}

func (s *Server) propose(c echo.Context) error {
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
			return redirect(c, "/ballots")
		}
	}
	d, err := s.proposeData(c, form, fe)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, ballots.Propose(d))
}
