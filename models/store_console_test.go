package models_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

func TestPlaceSiblingNamesAreUnique(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		var fe models.FieldErrors
		// "101" already sits in the building; with spaces it is the same name.
		_, err := s.CreatePlace(bg, f.staff1, models.PlaceInput{ParentID: f.building.ID, Kind: models.KindHousehold, Name: " 101 "})
		if !errors.As(err, &fe) || fe["name"] != "err.place_name_taken" {
			t.Fatalf("duplicate child: %v", err)
		}
		// Renaming onto a sibling's name is refused too, and changes nothing.
		if _, err := s.RenamePlace(bg, f.staff1, f.hh2.ID, "101"); !errors.As(err, &fe) || fe["name"] != "err.place_name_taken" {
			t.Fatalf("rename onto sibling: %v", err)
		}
		if pl, _ := s.PlaceByID(bg, f.hh2.ID); pl.Name != "102" {
			t.Fatalf("renamed anyway to %q", pl.Name)
		}
		// The same name under another parent is fine.
		other, err := s.CreatePlace(bg, f.staff1, models.PlaceInput{ParentID: *f.building.ParentID, Kind: models.KindBuilding, Name: "2号楼"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePlace(bg, f.staff1, models.PlaceInput{ParentID: other.ID, Kind: models.KindHousehold, Name: "101"}); err != nil {
			t.Fatalf("same name elsewhere: %v", err)
		}
		// The database refuses a duplicate the store did not see.
		dup := models.Place{ParentID: &f.building.ID, Kind: models.KindHousehold, Name: "101", Path: "/x/"}
		if err := s.Tx(bg).Create(&dup).Error; err == nil {
			t.Fatal("the unique index let a duplicate sibling in")
		}
	})
}

