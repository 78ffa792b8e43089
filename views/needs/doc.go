// Package needs holds the pages of the needs list (需求清单): a resident's
// lists and filing form, a need's page with its timeline and the forms of
// the steps the viewer may take, and the staff console's needs, takers and
// category time limits.
package needs
