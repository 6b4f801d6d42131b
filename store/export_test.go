package store

import "context"

// WriteInboxGroup writes events as one group commit, the way concurrent
// InsertInbox calls are written together.
func (d *DB) WriteInboxGroup(ctx context.Context, events []NewInboxEvent) ([]Stored, error) {
	rows := make([]inboxRow, len(events))
	for i, e := range events {
		r, err := d.inboxRow(e)
		if err != nil {
			return nil, err
		}
		rows[i] = r
	}
	return d.writeInbox(ctx, rows)
}
