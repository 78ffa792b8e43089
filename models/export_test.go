package models

// AnyOf exposes anyOf to the external tests, which need a database.
func (s *Store) AnyOf(col string, vals []string) (string, any) { return s.anyOf(col, vals) }
