package models

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"time"
)

// KioskStation is a service station's state (服务站), one per station
// session (see StartKioskSession): the PIN staff set when they started it,
// the one-time value of the check form the station shows, and the
// hand-over to the resident now voting on the device.
//
// The device passes from hand to hand, so nothing on it may stand in for
// staff: a check needs the PIN, which the resident did not see typed, and
// the check form's one-time value, so the form resent from the device's
// history does not hand it over again; the vote form carries only the
// hand-over's random value, which names nobody and ends with the vote, the
// next check or KioskHandOver without use.
type KioskStation struct {
	SessionID   string `gorm:"primaryKey"`
	PINHash     string
	PINFailures int
	// CheckValue is the one-time value of the check form now shown; ""
	// once used.
	CheckValue string
	// VoterID is the resident the station is handed over to; nil while
	// the hand-over waits for the check to find them, or when there is
	// none.
	VoterID *uint64
	// HandOver is the hand-over's value, carried by the vote form; ""
	// when there is none.
	HandOver string
	// ActiveAt is when the hand-over was made or last used.
	ActiveAt *time.Time
	// UsedAt is when the hand-over's vote was cast.
	UsedAt *time.Time
}

func (KioskStation) TableName() string { return "kiosk_stations" }

// Service-station limits.
const (
	// KioskHandOver is how long a hand-over may lie unused before staff
	// check the resident again; every step of the vote renews it.
	KioskHandOver = 10 * time.Minute
	// KioskRepeat is how long after the vote the same hand-over may send
	// the confirmation again (a double tap, a slow network) and still be
	// shown its receipt.
	KioskRepeat = time.Minute
	// KioskPINTries is the number of wrong PINs in a row that end the
	// station: its session is revoked and staff sign in again.
	KioskPINTries = 5
)

// Service-station errors.
var (
	// ErrKioskPIN: the PIN given with a check is not the station's.
	ErrKioskPIN = &Error{Code: "ballots.kiosk_pin_wrong"}
	// ErrKioskCheckStale: the check form was used already or replaced by
	// a newer one (resent from the history, or shown in another tab).
	ErrKioskCheckStale = &Error{Code: "ballots.kiosk_check_stale"}
	// ErrKioskHandOverExpired: the hand-over lay unused for longer than
	// KioskHandOver.
	ErrKioskHandOverExpired = &Error{Code: "ballots.kiosk_handover_expired"}
	// ErrKioskHandOverEnded: the vote form's hand-over is not the
	// station's current one: it was used, cancelled, replaced by the next
	// check, or belongs to another station.
	ErrKioskHandOverEnded = &Error{Code: "ballots.kiosk_handover_ended"}
)

