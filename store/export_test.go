package store

import (
	"context"
	"errors"
)

// WriteInboxGroup writes events as one group commit, the way concurrent
// InsertInbox calls are written together. It fails if any delivery failed.
func (d *DB) WriteInboxGroup(ctx context.Context, events []NewInboxEvent) ([]Stored, error) {
	out, errs, err := d.WriteInboxGroupEach(ctx, events)
	if err == nil {
		err = errors.Join(errs...)
	}
	return out, err
}

// WriteInboxGroupEach writes events as one group commit and returns each
// delivery's outcome; the error is the group statement's.
func (d *DB) WriteInboxGroupEach(ctx context.Context, events []NewInboxEvent) ([]Stored, []error, error) {
	rows := make([]inboxRow, len(events))
	for i, e := range events {
		r, err := d.inboxRow(e)
		if err != nil {
			return nil, nil, err
		}
		rows[i] = r
	}
	done, err := d.writeInbox(ctx, rows)
	if err != nil {
		return nil, nil, err
	}
	out, errs := make([]Stored, len(done)), make([]error, len(done))
	for i, r := range done {
		out[i], errs[i] = r.s, r.err
	}
	return out, errs, nil
}

// SetResendHook has fn called before the re-sends a group's statement did
// not record are recorded; an error from fn fails that.
func SetResendHook(d *DB, fn func(keys int) error) { d.resendHook = fn }

// PreparedState reports how many group statements d holds prepared and
// whether it still prepares them.
func PreparedState(d *DB) (stmts int, on bool) {
	d.prepared.mu.Lock()
	defer d.prepared.mu.Unlock()
	return len(d.prepared.stmts), !d.prepared.off.Load()
}

// ExecOnPool runs q on d's own connection pool.
func ExecOnPool(ctx context.Context, d *DB, q string) error {
	_, err := d.db.ExecContext(ctx, q)
	return err
}

// CountOnPool runs q, which returns one integer, on d's own pool.
func CountOnPool(ctx context.Context, d *DB, q string) (n int, err error) {
	err = d.db.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}
