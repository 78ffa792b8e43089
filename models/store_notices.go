package models

import (
	"context"
)

// NoticeQuery selects published notices for the bulletin.
type NoticeQuery struct {
	// Within keeps notices scoped to this place or anywhere below it (0 = all).
	Within uint64
	// Affecting keeps notices scoped to this place or any place above it,
	// that is, the notices a resident of that place is concerned by (0 = all).
	Affecting uint64
	// OpenForObjections keeps only notices that accept objections at now.
	OpenForObjections bool
	Page, PerPage     int
}

// PublishedNotices lists published and withdrawn notices, newest first, with
// their places, and the total for paging.
func (s *Store) PublishedNotices(ctx context.Context, q NoticeQuery) ([]Notice, int64, error) {
	if q.PerPage <= 0 {
		q.PerPage = 20
	}
	if q.Page < 1 {
		q.Page = 1
	}
	db := s.conn(ctx).Model(&Notice{}).Where("notices.status IN ?", []NoticeStatus{NoticePublished, NoticeWithdrawn})
	if q.Within != 0 {
		scope, err := s.PlaceByID(ctx, q.Within)
		if err != nil {
			return nil, 0, err
		}
		db = db.Joins("JOIN places wp ON wp.id = notices.place_id").Where("wp.path LIKE ?", scope.Path+"%")
	}
	if q.Affecting != 0 {
		pl, err := s.PlaceByID(ctx, q.Affecting)
		if err != nil {
			return nil, 0, err
		}
		db = db.Where("notices.place_id IN ?", pl.AncestorIDs())
	}
	if q.OpenForObjections {
		now := s.Now()
		db = db.Where("notices.status = ? AND notices.allow_objections = ? AND (notices.period_ends_at IS NULL OR notices.period_ends_at > ?)", NoticePublished, true, now)
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Notice
	err := db.Preload("Place").Order("notices.published_at DESC, notices.id DESC").
		Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage).Find(&out).Error
	return out, total, err
}
