package models

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// StatsFilter selects the needs the dashboard counts: filed in [From, To),
// inside PlaceID (0: every place p handles needs for), of CategoryID (0:
// every category).
type StatsFilter struct {
	From, To   time.Time
	PlaceID    uint64
	CategoryID uint64
}

// CommunityFigures are one community's (社区/村) figures.
type CommunityFigures struct {
	Place Place
	NeedFigures
}

// CategoryFigures are one category's (需求类别) figures.
type CategoryFigures struct {
	Category NeedCategory
	NeedFigures
}

// NeedStats is the needs dashboard (需求看板): the figures at Now for the
// needs filed in a period, in total, per community and per category. Every
// community and every category in view has a line, with zero counts when
// it had no needs.
type NeedStats struct {
	Now         time.Time
	Total       NeedFigures
	Communities []CommunityFigures
	Categories  []CategoryFigures
}

// needScopes returns the places whose needs p may count or list: the place
// placeID when p handles needs there, or else every scope of p. A place
// outside p's scopes is ErrForbidden.
func (s *Store) needScopes(ctx context.Context, p *Principal, placeID uint64) ([]Place, error) {
	scopes := p.Scopes(PermHandleNeeds)
	if len(scopes) == 0 {
		return nil, ErrForbidden
	}
	if placeID == 0 {
		return scopes, nil
	}
	pl, err := s.PlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	if !p.Can(PermHandleNeeds, pl) {
		return nil, ErrForbidden
	}
	return []Place{pl}, nil
}

// inPlaces restricts a query whose needs' places are joined as np to the
// subtrees of scopes.
func (s *Store) inPlaces(ctx context.Context, db *gorm.DB, scopes []Place) *gorm.DB {
	var or *gorm.DB
	for _, sc := range scopes {
		if or == nil {
			or = s.conn(ctx).Where("np.path LIKE ?", sc.Path+"%")
		} else {
			or = or.Or("np.path LIKE ?", sc.Path+"%")
		}
	}
	return db.Where(or)
}

// communityFromPath is communityOf for a bare path, without allocating:
// the second id on the path, or the first when there is only one.
func communityFromPath(path string) uint64 {
	var first, id uint64
	seg := 0
	for i := 1; i < len(path); i++ {
		c := path[i]
		if c == '/' {
			if seg == 0 {
				first = id
			} else {
				return id
			}
			seg++
			id = 0
			continue
		}
		id = id*10 + uint64(c-'0')
	}
	return first
}

