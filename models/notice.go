package models

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// NoticeStatus is where a notice stands.
type NoticeStatus string

// Notice states: a draft is seen by staff only; a published notice is on the
// public bulletin; a withdrawn one stays readable, marked withdrawn.
const (
	NoticeDraft     NoticeStatus = "draft"
	NoticePublished NoticeStatus = "published"
	NoticeWithdrawn NoticeStatus = "withdrawn"
)

// Notice is a public notice on the bulletin (公示 / 公告), scoped to a place.
// With a publicity period (公示期) residents may object until it ends. Source
// names what it publishes (a ballot, a resolution, a rule, a project), so
// every outcome links back to where it came from.
type Notice struct {
	ID              uint64 `gorm:"primaryKey"`
	PlaceID         uint64
	Title           string
	Body            string
	Status          NoticeStatus
	AuthorID        uint64
	PublishedAt     *time.Time
	PeriodDays      int
	PeriodEndsAt    *time.Time
	AllowObjections bool
	SourceType      string
	SourceID        uint64
	WithdrawnAt     *time.Time
	WithdrawReason  string
	CreatedAt       time.Time
	UpdatedAt       time.Time

	Place Place `gorm:"foreignKey:PlaceID"`
}

// Stands reports whether a published outcome's notice still stands: a
// withdrawn one (an objection upheld, a mistake in its text) does not, and
// the outcome may be published again.
func (n Notice) Stands() bool { return n.Status != NoticeWithdrawn }

// InPeriod reports whether the publicity period is running at now.
func (n Notice) InPeriod(now time.Time) bool {
	return n.Status == NoticePublished && n.PeriodEndsAt != nil && now.Before(*n.PeriodEndsAt)
}

// AcceptsObjections reports whether a resident may file an objection at now:
// the notice is published, takes objections, and its period (if any) runs.
func (n Notice) AcceptsObjections(now time.Time) bool {
	if n.Status != NoticePublished || !n.AllowObjections {
		return false
	}
	return n.PeriodEndsAt == nil || now.Before(*n.PeriodEndsAt)
}

// PeriodEnded reports whether the notice had a publicity period that is over at now.
func (n Notice) PeriodEnded(now time.Time) bool {
	return n.PeriodEndsAt != nil && !now.Before(*n.PeriodEndsAt)
}

// PeriodEnd is when a period of days started at publishedAt ends: the same
// clock time days later; nil when there is no period.
func PeriodEnd(publishedAt time.Time, days int) *time.Time {
	if days <= 0 {
		return nil
	}
	end := publishedAt.AddDate(0, 0, days)
	return &end
}

// Notice-specific domain errors.
var (
	// ErrObjectionsClosed: the notice takes no objections (none allowed,
	// withdrawn, or the period is over).
	ErrObjectionsClosed = &Error{Code: "err.objections_closed"}
	// ErrNotResidentHere: only verified residents of a household within the
	// notice's place may object.
	ErrNotResidentHere = &Error{Code: "err.not_resident_here"}
	// ErrObjectionPending: the resident already has an unanswered objection
	// to this notice.
	ErrObjectionPending = &Error{Code: "err.objection_pending"}
	// ErrAlreadyAnswered: an objection is answered once, in public.
	ErrAlreadyAnswered = &Error{Code: "err.objection_answered"}
)

// ObjectionAllowed tells whether a resident whose verified household is
// household (nil: not a verified resident) may object to n, scoped to
// noticePlace, at now. Whether they already have an open objection is the
// store's to check.
func ObjectionAllowed(n Notice, noticePlace Place, household *Place, now time.Time) error {
	if !n.AcceptsObjections(now) {
		return ErrObjectionsClosed
	}
	if household == nil || !noticePlace.Contains(*household) {
		return ErrNotResidentHere
	}
	return nil
}

// MaxPeriodDays bounds a publicity period.
const MaxPeriodDays = 90

// NoticeInput is what staff write.
type NoticeInput struct {
	PlaceID         uint64
	Title           string
	Body            string
	PeriodDays      int
	AllowObjections bool
}

// Validate checks a notice draft.
func (in *NoticeInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(in.Body)
	if in.PlaceID == 0 {
		fe.Add("place_id", "err.required")
	}
	if in.Title == "" {
		fe.Add("title", "err.required")
	} else if utf8.RuneCountInString(in.Title) > 120 {
		fe.Add("title", "err.too_long")
	}
	if in.Body == "" {
		fe.Add("body", "err.required")
	} else if utf8.RuneCountInString(in.Body) > 20000 {
		fe.Add("body", "err.too_long")
	}
	if in.PeriodDays < 0 || in.PeriodDays > MaxPeriodDays {
		fe.Add("period_days", "err.period_days_invalid")
	}
	if in.AllowObjections && in.PeriodDays == 0 {
		fe.Add("period_days", "err.objections_need_period")
	}
	return fe
}

// NoticeTransition checks that a notice in status from may move to status to.
func NoticeTransition(from, to NoticeStatus) error {
	switch {
	case from == NoticeDraft && to == NoticePublished,
		from == NoticePublished && to == NoticeWithdrawn:
		return nil
	}
	return ErrConflict
}

// Objection is a resident's objection to a notice during its period (异议),
// answered by staff in public.
type Objection struct {
	ID           uint64 `gorm:"primaryKey"`
	NoticeID     uint64
	AccountID    uint64
	Reason       string
	Answer       string
	AnsweredByID *uint64
	AnsweredAt   *time.Time
	CreatedAt    time.Time

	Account Account `gorm:"foreignKey:AccountID"`
}

// MaxWithdrawReason bounds the reason given for withdrawing a notice.
const MaxWithdrawReason = 500

// ValidateWithdrawReason checks the reason staff give for withdrawing a
// notice; it is shown on the public page.
func ValidateWithdrawReason(s string) FieldErrors {
	fe := FieldErrors{}
	s = strings.TrimSpace(s)
	if s == "" {
		fe.Add("reason", "err.required")
	} else if utf8.RuneCountInString(s) > MaxWithdrawReason {
		fe.Add("reason", "err.too_long")
	}
	return fe
}

// ValidateSource checks what an outcome notice names as its source (a
// programming error, not a user's, when wrong).
func ValidateSource(sourceType string, sourceID uint64) error {
	if sourceType == "" || len(sourceType) > 32 || sourceID == 0 {
		return fmt.Errorf("notice source %q/%d is not valid", sourceType, sourceID)
	}
	return nil
}

// ValidateObjectionText checks an objection reason or a staff answer.
func ValidateObjectionText(field, s string) FieldErrors {
	fe := FieldErrors{}
	s = strings.TrimSpace(s)
	if s == "" {
		fe.Add(field, "err.required")
	} else if utf8.RuneCountInString(s) > 2000 {
		fe.Add(field, "err.too_long")
	}
	return fe
}
