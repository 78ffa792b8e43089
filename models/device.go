package models

import "time"

// SignInDevice is a browser an account has signed in from before (登录设备),
// known by a cookie that holds a random token; only its hash is
// kept. Wrong passwords tried from a known device count against the device
// and not against the account, and sign-ins from it pass the limits that
// strangers' failures put on the account and on the network address: a
// resident is not locked out by someone guessing at their phone number, nor
// by a neighbour on the same mobile network's shared address. The device's
// own count locks it by the same rule (EvaluateLogin), so a copied cookie
// guesses no faster than anyone else.
type SignInDevice struct {
	ID           string `gorm:"primaryKey"` // the token's hash
	AccountID    uint64
	FailedLogins int
	LockedUntil  *time.Time
	CreatedAt    time.Time
	LastUsedAt   time.Time
}

const (
	// DeviceTTL is how long a device stays known after its last sign-in.
	DeviceTTL = 365 * 24 * time.Hour
	// maxDevices bounds the devices kept per account; the least recently
	// used beyond it are forgotten.
	maxDevices = 10
)
