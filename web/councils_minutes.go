package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views/councils"
)

// Handlers of the minutes of a meeting (会议记录): the page with the forms
// of each step, and the A4 print view. Every form is a plain post that
// comes back to the minutes page.

func minutesPath(id uint64) string { return "/meetings/" + strconv.FormatUint(id, 10) + "/minutes" }

func (s *Server) minutesShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.store.MinutesOf(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, councils.Minutes(councils.MinutesData{Minutes: v}))
}

// minutesPrint is the minutes on A4 paper, for those who may read them.
func (s *Server) minutesPrint(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.store.MinutesOf(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	if v.Minutes == nil || !v.Readable {
		return models.ErrNotFound
	}
	return s.render(c, http.StatusOK, councils.MinutesPrint(councils.MinutesData{Minutes: v}))
}

// minutesPost runs one of the minutes page's forms for step a. Those who
// may never take the step are refused before the form is read; on success
// it flashes okKey and goes back to the page, on bad input (or a step the
// status does not allow) it shows the page again with the form's errors.
func (s *Server) minutesPost(c echo.Context, a models.MinutesAction, form, okKey string, do func(id uint64, v models.MinutesView) error) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.store.MinutesOf(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	if _, err := models.MinutesStep(v.Meeting.Status, v.Status(), a, v.Standing); errors.Is(err, models.ErrForbidden) {
		return err
	}
	err = stepError(do(id, v), "step")
	var fe models.FieldErrors
	if err != nil && !errors.As(err, &fe) {
		return err
	}
	if err == nil {
		flash(c, "ok", okKey)
		return redirect(c, minutesPath(id))
	}
	if v, err = s.store.MinutesOf(rctx(c), me(c), id); err != nil {
		return err
	}
	fields := []string{"summary", "reason", "period_days", "version"}
	for _, it := range v.Record.Items {
		fields = append(fields, models.NoteField(it.ID))
	}
	d := councils.MinutesData{Minutes: v, Form: formOf(c, form, fe, fields...)}
	status := http.StatusUnprocessableEntity
	if d.Conflict() {
		status = http.StatusConflict
	}
	return s.render(c, status, councils.Minutes(d))
}

// minutesText reads the secretary's texts for the record's agenda items.
func minutesText(c echo.Context, r models.MinutesRecord) models.MinutesText {
	t := models.MinutesText{Summary: c.FormValue("summary"), Notes: map[uint64]string{}}
	for _, it := range r.Items {
		t.Notes[it.ID] = c.FormValue(models.NoteField(it.ID))
	}
	return t
}

func (s *Server) minutesStart(c echo.Context) error {
	return s.minutesPost(c, models.MinutesActStart, "start", "minutes.started", func(id uint64, _ models.MinutesView) error {
		_, err := s.store.StartMinutes(rctx(c), me(c), id)
		return err
	})
}

func (s *Server) minutesSave(c echo.Context) error {
	return s.minutesPost(c, models.MinutesActEdit, "edit", "minutes.saved", func(id uint64, v models.MinutesView) error {
		return s.store.SaveMinutes(rctx(c), me(c), id, c.FormValue("version"), minutesText(c, v.Record))
	})
}

func (s *Server) minutesFinalise(c echo.Context) error {
	return s.minutesPost(c, models.MinutesActFinalise, "finalise", "minutes.finalised_ok", func(id uint64, _ models.MinutesView) error {
		if err := needConfirm(c); err != nil {
			return err
		}
		return s.store.FinaliseMinutes(rctx(c), me(c), id)
	})
}

func (s *Server) minutesReturn(c echo.Context) error {
	return s.minutesPost(c, models.MinutesActReturn, "return", "minutes.returned", func(id uint64, _ models.MinutesView) error {
		fe := models.ValidateMinutesReason(c.FormValue("reason"))
		if !confirmed(c) {
			fe.Add("confirm", "err.confirm_required")
		}
		if len(fe) > 0 {
			return fe
		}
		return s.store.ReturnMinutes(rctx(c), me(c), id, c.FormValue("reason"))
	})
}

func (s *Server) minutesSign(c echo.Context) error {
	return s.minutesPost(c, models.MinutesActSign, "sign", "minutes.signed_ok", func(id uint64, _ models.MinutesView) error {
		if err := needConfirm(c); err != nil {
			return err
		}
		return s.store.SignMinutes(rctx(c), me(c), id)
	})
}

func (s *Server) minutesPublish(c echo.Context) error {
	return s.minutesPost(c, models.MinutesActPublish, "publish", "minutes.published_ok", func(id uint64, _ models.MinutesView) error {
		days, err := strconv.Atoi(strings.TrimSpace(c.FormValue("period_days")))
		fe := models.FieldErrors{}
		if err != nil {
			fe.Add("period_days", "err.period_days_invalid")
		}
		if !confirmed(c) {
			fe.Add("confirm", "err.confirm_required")
		}
		if len(fe) > 0 {
			return fe
		}
		_, err = s.store.PublishMinutes(rctx(c), me(c), id, days, env(c).TZ)
		return err
	})
}

func (s *Server) minutesAmend(c echo.Context) error {
	return s.minutesPost(c, models.MinutesActAmend, "amend", "minutes.amended", func(id uint64, v models.MinutesView) error {
		_, err := s.store.AmendMinutes(rctx(c), me(c), id, c.FormValue("version"), minutesText(c, v.Record), c.FormValue("reason"), env(c).TZ)
		return err
	})
}
