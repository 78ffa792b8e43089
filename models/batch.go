package models

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// batcher gathers concurrent calls into batches, with no timer: a call
// that finds no batch running runs one at once with itself and every call
// queued meanwhile; when its batch is done it wakes the calls of that batch
// and hands its lane, with the next batch, to the first call that queued
// during it. Under no load a call runs alone, without waiting; under load
// one round trip to the database serves many requests.
//
// While a batch runs, a further lane (up to lanes) opens once spill calls
// are queued: the call that makes them spill runs them as a batch of its
// own instead of waiting for the running one. Each batch pays a fixed cost
// (a round trip, starting the executor, for votes a commit), so a lane
// that opened for every queued call would split the work into small
// batches; one that opens only when many wait keeps batches large and
// still lets a second batch run while the first waits on the database (see
// NewStore).
type batcher[T any] struct {
	max     int // largest batch (0: no limit)
	lanes   int // batches that may run at once (at least 1)
	spill   int // calls queued behind a running batch that open a further lane (0: one; at most max)
	mu      sync.Mutex
	pending []*batchCall[T]
	running int // batches running
}

type batchCall[T any] struct {
	v T
	// wake receives the batch this call is to run (it is the batch's
	// first call), or nil once another call ran the batch holding it.
	wake chan []*batchCall[T]
}

// batched runs v through q, or alone inside the caller's transaction when
// ctx carries one: a batch must neither put other requests' work into a
// caller's transaction nor miss what that transaction wrote.
func batched[T any](ctx context.Context, q *batcher[T], v T, run func(context.Context, []T)) {
	if inTx(ctx) {
		run(ctx, []T{v})
		return
	}
	q.do(v, func(batch []T) { run(ctx, batch) })
}

// take slices the next batch off the queue; q.mu is held.
func (q *batcher[T]) take() []*batchCall[T] {
	n := len(q.pending)
	if q.max > 0 {
		n = min(n, q.max)
	}
	calls := q.pending[:n:n]
	q.pending = append([]*batchCall[T](nil), q.pending[n:]...)
	return calls
}

// do queues v and returns once run(batch) returned for the batch that held
// v; run sets each item's results (T is a pointer type).
func (q *batcher[T]) do(v T, run func([]T)) {
	me := &batchCall[T]{v: v, wake: make(chan []*batchCall[T], 1)}
	q.mu.Lock()
	q.pending = append(q.pending, me)
	var calls []*batchCall[T]
	// The call that makes the queue spill runs the first max of it, and
	// must be among them: a spill above max counts as max.
	spill := q.spill
	if q.max > 0 {
		spill = min(spill, q.max)
	}
	if q.running >= max(q.lanes, 1) || (q.running > 0 && len(q.pending) < spill) {
		q.mu.Unlock()
		if calls = <-me.wake; calls == nil {
			return
		}
	} else {
		q.running++
		calls = q.take()
		q.mu.Unlock()
	}

	batch := make([]T, len(calls))
	for i, c := range calls {
		batch[i] = c.v
	}
	run(batch)

	q.mu.Lock()
	if len(q.pending) > 0 {
		next := q.take()
		next[0].wake <- next // the lane passes on
	} else {
		q.running--
	}
	q.mu.Unlock()
	for _, c := range calls {
		if c != me {
			c.wake <- nil
		}
	}
}

// anyOf is the condition "col is one of vals" for a batch's query. On
// PostgreSQL it is "col = ANY($n)" with the values as one array parameter,
// whatever the batch's size, so the prepared statement and its plan are
// reused, where an IN list of each length would be parsed and planned
// anew. The array travels as its text form, which PostgreSQL reads once
// when the statement is bound (the parameter's type is the column's array
// type); on SQLite it is an IN list.
func (s *Store) anyOf(col string, vals []string) (string, any) {
	if s.db.Dialector.Name() == "postgres" {
		return col + " = ANY(?)", textArray(padPlanned(vals))
	}
	return col + " IN ?", vals
}

// anyOfIDs is anyOf for integer keys.
func (s *Store) anyOfIDs(col string, ids []uint64) (string, any) {
	if s.db.Dialector.Name() == "postgres" {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = strconv.FormatUint(id, 10)
		}
		return col + " = ANY(?)", "{" + strings.Join(padPlanned(parts), ",") + "}"
	}
	return col + " IN ?", ids
}

// textArray is vals as a PostgreSQL array literal, every element quoted.
func textArray(vals []string) string {
	n := 2
	for _, v := range vals {
		n += len(v) + 3
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		if strings.ContainsAny(v, `"\`) {
			for j := 0; j < len(v); j++ {
				if v[j] == '"' || v[j] == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(v[j])
			}
		} else {
			b.WriteString(v)
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// plannedLen is the fewest values anyOf sends to PostgreSQL.
//
// A prepared statement is planned for its first five runs with the values
// at hand (custom plans); after that PostgreSQL keeps one generic plan only
// if that plan is estimated no dearer than the custom ones were. A generic
// plan takes an array parameter for 10 values, so a batch of fewer values
// made the custom plans look cheaper, and then every run was planned anew:
// for the session look-up that every request makes, planning took longer
// than running (pg_stat_statements: 160 µs a call). Padding the list to
// more than 10 values with copies of one of them keeps the estimates of
// custom plans above the generic one, so the generic plan is kept. The
// copies cost nothing at run time: an index scan drops duplicate keys, and
// "= ANY" is a filter, so no row is returned twice.
const plannedLen = 16

// padPlanned returns vals padded to plannedLen with copies of its first
// value; an empty list stays empty.
func padPlanned(vals []string) []string {
	if len(vals) == 0 || len(vals) >= plannedLen {
		return vals
	}
	out := make([]string, plannedLen)
	n := copy(out, vals)
	for i := n; i < plannedLen; i++ {
		out[i] = vals[0]
	}
	return out
}

// hotRows runs a query that every request makes (a batch's look-up) and
// returns its rows. On PostgreSQL it goes straight to the pool, its "?"
// placeholders numbered: gorm's building of the statement cost more than
// the query itself, and none of its features are needed for a fixed text
// with plain parameters. On SQLite it goes through gorm, which spells out
// the IN lists of anyOf.
func (s *Store) hotRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s.db.Dialector.Name() != "postgres" {
		return s.conn(ctx).Raw(query, args...).Rows()
	}
	return s.conn(ctx).Statement.ConnPool.QueryContext(ctx, numbered(query), args...)
}

// numberedQueries remembers each hot query with its placeholders
// numbered: the texts are few and fixed, and they are asked for on every
// request.
var numberedQueries sync.Map // string → string

// numbered is query with its "?" placeholders written $1, $2, …
func numbered(query string) string {
	if q, ok := numberedQueries.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	numberedQueries.Store(query, b.String())
	return b.String()
}
