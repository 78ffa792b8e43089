package models

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Error is a domain error. Code is a message-catalog key (for example
// "err.not_found"); the web layer turns it into a status and a sentence in
// the user's language. Nothing should compare error strings: compare the
// values with errors.Is.
type Error struct {
	Code string
	Args []any
}

func (e *Error) Error() string {
	if len(e.Args) == 0 {
		return e.Code
	}
	return fmt.Sprintf("%s %v", e.Code, e.Args)
}

// Is makes two *Error values with the same code match under errors.Is, so a
// domain error carrying arguments still matches its sentinel.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code
	}
	return false
}

// With returns a copy of e carrying message arguments.
func (e *Error) With(args ...any) *Error { return &Error{Code: e.Code, Args: args} }

// Domain errors shared across areas.
var (
	ErrNotFound        = &Error{Code: "err.not_found"}
	ErrForbidden       = &Error{Code: "err.forbidden"}
	ErrConflict        = &Error{Code: "err.conflict"}
	ErrBadCredentials  = &Error{Code: "err.bad_credentials"}
	ErrAccountLocked   = &Error{Code: "err.account_locked"}
	ErrSessionExpired  = &Error{Code: "err.session_expired"}
	ErrPhoneTaken      = &Error{Code: "err.phone_taken"}
	ErrInviteInvalid   = &Error{Code: "err.invite_invalid"}
	ErrAlreadyResident = &Error{Code: "err.already_resident"}
	ErrPlaceNotEmpty   = &Error{Code: "err.place_not_empty"}
	ErrSchemaTooNew    = &Error{Code: "err.schema_too_new"}
	ErrNotLocked       = &Error{Code: "err.not_locked"}
)

// FieldErrors maps a form field name to the catalog key of what is wrong
// with it. A nil or empty FieldErrors means the input is valid.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	return fmt.Sprintf("invalid input: %d field(s)", len(fe))
}

// Add records a problem with field unless one is already recorded.
func (fe FieldErrors) Add(field, code string) {
	if _, ok := fe[field]; !ok {
		fe[field] = code
	}
}

// Text checks the length in characters of a required text field: an
// empty one is err.required, one shorter than min err.too_short (min 0: no
// lower bound), one longer than max err.too_long.
func (fe FieldErrors) Text(field, s string, min, max int) {
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		fe.Add(field, "err.required")
	case n < min:
		fe.Add(field, "err.too_short")
	case n > max:
		fe.Add(field, "err.too_long")
	}
}

// Err returns fe as an error, or nil when there is nothing wrong.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}
