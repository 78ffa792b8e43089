package views_test

import (
	"math"
	"testing"

	"yishi/views"
)

func TestItoa(t *testing.T) {
	type fen int64
	for _, c := range []struct {
		got, want string
	}{
		{views.Itoa(0), "0"},
		{views.Itoa(-42), "-42"},
		{views.Itoa(int32(math.MinInt32)), "-2147483648"},
		{views.Itoa(uint64(math.MaxUint64)), "18446744073709551615"},
		{views.Itoa(fen(123456)), "123456"},
		{views.Itoa(uint(7)), "7"},
	} {
		if c.got != c.want {
			t.Errorf("Itoa gave %q, want %q", c.got, c.want)
		}
	}
}
