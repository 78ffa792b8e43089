package models

import (
	"context"
)

// Residency tells where an account stands as a resident: its verified
// household (nil if none) and whether a verification request is pending.
func (s *Store) Residency(ctx context.Context, accountID uint64) (*Place, bool, error) {
	var g RoleGrant
	err := s.conn(ctx).Preload("Place").Where("account_id = ? AND role = ?", accountID, RoleResident).Limit(1).Find(&g).Error
	if err != nil {
		return nil, false, err
	}
	if g.ID != 0 {
		return &g.Place, false, nil
	}
	var n int64
	err = s.conn(ctx).Model(&Registration{}).Where("account_id = ? AND status = ?", accountID, RegistrationPending).Count(&n).Error
	return nil, n > 0, err
}
