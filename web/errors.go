package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views"
	"yishi/views/site"
)

// handleError turns any error into a page in the user's language (or, for
// htmx, a short message the toast shows). Internals never reach the user.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, key := http.StatusInternalServerError, "err.internal"
	var he *echo.HTTPError
	var de *models.Error
	switch {
	case errors.Is(err, errCSRF):
		status, key = http.StatusForbidden, "err.csrf"
	case errors.As(err, &he):
		status = he.Code
		switch he.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			key = "err.not_found"
			status = http.StatusNotFound
		case http.StatusUnauthorized:
			key = "err.login_required"
		case http.StatusForbidden:
			key = "err.forbidden"
		case http.StatusRequestEntityTooLarge:
			key = "err.too_long"
		case http.StatusTooManyRequests:
			key = "err.too_many"
		case http.StatusBadRequest:
			key = "err.bad_request"
		default:
			if he.Code < 500 {
				key = "err.bad_request"
			}
		}
	case errors.As(err, &de):
		key = de.Code
		switch {
		case errors.Is(err, models.ErrNotFound):
			status = http.StatusNotFound
		case errors.Is(err, models.ErrForbidden):
			status = http.StatusForbidden
		default:
			status = http.StatusConflict
		}
	case errors.As(err, new(models.FieldErrors)):
		status, key = http.StatusUnprocessableEntity, "common.form_errors"
	}
	attrs := []any{"status", status, "method", c.Request().Method, "path", c.Request().URL.Path}
	if p := me(c); p != nil {
		attrs = append(attrs, "account", p.Account.ID)
	}
	switch {
	case status >= 500:
		s.log.Error("request failed", append(attrs, "err", err.Error())...)
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		s.log.Warn("denied", attrs...)
	}
	msg := views.T(c.Request().Context(), key) // fallback locale if env missing
	if e, ok := c.Get(ctxEnv).(*views.Env); ok {
		msg = views.T(views.WithEnv(c.Request().Context(), e), key)
	}
	if isHTMX(c) {
		c.Response().Header().Set("X-Yishi-Message", url.QueryEscape(msg))
		_ = c.String(status, msg)
		return
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if rerr := s.render(c, status, site.ErrorPage(status, key)); rerr != nil {
		s.log.Error("error page failed", "err", rerr.Error())
		_ = c.String(status, msg)
	}
}