// communitiesIn lists the communities and villages the scopes cover, by
// path: those below a street, or the one a lower scope lies in.
func (s *Store) communitiesIn(ctx context.Context, scopes []Place) ([]Place, error) {
	seen := map[uint64]bool{}
	var out []Place
	for _, sc := range scopes {
		var list []Place
		if sc.Kind == KindStreet || sc.Kind == KindTownship {
			var err error
			if list, err = s.PlacesOfKind(ctx, sc, KindCommunity, KindVillage); err != nil {
				return nil, err
			}
		} else {
			com, err := s.PlaceByID(ctx, communityOf(sc))
			if err != nil {
				return nil, err
			}
			list = []Place{com}
		}
		for _, c := range list {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// NeedStats counts the needs filed in the filter's period in the places p
// handles needs for: staff of a street see every community in it, staff of
// a community only their own. It streams only the columns the figures need,
// one row per need, and tallies them with the rules of NeedFigures.
func (s *Store) NeedStats(ctx context.Context, p *Principal, f StatsFilter) (NeedStats, error) {
	out := NeedStats{Now: s.Now()}
	scopes, err := s.needScopes(ctx, p, f.PlaceID)
	if err != nil {
		return out, err
	}
	filter := func(db *gorm.DB) *gorm.DB {
		db = s.inPlaces(ctx, db.Joins("JOIN places np ON np.id = needs.place_id"), scopes).
			Where("needs.created_at >= ? AND needs.created_at < ?", f.From, f.To)
		if f.CategoryID != 0 {
			db = db.Where("needs.category_id = ?", f.CategoryID)
		}
		return db
	}
	tally := NewNeedTally(out.Now)

	rows, err := filter(s.conn(ctx).Table("needs").Select("np.path, needs.category_id, needs.status, needs.created_at, needs.respond_by, " +
		"needs.resolve_by, needs.responded_at, needs.resolved_at, needs.rating")).Rows()
	if err != nil {
		return out, err
	}
	for rows.Next() {
		var (
			r                 NeedStatRow
			path, status      string
			responded, solved sql.NullTime
		)
		if err := rows.Scan(&path, &r.CategoryID, &status, &r.FiledAt, &r.RespondBy, &r.ResolveBy, &responded, &solved, &r.Rating); err != nil {
			rows.Close()
			return out, err
		}
		r.CommunityID, r.Status = communityFromPath(path), NeedStatus(status)
		if responded.Valid {
			r.RespondedAt = &responded.Time
		}
		if solved.Valid {
			r.ResolvedAt = &solved.Time
		}
		tally.Add(r)
	}
	if err := rows.Close(); err != nil {
		return out, err
	}
	if err := rows.Err(); err != nil {
		return out, err
	}

	wrows, err := filter(s.conn(ctx).Table("whistles").Joins("JOIN needs ON needs.id = whistles.need_id").
		Select("np.path, needs.category_id, whistles.rating, " +
			"(SELECT COUNT(*) FROM whistle_calls wc WHERE wc.whistle_id = whistles.id), " +
			"(SELECT COUNT(*) FROM whistle_calls wc WHERE wc.whistle_id = whistles.id AND wc.reported_at IS NOT NULL AND wc.reported_at <= whistles.report_by)")).Rows()
	if err != nil {
		return out, err
	}
	for wrows.Next() {
		var (
			w    WhistleStatRow
			path string
		)
		if err := wrows.Scan(&path, &w.CategoryID, &w.Rating, &w.Calls, &w.CallsInTime); err != nil {
			wrows.Close()
			return out, err
		}
		w.CommunityID = communityFromPath(path)
		tally.AddWhistle(w)
	}
	if err := wrows.Close(); err != nil {
		return out, err
	}
	if err := wrows.Err(); err != nil {
		return out, err
	}

	out.Total = tally.Total
	coms, err := s.communitiesIn(ctx, scopes)
	if err != nil {
		return out, err
	}
	for _, c := range coms {
		cf := CommunityFigures{Place: c}
		if t := tally.ByCommunity[c.ID]; t != nil {
			cf.NeedFigures = *t
		}
		out.Communities = append(out.Communities, cf)
	}
	cats, err := s.NeedCategories(ctx, false)
	if err != nil {
		return out, err
	}
	for _, c := range cats {
		t := tally.ByCategory[c.ID]
		if (f.CategoryID != 0 && c.ID != f.CategoryID) || (t == nil && !c.Active) {
			continue
		}
		cf := CategoryFigures{Category: c}
		if t != nil {
			cf.NeedFigures = *t
		}
		out.Categories = append(out.Categories, cf)
	}
	return out, nil
}

// NeedExportRow is one line of the needs list as staff download it; the
// filer's phone is masked.
type NeedExportRow struct {
	ID          uint64
	FiledAt     time.Time
	Category    NeedCategory
	Place       string // the place's label, "幸福社区 / 阳光小区 / 3号楼"
	Status      NeedStatus
	Level       NeedLevel
	Taker       string
	RespondBy   time.Time
	RespondedAt *time.Time
	ResolveBy   time.Time
	ResolvedAt  *time.Time
	Rating      int
	Supporters  int
	Overdue     bool
	FilerPhone  string // masked: 138****1234
}

// ExportNeeds streams, newest first, the needs staff p would list with
// filter f (its Status, CategoryID, PlaceID and Overdue; not its paging) to
// each. Only staff scope is exported; a place outside p's scopes is
// ErrForbidden and an unknown status an invalid choice.
func (s *Store) ExportNeeds(ctx context.Context, p *Principal, f NeedFilter, each func(NeedExportRow) error) error {
	if f.Status != "" && !containsStatus(NeedStatuses, f.Status) {
		return FieldErrors{"status": "err.invalid_choice"}
	}
	scopes, err := s.needScopes(ctx, p, f.PlaceID)
	if err != nil {
		return err
	}
	cats, err := s.NeedCategories(ctx, false)
	if err != nil {
		return err
	}
	catByID := map[uint64]NeedCategory{}
	for _, c := range cats {
		catByID[c.ID] = c
	}
	names, err := s.placeNames(ctx, scopes)
	if err != nil {
		return err
	}
	now := s.Now()
	// The staff list's own query, so the download holds exactly what the
	// list shows.
	f.Scope = NeedsStaff
	db, err := s.needsQuery(ctx, p, f)
	if err != nil {
		return err
	}
	db = db.Joins("LEFT JOIN takers tk ON tk.id = needs.taker_id").
		Joins("LEFT JOIN accounts fa ON fa.id = needs.filer_id").
		Select("needs.id, needs.created_at, needs.category_id, np.path, needs.status, needs.level, tk.name, needs.respond_by, " +
			"needs.responded_at, needs.resolve_by, needs.resolved_at, needs.rating, needs.supporters, fa.phone")
	rows, err := db.Order("needs.created_at DESC, needs.id DESC").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r                   NeedExportRow
			catID               uint64
			path, status, level string
			taker, phone        sql.NullString
			responded, resolved sql.NullTime
		)
		if err := rows.Scan(&r.ID, &r.FiledAt, &catID, &path, &status, &level, &taker, &r.RespondBy, &responded, &r.ResolveBy, &resolved,
			&r.Rating, &r.Supporters, &phone); err != nil {
			return err
		}
		r.Category, r.Place, r.Status, r.Level, r.Taker = catByID[catID], placeLabelFrom(names, path), NeedStatus(status), NeedLevel(level), taker.String
		if responded.Valid {
			r.RespondedAt = &responded.Time
		}
		if resolved.Valid {
			r.ResolvedAt = &resolved.Time
		}
		r.FilerPhone = MaskPhone(phone.String)
		r.Overdue = NeedStatRow{Status: r.Status, FiledAt: r.FiledAt, RespondBy: r.RespondBy, ResolveBy: r.ResolveBy,
			RespondedAt: r.RespondedAt, ResolvedAt: r.ResolvedAt}.Clock().Overdue(r.Status, now)
		if err := each(r); err != nil {
			return err
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
}

// placeNames maps the id of every place in the scopes, and of the scopes'
// ancestors, to its name.
func (s *Store) placeNames(ctx context.Context, scopes []Place) (map[uint64]string, error) {
	names := map[uint64]string{}
	for _, sc := range scopes {
		var list []Place
		if err := s.conn(ctx).Select("id, name").Where("path LIKE ? OR id IN ?", sc.Path+"%", sc.AncestorIDs()).Find(&list).Error; err != nil {
			return nil, err
		}
		for _, pl := range list {
			names[pl.ID] = pl.Name
		}
	}
	return names, nil
}

// placeLabelFrom builds PlaceLabel's text from a path and known names.
func placeLabelFrom(names map[uint64]string, path string) string {
	ids := Place{Path: path}.AncestorIDs()
	if len(ids) > 2 {
		ids = ids[1:] // the street is implied
	}
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		parts = append(parts, names[id])
	}
	return strings.Join(parts, " / ")
}
