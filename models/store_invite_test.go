package models_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"yishi/models"
	"yishi/models/modeltest"
)

// TestRedeemInviteSettlesPendingRequest: an applicant who redeems a code
// while a verification request waits has the request settled, by nobody: it
// is approved when it named the code's household, withdrawn (never
// approved) when it named another. Staff then have neither left to decide.
func TestRedeemInviteSettlesPendingRequest(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		for i, c := range []struct {
			name  string
			asked models.Place
			want  models.RegistrationStatus
		}{
			{"same household", f.hh1, models.RegistrationApproved},
			{"another household", f.hh2, models.RegistrationWithdrawn},
		} {
			acct := mustAccount(t, s, fmt.Sprintf("1390000010%d", i), "申请人")
			me := principal(t, s, acct.ID)
			reg, err := s.RequestVerification(bg, me, c.asked.ID, "申请人")
			if err != nil {
				t.Fatal(err)
			}
			code, _, err := s.CreateInvite(bg, f.staff1, f.hh1.ID)
			if err != nil {
				t.Fatal(err)
			}
			if hh, err := s.RedeemInvite(bg, me, code); err != nil || hh.ID != f.hh1.ID {
				t.Fatalf("%s: redeem: %v %v", c.name, hh.ID, err)
			}
			var got models.Registration
			if err := s.Tx(bg).First(&got, reg.ID).Error; err != nil {
				t.Fatal(err)
			}
			if got.Status != c.want || got.DecidedByID != nil || got.DecidedAt == nil || !got.DecidedAt.Equal(clock.Now()) {
				t.Fatalf("%s: request left %s, decided by %v at %v; want %s by nobody now", c.name, got.Status, got.DecidedByID, got.DecidedAt, c.want)
			}
			if hh, pending, err := s.Residency(bg, acct.ID); err != nil || hh == nil || hh.ID != f.hh1.ID || pending {
				t.Fatalf("%s: residency %v, pending %v, %v", c.name, hh, pending, err)
			}
			if err := s.ApproveRegistration(bg, f.staff1, reg.ID); !errors.Is(err, models.ErrRegistrationFinal) {
				t.Fatalf("%s: staff approve the settled request: %v", c.name, err)
			}
			if n := countRows(t, s, &models.AuditEntry{}, "action = ? AND actor_id = ? AND detail = ?", "invite.redeem", acct.ID,
				fmt.Sprintf("registration %d %s", reg.ID, c.want)); n != 1 {
				t.Fatalf("%s: %d audit entries name the settled request", c.name, n)
			}
		}
		rows, total, err := s.Registrations(bg, f.staff1, models.RegistrationQuery{})
		if err != nil || total != 0 || len(rows) != 0 {
			t.Fatalf("pending requests left to decide: %d (%v)", total, err)
		}
		if n := countRows(t, s, &models.Registration{}, "status = ? AND household_id = ?", models.RegistrationApproved, f.hh2.ID); n != 0 {
			t.Fatal("a request for a household the applicant did not join was approved")
		}
	})
}

// TestApproveWhileRedeeming: staff approving an applicant's request at the
// moment the applicant redeems a code for another household leave them a
// resident of one household, with one resident grant: the one that came
// second is refused as already a resident (the unique account of a roster
// entry backs it on PostgreSQL, where both may pass the first check).
func TestApproveWhileRedeeming(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		f := newFixture(t, s)
		for round := range 8 {
			acct := mustAccount(t, s, fmt.Sprintf("139000002%02d", round), "申请人")
			me := principal(t, s, acct.ID)
			reg, err := s.RequestVerification(bg, me, f.hh2.ID, "申请人")
			if err != nil {
				t.Fatal(err)
			}
			code, _, err := s.CreateInvite(bg, f.staff1, f.hh1.ID)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var approveErr, redeemErr error
			wg.Go(func() { approveErr = s.ApproveRegistration(bg, f.staff1, reg.ID) })
			wg.Go(func() { _, redeemErr = s.RedeemInvite(bg, me, code) })
			wg.Wait()
			for _, err := range []error{approveErr, redeemErr} {
				if err != nil && !errors.Is(err, models.ErrAlreadyResident) && !errors.Is(err, models.ErrRegistrationFinal) {
					t.Fatalf("round %d: approve %v, redeem %v", round, approveErr, redeemErr)
				}
			}
			if (approveErr == nil) == (redeemErr == nil) {
				t.Fatalf("round %d: approve %v, redeem %v; want exactly one to succeed", round, approveErr, redeemErr)
			}
			if n := countRows(t, s, &models.RoleGrant{}, "account_id = ? AND role = ?", acct.ID, models.RoleResident); n != 1 {
				t.Fatalf("round %d: %d resident grants", round, n)
			}
		}
	})
}
