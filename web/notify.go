package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"yishi/models"
	vnotify "yishi/views/notify"
)

const inboxPerPage = 20

// inbox lists the signed-in person's notifications.
func (s *Server) inbox(c echo.Context) error {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	pg, err := s.store.Inbox(rctx(c), me(c), page, inboxPerPage)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, vnotify.Inbox(vnotify.InboxData{
		Items: pg.Items, Page: pg.Page, PerPage: pg.PerPage, Total: pg.Total, Unread: pg.Unread,
	}))
}

// inboxRead marks one of one's own notifications read and goes where it
// leads (back to the inbox when it leads nowhere).
func (s *Server) inboxRead(c echo.Context) error {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	n, err := s.store.MarkRead(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	if n.Link != "" {
		return redirect(c, safeNext(n.Link))
	}
	back := "/inbox"
	if page, _ := strconv.Atoi(c.FormValue("page")); page > 1 {
		back += "?page=" + strconv.Itoa(page)
	}
	return redirect(c, back)
}

// inboxReadAll marks all of one's notifications read.
func (s *Server) inboxReadAll(c echo.Context) error {
	marked, err := s.store.MarkAllRead(rctx(c), me(c))
	if err != nil {
		return err
	}
	if marked == 0 {
		flash(c, "ok", "inbox.nothing_to_mark")
	} else {
		flash(c, "ok", "inbox.all_marked")
	}
	return redirect(c, "/inbox")
}
