package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// SiteSecret (站点密钥) is a random key the site keeps in its database, the
// same for every process and across restarts.
type SiteSecret struct {
	Name      string `gorm:"primaryKey"`
	Value     string // hex
	CreatedAt time.Time
}

// Secret returns the site's secret called name (32 random bytes), making
// it on first use. Concurrent first uses, in one process or several, agree
// on one value: the first insert wins and everyone reads it back.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	if v, ok := s.secrets.Load(name); ok {
		return v.([]byte), nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	fresh := SiteSecret{Name: name, Value: hex.EncodeToString(b), CreatedAt: s.Now()}
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
		return nil, err
	}
	var got SiteSecret
	if err := s.conn(ctx).Where("name = ?", name).Limit(1).Find(&got).Error; err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(got.Value)
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("site secret %q is damaged", name)
	}
	s.secrets.Store(name, key)
	return key, nil
}
