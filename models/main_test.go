package models_test

import (
	"testing"

	"yishi/models/modeltest"
)

// TestMain copies each test's database from one built per process.
func TestMain(m *testing.M) { modeltest.Main(m) }
