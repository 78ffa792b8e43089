package models_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"yishi/models"
	"yishi/models/modeltest"
)

func countRows(t *testing.T, s *models.Store, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.Tx(bg).Model(model).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestVerificationRequestApproveReject(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		me := principal(t, s, f.resident.ID)

		// Only a household can be asked for, with a name.
		if _, err := s.RequestVerification(bg, me, f.building.ID, "居民"); !hasField(err, "household") {
			t.Fatalf("building accepted: %v", err)
		}
		if _, err := s.RequestVerification(bg, me, f.hh1.ID, " "); !hasField(err, "name") {
			t.Fatalf("blank name accepted: %v", err)
		}
		reg, err := s.RequestVerification(bg, me, f.hh1.ID, "王居民")
		if err != nil {
			t.Fatal(err)
		}
		if _, pending, _ := s.Residency(bg, f.resident.ID); !pending {
			t.Fatal("request not pending")
		}
		if _, err := s.RequestVerification(bg, me, f.hh2.ID, "王居民"); !errors.Is(err, models.ErrRegistrationOpen) {
			t.Fatalf("second pending request: %v", err)
		}

		// Staff of the other community neither see nor decide it.
		rows, total, err := s.Registrations(bg, f.staff2, models.RegistrationQuery{})
		if err != nil || total != 0 || len(rows) != 0 {
			t.Fatalf("staff2 sees %d: %v", total, err)
		}
		if _, err := s.Registration(bg, f.staff2, reg.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 reads: %v", err)
		}
		if err := s.ApproveRegistration(bg, f.staff2, reg.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 approves: %v", err)
		}
		if err := s.RejectRegistration(bg, f.staff2, reg.ID, "不认识"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 rejects: %v", err)
		}
		if _, _, err := s.Registrations(bg, me, models.RegistrationQuery{}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a resident lists requests: %v", err)
		}
		rows, total, err = s.Registrations(bg, f.staff1, models.RegistrationQuery{})
		if err != nil || total != 1 || rows[0].ID != reg.ID || rows[0].AccountPhone != f.resident.Phone || rows[0].HouseholdLabel != "一社区 / 小区 / 1号楼 / 101" {
			t.Fatalf("staff1 list %d %+v: %v", total, rows, err)
		}

		// Rejecting needs a reason; the applicant sees it.
		if err := s.RejectRegistration(bg, f.staff1, reg.ID, "  "); !hasField(err, "reason") {
			t.Fatalf("reject without reason: %v", err)
		}
		if err := s.RejectRegistration(bg, f.staff1, reg.ID, "姓名与户籍不符"); err != nil {
			t.Fatal(err)
		}
		last, err := s.LatestRegistration(bg, f.resident.ID)
		if err != nil || last.Status != models.RegistrationRejected || last.Reason != "姓名与户籍不符" || last.DecidedByID == nil {
			t.Fatalf("latest %+v: %v", last, err)
		}
		if err := s.ApproveRegistration(bg, f.staff1, reg.ID); !errors.Is(err, models.ErrRegistrationFinal) {
			t.Fatalf("approve after reject: %v", err)
		}

		// A second request is approved and linked to the roster entry that
		// has the account's phone number.
		entry, err := s.AddResident(bg, f.staff1, f.hh1.ID, models.ResidentInput{Name: "王某", Phone: f.resident.Phone, BirthYear: 1960, IsHead: true})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		reg2, err := s.RequestVerification(bg, me, f.hh1.ID, "王居民")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ApproveRegistration(bg, f.staff1, reg2.ID); err != nil {
			t.Fatal(err)
		}
		hh, pending, err := s.Residency(bg, f.resident.ID)
		if err != nil || hh == nil || hh.ID != f.hh1.ID || pending {
			t.Fatalf("residency %v %v %v", hh, pending, err)
		}
		if n := countRows(t, s, &models.Resident{}, "household_id = ?", f.hh1.ID); n != 1 {
			t.Fatalf("%d roster entries: the phone match should have been used", n)
		}
		if n := countRows(t, s, &models.Resident{}, "id = ? AND account_id = ?", entry.ID, f.resident.ID); n != 1 {
			t.Fatal("roster entry not linked to the account")
		}
		if err := s.ApproveRegistration(bg, f.staff1, reg2.ID); !errors.Is(err, models.ErrRegistrationFinal) {
			t.Fatalf("approve twice: %v", err)
		}
		if _, err := s.RequestVerification(bg, principal(t, s, f.resident.ID), f.hh2.ID, "王居民"); !errors.Is(err, models.ErrAlreadyResident) {
			t.Fatalf("a verified resident asks again: %v", err)
		}
		for _, action := range []string{"registration.request", "registration.reject", "registration.approve"} {
			if n := countRows(t, s, &models.AuditEntry{}, "action = ?", action); n == 0 {
				t.Errorf("no audit entry for %s", action)
			}
		}
	})
}

