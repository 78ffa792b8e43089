package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views/councils"
	"yishi/views/site"
)

// Handlers of a meeting in session (会议进行): opening and closing it,
// attendance, motions, votes and the projector. Every form is a plain post
// that works without JavaScript and comes back to the meeting's page.

// mustRun refuses a step on a meeting to those who do not run its
// council before the form is read, so they learn nothing from its errors.
func (s *Server) mustRun(c echo.Context, id uint64) error {
	v, err := s.store.MeetingByID(rctx(c), me(c), id)
	if err != nil {
		return err
	}
	if !v.Council.Run {
		return models.ErrForbidden
	}
	return nil
}

// needConfirm says on the form that its confirmation box must be ticked,
// or returns nil when it is.
func needConfirm(c echo.Context) error {
	if !confirmed(c) {
		return models.FieldErrors{"confirm": "err.confirm_required"}
	}
	return nil
}

func (s *Server) meetingOpen(c echo.Context) error {
	return s.meetingPost(c, "open", "meetings.opened", nil, func(id uint64) error {
		if err := s.mustRun(c, id); err != nil {
			return err
		}
		if err := needConfirm(c); err != nil {
			return err
		}
		_, err := s.store.OpenMeeting(rctx(c), me(c), id)
		return stepError(err, "open")
	})
}

func (s *Server) meetingClose(c echo.Context) error {
	return s.meetingPost(c, "close", "meetings.closed", nil, func(id uint64) error {
		if err := s.mustRun(c, id); err != nil {
			return err
		}
		if err := needConfirm(c); err != nil {
			return err
		}
		return stepError(s.store.CloseMeeting(rctx(c), me(c), id), "close")
	})
}

// meetingCheckIn signs a member in; to anyone else it answers 403 with who
// may sign in.
func (s *Server) meetingCheckIn(c echo.Context) error {
	err := s.meetingPost(c, "checkin", "meetings.checked_in", []string{"code"}, func(id uint64) error {
		err := s.store.CheckIn(rctx(c), me(c), id, c.FormValue("code"))
		if errors.Is(err, models.ErrNotCouncilMember) {
			return err
		}
		return stepError(err, "code")
	})
	if errors.Is(err, models.ErrNotCouncilMember) {
		return s.render(c, http.StatusForbidden, site.ErrorPage(http.StatusForbidden, "err.not_council_member"))
	}
	return err
}

func (s *Server) meetingMarkPresent(c echo.Context) error {
	return s.meetingPost(c, "attendance", "meetings.marked_present", []string{"account_id"}, func(id uint64) error {
		return stepError(s.store.MarkPresent(rctx(c), me(c), id, formID(c, "account_id")), "account_id")
	})
}

func (s *Server) motionAdd(c echo.Context) error {
	return s.meetingPost(c, "motion", "meetings.motion_added", []string{"item_id", "text"}, func(id uint64) error {
		_, err := s.store.AddMotion(rctx(c), me(c), id, models.MotionInput{AgendaItemID: formID(c, "item_id"), Text: c.FormValue("text")})
		return stepError(err, "text")
	})
}

// motionForm names the forms of one motion, so errors show beside it.
func motionForm(mid uint64) string { return "motion-" + strconv.FormatUint(mid, 10) }

// motionAction is one of the convener's steps on a motion. Closing and
// withdrawing need the ticked confirmation box.
func (s *Server) motionAction(a models.MotionAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		mid, err := idParam(c, "mid")
		if err != nil {
			return err
		}
		return s.meetingPost(c, motionForm(mid), fmt.Sprintf("meetings.motion_did_%s", a), nil, func(id uint64) error {
			if err := s.mustRun(c, id); err != nil {
				return err
			}
			if a != models.MotionActOpen {
				if err := needConfirm(c); err != nil {
					return err
				}
			}
			_, err := s.store.MotionStep(rctx(c), me(c), id, mid, a)
			return stepError(err, "step")
		})
	}
}

// motionVote records a member's vote. A second vote is no error page: the
// meeting's page comes back saying so, with the vote already cast.
func (s *Server) motionVote(c echo.Context) error {
	mid, err := idParam(c, "mid")
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	_, err = s.store.CastMotionVote(rctx(c), me(c), id, mid, models.MotionChoice(c.FormValue("choice")))
	if errors.Is(err, models.ErrMotionVoted) {
		flash(c, "error", "err.motion_already_voted")
		return redirect(c, "/meetings/"+strconv.FormatUint(id, 10)+"#motion-"+strconv.FormatUint(mid, 10))
	}
	return s.meetingPost(c, motionForm(mid), "meetings.voted", nil, func(uint64) error { return stepError(err, "step") })
}

// count reads a number of hands; what does not parse is refused.
func count(c echo.Context, name string, fe models.FieldErrors) int {
	n, err := strconv.Atoi(strings.TrimSpace(c.FormValue(name)))
	if err != nil || n < 0 {
		fe.Add(name, "err.number_invalid")
	}
	return n
}

func (s *Server) motionHands(c echo.Context) error {
	mid, err := idParam(c, "mid")
	if err != nil {
		return err
	}
	return s.meetingPost(c, motionForm(mid), "meetings.hands_recorded", []string{"for", "against", "abstain"}, func(id uint64) error {
		if err := s.mustRun(c, id); err != nil {
			return err
		}
		fe := models.FieldErrors{}
		h := models.Hands{For: count(c, "for", fe), Against: count(c, "against", fe), Abstain: count(c, "abstain", fe)}
		if len(fe) > 0 {
			return fe
		}
		return stepError(s.store.RecordHands(rctx(c), me(c), id, mid, h), "step")
	})
}

// meetingProjector is the screen in the room (投屏): the current motion and
// its tally in large type.
func (s *Server) meetingProjector(c echo.Context) error { return s.meetingPage(c, councils.Projector) }
