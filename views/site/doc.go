// Package site holds the pages every user meets: home, sign-in,
// registration, profile, the console's front page and the error page.
package site