func hasField(err error, field string) bool {
	var fe models.FieldErrors
	return errors.As(err, &fe) && fe[field] != ""
}

func TestInviteSingleUseExpiryAndGuessing(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		if _, _, err := s.CreateInvite(bg, f.staff2, f.hh1.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 prints a code for community 1: %v", err)
		}
		if _, _, err := s.CreateInvite(bg, f.staff1, f.building.ID); !hasField(err, "household") {
			t.Fatalf("code for a building: %v", err)
		}
		code, inv, err := s.CreateInvite(bg, f.staff1, f.hh1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) < 8 || inv.CodeHash == code || inv.CodeHash != models.HashInviteCode(code) || inv.Hint != code[len(code)-2:] {
			t.Fatalf("code %q stored as %+v", code, inv)
		}
		if n := countRows(t, s, &models.InviteCode{}, "code_hash = ?", code); n != 0 {
			t.Fatal("the code itself is stored")
		}

		// Typed with a dash and in lower case, it works once.
		me := principal(t, s, f.resident.ID)
		hh, err := s.RedeemInvite(bg, me, bytesLower(models.FormatInviteCode(code)))
		if err != nil || hh.ID != f.hh1.ID {
			t.Fatalf("redeem: %v %v", hh, err)
		}
		if got, _, _ := s.Residency(bg, f.resident.ID); got == nil || got.ID != f.hh1.ID {
			t.Fatal("not verified after redeeming")
		}
		other := principal(t, s, mustAccount(t, s, "13900000005", "邻居").ID)
		if _, err := s.RedeemInvite(bg, other, code); !errors.Is(err, models.ErrInviteInvalid) {
			t.Fatalf("second use: %v", err)
		}

		// An expired code is refused.
		old, _, err := s.CreateInvite(bg, f.staff1, f.hh2.ID)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(models.InviteCodeValid + time.Minute)
		if _, err := s.RedeemInvite(bg, other, old); !errors.Is(err, models.ErrInviteInvalid) {
			t.Fatalf("expired code: %v", err)
		}

		// Guessing: after MaxInviteFailures wrong codes in the window even a
		// right code is refused, until the window has passed.
		guesser := principal(t, s, mustAccount(t, s, "13900000006", "猜码人").ID)
		good, _, err := s.CreateInvite(bg, f.staff1, f.hh2.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < models.MaxInviteFailures; i++ {
			if _, err := s.RedeemInvite(bg, guesser, "ZZZZZ2222"+string(rune('2'+i))); !errors.Is(err, models.ErrInviteInvalid) {
				t.Fatalf("guess %d: %v", i, err)
			}
			clock.Advance(time.Minute)
		}
		if n, err := s.InviteFailures(bg, guesser.Account.ID); err != nil || n != models.MaxInviteFailures {
			t.Fatalf("%d failures recorded: %v", n, err)
		}
		if _, err := s.RedeemInvite(bg, guesser, good); !errors.Is(err, models.ErrInviteTooMany) {
			t.Fatalf("after too many guesses: %v", err)
		}
		clock.Advance(models.InviteGuessWindow)
		if hh, err := s.RedeemInvite(bg, guesser, good); err != nil || hh.ID != f.hh2.ID {
			t.Fatalf("after the window: %v %v", hh, err)
		}
	})
}

func bytesLower(s string) string { return string(bytes.ToLower([]byte(s))) }

