// Package councils holds the pages of deliberation councils (议事会): the
// list of councils and the form that sets one up, a council's page with its
// members, rules, topics and meetings, a topic's page with co-signing and
// the convener's decisions, and a meeting's page with its agenda (the
// partial htmx swaps when an item moves), pre-meeting research and the
// announcement.
package councils
