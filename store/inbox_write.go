package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// inboxColumns are the columns a delivery is written with, in argument
// order. duplicate_count and last_duplicate_at carry the copies of the same
// bytes that arrived in the same group commit.
var inboxColumns = []string{"route", "dedup_key", "body", "body_key_id", "headers", "remote_ip", "status", "quarantine_reason",
	"kind", "event_type", "subject_type", "subject", "scan_refs", "company_id", "client_id", "external_ref",
	"received_at", "next_attempt_at", "duplicate_count", "last_duplicate_at"}

// inboxRow is a delivery ready to write.
type inboxRow struct {
	key        []byte
	size       int       // bytes of the stored body
	receivedAt time.Time // also in args
	args       []any     // in inboxColumns order, without the last two
}

// InsertInbox stores an authentic delivery exactly once: a new row, or,
// when the same bytes arrived before on the same route, a counted
// duplicate of the first delivery's row. Concurrent calls are written
// together, one statement and one commit per group (see groupCommit).
// Text columns are made storable first (valid UTF-8, no NUL, which
// PostgreSQL refuses): no odd byte in a header or routing key may make an
// authentic event unstorable. The body is stored as bytes, untouched.
func (d *DB) InsertInbox(ctx context.Context, e NewInboxEvent) (Stored, error) {
	row, err := d.inboxRow(e)
	if err != nil {
		return Stored{}, err
	}
	if d.group != nil {
		return d.group.insert(ctx, row)
	}
	return d.writeOne(ctx, row)
}

// writeOne writes a single delivery.
func (d *DB) writeOne(ctx context.Context, row inboxRow) (Stored, error) {
	done, err := d.writeInbox(ctx, []inboxRow{row})
	if err != nil {
		return Stored{}, err
	}
	return done[0].s, done[0].err
}

func (d *DB) inboxRow(e NewInboxEvent) (inboxRow, error) {
	e = e.storable()
	headers, err := json.Marshal(orEmpty(e.Headers))
	if err != nil {
		return inboxRow{}, fmt.Errorf("encode headers: %w", err)
	}
	scanRefs, err := json.Marshal(e.ScanRefs) // storable: never nil
	if err != nil {
		return inboxRow{}, fmt.Errorf("encode scanRefs: %w", err)
	}
	if e.Body == nil {
		e.Body = []byte{} // NOT NULL: an empty body is still a body
	}
	now := d.now()
	var next any
	if e.Status == StatusPending {
		next = now
	}
	key, body, keyID := DedupKey(e.Route, e.Body), e.Body, ""
	if d.payload != nil {
		if keyID, body, err = d.payload.seal(e.Body, key); err != nil {
			return inboxRow{}, fmt.Errorf("seal inbox body: %w", err)
		}
	}
	return inboxRow{key: key, size: len(body), receivedAt: now, args: []any{e.Route, key, body, keyID, string(headers), e.RemoteIP, e.Status, e.QuarantineReason,
		e.Kind, e.EventType, e.SubjectType, e.Subject, string(scanRefs), e.CompanyID, e.ClientID, e.ExternalRef,
		now, next}}, nil
}