func TestRosterEditsAndScopes(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		if _, err := s.AddResident(bg, f.staff2, f.hh1.ID, models.ResidentInput{Name: "张三"}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 adds in community 1: %v", err)
		}
		if _, err := s.AddResident(bg, f.staff1, f.hh1.ID, models.ResidentInput{Name: "张三", Phone: "123"}); !hasField(err, "phone") {
			t.Fatalf("bad phone: %v", err)
		}
		r, err := s.AddResident(bg, f.staff1, f.hh1.ID, models.ResidentInput{Name: "张三", Phone: "13912345678", BirthYear: 1970, IsHead: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddResident(bg, f.staff1, f.hh2.ID, models.ResidentInput{Name: "李四"}); err != nil {
			t.Fatal(err)
		}
		rows, total, err := s.Roster(bg, f.staff1, models.RosterQuery{PlaceID: f.com1.ID, Search: "张"})
		if err != nil || total != 1 || rows[0].ID != r.ID || rows[0].HouseholdLabel != "一社区 / 小区 / 1号楼 / 101" {
			t.Fatalf("search %d %+v: %v", total, rows, err)
		}
		if _, total, _ := s.Roster(bg, f.staff1, models.RosterQuery{PlaceID: f.building.ID, PerPage: 1, Page: 2}); total != 2 {
			t.Fatalf("building roster total %d", total)
		}
		if _, _, err := s.Roster(bg, f.staff2, models.RosterQuery{PlaceID: f.com1.ID}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 browses community 1: %v", err)
		}
		if _, err := s.UpdateResident(bg, f.staff2, r.ID, models.ResidentInput{Name: "改名"}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 edits: %v", err)
		}
		if _, err := s.UpdateResident(bg, f.staff1, r.ID, models.ResidentInput{Name: "张三丰", BirthYear: 1971}); err != nil {
			t.Fatal(err)
		}
		_, rs, err := s.HouseholdRoster(bg, f.staff1, f.hh1.ID)
		if err != nil || len(rs) != 1 || rs[0].Name != "张三丰" || rs[0].IsHead || rs[0].Phone != "" || rs[0].BirthYear != 1971 {
			t.Fatalf("after edit %+v: %v", rs, err)
		}

		// Removing the entry of a verified resident ends the verification.
		code, _, err := s.CreateInvite(bg, f.staff1, f.hh1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RedeemInvite(bg, principal(t, s, f.resident.ID), code); err != nil {
			t.Fatal(err)
		}
		var linked models.Resident
		if err := s.Tx(bg).Where("account_id = ?", f.resident.ID).First(&linked).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveResident(bg, f.staff2, linked.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 removes: %v", err)
		}
		if err := s.RemoveResident(bg, f.staff1, linked.ID); err != nil {
			t.Fatal(err)
		}
		if hh, _, _ := s.Residency(bg, f.resident.ID); hh != nil {
			t.Fatal("still verified after removal from the roster")
		}
		if n := countRows(t, s, &models.AuditEntry{}, "action IN ?", []string{"resident.add", "resident.update", "resident.remove"}); n != 4 {
			t.Fatalf("%d roster audit entries", n)
		}
	})
}

func TestImportAllOrNothing(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		rows := []models.RosterRow{
			{Line: 2, Community: "一社区", Compound: "小区", Building: "1号楼", Household: "101", Name: "赵一", Phone: "13911111111", IsHead: true},
			{Line: 3, Community: "一社区", Compound: "小区", Building: "1号楼", Household: "999", Name: "钱二"},
			{Line: 4, Community: "一社区", Compound: "小区", Building: "1号楼", Household: "102", Name: "孙三"},
		}
		if _, err := s.PreviewImport(bg, f.staff2, f.com1.ID, "a.csv", rows); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 imports into community 1: %v", err)
		}
		// From community 2 the households of community 1 do not exist.
		imp2, err := s.PreviewImport(bg, f.staff2, f.com2.ID, "a.csv", append([]models.RosterRow(nil), rows...))
		if err != nil || imp2.ErrorCount != 3 {
			t.Fatalf("staff2 preview in own scope: %d errors, %v", imp2.ErrorCount, err)
		}
		imp, err := s.PreviewImport(bg, f.staff1, f.com1.ID, "a.csv", rows)
		if err != nil {
			t.Fatal(err)
		}
		if imp.RowCount != 3 || imp.ErrorCount != 1 {
			t.Fatalf("preview %+v", imp)
		}
		_, got, err := s.Import(bg, f.staff1, imp.ID)
		if err != nil || len(got) != 3 || got[1].Errors[0] != "err.import_household_unknown" || got[0].HouseholdID != f.hh1.ID || len(got[0].Errors) != 0 {
			t.Fatalf("stored rows %+v: %v", got, err)
		}
		if _, _, err := s.Import(bg, f.staff2, imp.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 reads the import: %v", err)
		}
		if _, err := s.CommitImport(bg, f.staff2, imp.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 commits: %v", err)
		}
		if _, err := s.CommitImport(bg, f.staff1, imp.ID); !errors.Is(err, models.ErrImportHasErrors) {
			t.Fatalf("commit with a bad row: %v", err)
		}
		if n := countRows(t, s, &models.Resident{}, "1 = 1"); n != 0 {
			t.Fatalf("%d residents half-imported", n)
		}
		if n := countRows(t, s, &models.AuditEntry{}, "action = ?", "roster.import"); n != 0 {
			t.Fatal("a failed import was recorded as done")
		}
		// The same rows are checked again at commit: a duplicate that appeared
		// after the preview stops the import too.
		good := []models.RosterRow{rows[0], rows[2]}
		good[0].Errors, good[1].Errors = nil, nil
		imp, err = s.PreviewImport(bg, f.staff1, f.com1.ID, "b.csv", good)
		if err != nil || imp.ErrorCount != 0 {
			t.Fatalf("clean preview: %+v %v", imp, err)
		}
		if _, err := s.AddResident(bg, f.staff1, f.hh2.ID, models.ResidentInput{Name: "孙三"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CommitImport(bg, f.staff1, imp.ID); !errors.Is(err, models.ErrImportHasErrors) {
			t.Fatalf("commit after a duplicate appeared: %v", err)
		}
		if n := countRows(t, s, &models.Resident{}, "1 = 1"); n != 1 {
			t.Fatalf("%d residents", n)
		}
	})
}

