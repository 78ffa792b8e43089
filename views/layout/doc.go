// Package layout is the page frame: head, header with navigation by role,
// display and language switches, sign-out, and footer.
package layout
