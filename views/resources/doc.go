// Package resources holds the pages of the resources list (资源清单): the
// public list of verified offers, the registration form and the console's
// verification queue.
package resources
