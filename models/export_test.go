package models

// AnyOf exposes anyOf to the external tests, which need a database.
func (s *Store) AnyOf(col string, vals []string) (string, any) { return s.anyOf(col, vals) }

// SetReceipts replaces the store's source of receipt codes, for tests of
// codes that collide.
func (s *Store) SetReceipts(f func() string) { s.receipt = f }
