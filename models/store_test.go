package models_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

var bg = context.Background()

// fixture is a small street: two communities, a building and households in
// the first, an admin, community staff of community 1 and a resident.
type fixture struct {
	street, com1, com2, building, hh1, hh2 models.Place
	admin, staff1, staff2                  *models.Principal
	resident                               models.Account
}

func mustAccount(t *testing.T, s *models.Store, phone, name string) models.Account {
	t.Helper()
	a, err := s.CreateAccount(bg, models.AccountInput{Phone: phone, Name: name, Password: "password-1", Confirm: "password-1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func principal(t *testing.T, s *models.Store, id uint64) *models.Principal {
	t.Helper()
	p, err := s.LoadPrincipal(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newFixture(t *testing.T, s *models.Store) *fixture {
	t.Helper()
	f := &fixture{}
	f.street = models.Place{Kind: models.KindStreet, Name: "测试街道", Path: "/"}
	if err := s.Tx(bg).Create(&f.street).Error; err != nil {
		t.Fatal(err)
	}
	f.street.Path = fmt.Sprintf("/%d/", f.street.ID)
	if err := s.Tx(bg).Model(&f.street).Update("path", f.street.Path).Error; err != nil {
		t.Fatal(err)
	}
	admin := mustAccount(t, s, "13900000000", "管理员")
	if err := s.GrantRoleAsSystem(bg, admin.ID, models.RoleAdmin, f.street.ID); err != nil {
		t.Fatal(err)
	}
	f.admin = principal(t, s, admin.ID)
	mk := func(parent models.Place, kind models.PlaceKind, name string) models.Place {
		p, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: parent.ID, Kind: kind, Name: name})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return p
	}
	f.com1 = mk(f.street, models.KindCommunity, "一社区")
	f.com2 = mk(f.street, models.KindCommunity, "二社区")
	compound := mk(f.com1, models.KindCompound, "小区")
	f.building = mk(compound, models.KindBuilding, "1号楼")
	f.hh1 = mk(f.building, models.KindHousehold, "101")
	f.hh2 = mk(f.building, models.KindHousehold, "102")
	s1 := mustAccount(t, s, "13900000001", "一社工")
	s2 := mustAccount(t, s, "13900000002", "二社工")
	if _, err := s.GrantRole(bg, f.admin, s1.ID, models.RoleCommunityStaff, f.com1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GrantRole(bg, f.admin, s2.ID, models.RoleCommunityStaff, f.com2.ID); err != nil {
		t.Fatal(err)
	}
	f.staff1, f.staff2 = principal(t, s, s1.ID), principal(t, s, s2.ID)
	f.resident = mustAccount(t, s, "13900000004", "居民")
	return f
}

func TestPlacesTreeAndPermissions(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		if f.hh1.Path != fmt.Sprintf("%s%d/", f.building.Path, f.hh1.ID) {
			t.Fatalf("household path %q under %q", f.hh1.Path, f.building.Path)
		}
		// Community staff add below their community, not in another one.
		if _, err := s.CreatePlace(bg, f.staff1, models.PlaceInput{ParentID: f.building.ID, Kind: models.KindHousehold, Name: "103"}); err != nil {
			t.Fatalf("staff1 in own community: %v", err)
		}
		if _, err := s.CreatePlace(bg, f.staff2, models.PlaceInput{ParentID: f.building.ID, Kind: models.KindHousehold, Name: "104"}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 in community 1: %v", err)
		}
		// They cannot rename their own community (that is the street's).
		if _, err := s.RenamePlace(bg, f.staff1, f.com1.ID, "改名"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("rename own community: %v", err)
		}
		// Invalid kinds are refused with a field error.
		_, err := s.CreatePlace(bg, f.admin, models.PlaceInput{ParentID: f.building.ID, Kind: models.KindCommunity, Name: "x"})
		var fe models.FieldErrors
		if !errors.As(err, &fe) || fe["kind"] == "" {
			t.Fatalf("community under building: %v", err)
		}
		// A non-empty place cannot be deleted; an empty one can.
		if err := s.DeletePlace(bg, f.admin, f.building.ID); !errors.Is(err, models.ErrPlaceNotEmpty) {
			t.Fatalf("delete non-empty: %v", err)
		}
		if err := s.DeletePlace(bg, f.admin, f.hh2.ID); err != nil {
			t.Fatalf("delete empty: %v", err)
		}
		if _, err := s.PlaceByID(bg, f.hh2.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("deleted place still there: %v", err)
		}
		label, err := s.PlaceLabel(bg, f.hh1)
		if err != nil || label != "一社区 / 小区 / 1号楼 / 101" {
			t.Fatalf("label %q %v", label, err)
		}
	})
}

func TestAuthenticateLockoutAndUnlock(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		// Make the resident a resident of community 1 so its staff may unlock.
		if err := s.GrantRoleAsSystem(bg, f.resident.ID, models.RoleResident, f.hh1.ID); err != nil {
			t.Fatal(err)
		}
		for i := 1; i < models.MaxFailedLogins; i++ {
			if _, err := s.Authenticate(bg, f.resident.Phone, "wrong"); !errors.Is(err, models.ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		_, err := s.Authenticate(bg, f.resident.Phone, "wrong")
		var de *models.Error
		if !errors.Is(err, models.ErrAccountLocked) || !errors.As(err, &de) || len(de.Args) != 1 {
			t.Fatalf("fifth failure: %v", err)
		}
		if until := de.Args[0].(time.Time); !until.Equal(clock.Now().Add(models.LockoutDuration)) {
			t.Fatalf("locked until %v", until)
		}
		if _, err := s.Authenticate(bg, f.resident.Phone, "password-1"); !errors.Is(err, models.ErrAccountLocked) {
			t.Fatalf("right password while locked: %v", err)
		}
		// Staff of another community may not unlock; staff of this one may.
		if err := s.Unlock(bg, f.staff2, f.resident.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 unlock: %v", err)
		}
		if err := s.Unlock(bg, f.staff1, f.resident.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(bg, f.resident.Phone, "password-1"); err != nil {
			t.Fatalf("after unlock: %v", err)
		}
		// Unknown phones fail the same way and are audited without the password.
		if _, err := s.Authenticate(bg, "13111111111", "secret-pw"); !errors.Is(err, models.ErrBadCredentials) {
			t.Fatalf("unknown phone: %v", err)
		}
		var n int64
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND result = ?", "auth.login", models.ResultFailed).Count(&n)
		if n != int64(models.MaxFailedLogins) { // 4 wrong + 1 unknown phone; the locking one is "denied"
			t.Fatalf("failed login entries = %d", n)
		}
		s.Tx(bg).Model(&models.AuditEntry{}).Where("detail LIKE ?", "%secret-pw%").Count(&n)
		if n != 0 {
			t.Fatal("a password reached the audit trail")
		}
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ?", "account.unlock").Count(&n)
		if n != 1 {
			t.Fatalf("unlock entries = %d", n)
		}
	})
}

func TestSessions(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		tok1, err := s.StartSession(bg, f.resident.ID)
		if err != nil {
			t.Fatal(err)
		}
		tok2, _ := s.StartSession(bg, f.resident.ID)
		if tok1 == tok2 || len(tok1) < 22 { // 128 bits in base64 is 22 characters
			t.Fatalf("tokens %q %q", tok1, tok2)
		}
		var stored models.Session
		s.Tx(bg).First(&stored)
		if stored.ID == tok1 || stored.ID == tok2 {
			t.Fatal("raw token stored")
		}
		if p, err := s.ResumeSession(bg, tok1); err != nil || p.Account.ID != f.resident.ID {
			t.Fatalf("resume: %v", err)
		} else if p.Account.PasswordHash != "" {
			t.Fatal("a resumed session carries the password hash")
		}
		// Activity keeps it alive past 30 minutes in all...
		for i := 0; i < 3; i++ {
			clock.Advance(20 * time.Minute)
			if _, err := s.ResumeSession(bg, tok1); err != nil {
				t.Fatalf("active session expired after %d×20min: %v", i+1, err)
			}
		}
		// ...but 30 idle minutes end it (tok2 was never used since).
		if _, err := s.ResumeSession(bg, tok2); !errors.Is(err, models.ErrSessionExpired) {
			t.Fatalf("idle session: %v", err)
		}
		// Sign-out revokes.
		if err := s.EndSession(bg, tok1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResumeSession(bg, tok1); !errors.Is(err, models.ErrSessionExpired) {
			t.Fatalf("after logout: %v", err)
		}
		// The absolute limit holds even for a busy session.
		tok3, _ := s.StartSession(bg, f.resident.ID)
		for elapsed := time.Duration(0); elapsed < models.SessionAbsolute-10*time.Minute; elapsed += 10 * time.Minute {
			clock.Advance(10 * time.Minute)
			if _, err := s.ResumeSession(bg, tok3); err != nil {
				t.Fatalf("busy session died at %v: %v", elapsed, err)
			}
		}
		clock.Advance(20 * time.Minute)
		if _, err := s.ResumeSession(bg, tok3); !errors.Is(err, models.ErrSessionExpired) {
			t.Fatalf("past 12 h: %v", err)
		}
		// A new password ends every session.
		tok4, _ := s.StartSession(bg, f.resident.ID)
		if err := s.SetPassword(bg, f.resident.ID, "new-password-2", &f.resident.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResumeSession(bg, tok4); !errors.Is(err, models.ErrSessionExpired) {
			t.Fatalf("after password change: %v", err)
		}
		if n, err := s.PurgeSessions(bg); err != nil || n < 4 {
			t.Fatalf("purged %d: %v", n, err)
		}
	})
}

func TestCreateAccountDuplicatePhone(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		mustAccount(t, s, "13700000000", "甲")
		_, err := s.CreateAccount(bg, models.AccountInput{Phone: "137 0000 0000", Name: "乙", Password: "password-1", Confirm: "password-1"}, nil)
		var fe models.FieldErrors
		if !errors.As(err, &fe) || fe["phone"] != "err.phone_taken" {
			t.Fatalf("duplicate: %v", err)
		}
		var n int64
		s.Tx(bg).Model(&models.Account{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d accounts", n)
		}
	})
}

func TestGrantRoleRules(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		if _, err := s.GrantRole(bg, f.staff1, f.resident.ID, models.RoleConvener, f.com1.ID); err != nil {
			t.Fatalf("convener: %v", err)
		}
		if _, err := s.GrantRole(bg, f.staff1, f.resident.ID, models.RoleConvener, f.com1.ID); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("twice: %v", err)
		}
		if _, err := s.GrantRole(bg, f.staff1, f.resident.ID, models.RoleCommunityStaff, f.com1.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("peer role: %v", err)
		}
		if _, err := s.GrantRole(bg, f.staff1, f.resident.ID, models.RoleConvener, f.com2.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("other community: %v", err)
		}
		var fe models.FieldErrors
		if _, err := s.GrantRole(bg, f.admin, f.resident.ID, models.RoleResident, f.hh1.ID); !errors.As(err, &fe) {
			t.Fatalf("resident by grant: %v", err)
		}
		rows, total, err := s.GrantsAt(bg, f.staff1, f.com1, true, 1)
		if err != nil || total != int64(len(rows)) {
			t.Fatalf("%d of %d grants, %v", len(rows), total, err)
		}
		var grantID uint64
		for _, r := range rows {
			if r.AccountID == f.resident.ID && r.Role == models.RoleConvener {
				grantID = r.ID
			}
			if r.Place.Path == "" {
				t.Fatal("grant row without place")
			}
		}
		if grantID == 0 {
			t.Fatal("grant not listed")
		}
		if err := s.RevokeRole(bg, f.staff2, grantID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("revoke by other community: %v", err)
		}
		if err := s.RevokeRole(bg, f.staff1, grantID); err != nil {
			t.Fatal(err)
		}
		p := principal(t, s, f.resident.ID)
		if p.Has(models.RoleConvener) {
			t.Fatal("revoked role still held")
		}
	})
}

