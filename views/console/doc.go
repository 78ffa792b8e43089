// Package console holds the staff console's pages for the place tree,
// roles, accounts and the audit trail.
package console
