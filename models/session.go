package models

import "time"

// Session is a signed-in browser (会话). The cookie holds a random token; the
// row's ID is the token's SHA-256, so a leaked database does not leak live
// cookies.
type Session struct {
	ID         string `gorm:"primaryKey"`
	AccountID  uint64
	CreatedAt  time.Time
	LastSeenAt time.Time
	RevokedAt  *time.Time
	// KioskBallotID fences a service station's session (服务站模式) to the
	// kiosk of one ballot: staff start it on the station's device, and the
	// residents who vote there can reach nothing else of the staff
	// member's (see StartKioskSession).
	KioskBallotID *uint64
}

// Session limits.
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
	// SessionTouchEvery bounds how often a request writes LastSeenAt.
	SessionTouchEvery = time.Minute
)

// SessionValid reports whether s may still be used at now.
func SessionValid(s Session, now time.Time) bool {
	if s.RevokedAt != nil {
		return false
	}
	if now.Sub(s.LastSeenAt) >= SessionIdle {
		return false
	}
	return now.Sub(s.CreatedAt) < SessionAbsolute
}
