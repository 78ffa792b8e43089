// Package dashboard holds the needs dashboard (需求看板): the figures per
// community and per category for a period, as SVG charts and as tables,
// with links to their .xlsx downloads.
package dashboard
