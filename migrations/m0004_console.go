package migrations

import "gorm.io/gorm"

// m0004 makes sibling places unique by name: two "3号楼" in one compound
// could not be told apart on a ballot or a notice. The store refuses such a
// name first with a clear message; the index is the backstop against two
// staff adding the same place at once. (Roots have no parent, and NULLs
// never collide in a unique index, so the store alone guards them.)
func m0004(tx *gorm.DB) error {
	return tx.Exec(`CREATE UNIQUE INDEX ux_places_parent_name ON places (parent_id, name)`).Error
}