// ValidKioskPIN reports whether pin may be a station's PIN: 4 to 8 digits.
func ValidKioskPIN(pin string) bool {
	if len(pin) < 4 || len(pin) > 8 {
		return false
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// kioskPINHash hashes a station's PIN with its session's ID. A PIN is
// short; what protects it is that only KioskPINTries guesses are allowed,
// and that it lives no longer than its station.
func kioskPINHash(sessionID, pin string) string {
	sum := sha256.Sum256([]byte("kiosk-pin/" + sessionID + "/" + pin))
	return hex.EncodeToString(sum[:])
}

// kioskStation loads the state of the station behind the session token
// station, locked until the transaction ends; ErrForbidden when the token
// is not a live station's.
func (s *Store) kioskStation(ctx context.Context, station string) (KioskStation, error) {
	var k KioskStation
	db := s.conn(ctx).Clauses(lockingClause(s.conn(ctx))...)
	if err := db.Where("session_id = ?", hashToken(station)).Limit(1).Find(&k).Error; err != nil {
		return k, err
	}
	if k.SessionID == "" {
		return k, ErrForbidden
	}
	return k, nil
}

// KioskCheckForm issues a new one-time value for the station's check form
// and ends any hand-over the station had: staff are back at the check, by
// the cancel link, the receipt page's return, or any other page.
func (s *Store) KioskCheckForm(ctx context.Context, station string) (string, error) {
	v := newToken(16)
	res := s.conn(ctx).Model(&KioskStation{}).Where("session_id = ?", hashToken(station)).
		Updates(map[string]any{"check_value": v, "voter_id": nil, "hand_over": "", "active_at": nil, "used_at": nil})
	if res.Error != nil {
		return "", res.Error
	}
	if res.RowsAffected == 0 {
		return "", ErrForbidden
	}
	return v, nil
}

// KioskCheck takes staff's check at the station: check must be the check
// form's current value and pin the station's. It uses up the value and
// returns a new hand-over, which KioskHandTo gives to the resident staff
// named. A wrong PIN counts; the KioskPINTries-th in a row ends the
// station (ErrSessionExpired).
func (s *Store) KioskCheck(ctx context.Context, p *Principal, station, check, pin string) (string, error) {
	var handOver string
	var wrong, ended bool
	err := s.InTx(ctx, func(ctx context.Context) error {
		k, err := s.kioskStation(ctx, station)
		if err != nil {
			return err
		}
		if k.CheckValue == "" || subtle.ConstantTimeCompare([]byte(k.CheckValue), []byte(check)) != 1 {
			return ErrKioskCheckStale
		}
		db := s.conn(ctx).Model(&KioskStation{}).Where("session_id = ?", k.SessionID)
		if subtle.ConstantTimeCompare([]byte(kioskPINHash(k.SessionID, pin)), []byte(k.PINHash)) != 1 {
			wrong, ended = true, k.PINFailures+1 >= KioskPINTries
			if err := db.Update("pin_failures", k.PINFailures+1).Error; err != nil {
				return err
			}
			if !ended {
				return nil
			}
			if err := s.conn(ctx).Model(&Session{}).Where("id = ?", k.SessionID).Update("revoked_at", s.Now()).Error; err != nil {
				return err
			}
			b, err := s.loadBallot(ctx, p.KioskBallotID, false)
			if err != nil {
				return err
			}
			return s.Record(ctx, Audit{ActorID: actorOf(p), Action: "ballot.kiosk_locked", ObjectType: "ballot", ObjectID: b.ID, PlaceID: &b.PlaceID,
				Detail: "service station ended after wrong PINs"})
		}
		handOver = newToken(16)
		now := s.Now()
		return db.Updates(map[string]any{"pin_failures": 0, "check_value": "", "voter_id": nil, "hand_over": handOver, "active_at": now, "used_at": nil}).Error
	})
	switch {
	case err != nil:
		return "", err
	case ended:
		return "", ErrSessionExpired
	case wrong:
		return "", ErrKioskPIN
	}
	return handOver, nil
}

// KioskHandTo gives the station's fresh hand-over (from KioskCheck) to
// the resident voter.
func (s *Store) KioskHandTo(ctx context.Context, station, handOver string, voter uint64) error {
	res := s.conn(ctx).Model(&KioskStation{}).
		Where("session_id = ? AND hand_over = ? AND hand_over <> '' AND voter_id IS NULL AND used_at IS NULL", hashToken(station), handOver).
		Updates(map[string]any{"voter_id": voter, "active_at": s.Now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrKioskHandOverEnded
	}
	return nil
}

// KioskHandedOver returns the resident the station's hand-over handOver
// is for, and renews it: ErrKioskHandOverEnded when it is not the
// station's current one, ErrKioskHandOverExpired when it lay unused too
// long. used says its vote was cast less than KioskRepeat ago: the same
// resident sending the confirmation again (confirming), which is all a
// used hand-over still answers; any other step with it is
// ErrKioskHandOverEnded.
func (s *Store) KioskHandedOver(ctx context.Context, station, handOver string, confirming bool) (voter uint64, used bool, err error) {
	err = s.InTx(ctx, func(ctx context.Context) error {
		k, err := s.kioskStation(ctx, station)
		if err != nil {
			return err
		}
		if k.HandOver == "" || k.VoterID == nil || subtle.ConstantTimeCompare([]byte(k.HandOver), []byte(handOver)) != 1 {
			return ErrKioskHandOverEnded
		}
		now := s.Now()
		if k.UsedAt != nil {
			if !confirming || now.Sub(*k.UsedAt) > KioskRepeat {
				return ErrKioskHandOverEnded
			}
			voter, used = *k.VoterID, true
			return nil
		}
		if k.ActiveAt == nil || now.Sub(*k.ActiveAt) > KioskHandOver {
			return ErrKioskHandOverExpired
		}
		voter = *k.VoterID
		return s.conn(ctx).Model(&KioskStation{}).Where("session_id = ?", k.SessionID).Update("active_at", now).Error
	})
	return voter, used, err
}

// KioskVoted ends the station's hand-over handOver with its vote: from now
// it only answers a repeat of the confirmation, for KioskRepeat.
func (s *Store) KioskVoted(ctx context.Context, station, handOver string) error {
	return s.conn(ctx).Model(&KioskStation{}).
		Where("session_id = ? AND hand_over = ? AND hand_over <> '' AND used_at IS NULL", hashToken(station), handOver).
		Update("used_at", s.Now()).Error
}
