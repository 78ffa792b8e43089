package models_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"yishi/models"
)

// TestPasswordHashesAreBounded: however many sign-ins arrive at once, no
// more password hashes run together than HashSlots, and every check still
// answers rightly.
func TestPasswordHashesAreBounded(t *testing.T) {
	hash, err := models.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	var running, most atomic.Int64
	restore := models.WrapKeyDerivation(func() {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
	}, func() { running.Add(-1) })
	defer restore()
	calls := 4*models.HashSlots() + 2
	var wg sync.WaitGroup
	var wrong atomic.Int64
	for i := range calls {
		wg.Go(func() {
			pw := "correct horse"
			if i%2 == 1 {
				pw = "wrong horse"
			}
			if models.CheckPassword(hash, pw) != (i%2 == 0) {
				wrong.Add(1)
			}
		})
	}
	wg.Wait()
	if wrong.Load() != 0 {
		t.Fatalf("%d of %d checks answered wrongly", wrong.Load(), calls)
	}
	// Other tests hash passwords at the same time, through the same
	// bound: the most at once counts theirs too, and never passes it.
	if m := most.Load(); m > int64(models.HashSlots()) || m < 1 {
		t.Fatalf("%d hashes at once, with %d slots", m, models.HashSlots())
	}
}
