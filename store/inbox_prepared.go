package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// maxPreparedGroup is the largest group whose statement is prepared. The
// group statement of n rows takes PostgreSQL longer to parse and plan than
// to run; prepared, each execution reuses its plan (bench ingest: its CPU
// per webhook 246 → 133 µs, BENCHMARKS.md). Every connection holds its own
// copy of each (all 16 with their plans: about 3 MB of the backend's
// memory), so larger, rarer groups are sent unprepared.
const maxPreparedGroup = 16

// preparedInserts holds the group statements prepared on PostgreSQL, by
// rows. database/sql prepares each on a connection the first time it runs
// there.
type preparedInserts struct {
	off   atomic.Bool // never, or no longer: send statements unprepared
	mu    sync.Mutex
	stmts map[int]*sqlx.Stmt
}

// insertStmt is the prepared group statement for n rows, or nil: the
// caller then sends the statement unprepared. A failed prepare is not
// fatal; the group is written the plain way, and if PostgreSQL refused the
// PREPARE itself (a pooler's server connection already holding a statement
// of that name: 42P05), this DB stops preparing.
func (d *DB) insertStmt(ctx context.Context, n int) *sqlx.Stmt {
	p := d.prepared
	if d.dialect != Postgres || n > maxPreparedGroup || p.off.Load() {
		return nil
	}
	p.mu.Lock()
	s := p.stmts[n]
	p.mu.Unlock()
	if s != nil {
		return s
	}
	s, err := d.db.PreparexContext(ctx, d.insertInboxSQL(n)) // outside the lock: a round trip
	if err != nil {
		p.refused(err)
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old := p.stmts[n]; old != nil {
		s.Close()
		return old
	}
	if p.stmts == nil {
		p.stmts = map[int]*sqlx.Stmt{}
	}
	p.stmts[n] = s
	return s
}

// queryGroup runs the group statement for n rows with args, prepared when
// it can be. When PostgreSQL refuses a prepared statement — missing (26000)
// or named twice (42P05), as behind a pooler that does not keep prepared
// statements, or stale after a schema change (0A000, "cached plan must not
// change result type") — the failed statement changed nothing, so it is
// sent again unprepared and this DB stops preparing.
func (d *DB) queryGroup(ctx context.Context, n int, args []any) (*sqlx.Rows, error) {
	if st := d.insertStmt(ctx, n); st != nil {
		rows, err := st.QueryxContext(ctx, args...)
		if !d.prepared.refused(err) {
			return rows, err
		}
	}
	return d.db.QueryxContext(ctx, d.insertInboxSQL(n), args...)
}

// refused reports whether err is PostgreSQL refusing a prepared statement,
// and if so stops preparing: the one place that decides it.
func (p *preparedInserts) refused(err error) bool {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "26000", "42P05", "0A000":
		p.off.Store(true)
		return true
	}
	return false
}

// closePrepared closes the prepared statements.
func (d *DB) closePrepared() {
	d.prepared.mu.Lock()
	defer d.prepared.mu.Unlock()
	for _, s := range d.prepared.stmts {
		s.Close()
	}
	d.prepared.stmts = nil
}