func TestImportThenExportRoundTrip(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		var buf bytes.Buffer
		in := []models.RosterRow{
			{Community: "一社区", Compound: "小区", Building: "1号楼", Household: "101", Name: "赵一", Phone: "13911111111", BirthYear: 1950, IsHead: true},
			{Community: "一社区", Compound: "小区", Building: "1号楼", Household: "101", Name: "赵小一", BirthYear: 2015},
			{Community: "一社区", Compound: "小区", Building: "1号楼", Household: "102", Name: "孙三", Phone: "13933333333", IsHead: true},
		}
		if err := models.WriteRosterXLSX(&buf, in); err != nil {
			t.Fatal(err)
		}
		rows, err := models.ReadRosterXLSX(&buf, s.Now())
		if err != nil {
			t.Fatal(err)
		}
		imp, err := s.PreviewImport(bg, f.staff1, f.com1.ID, "名册.xlsx", rows)
		if err != nil || imp.ErrorCount != 0 {
			t.Fatalf("preview %+v: %v", imp, err)
		}
		n, err := s.CommitImport(bg, f.staff1, imp.ID)
		if err != nil || n != 3 {
			t.Fatalf("commit %d: %v", n, err)
		}
		if _, err := s.CommitImport(bg, f.staff1, imp.ID); !errors.Is(err, models.ErrImportCommitted) {
			t.Fatalf("commit twice: %v", err)
		}
		if _, err := s.RosterExport(bg, f.staff2, f.com1.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff2 exports community 1: %v", err)
		}
		out, err := s.RosterExport(bg, f.staff1, f.com1.ID)
		if err != nil || len(out) != 3 {
			t.Fatalf("export %d: %v", len(out), err)
		}
		buf.Reset()
		if err := models.WriteRosterCSV(&buf, out); err != nil {
			t.Fatal(err)
		}
		back, err := models.ReadRosterCSV(&buf, s.Now())
		if err != nil {
			t.Fatal(err)
		}
		for i := range in {
			b := back[i]
			b.Line, b.Errors = 0, nil
			if !reflect.DeepEqual(b, in[i]) {
				t.Errorf("row %d: %+v, want %+v", i, b, in[i])
			}
		}
		// Importing the export again would duplicate everyone: every row is refused.
		imp, err = s.PreviewImport(bg, f.staff1, f.com1.ID, "again.csv", back)
		if err != nil || imp.ErrorCount != 3 {
			t.Fatalf("re-import %+v: %v", imp, err)
		}
		if n := countRows(t, s, &models.AuditEntry{}, "action IN ?", []string{"roster.preview", "roster.import", "roster.export"}); n != 4 {
			t.Fatalf("%d import/export audit entries", n)
		}
	})
}
