package migrations

import "testing"

// TestStepsAscend: versions strictly ascend, so Up never skips a step that
// sits below one already applied.
func TestStepsAscend(t *testing.T) {
	for i := 1; i < len(steps); i++ {
		if steps[i].Version <= steps[i-1].Version {
			t.Fatalf("step %d (version %d) does not come after version %d", i, steps[i].Version, steps[i-1].Version)
		}
	}
}
