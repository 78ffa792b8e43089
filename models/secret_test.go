package models_test

import (
	"bytes"
	"sync"
	"testing"

	"yishi/models"
	"yishi/models/modeltest"
)

// TestSecretSharedAcrossStores: processes of one site (stores on one
// database) that ask for a secret at the same time, for the first time,
// all get the same 32 bytes, and a later process reads them back.
func TestSecretSharedAcrossStores(t *testing.T) {
	modeltest.ForEach(t, func(t *testing.T, s *models.Store, clock *modeltest.Clock) {
		const n = 8
		keys := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				keys[i], errs[i] = models.NewStore(s.DB(), clock.Now).Secret(bg, "kiosk")
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || len(keys[i]) != 32 || !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("store %d: %x %v (first %x)", i, keys[i], errs[i], keys[0])
			}
		}
		later, err := s.Secret(bg, "kiosk")
		if err != nil || !bytes.Equal(later, keys[0]) {
			t.Fatalf("read back: %x %v", later, err)
		}
		other, err := s.Secret(bg, "other")
		if err != nil || bytes.Equal(other, keys[0]) {
			t.Fatalf("another secret: %x %v", other, err)
		}
	})
}
