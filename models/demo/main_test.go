package demo_test

import (
	"context"
	"testing"

	"yishi/models"
	"yishi/models/modeltest"
)

// TestMain copies each test's database from one built per process.
func TestMain(m *testing.M) { modeltest.Main(m) }

// principalOf loads the principal of the account with this phone number.
func principalOf(t *testing.T, s *models.Store, phone string) *models.Principal {
	t.Helper()
	ctx := context.Background()
	acct, err := s.AccountByPhone(ctx, phone)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.LoadPrincipal(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
