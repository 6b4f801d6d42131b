package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// ClaimPending leases up to limit pending rows of the given kinds whose
// next attempt is due: it moves their next attempt lease into the future and
// counts the attempt, so another relay (or this one after a crash) takes a
// row again only when the lease has run out. On PostgreSQL the rows are
// locked with FOR UPDATE SKIP LOCKED, so replicas never wait on each other
// or claim the same row.
func (d *DB) ClaimPending(ctx context.Context, kinds []string, limit int, lease time.Duration) ([]InboxEvent, error) {
	lock := ""
	if d.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	now := d.now()
	q, args, err := sqlx.In(`UPDATE inbox SET next_attempt_at = ?, attempts = attempts + 1
WHERE id IN (SELECT id FROM inbox WHERE status = 'pending' AND kind IN (?) AND next_attempt_at <= ?
	ORDER BY id LIMIT ?`+lock+`)
RETURNING *`, now.Add(lease), kinds, now, limit)
	if err != nil {
		return nil, fmt.Errorf("claim pending inbox events: %w", err)
	}
	var out []InboxEvent
	if err := d.db.SelectContext(ctx, &out, d.db.Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("claim pending inbox events: %w", err)
	}
	slices.SortFunc(out, func(a, b InboxEvent) int { return int(a.ID - b.ID) })
	for i := range out {
		d.reveal(&out[i])
	}
	return out, nil
}

// MarkDispatched records that Temporal accepted the events, in one
// statement for a whole batch.
func (d *DB) MarkDispatched(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	q, args, err := sqlx.In(`UPDATE inbox SET status = 'dispatched', dispatched_at = ?,
	next_attempt_at = NULL, last_error = '' WHERE id IN (?) AND status = 'pending'`, d.now(), ids)
	if err == nil {
		_, err = d.db.ExecContext(ctx, d.db.Rebind(q), args...)
	}
	if err != nil {
		return fmt.Errorf("mark %d inbox events dispatched: %w", len(ids), err)
	}
	return nil
}

// RetryLater schedules another dispatch attempt at next and keeps the
// reason (an error category, never payload data).
func (d *DB) RetryLater(ctx context.Context, id int64, next time.Time, reason string) error {
	_, err := d.db.ExecContext(ctx, d.db.Rebind(`UPDATE inbox SET next_attempt_at = ?, last_error = ?
	WHERE id = ? AND status = 'pending'`), next.UTC(), reason, id)
	if err != nil {
		return fmt.Errorf("reschedule inbox event %d: %w", id, err)
	}
	return nil
}

// Quarantine takes a pending row out of dispatch for an operator to look at.
func (d *DB) Quarantine(ctx context.Context, id int64, reason string) error {
	_, err := d.db.ExecContext(ctx, d.db.Rebind(`UPDATE inbox SET status = 'quarantined', quarantine_reason = ?,
	next_attempt_at = NULL WHERE id = ? AND status = 'pending'`), reason, id)
	if err != nil {
		return fmt.Errorf("quarantine inbox event %d: %w", id, err)
	}
	return nil
}

// OldestPending returns when the oldest pending row of the given kinds was
// received; ok is false when none is pending.
func (d *DB) OldestPending(ctx context.Context, kinds []string) (at time.Time, ok bool, err error) {
	q, args, err := sqlx.In(`SELECT received_at FROM inbox WHERE status = 'pending' AND kind IN (?) ORDER BY id LIMIT 1`, kinds)
	if err != nil {
		return time.Time{}, false, err
	}
	var t sql.NullTime
	err = d.db.GetContext(ctx, &t, d.db.Rebind(q), args...)
	if err == sql.ErrNoRows {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("oldest pending inbox event: %w", err)
	}
	return t.Time, t.Valid, nil
}

// PendingCounts returns the number of pending rows per kind.
func (d *DB) PendingCounts(ctx context.Context) (map[string]int, error) {
	rows, err := d.db.QueryxContext(ctx, `SELECT kind, COUNT(*) FROM inbox WHERE status = 'pending' GROUP BY kind`)
	if err != nil {
		return nil, fmt.Errorf("count pending inbox events: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			kind string
			n    int
		)
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, fmt.Errorf("count pending inbox events: %w", err)
		}
		out[kind] = n
	}
	return out, rows.Err()
}

// Requeue makes a stored event pending again with fresh routing keys (an
// operator's redrive), due now.
func (d *DB) Requeue(ctx context.Context, id int64, r Routing) error {
	refs := r.ScanRefs
	if refs == nil {
		refs = []string{}
	}
	scanRefs, err := json.Marshal(refs)
	if err != nil {
		return fmt.Errorf("encode scanRefs: %w", err)
	}
	res, err := d.db.ExecContext(ctx, d.db.Rebind(`UPDATE inbox SET status = 'pending', quarantine_reason = '', next_attempt_at = ?,
	last_error = '', kind = ?, event_type = ?, subject_type = ?, subject = ?, scan_refs = ?, company_id = ?, client_id = ?, external_ref = ?
	WHERE id = ?`), d.now(), text(r.Kind), text(r.EventType), text(r.SubjectType), text(r.Subject), string(scanRefs),
		text(r.CompanyID), text(r.ClientID), text(r.ExternalRef), id)
	if err != nil {
		return fmt.Errorf("requeue inbox event %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("inbox event %d: %w", id, ErrNotFound)
	}
	return nil
}

// Routing are the routing keys of an inbox event.
type Routing struct {
	Kind, EventType, SubjectType, Subject string
	ScanRefs                              []string
	CompanyID, ClientID, ExternalRef      string
}