func TestAuditSealingUnderConcurrentWrites(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		ctx, cancel := context.WithCancel(bg)
		done := make(chan struct{})
		go func() {
			s.RunSealer(ctx, 5*time.Millisecond, func(err error) { t.Errorf("sealer: %v", err) })
			close(done)
		}()
		var wg sync.WaitGroup
		const writers, each = 8, 25
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := s.InTx(bg, func(ctx context.Context) error {
						return s.Record(ctx, models.Audit{Action: "test.write", ObjectType: "test", ObjectID: uint64(w*1000 + i)})
					})
					if err != nil {
						t.Errorf("record: %v", err)
						return
					}
				}
			}(w)
		}
		wg.Wait()
		cancel()
		<-done
		for {
			n, err := s.SealAudit(bg, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		checked, unsealed, problem, err := s.VerifyAudit(bg)
		if err != nil || problem != nil || unsealed != 0 || checked != writers*each {
			t.Fatalf("verify: checked %d unsealed %d problem %v err %v", checked, unsealed, problem, err)
		}

		// Tampering is found: an edit...
		db := s.Tx(bg)
		db.Exec("UPDATE audit_entries SET detail = 'edited' WHERE id = (SELECT entry_id FROM audit_seals WHERE seq = 10)")
		_, _, problem, _ = s.VerifyAudit(bg)
		if problem == nil || problem.Seq != 10 || problem.Reason != "hash" {
			t.Fatalf("edit: %v", problem)
		}
		db.Exec("UPDATE audit_entries SET detail = '' WHERE id = (SELECT entry_id FROM audit_seals WHERE seq = 10)")
		if _, _, problem, _ = s.VerifyAudit(bg); problem != nil {
			t.Fatalf("restored: %v", problem)
		}
		// ...a deletion...
		db.Exec("DELETE FROM audit_entries WHERE id = (SELECT entry_id FROM audit_seals WHERE seq = 50)")
		_, _, problem, _ = s.VerifyAudit(bg)
		if problem == nil || problem.Seq != 50 || problem.Reason != "gap" {
			t.Fatalf("delete: %v", problem)
		}
	})
}

