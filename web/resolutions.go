package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views/councils"
)

const resolutionsPerPage = 10

// councilResolutions fills the council page's section of resolutions
// (决议执行) from its own parameters: rtab (open, overdue, done) and rpage.
func (s *Server) councilResolutions(c echo.Context, councilID uint64) (councils.ResolutionList, error) {
	l := councils.ResolutionList{Page: 1, Per: resolutionsPerPage, Now: s.store.Now()}
	for _, t := range models.ResolutionTabs {
		if c.QueryParam("rtab") == string(t) {
			l.Tab = t
		}
	}
	if n, err := strconv.Atoi(c.QueryParam("rpage")); err == nil && n > 1 {
		l.Page = n
	}
	var err error
	l.Items, l.Total, err = s.store.CouncilResolutions(rctx(c), councilID, l.Tab, l.Page, l.Per)
	return l, err
}

// resolutionData builds a resolution's page for the viewer.
func (s *Server) resolutionData(c echo.Context, id uint64) (councils.ResolutionData, error) {
	p := me(c)
	v, err := s.store.ResolutionByID(rctx(c), p, id)
	if err != nil {
		return councils.ResolutionData{}, err
	}
	return councils.ResolutionData{R: v, Now: s.store.Now(), SpawnProject: v.MaySpawnProject(p), SpawnBallot: v.MaySpawnBallot(p)}, nil
}

func (s *Server) resolutionShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.resolutionData(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, councils.Resolution(d))
}

// resolutionPost runs one of the resolution page's forms: on success it
// flashes okKey and goes back to the page; bad input, or a step the rules
// refuse, shows the page again with that form's errors. A refusal of
// permission and a missing resolution go to the error page.
func (s *Server) resolutionPost(c echo.Context, form, okKey string, fields []string, do func(id uint64) error) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	err = do(id)
	if err == nil {
		flash(c, "ok", okKey)
		return redirect(c, "/resolutions/"+strconv.FormatUint(id, 10))
	}
	if errors.Is(err, models.ErrNotPlaceMember) {
		return s.refuseProposal(c, err)
	}
	var fe models.FieldErrors
	if !errors.As(stepError(err, "step"), &fe) {
		return err
	}
	d, err := s.resolutionData(c, id)
	if err != nil {
		return err
	}
	d.Form = formOf(c, form, fe, fields...)
	return s.render(c, http.StatusUnprocessableEntity, councils.Resolution(d))
}

// dueField reads the due day as the instant it ends in the viewer's time
// zone: a resolution due on a day is overdue from the next midnight.
func dueField(c echo.Context) (time.Time, models.FieldErrors) {
	v := strings.TrimSpace(c.FormValue("due"))
	if v == "" {
		return time.Time{}, nil
	}
	day, err := time.ParseInLocation("2006-01-02", v, env(c).TZ)
	if err != nil {
		return time.Time{}, models.FieldErrors{"due": "err.date_invalid"}
	}
	return day.AddDate(0, 0, 1), nil
}

func (s *Server) resolutionAssign(c echo.Context) error {
	return s.resolutionPost(c, "resolution-assign", "resolution.assigned", []string{"phone", "due"}, func(id uint64) error {
		due, fe := dueField(c)
		if fe != nil {
			// Said beside the form, after the permission check.
			if err := s.mayStep(c, id, models.ResolutionActAssign); err != nil {
				return err
			}
			return fe
		}
		_, err := s.store.AssignResolution(rctx(c), me(c), id, c.FormValue("phone"), due)
		return err
	})
}

func (s *Server) resolutionProgress(c echo.Context) error {
	return s.resolutionPost(c, "resolution-progress", "resolution.progressed", []string{"note", "percent"}, func(id uint64) error {
		in := models.ProgressInput{Note: c.FormValue("note")}
		if v := strings.TrimSpace(c.FormValue("percent")); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				n = -1 // refused by the validation, after the permission check
			}
			in.Percent = &n
		}
		_, err := s.store.ReportProgress(rctx(c), me(c), id, in)
		return err
	})
}

// resolutionEnd ends a resolution by a (done with a result, abandoned
// with a reason), once the confirmation box is ticked.
func (s *Server) resolutionEnd(a models.ResolutionAction, okKey, field string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.resolutionPost(c, "resolution-"+string(a), okKey, []string{field}, func(id uint64) error {
			if err := s.mayStep(c, id, a); err != nil {
				return err
			}
			if err := needConfirm(c); err != nil {
				return err
			}
			var err error
			if a == models.ResolutionActDone {
				_, err = s.store.FinishResolution(rctx(c), me(c), id, c.FormValue(field))
			} else {
				_, err = s.store.AbandonResolution(rctx(c), me(c), id, c.FormValue(field))
			}
			return err
		})
	}
}

// mayStep refuses, before the confirmation is looked at, a viewer who may
// take step a on the resolution in no state at all.
func (s *Server) mayStep(c echo.Context, id uint64, a models.ResolutionAction) error {
	v, err := s.store.ResolutionByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	if !models.MayEver(a, v.Roles...) {
		return models.ErrForbidden
	}
	return nil
}

func (s *Server) resolutionRate(c echo.Context) error {
	return s.resolutionPost(c, "rate", "resolution.rated", []string{"stars"}, func(id uint64) error {
		stars, err := strconv.Atoi(c.FormValue("stars"))
		if err != nil {
			stars = 0 // refused by the rule, after the residence check
		}
		err = s.store.RateResolution(rctx(c), me(c), id, stars)
		if errors.Is(err, models.ErrNotPlaceMember) {
			return err // refused as a proposal is, not beside the stars
		}
		return stepError(err, "stars")
	})
}

// spawnFrom loads the resolution a new project or ballot form is prefilled
// from, for a viewer check allows (models.ResolutionView.CheckSpawnProject
// or CheckSpawnBallot, the rule the store spawns by).
func (s *Server) spawnFrom(c echo.Context, id uint64, check func(models.ResolutionView, *models.Principal) error) (models.ResolutionView, error) {
	p := me(c)
	v, err := s.store.ResolutionByID(rctx(c), p, id)
	if err != nil {
		return v, err
	}
	return v, check(v, p)
}
