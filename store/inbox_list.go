package store

import (
	"context"
	"fmt"
	"time"
)

// InboxSummary is what an operator sees of a stored delivery: routing keys
// and processing state, never the body, the headers or personal data.
type InboxSummary struct {
	ID               int64       `db:"id"`
	Route            string      `db:"route"`
	EventType        string      `db:"event_type"`
	Kind             string      `db:"kind"`
	Subject          string      `db:"subject"` // the routing ID: scanRef, company ID, ...
	ReceivedAt       time.Time   `db:"received_at"`
	Status           InboxStatus `db:"status"`
	QuarantineReason string      `db:"quarantine_reason"`
	Attempts         int         `db:"attempts"`
	LastError        string      `db:"last_error"`
}

// InboxCursor is a position in the inbox list's order (newest first).
type InboxCursor struct {
	ReceivedAt time.Time
	ID         int64
}

// InboxFilter selects inbox events of one status; After, when set,
// starts the page after that position.
type InboxFilter struct {
	Status InboxStatus
	Limit  int
	After  *InboxCursor
}

// ListInbox returns the inbox events of f.Status newest first (by receipt,
// then id, the order of the inbox_status_received index), and the cursor of
// the next page (nil when this is the last one).
func (d *DB) ListInbox(ctx context.Context, f InboxFilter) ([]InboxSummary, *InboxCursor, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := `SELECT id, route, event_type, kind, subject, received_at, status, quarantine_reason, attempts, last_error
		FROM inbox WHERE status = ?`
	args := []any{string(f.Status)}
	if c := f.After; c != nil {
		q += ` AND (received_at < ? OR (received_at = ? AND id < ?))`
		args = append(args, c.ReceivedAt.UTC(), c.ReceivedAt.UTC(), c.ID)
	}
	q += ` ORDER BY received_at DESC, id DESC LIMIT ?`
	args = append(args, f.Limit+1)
	var out []InboxSummary
	if err := d.db.SelectContext(ctx, &out, d.db.Rebind(q), args...); err != nil {
		return nil, nil, fmt.Errorf("list %s inbox events: %w", f.Status, err)
	}
	if len(out) <= f.Limit {
		return out, nil, nil
	}
	out = out[:f.Limit]
	last := out[len(out)-1]
	return out, &InboxCursor{ReceivedAt: last.ReceivedAt.UTC(), ID: last.ID}, nil
}
