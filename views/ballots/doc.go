// Package ballots holds the pages of micro-project ballots (民生微实事票决):
// the public list and ballot page with its vote form, confirmation step,
// receipt and results, and the staff console pages that define, run, close
// and publish a ballot, enter paper ballots and serve the kiosk.
package ballots