func TestDeletePlaceSaysWhy(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		reason := func(err error) string {
			var de *models.Error
			if !errors.Is(err, models.ErrPlaceNotEmpty) || !errors.As(err, &de) || len(de.Args) != 1 {
				t.Fatalf("want ErrPlaceNotEmpty with a reason, got %v", err)
			}
			return de.Args[0].(string)
		}
		if r := reason(s.DeletePlace(bg, f.admin, f.building.ID)); r != "console.place_has_children" {
			t.Fatalf("building: %s", r)
		}
		if err := s.Tx(bg).Create(&models.Resident{HouseholdID: f.hh1.ID, Name: "王大妈"}).Error; err != nil {
			t.Fatal(err)
		}
		if r := reason(s.DeletePlace(bg, f.staff1, f.hh1.ID)); r != "console.place_has_residents" {
			t.Fatalf("household with residents: %s", r)
		}
		if _, err := s.GrantRole(bg, f.staff1, f.resident.ID, models.RoleRepresentative, f.hh2.ID); err != nil {
			t.Fatal(err)
		}
		if r := reason(s.DeletePlace(bg, f.staff1, f.hh2.ID)); r != "console.place_has_grants" {
			t.Fatalf("household with a grant: %s", r)
		}
		hh3, err := s.CreatePlace(bg, f.staff1, models.PlaceInput{ParentID: f.building.ID, Kind: models.KindHousehold, Name: "103"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(bg).Create(&models.Registration{AccountID: f.resident.ID, HouseholdID: hh3.ID, Name: "居民", Status: models.RegistrationRejected}).Error; err != nil {
			t.Fatal(err)
		}
		if r := reason(s.DeletePlace(bg, f.staff1, hh3.ID)); r != "console.place_has_records" {
			t.Fatalf("household with a registration: %s", r)
		}
		// Refusals change nothing and write nothing.
		var n int64
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ?", "place.delete").Count(&n)
		if n != 0 {
			t.Fatalf("%d delete entries after refusals", n)
		}
		// Staff of community 2 may not delete in community 1, even an empty place.
		hh4, err := s.CreatePlace(bg, f.staff1, models.PlaceInput{ParentID: f.building.ID, Kind: models.KindHousehold, Name: "104"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePlace(bg, f.staff2, hh4.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 delete: %v", err)
		}
		if _, err := s.RenamePlace(bg, f.staff2, hh4.ID, "105"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 rename: %v", err)
		}
		if err := s.DeletePlace(bg, f.staff1, hh4.ID); err != nil {
			t.Fatal(err)
		}
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND object_id = ?", "place.delete", fmt.Sprint(hh4.ID)).Count(&n)
		if n != 1 {
			t.Fatalf("delete entries %d", n)
		}
	})
}

// TestDeletePlaceKeepsWhatNamesIt: a place that a council, a village
// matter, a chain of steps, a ballot's roll or a roster import names cannot
// be deleted, however empty its roster; its usage counts each kind.
func TestDeletePlaceKeepsWhatNamesIt(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		refused := func(what string, id uint64, want map[string]int64) {
			t.Helper()
			err := s.DeletePlace(bg, f.admin, id)
			var de *models.Error
			if !errors.As(err, &de) || de.Code != models.ErrPlaceNotEmpty.Code || fmt.Sprint(de.Args) != "[console.place_has_records]" {
				t.Fatalf("deleting %s: %v", what, err)
			}
			if _, err := s.PlaceByID(bg, id); err != nil {
				t.Fatalf("%s is gone: %v", what, err)
			}
			u, err := s.PlaceUsage(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			got, total := map[string]int64{}, int64(0)
			for _, c := range u.Summary() {
				got[c.Key] = c.N
				total += c.N
			}
			if fmt.Sprint(got) != fmt.Sprint(want) || u.Records != total {
				t.Fatalf("%s: usage %v (records %d), want %v", what, got, u.Records, want)
			}
		}

		// A compound with a council and nobody living there yet.
		compound, err := s.CreatePlace(bg, f.staff1, models.PlaceInput{ParentID: f.com1.ID, Kind: models.KindCompound, Name: "新建小区"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateCouncil(bg, f.admin, models.CouncilInput{PlaceID: compound.ID, Kind: models.CouncilResidents, Name: "新建小区议事会"}); err != nil {
			t.Fatal(err)
		}
		refused("a compound with a council", compound.ID, map[string]int64{"console.usage_councils": 1})

		// A village with a chain of its own and a matter taking it up.
		village, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: f.street.ID, Kind: models.KindVillage, Name: "桃源村"})
		if err != nil {
			t.Fatal(err)
		}
		pr, err := s.CreateProcedure(bg, f.admin, models.ProcedureInput{PlaceID: village.ID, Name: "简易程序", Steps: []models.ProcedureStepInput{
			{Name: "两委商议", Kind: models.StepMeeting, CouncilKind: models.CouncilTwoCommittees},
			{Name: "结果公开", Kind: models.StepPublication},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateMatter(bg, f.admin, models.MatterInput{PlaceID: village.ID, ProcedureID: pr.ID, Title: "修建村东道路",
			Description: "村东头土路硬化。", Source: models.SourceResidents}); err != nil {
			t.Fatal(err)
		}
		refused("a village with a matter", village.ID, map[string]int64{"console.usage_matters": 1, "console.usage_procedures": 1})

		// A household on a ballot's roll, and a building it counts in.
		hh3, err := s.CreatePlace(bg, f.staff1, models.PlaceInput{ParentID: f.building.ID, Kind: models.KindHousehold, Name: "103"})
		if err != nil {
			t.Fatal(err)
		}
		b2, err := s.CreatePlace(bg, f.staff1, models.PlaceInput{ParentID: *f.building.ParentID, Kind: models.KindBuilding, Name: "2号楼"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(bg).Create(&models.BallotVoter{BallotID: 1, VoterKey: "h3", PlaceID: hh3.ID, AreaID: b2.ID}).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(bg).Create(&models.BallotParticipation{BallotID: 1, VoterKey: "h3", Receipt: "R1", Channel: models.ChannelOnline, AreaID: b2.ID, At: clock.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		refused("a household on a roll", hh3.ID, map[string]int64{"console.usage_ballot_rolls": 1})
		refused("an area of a roll", b2.ID, map[string]int64{"console.usage_ballot_rolls": 2})

		// A community a roster import was uploaded for.
		com3, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: f.street.ID, Kind: models.KindCommunity, Name: "三社区"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(bg).Create(&models.RosterImport{AccountID: f.admin.Account.ID, ScopeID: com3.ID, FileName: "名册.xlsx", Rows: "[]"}).Error; err != nil {
			t.Fatal(err)
		}
		refused("a community with an import", com3.ID, map[string]int64{"console.usage_imports": 1})
	})
}

// TestPlaceUsageCoversEveryPlaceColumn: every table with a column that
// names a place is one PlaceUsage counts (or the place tree itself, or the
// audit trail, which outlives what it records). A new table that names a
// place must be counted there, or deleting a place would orphan its rows.
func TestPlaceUsageCoversEveryPlaceColumn(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		counted := map[string]bool{"audit_entries.place_id": true}
		for _, c := range models.PlaceColumns() {
			counted[c] = true
		}
		tables, err := s.DB().Migrator().GetTables()
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, table := range tables {
			cols, err := s.DB().Migrator().ColumnTypes(table)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cols {
				switch name := c.Name(); name {
				case "place_id", "household_id", "area_id", "scope_id", "parent_id", "community_id":
					if !counted[table+"."+name] {
						t.Errorf("%s.%s names a place, and PlaceUsage does not count it", table, name)
					}
					seen++
				}
			}
		}
		if seen != len(counted) {
			t.Errorf("%d place columns in the schema, %d expected", seen, len(counted))
		}
	})
}

func TestManagedPlaceAndScope(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		pg, err := s.ManagedPlace(bg, f.staff1, f.building.ID, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Total != 2 || len(pg.Children) != 1 || pg.Children[0].Name != "101" || len(pg.Ancestors) != 3 || !pg.CanEdit {
			t.Fatalf("page 1: %+v", pg)
		}
		if pg2, _ := s.ManagedPlace(bg, f.staff1, f.building.ID, 2, 1); len(pg2.Children) != 1 || pg2.Children[0].Name != "102" {
			t.Fatalf("page 2: %+v", pg2.Children)
		}
		// Community staff see their community but may not rename it.
		if pg, err := s.ManagedPlace(bg, f.staff1, f.com1.ID, 1, 50); err != nil || pg.CanEdit {
			t.Fatalf("own community: %v %v", err, pg.CanEdit)
		}
		if _, err := s.ManagedPlace(bg, f.staff2, f.building.ID, 1, 50); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 sees community 1: %v", err)
		}
		if _, err := s.ManagedPlace(bg, f.staff1, f.street.ID, 1, 50); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff1 sees the street: %v", err)
		}
		// Only the street's people add communities.
		if _, err := s.CreatePlace(bg, f.staff1, models.PlaceInput{ParentID: f.street.ID, Kind: models.KindCommunity, Name: "三社区"}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff1 adds a community: %v", err)
		}
	})
}

func TestGrantAndRevokeScope(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		// Staff of community 2 learn nothing from a bad form in community 1.
		if _, err := s.GrantRole(bg, f.staff2, f.resident.ID, models.Role("nonsense"), f.com1.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 grant in community 1: %v", err)
		}
		if _, _, err := s.GrantsAt(bg, f.staff2, f.com1, true, 1); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 lists community 1: %v", err)
		}
		g, err := s.GrantRole(bg, f.staff1, f.resident.ID, models.RoleCouncilMember, f.com1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.GrantForRevoke(bg, f.staff2, g.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 may revoke: %v", err)
		}
		row, err := s.GrantForRevoke(bg, f.staff1, g.ID)
		if err != nil || row.AccountPhone != f.resident.Phone || row.Place.ID != f.com1.ID {
			t.Fatalf("grant for revoke: %+v %v", row, err)
		}
		// Nobody revokes their own grant, not even an admin.
		own := f.staff1.Grants[0]
		if err := s.RevokeRole(bg, f.staff1, own.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("own grant: %v", err)
		}
		if err := s.RevokeRole(bg, f.admin, f.admin.Grants[0].ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("admin's own grant: %v", err)
		}
		// Finding an account for a grant takes the exact number.
		if a, err := s.AccountForGrant(bg, f.staff1, "139 0000 0004"); err != nil || a.ID != f.resident.ID {
			t.Fatalf("exact phone: %v", err)
		}
		var fe models.FieldErrors
		if _, err := s.AccountForGrant(bg, f.staff1, "1390000"); !errors.As(err, &fe) {
			t.Fatalf("partial phone: %v", err)
		}
		if _, err := s.AccountForGrant(bg, f.staff1, "13912345678"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("unknown phone: %v", err)
		}
		resident := principal(t, s, f.resident.ID)
		if _, err := s.AccountForGrant(bg, resident, f.resident.Phone); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("non-staff lookup: %v", err)
		}
	})
}

