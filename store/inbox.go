package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// InboxStatus is the processing state of an inbox row.
type InboxStatus string

// Inbox statuses.
const (
	// StatusPending rows wait for the relay.
	StatusPending InboxStatus = "pending"
	// StatusQuarantined rows are authentic but could not be classified;
	// an operator looks at them.
	StatusQuarantined InboxStatus = "quarantined"
	// StatusDispatched rows were accepted by Temporal.
	StatusDispatched InboxStatus = "dispatched"
)

// ErrNotFound means no row has the requested key.
var ErrNotFound = errors.New("not found")

// NewInboxEvent is one authentic webhook delivery to store.
type NewInboxEvent struct {
	Route    string            // the route it arrived on: kyc, kyb, aml
	Body     []byte            // raw bytes exactly as received
	Headers  map[string]string // selected headers (no secrets)
	RemoteIP string

	Status           InboxStatus // StatusPending or StatusQuarantined
	QuarantineReason string

	// Routing keys from classification; IDs only.
	Kind        string
	EventType   string
	SubjectType string
	Subject     string
	ScanRefs    []string
	CompanyID   string
	ClientID    string
	ExternalRef string
}

// InboxEvent is a stored delivery.
type InboxEvent struct {
	ID               int64        `db:"id"`
	Route            string       `db:"route"`
	DedupKey         []byte       `db:"dedup_key"`
	Body             []byte       `db:"body"`
	HeadersJSON      string       `db:"headers"`
	RemoteIP         string       `db:"remote_ip"`
	Status           InboxStatus  `db:"status"`
	QuarantineReason string       `db:"quarantine_reason"`
	Kind             string       `db:"kind"`
	EventType        string       `db:"event_type"`
	SubjectType      string       `db:"subject_type"`
	Subject          string       `db:"subject"`
	ScanRefsJSON     string       `db:"scan_refs"`
	CompanyID        string       `db:"company_id"`
	ClientID         string       `db:"client_id"`
	ExternalRef      string       `db:"external_ref"`
	Attempts         int          `db:"attempts"`
	DuplicateCount   int          `db:"duplicate_count"` // with inbox_resends' copies when read by InboxEvent
	LastError        string       `db:"last_error"`
	ReceivedAt       time.Time    `db:"received_at"`
	LastDuplicateAt  sql.NullTime `db:"last_duplicate_at"` // likewise
	NextAttemptAt    sql.NullTime `db:"next_attempt_at"`
	DispatchedAt     sql.NullTime `db:"dispatched_at"`
	BodyKeyID        string       `db:"body_key_id"` // payload key that sealed the stored body; empty: plaintext
	PurgedAt         sql.NullTime `db:"purged_at"`   // when retention removed body and headers
	// SealErr says why Body is nil although one was stored (its payload
	// key is not configured).
	SealErr error `db:"-"`
}

// Headers decodes the stored headers.
func (e InboxEvent) Headers() (map[string]string, error) {
	var h map[string]string
	if err := json.Unmarshal([]byte(e.HeadersJSON), &h); err != nil {
		return nil, fmt.Errorf("decode headers of inbox event %d: %w", e.ID, err)
	}
	return h, nil
}

// ScanRefs decodes the stored scanRef list.
func (e InboxEvent) ScanRefs() ([]string, error) {
	var refs []string
	if err := json.Unmarshal([]byte(e.ScanRefsJSON), &refs); err != nil {
		return nil, fmt.Errorf("decode scanRefs of inbox event %d: %w", e.ID, err)
	}
	return refs, nil
}

// Stored is the outcome of InsertInbox.
type Stored struct {
	ID        int64       // the row's id: new, or the first delivery's
	Duplicate bool        // the same bytes were already stored on this route
	Status    InboxStatus // the row's status
}

// DedupKey is the inbox's delivery identity: sha256(route || raw body).
func DedupKey(route string, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(route))
	h.Write(body)
	return h.Sum(nil)
}

// InboxEvent returns the stored delivery with the given id.
func (d *DB) InboxEvent(ctx context.Context, id int64) (InboxEvent, error) {
	var e InboxEvent
	err := d.db.GetContext(ctx, &e, d.db.Rebind(`SELECT * FROM inbox WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return InboxEvent{}, fmt.Errorf("inbox event %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return InboxEvent{}, fmt.Errorf("get inbox event %d: %w", id, err)
	}
	if err := d.countResends(ctx, &e); err != nil {
		return InboxEvent{}, err
	}
	d.reveal(&e)
	return e, nil
}

// countResends adds the re-sends recorded after e's group commit to its
// duplicate count and last duplicate time.
func (d *DB) countResends(ctx context.Context, e *InboxEvent) error {
	var resends []struct {
		Copies     int       `db:"copies"`
		ReceivedAt time.Time `db:"received_at"`
	}
	err := d.db.SelectContext(ctx, &resends, d.db.Rebind(`SELECT copies, received_at FROM inbox_resends WHERE dedup_key = ?`), e.DedupKey)
	if err != nil {
		return fmt.Errorf("count re-sends of inbox event %d: %w", e.ID, err)
	}
	for _, r := range resends {
		e.DuplicateCount += r.Copies
		if !e.LastDuplicateAt.Valid || r.ReceivedAt.After(e.LastDuplicateAt.Time) {
			e.LastDuplicateAt = sql.NullTime{Time: r.ReceivedAt, Valid: true}
		}
	}
	return nil
}

// InboxCounts returns the number of inbox rows per status.
func (d *DB) InboxCounts(ctx context.Context) (map[InboxStatus]int, error) {
	rows, err := d.db.QueryxContext(ctx, `SELECT status, COUNT(*) FROM inbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count inbox: %w", err)
	}
	defer rows.Close()
	counts := map[InboxStatus]int{}
	for rows.Next() {
		var (
			s InboxStatus
			n int
		)
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("count inbox: %w", err)
		}
		counts[s] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count inbox: %w", err)
	}
	return counts, nil
}

func (e NewInboxEvent) storable() NewInboxEvent {
	for _, p := range []*string{&e.Route, &e.RemoteIP, &e.QuarantineReason, &e.Kind, &e.EventType, &e.SubjectType,
		&e.Subject, &e.CompanyID, &e.ClientID, &e.ExternalRef} {
		*p = text(*p)
	}
	if e.Headers != nil {
		h := make(map[string]string, len(e.Headers))
		for k, v := range e.Headers {
			h[text(k)] = text(v)
		}
		e.Headers = h
	}
	refs := make([]string, len(e.ScanRefs))
	for i, r := range e.ScanRefs {
		refs[i] = text(r)
	}
	e.ScanRefs = refs
	return e
}

func text(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
