package web

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"yishi/models"
)

// mayOpen reports whether the viewer may open the page of the record a
// link would point to: kind is one NoticeOrigin names ("project",
// "ballot", "meeting", "minutes", "matter"), "need", "topic" or
// "resolution". Pages show such a
// link only when it does, for a link that ends on "not found" or "not
// allowed" is a dead end. A visitor is shown links to pages that need a
// sign-in: signing in may open them.
func (s *Server) mayOpen(c echo.Context, kind string, id uint64) (bool, error) {
	ctx, p := rctx(c), me(c)
	switch kind {
	case "ballot":
		return true, nil // public, from its definition on
	case "project":
		return s.store.MaySeeProject(ctx, p, id)
	}
	if p == nil {
		return models.MayFollow(p, false), nil
	}
	var err error
	switch kind {
	case "need":
		return s.store.MaySeeNeed(ctx, p, id)
	case "topic":
		_, err = s.store.TopicByID(ctx, p, id)
	case "meeting":
		_, err = s.store.MeetingByID(ctx, p, id)
	case "minutes":
		_, err = s.store.MinutesOf(ctx, p, id)
	case "matter":
		_, err = s.store.MatterByID(ctx, p, id)
	case "resolution":
		_, err = s.store.ResolutionByID(ctx, p, id)
	default:
		return false, fmt.Errorf("mayOpen: no page for %q", kind)
	}
	return models.Visible(err)
}
