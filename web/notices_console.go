package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views"
	"yishi/views/components"
	"yishi/views/notices"
)

// consoleNotices lists the notices at the staff's places.
func (s *Server) consoleNotices(c echo.Context) error {
	ctx := rctx(c)
	vctx := views.WithEnv(ctx, env(c))
	d := notices.ConsoleListData{Page: pageParam(c), PerPage: noticesPerPage, Base: "/console/notices?"}
	d.Statuses = []components.Option{{Value: "", Label: views.T(vctx, "common.all")}}
	for _, st := range []models.NoticeStatus{models.NoticeDraft, models.NoticePublished, models.NoticeWithdrawn} {
		d.Statuses = append(d.Statuses, components.Option{Value: string(st), Label: notices.StatusName(vctx, st)})
		if c.QueryParam("status") == string(st) {
			d.Status = string(st)
			d.Base = "/console/notices?status=" + d.Status + "&"
		}
	}
	rows, total, err := s.store.StaffNotices(ctx, me(c), models.StaffNoticeQuery{Status: models.NoticeStatus(d.Status), Page: d.Page, PerPage: d.PerPage})
	if err != nil {
		return err
	}
	places, err := s.store.NoticePlaces(ctx, me(c))
	if err != nil {
		return err
	}
	labels := placeLabels(places)
	d.Total = total
	for _, r := range rows {
		row := notices.ConsoleRow{ID: r.ID, Title: r.Title, Place: labelIn(labels, r.Place), Status: r.Status, Updated: views.FormatTime(vctx, r.UpdatedAt),
			PublishedAt: views.FormatTimePtr(vctx, r.PublishedAt), Objections: r.Objections, Unanswered: r.Unanswered}
		d.Rows = append(d.Rows, row)
	}
	return s.render(c, http.StatusOK, notices.ConsoleList(d))
}

// noticeFormData fills the notice form's place choices around what was typed.
func (s *Server) noticeFormData(c echo.Context, f notices.FormData) (notices.FormData, error) {
	places, err := s.store.NoticePlaces(rctx(c), me(c))
	if err != nil {
		return f, err
	}
	var first *components.Option
	if len(places) != 1 {
		first = &components.Option{Value: "", Label: views.T(views.WithEnv(rctx(c), env(c)), "notices.choose_place")}
	}
	f.Places = placeOptions(places, first)
	return f, nil
}

// noticeInput reads the notice form. A period that is not a whole number
// becomes -1, which validation refuses with the period's own message.
func noticeInput(c echo.Context) (models.NoticeInput, notices.FormData) {
	f := notices.FormData{
		PlaceID: c.FormValue("place_id"), Title: c.FormValue("title"), Body: c.FormValue("body"),
		PeriodDays: strings.TrimSpace(c.FormValue("period_days")), AllowObjections: c.FormValue("allow_objections") == "on",
	}
	in := models.NoticeInput{Title: f.Title, Body: f.Body, AllowObjections: f.AllowObjections}
	in.PlaceID, _ = strconv.ParseUint(f.PlaceID, 10, 64)
	if f.PeriodDays != "" {
		days, err := strconv.Atoi(f.PeriodDays)
		if err != nil {
			days = -1
		}
		in.PeriodDays = days
	}
	return in, f
}

// newNotice is the form for a new notice.
func (s *Server) newNotice(c echo.Context) error {
	f, err := s.noticeFormData(c, notices.FormData{PeriodDays: "7"})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, notices.New(f))
}

// createNotice saves a new draft.
func (s *Server) createNotice(c echo.Context) error {
	in, f := noticeInput(c)
	n, err := s.store.CreateNotice(rctx(c), me(c), in)
	if errors.As(err, &f.Errors) {
		if f, err = s.noticeFormData(c, f); err != nil {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, notices.New(f))
	}
	if err != nil {
		return err
	}
	flash(c, "ok", "notices.draft_saved")
	return redirect(c, "/console/notices/"+strconv.FormatUint(n.ID, 10))
}

// consoleData builds a notice's console page.
func (s *Server) consoleData(c echo.Context, n models.Notice) (notices.ConsoleData, error) {
	det, err := s.noticeDetail(c, n)
	if err != nil {
		return notices.ConsoleData{}, err
	}
	det.ObjectionBase = "/console/notices/" + strconv.FormatUint(n.ID, 10) + "?"
	d := notices.ConsoleData{Detail: det, Status: n.Status}
	if n.Status == models.NoticeDraft {
		d.Form, err = s.noticeFormData(c, notices.FormData{
			ID: n.ID, PlaceID: strconv.FormatUint(n.PlaceID, 10), Title: n.Title, Body: n.Body,
			PeriodDays: strconv.Itoa(n.PeriodDays), AllowObjections: n.AllowObjections,
		})
	}
	return d, err
}

