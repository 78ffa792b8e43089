package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"yishi/models"
	"yishi/views"
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

// Bounds of a live stream: a comment line keeps proxies from closing it,
// and it ends after liveFor so that no stream outlives the server's write
// timeout; the browser's EventSource reconnects on its own.
const (
	liveHeartbeat = 15 * time.Second
	liveFor       = 50 * time.Second
	liveRetryMS   = 2000
)

// meetingLive streams the projector's board as server-sent events (SSE):
// the board at once, then again whenever the meeting changes, in this
// process or, through PostgreSQL, in another. It ends when the client goes
// away, the server shuts down or liveFor passes; a client that does not
// accept text/event-stream gets the board once.
func (s *Server) meetingLive(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.store.MeetingByID(rctx(c), me(c), id); err != nil {
		return err
	}
	// A client that does not ask for a stream (not an EventSource) gets
	// the board once.
	streaming := strings.Contains(c.Request().Header.Get("Accept"), "text/event-stream")
	wake, stop := s.live.Subscribe(id)
	defer stop()
	w := c.Response()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprintf(w, "retry: %d\n\n", liveRetryMS); err != nil {
		return nil
	}
	ctx := c.Request().Context()
	limit := time.NewTimer(liveFor)
	defer limit.Stop()
	beat := time.NewTicker(liveHeartbeat)
	defer beat.Stop()
	send := func() error {
		v, err := s.store.MeetingByID(ctx, me(c), id)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := councils.Board(councils.MeetingData{Meeting: v}).Render(views.WithEnv(ctx, env(c)), &buf); err != nil {
			return err
		}
		var ev strings.Builder
		ev.WriteString("event: board\n")
		for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
			ev.WriteString("data: " + line + "\n")
		}
		ev.WriteString("\n")
		if _, err := io.WriteString(w, ev.String()); err != nil {
			return err
		}
		w.Flush()
		return nil
	}
	if err := send(); err != nil || !streaming {
		return nil // the response has begun: nothing more to say
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.cfg.Done:
			return nil
		case <-limit.C:
			return nil
		case <-beat.C:
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil {
				return nil
			}
			w.Flush()
		case <-wake:
			if err := send(); err != nil {
				return nil
			}
		}
	}
}
