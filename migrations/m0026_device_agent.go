package migrations

import "gorm.io/gorm"

// Frozen copy of the column step 26 adds to sign_in_devices.

// m26SignInDevice is the column step 26 adds: what kind of browser and
// system a known device is, as its last sign-in said ("android/wechat"),
// so that its owner can tell their devices apart.
type m26SignInDevice struct {
	Agent string `gorm:"size:40;not null;default:''"`
}

func (m26SignInDevice) TableName() string { return "sign_in_devices" }

// m0026 adds the column; devices known so far are of no stated kind until
// their next sign-in.
func m0026(tx *gorm.DB) error {
	return tx.Migrator().AddColumn(&m26SignInDevice{}, "Agent")
}