// staffNotice loads the notice of the path for the signed-in staff.
func (s *Server) staffNotice(c echo.Context) (models.Notice, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return models.Notice{}, err
	}
	return s.store.StaffNoticeByID(rctx(c), me(c), id)
}

// consoleNotice is one notice in the console.
func (s *Server) consoleNotice(c echo.Context) error {
	n, err := s.staffNotice(c)
	if err != nil {
		return err
	}
	d, err := s.consoleData(c, n)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, notices.Console(d))
}

// updateNotice saves changes to a draft.
func (s *Server) updateNotice(c echo.Context) error {
	n, err := s.staffNotice(c)
	if err != nil {
		return err
	}
	in, f := noticeInput(c)
	_, err = s.store.UpdateNotice(rctx(c), me(c), n.ID, in)
	if errors.As(err, &f.Errors) {
		d, err := s.consoleData(c, n)
		if err != nil {
			return err
		}
		f.ID, f.Places = n.ID, d.Form.Places
		d.Form = f
		return s.render(c, http.StatusUnprocessableEntity, notices.Console(d))
	}
	if err != nil {
		return err
	}
	flash(c, "ok", "notices.draft_saved")
	return redirect(c, "/console/notices/"+strconv.FormatUint(n.ID, 10))
}

// confirmed reports whether the "I confirm" box was ticked.
func confirmed(c echo.Context) bool { return c.FormValue("confirm") == "on" }

// publishNotice publishes a draft once the publisher confirms.
func (s *Server) publishNotice(c echo.Context) error {
	n, err := s.staffNotice(c)
	if err != nil {
		return err
	}
	if !confirmed(c) {
		d, err := s.consoleData(c, n)
		if err != nil {
			return err
		}
		d.PublishErrors = models.FieldErrors{"confirm": "err.confirm_required"}
		return s.render(c, http.StatusUnprocessableEntity, notices.Console(d))
	}
	if _, err := s.store.PublishNotice(rctx(c), me(c), n.ID); err != nil {
		return err
	}
	flash(c, "ok", "notices.published")
	return redirect(c, "/console/notices/"+strconv.FormatUint(n.ID, 10))
}

// withdrawNotice withdraws a published notice with a reason, once confirmed.
func (s *Server) withdrawNotice(c echo.Context) error {
	n, err := s.staffNotice(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	fe := models.ValidateWithdrawReason(reason)
	if !confirmed(c) {
		fe.Add("confirm", "err.confirm_required")
	}
	if len(fe) == 0 {
		_, err = s.store.WithdrawNotice(rctx(c), me(c), n.ID, reason)
		if err == nil {
			flash(c, "ok", "notices.withdrawn")
			return redirect(c, "/console/notices/"+strconv.FormatUint(n.ID, 10))
		}
		if !errors.As(err, &fe) {
			return err
		}
	}
	if n.Status != models.NoticePublished {
		return models.ErrConflict
	}
	d, err := s.consoleData(c, n)
	if err != nil {
		return err
	}
	d.WithdrawReason, d.WithdrawErrors = reason, fe
	return s.render(c, http.StatusUnprocessableEntity, notices.Console(d))
}

// answerObjection publishes staff's answer to an objection.
func (s *Server) answerObjection(c echo.Context) error {
	n, err := s.staffNotice(c)
	if err != nil {
		return err
	}
	oid, err := idParam(c, "oid")
	if err != nil {
		return err
	}
	answer := c.FormValue("answer")
	_, err = s.store.AnswerObjection(rctx(c), me(c), n.ID, oid, answer)
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		d, err := s.consoleData(c, n)
		if err != nil {
			return err
		}
		d.AnswerFor, d.AnswerText, d.AnswerErrors = oid, answer, fe
		return s.render(c, http.StatusUnprocessableEntity, notices.Console(d))
	}
	if err != nil {
		return err
	}
	flash(c, "ok", "notices.answered")
	return redirect(c, "/console/notices/"+strconv.FormatUint(n.ID, 10)+"#objections-h")
}