// writeInbox writes rows and returns their outcomes in order. New rows go
// in one INSERT … ON CONFLICT DO NOTHING, which locks no existing row.
// Bodies that were already stored are recorded together in inbox_resends,
// beside the first delivery's row: no new version of that row and its body,
// and no lock held on it (the relay marks many rows at a time; two
// multi-row lockers could deadlock). On PostgreSQL the same statement
// records the re-sends of rows committed before its snapshot (see
// buildInsertGroupSQL), so a group is one statement and one commit; what it
// could not see (on SQLite every re-send; on PostgreSQL a first delivery
// committed by a concurrent group while it ran) is recorded after it by
// recordResends. Rows with the same dedup key become one row whose
// duplicate_count counts the other copies (ON CONFLICT cannot touch a row
// twice in one statement), and new rows are inserted in key order, so two
// concurrent groups (or two serve replicas) wait on each other's
// uncommitted keys in the same order and cannot deadlock.
//
// An error means the group's statement failed: none of it is known to have
// committed, and each delivery may be tried again on its own. Once the
// statement has committed, every delivery gets its own outcome: if
// recordResends then fails, the deliveries the statement answered keep
// their answers and only the others get the error (trying the whole group
// again would count its re-sends twice and call its new rows duplicates).
func (d *DB) writeInbox(ctx context.Context, rows []inboxRow) ([]inboxDone, error) {
	uniq := groupByKey(rows)
	args := make([]any, 0, len(uniq)*len(inboxColumns))
	for _, g := range uniq {
		var lastDup any
		if len(g.idx) > 1 {
			lastDup = g.latest
		}
		args = append(append(args, g.row.args...), len(g.idx)-1, lastDup)
	}
	// No transaction around the statements: BEGIN and COMMIT cost two
	// more round trips a group, and measurably fewer webhooks a second.
	stored, err := queryStored("insert inbox event", func() (*sqlx.Rows, error) {
		return d.queryGroup(ctx, len(uniq), args)
	})
	if err != nil {
		return nil, err
	}
	resendErr := d.recordResends(ctx, uniq, stored)
	out := make([]inboxDone, len(rows))
	for _, g := range uniq {
		s, ok := stored[string(g.row.key)] // Duplicate: the inbox held the body before this group
		for j, i := range g.idx {
			if !ok {
				out[i].err = resendErr
				continue
			}
			out[i].s = s
			out[i].s.Duplicate = s.Duplicate || j > 0
		}
	}
	return out, nil
}

// keyGroup is the copies of one body in a group commit.
type keyGroup struct {
	row    inboxRow
	idx    []int     // indexes into rows, in arrival order
	latest time.Time // received_at of the last copy
}

// groupByKey groups rows by dedup key, in key order.
func groupByKey(rows []inboxRow) []*keyGroup {
	byKey := map[string]*keyGroup{}
	var uniq []*keyGroup
	for i, r := range rows {
		g, ok := byKey[string(r.key)]
		if !ok {
			g = &keyGroup{row: r}
			byKey[string(r.key)] = g
			uniq = append(uniq, g)
		}
		g.idx, g.latest = append(g.idx, i), r.receivedAt
	}
	slices.SortFunc(uniq, func(a, b *keyGroup) int { return bytes.Compare(a.row.key, b.row.key) })
	return uniq
}

// recordResends records, in one statement, the groups whose body the
// inbox already held and that are not in stored yet, and adds their stored
// rows to stored. On an error it adds none of them.
func (d *DB) recordResends(ctx context.Context, uniq []*keyGroup, stored map[string]Stored) error {
	var values []string
	var args, keys []any
	for _, g := range uniq {
		if _, known := stored[string(g.row.key)]; known {
			continue
		}
		values = append(values, "(?, ?, ?)")
		args = append(args, g.row.key, len(g.idx), g.latest)
		keys = append(keys, g.row.key)
	}
	if len(keys) == 0 {
		return nil
	}
	if d.resendHook != nil {
		if err := d.resendHook(len(keys)); err != nil {
			return err
		}
	}
	q := "SELECT id, dedup_key, status, TRUE FROM inbox WHERE dedup_key IN (?" + strings.Repeat(", ?", len(keys)-1) + ")"
	first, err := queryStored("read re-sent inbox event", func() (*sqlx.Rows, error) {
		return d.db.QueryxContext(ctx, d.db.Rebind(q), keys...)
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, ok := first[string(k.([]byte))]; !ok {
			return fmt.Errorf("read re-sent inbox event: the first delivery's row is gone")
		}
	}
	q = "INSERT INTO inbox_resends (dedup_key, copies, received_at) VALUES " + strings.Join(values, ", ")
	if _, err := d.db.ExecContext(ctx, d.db.Rebind(q), args...); err != nil {
		return fmt.Errorf("record re-sent inbox event: %w", err)
	}
	maps.Copy(stored, first)
	return nil
}

// queryStored runs query, which returns (id, dedup_key, status, resent)
// rows, and returns them by key, resent as Duplicate.
func queryStored(what string, query func() (*sqlx.Rows, error)) (map[string]Stored, error) {
	rows, err := query()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := map[string]Stored{}
	for rows.Next() {
		var (
			s   Stored
			key []byte
		)
		if err := rows.Scan(&s.ID, &key, &s.Status, &s.Duplicate); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out[string(key)] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