// TestAuditTrailKeepsDeletedPlaces: entries filed at a place deleted since
// (an empty household created, renamed and removed; or older data whose
// place is gone) stay in the administrator's trail; staff, whose scope no
// longer holds the place, do not see them.
func TestAuditTrailKeepsDeletedPlaces(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		hh, err := s.CreatePlace(bg, f.staff1, models.PlaceInput{ParentID: f.building.ID, Kind: models.KindHousehold, Name: "109"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RenamePlace(bg, f.admin, hh.ID, "110"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePlace(bg, f.staff1, hh.ID); err != nil {
			t.Fatal(err)
		}
		gone := uint64(1 << 40)
		if err := s.Record(bg, models.Audit{Action: "place.rename", ObjectType: "place", ObjectID: gone, PlaceID: &gone, Detail: "旧数据"}); err != nil {
			t.Fatal(err)
		}
		rows, total, err := s.AuditTrail(bg, f.admin, 0, models.AuditFilter{Action: "place.rename"})
		if err != nil || total != 2 || len(rows) != 2 {
			t.Fatalf("admin: %d renames (%v), want 2", total, err)
		}
		for _, r := range rows {
			if r.PlaceID == nil || r.PlaceName != "" {
				t.Fatalf("a rename at a deleted place: %+v", r)
			}
		}
		if _, total, _ := s.AuditTrail(bg, f.admin, 0, models.AuditFilter{Action: "place.create"}); total != 7 {
			t.Fatalf("admin: %d creations, want the fixture’s six and the household", total)
		}
		if _, total, _ := s.AuditTrail(bg, f.staff1, 0, models.AuditFilter{Action: "place.rename"}); total != 0 {
			t.Fatalf("staff see %d renames of places no longer in their scope", total)
		}
		if _, total, _ := s.AuditTrail(bg, f.admin, f.com1.ID, models.AuditFilter{Action: "place.rename"}); total != 0 {
			t.Fatalf("narrowed to community 1: %d renames", total)
		}
	})
}

func TestUnlockScopeAndAuditTrail(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		if err := s.GrantRoleAsSystem(bg, f.resident.ID, models.RoleResident, f.hh1.ID); err != nil {
			t.Fatal(err)
		}
		// Nothing to unlock yet.
		if err := s.Unlock(bg, f.staff1, f.resident.ID); !errors.Is(err, models.ErrNotLocked) {
			t.Fatalf("unlock of an unlocked account: %v", err)
		}
		for i := 0; i < models.MaxFailedLogins; i++ {
			s.Authenticate(bg, f.resident.Phone, "wrong-password")
		}
		st, err := s.AccountStatusByPhone(bg, f.staff1, f.resident.Phone)
		if err != nil || !st.Account.Locked(clock.Now()) || st.Home.ID != f.hh1.ID {
			t.Fatalf("status: %+v %v", st, err)
		}
		// Staff of community 2 cannot find, see or unlock the account.
		if _, err := s.AccountStatusByPhone(bg, f.staff2, f.resident.Phone); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("staff2 finds: %v", err)
		}
		if _, err := s.AccountStatusByID(bg, f.staff2, f.resident.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 sees: %v", err)
		}
		if err := s.Unlock(bg, f.staff2, f.resident.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 unlocks: %v", err)
		}
		// An account with no home is the admin's alone.
		loner := mustAccount(t, s, "13900000009", "无家")
		if _, err := s.AccountStatusByID(bg, f.staff1, loner.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff1 sees a homeless account: %v", err)
		}
		if _, err := s.AccountStatusByID(bg, f.admin, loner.ID); err != nil {
			t.Fatalf("admin sees a homeless account: %v", err)
		}

		// The failed sign-ins are filed at the household, so community 1's
		// staff see them and community 2's do not.
		rows, total, err := s.AuditTrail(bg, f.staff1, 0, models.AuditFilter{Action: "auth.login"})
		if err != nil || total != int64(models.MaxFailedLogins) {
			t.Fatalf("staff1 sees %d login entries: %v", total, err)
		}
		if rows[0].ActorPhone != f.resident.Phone || rows[0].Result != models.ResultDenied || rows[0].PlaceName != "101" {
			t.Fatalf("newest row %+v", rows[0])
		}
		if _, total, _ := s.AuditTrail(bg, f.staff2, 0, models.AuditFilter{Action: "auth.login"}); total != 0 {
			t.Fatalf("staff2 sees %d login entries of community 1", total)
		}
		if _, _, err := s.AuditTrail(bg, f.staff2, f.com1.ID, models.AuditFilter{}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 narrows to community 1: %v", err)
		}
		if err := s.Unlock(bg, f.staff1, f.resident.ID); err != nil {
			t.Fatal(err)
		}
		// Filters: actor phone, date range, place.
		if _, total, _ := s.AuditTrail(bg, f.staff1, 0, models.AuditFilter{ActorPhone: f.staff1.Account.Phone}); total != 1 {
			t.Fatalf("entries by staff1: %d", total)
		}
		if _, total, _ := s.AuditTrail(bg, f.staff1, 0, models.AuditFilter{From: clock.Now().Add(time.Hour)}); total != 0 {
			t.Fatalf("entries from the future: %d", total)
		}
		if _, total, _ := s.AuditTrail(bg, f.staff1, 0, models.AuditFilter{To: clock.Now().Add(time.Second), Action: "account.unlock"}); total != 1 {
			t.Fatalf("unlock entries up to now: %d", total)
		}
		if _, total, _ := s.AuditTrail(bg, f.staff1, f.hh2.ID, models.AuditFilter{Action: "auth.login"}); total != 0 {
			t.Fatalf("login entries at the neighbour's: %d", total)
		}
		// The admin also sees sign-ins of unknown numbers, filed at no place.
		s.Authenticate(bg, "13111111111", "whatever-pw")
		if _, total, _ := s.AuditTrail(bg, f.admin, 0, models.AuditFilter{Action: "auth.login"}); total != int64(models.MaxFailedLogins)+1 {
			t.Fatalf("admin sees %d login entries", total)
		}
		if _, total, _ := s.AuditTrail(bg, f.staff1, 0, models.AuditFilter{Action: "auth.login"}); total != int64(models.MaxFailedLogins) {
			t.Fatalf("staff1 sees %d login entries", total)
		}
		// PlaceIDs narrows too.
		if _, total, _ := s.ListAudit(bg, nil, models.AuditFilter{PlaceIDs: []uint64{f.com2.ID}, Action: "auth.login"}); total != 0 {
			t.Fatalf("community 2 logins: %d", total)
		}
	})
}
