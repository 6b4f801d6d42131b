package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// inboxColumns are the columns a delivery is written with, in argument
// order. duplicate_count and last_duplicate_at carry the re-sends of the
// same bytes that arrived in the same group commit.
var inboxColumns = []string{"route", "dedup_key", "body", "body_key_id", "headers", "remote_ip", "status", "quarantine_reason",
	"kind", "event_type", "subject_type", "subject", "scan_refs", "company_id", "client_id", "external_ref",
	"received_at", "next_attempt_at", "duplicate_count", "last_duplicate_at"}

// inboxRow is a delivery ready to write.
type inboxRow struct {
	key  []byte
	args []any // in inboxColumns order, without the last two
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
	s, err := d.writeInbox(ctx, []inboxRow{row})
	if err != nil {
		return Stored{}, err
	}
	return s[0], nil
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
	return inboxRow{key: key, args: []any{e.Route, key, body, keyID, string(headers), e.RemoteIP, e.Status, e.QuarantineReason,
		e.Kind, e.EventType, e.SubjectType, e.Subject, string(scanRefs), e.CompanyID, e.ClientID, e.ExternalRef,
		now, next}}, nil
}

// writeInbox writes rows in one statement and returns their outcomes in
// order. Rows with the same dedup key become one row whose
// duplicate_count already counts the others (ON CONFLICT cannot touch a
// row twice in one statement), and rows are written in key order so that
// two concurrent groups take their row locks in the same order and cannot
// deadlock. A group of k equal rows comes back with duplicate_count k-1
// exactly when this statement inserted it: an existing row comes back
// with at least k.
func (d *DB) writeInbox(ctx context.Context, rows []inboxRow) ([]Stored, error) {
	groups := map[string][]int{} // dedup key → indexes into rows
	var uniq []inboxRow
	for i, r := range rows {
		k := string(r.key)
		if _, seen := groups[k]; !seen {
			uniq = append(uniq, r)
		}
		groups[k] = append(groups[k], i)
	}
	slices.SortFunc(uniq, func(a, b inboxRow) int { return bytes.Compare(a.key, b.key) })

	args := make([]any, 0, len(uniq)*len(inboxColumns))
	for _, r := range uniq {
		k := len(groups[string(r.key)])
		var lastDup any
		if k > 1 {
			lastDup = r.args[16] // received_at
		}
		args = append(append(args, r.args...), k-1, lastDup)
	}
	out := make([]Stored, len(rows))
	q, err := d.db.QueryxContext(ctx, d.insertInboxSQL(len(uniq)), args...)
	if err != nil {
		return nil, fmt.Errorf("insert inbox event: %w", err)
	}
	defer q.Close()
	written := 0
	for q.Next() {
		var (
			s    Stored
			key  []byte
			dups int
		)
		if err := q.Scan(&s.ID, &key, &dups, &s.Status); err != nil {
			return nil, fmt.Errorf("insert inbox event: %w", err)
		}
		idx := groups[string(key)]
		for j, i := range idx {
			out[i] = s
			out[i].Duplicate = j > 0 || dups != len(idx)-1
		}
		written++
	}
	if err := q.Err(); err != nil {
		return nil, fmt.Errorf("insert inbox event: %w", err)
	}
	if written != len(uniq) {
		return nil, fmt.Errorf("insert inbox event: %d of %d rows came back", written, len(uniq))
	}
	return out, nil
}

// insertInboxSQL is the statement for n distinct rows in the DB's dialect.
func (d *DB) insertInboxSQL(n int) string {
	if q, ok := insertInboxCache.Load(cacheKey{d.dialect, n}); ok {
		return q.(string)
	}
	q := d.db.Rebind(buildInsertInboxSQL(n))
	insertInboxCache.Store(cacheKey{d.dialect, n}, q)
	return q
}

type cacheKey struct {
	dialect string
	n       int
}

var insertInboxCache sync.Map // cacheKey → statement

func buildInsertInboxSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO inbox (" + strings.Join(inboxColumns, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(inboxColumns)), ", ") + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	b.WriteString(` ON CONFLICT (dedup_key) DO UPDATE
	SET duplicate_count = inbox.duplicate_count + excluded.duplicate_count + 1, last_duplicate_at = excluded.received_at
RETURNING id, dedup_key, duplicate_count, status`)
	return b.String()
}
