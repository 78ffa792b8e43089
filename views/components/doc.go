// Package components holds the small pieces every page uses: form fields,
// the CSRF field, flash messages, empty states and the pager.
package components
