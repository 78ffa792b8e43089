// Package notices holds the pages of notices (公示): the public bulletin, a
// notice with its objections and answers, its A4 print sheet, and the
// console pages where staff write, publish and withdraw notices and answer
// objections.
package notices