func TestAuditReorderDetected(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		for i := 0; i < 5; i++ {
			if err := s.Record(bg, models.Audit{Action: "test.write", ObjectType: "test", ObjectID: uint64(i + 1)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SealAudit(bg, 100); err != nil {
			t.Fatal(err)
		}
		db := s.Tx(bg)
		// Swap the positions of entries 2 and 3 (through a free value, as seq is unique).
		db.Exec("UPDATE audit_seals SET seq = 1000 WHERE seq = 2")
		db.Exec("UPDATE audit_seals SET seq = 2 WHERE seq = 3")
		db.Exec("UPDATE audit_seals SET seq = 3 WHERE seq = 1000")
		_, _, problem, err := s.VerifyAudit(bg)
		if err != nil || problem == nil || problem.Seq != 2 {
			t.Fatalf("reorder: %v %v", problem, err)
		}
	})
}

// The seal of a deleted last entry remains: the deletion is found although
// no entry follows it.
func TestAuditTailDeletionDetected(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		for i := 0; i < 3; i++ {
			if err := s.Record(bg, models.Audit{Action: "test.write", ObjectType: "test", ObjectID: uint64(i + 1)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SealAudit(bg, 100); err != nil {
			t.Fatal(err)
		}
		if _, _, problem, err := s.VerifyAudit(bg); err != nil || problem != nil {
			t.Fatalf("whole chain: %v %v", problem, err)
		}
		s.Tx(bg).Exec("DELETE FROM audit_entries WHERE id = (SELECT entry_id FROM audit_seals WHERE seq = 3)")
		checked, _, problem, err := s.VerifyAudit(bg)
		if err != nil || problem == nil || problem.Seq != 3 || problem.Reason != "gap" || checked != 2 {
			t.Fatalf("tail deletion: checked %d, %v %v", checked, problem, err)
		}
	})
}

// An entry deleted between its commit and its seal never enters the chain;
// the sealer records the loss, and verification reports it.
func TestAuditLossBeforeSealDetected(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		var ids []uint64
		for i := 0; i < 3; i++ {
			if err := s.Record(bg, models.Audit{Action: "test.write", ObjectType: "test", ObjectID: uint64(i + 1)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Tx(bg).Raw("SELECT id FROM audit_entries ORDER BY id").Scan(&ids).Error; err != nil || len(ids) < 3 {
			t.Fatalf("%v %v", ids, err)
		}
		gone := ids[len(ids)-2]
		if err := s.Tx(bg).Exec("DELETE FROM audit_entries WHERE id = ?", gone).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.SealAudit(bg, 100); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SealAudit(bg, 100); err != nil { // the loss entry itself
			t.Fatal(err)
		}
		var pending int64
		s.Tx(bg).Raw("SELECT COUNT(*) FROM audit_pending").Scan(&pending)
		if pending != 0 {
			t.Fatalf("%d entries still queued", pending)
		}
		checked, unsealed, problem, err := s.VerifyAudit(bg)
		if err != nil || problem == nil || problem.Reason != "lost" || problem.EntryID != gone || problem.Seq != int64(len(ids)) || unsealed != 0 {
			t.Fatalf("loss before sealing: checked %d, unsealed %d, %+v %v", checked, unsealed, problem, err)
		}
		var lost models.AuditEntry
		if err := s.Tx(bg).Where("action = ?", "audit.lost").First(&lost).Error; err != nil || lost.Result != models.ResultFailed {
			t.Fatalf("the loss entry: %+v %v", lost, err)
		}
	})
}

// TestAuditActionsListsEachOnce: the console's action filter offers every
// action in the trail once, in order, as a DISTINCT would, and nothing for
// an empty trail.
func TestAuditActionsListsEachOnce(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, _ *modeltest.Clock) {
		if err := s.Tx(bg).Exec("DELETE FROM audit_pending").Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(bg).Exec("DELETE FROM audit_entries").Error; err != nil {
			t.Fatal(err)
		}
		if got, err := s.AuditActions(bg); err != nil || len(got) != 0 {
			t.Fatalf("empty trail: %v, %v", got, err)
		}
		for _, a := range []string{"auth.login", "ballot.add_candidate", "auth.login", "account.unlock", "auth.logout", "auth.login", "account.unlock"} {
			if err := s.Record(bg, models.Audit{Action: a, ObjectType: "account"}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.AuditActions(bg)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		if err := s.Tx(bg).Raw("SELECT DISTINCT action FROM audit_entries ORDER BY action").Scan(&want).Error; err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != "account.unlock,auth.login,auth.logout,ballot.add_candidate" || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("actions %v, DISTINCT gives %v", got, want)
		}
	})
}

// TestChangeOwnPassword: the current password must match and the new one
// be valid and confirmed; a refusal names its field and changes nothing,
// and a change ends the account's sessions.
func TestChangeOwnPassword(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, _ *modeltest.Clock) {
		f := newFixture(t, s)
		tok, err := s.StartSession(bg, f.resident.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ current, pw, confirm, field, code string }{
			{"wrong-password", "new-password-9", "new-password-9", "current", "err.password_wrong"},
			{"password-1", "new-password-9", "new-password-8", "confirm", "err.password_mismatch"},
			{"password-1", "short", "short", "password", "err.password_too_short"},
			{"password-1", "12345678", "12345678", "password", "err.password_weak"},
			{"password-1", f.resident.Phone, f.resident.Phone, "password", "err.password_weak"},
		} {
			err := s.ChangeOwnPassword(bg, f.resident.ID, c.current, c.pw, c.confirm)
			var fe models.FieldErrors
			if !errors.As(err, &fe) || fe[c.field] != c.code || len(fe) != 1 {
				t.Fatalf("%+v: %v, want %s on %s alone", c, err, c.code, c.field)
			}
		}
		if _, err := s.Authenticate(bg, f.resident.Phone, "password-1"); err != nil {
			t.Fatalf("a refused change changed the password: %v", err)
		}
		if err := s.ChangeOwnPassword(bg, f.resident.ID, "password-1", "new-password-9", "new-password-9"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(bg, f.resident.Phone, "new-password-9"); err != nil {
			t.Fatalf("new password refused: %v", err)
		}
		if _, err := s.ResumeSession(bg, tok); !errors.Is(err, models.ErrSessionExpired) {
			t.Fatalf("session after the change: %v", err)
		}
	})
}

// TestChangeOwnPasswordLockout: the current password on the profile counts
// towards the sign-in lockout, so a session alone cannot guess it without
// limit. A right one clears the count; while locked, even the right one is
// refused and the password stays; the lock runs out as a sign-in lock does.
func TestChangeOwnPasswordLockout(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		id := f.resident.ID
		change := func(current, pw string) string {
			t.Helper()
			err := s.ChangeOwnPassword(bg, id, current, pw, pw)
			if err == nil {
				return ""
			}
			var fe models.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("change with %q: %v", current, err)
			}
			return fe["current"]
		}
		wrong := func(n int) {
			t.Helper()
			for i := range n {
				if got := change("guess-"+strconv.Itoa(i), "new-password-9"); got != "err.password_wrong" {
					t.Fatalf("wrong guess %d: %q", i+1, got)
				}
			}
		}
		// Four wrong guesses, then the right password (with a new one too
		// short, so nothing changes) clears the count: four more do not lock.
		wrong(models.MaxFailedLogins - 1)
		if got := change("password-1", "short"); got != "" {
			t.Fatalf("right current password: %q", got)
		}
		wrong(models.MaxFailedLogins - 1)
		if _, err := s.Authenticate(bg, f.resident.Phone, "password-1"); err != nil {
			t.Fatalf("sign-in before the lock: %v", err) // clears the count again
		}
		wrong(models.MaxFailedLogins - 1)
		if got := change("guess-last", "new-password-9"); got != "err.password_locked" {
			t.Fatalf("fifth wrong guess: %q", got)
		}
		if got := change("password-1", "new-password-9"); got != "err.password_locked" {
			t.Fatalf("right password while locked: %q", got)
		}
		if _, err := s.Authenticate(bg, f.resident.Phone, "password-1"); !errors.Is(err, models.ErrAccountLocked) {
			t.Fatalf("sign-in while locked: %v", err)
		}
		var n int64
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND result = ?", "account.password", models.ResultFailed).Count(&n)
		if n != int64(3*(models.MaxFailedLogins-1)) {
			t.Fatalf("failed password-change entries = %d", n)
		}
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND result = ?", "account.password", models.ResultDenied).Count(&n)
		if n != 2 { // the locking guess and the attempt while locked
			t.Fatalf("denied password-change entries = %d", n)
		}
		s.Tx(bg).Model(&models.AuditEntry{}).Where("action = ? AND detail LIKE ?", "account.password", "%guess%").Count(&n)
		if n != 0 {
			t.Fatal("a password reached the audit trail")
		}
		clock.Advance(models.LockoutDuration)
		if got := change("password-1", "new-password-9"); got != "" {
			t.Fatalf("after the lock ran out: %q", got)
		}
		if _, err := s.Authenticate(bg, f.resident.Phone, "new-password-9"); err != nil {
			t.Fatalf("new password refused: %v", err)
		}
	})
}
