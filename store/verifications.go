package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Verification is the stored projection of one KYC lifecycle.
type Verification struct {
	ID          int64     `db:"id"`
	ScanRef     string    `db:"scan_ref"`
	WorkflowID  string    `db:"workflow_id"`
	ClientID    string    `db:"client_id"`
	ExternalRef string    `db:"external_ref"`
	CompanyID   string    `db:"company_id"`
	Stage       string    `db:"stage"`
	Status      string    `db:"status"`
	Final       bool      `db:"final"`
	Decision    string    `db:"decision"`
	DecisionSeq int       `db:"decision_seq"`
	Stuck       bool      `db:"stuck"`
	Seq         int64     `db:"seq"`
	State       string    `db:"state"` // the workflow's state as JSON
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
	// DueAt and Reason put a case waiting for a person in the compliance
	// queue: when it is due (if it has a due time) and why it waits.
	DueAt  sql.NullTime `db:"due_at"`
	Reason string       `db:"reason"`
}

// TimelineEvent is one line of a lifecycle's evidence trail.
type TimelineEvent struct {
	WorkflowID string        `db:"workflow_id"`
	Seq        int64         `db:"seq"`
	ScanRef    string        `db:"scan_ref"`
	Type       string        `db:"type"`
	At         time.Time     `db:"at"`
	InboxID    sql.NullInt64 `db:"inbox_id"`
	Detail     string        `db:"detail"`
	// Fill stores the entry only where its sequence number is free, with
	// no check of what is there: a delivery's outcome, which the delivery
	// may have stored itself (FillTimeline).
	Fill bool `db:"-"`
	// Inserted is set by a save that stored the entry (not a retry's
	// second write of it).
	Inserted bool `db:"-"`
}

// Upsert the projection unless a newer one (higher seq) is already stored:
// retried or reordered activity executions never move it backwards.
const upsertVerification = `
INSERT INTO verifications (scan_ref, workflow_id, client_id, external_ref, company_id, stage, status, final,
	decision, decision_seq, stuck, seq, state, created_at, updated_at, due_at, reason)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (scan_ref) DO UPDATE SET
	workflow_id = excluded.workflow_id, client_id = excluded.client_id, external_ref = excluded.external_ref,
	company_id = excluded.company_id, stage = excluded.stage, status = excluded.status, final = excluded.final,
	decision = excluded.decision, decision_seq = excluded.decision_seq, stuck = excluded.stuck,
	seq = excluded.seq, state = excluded.state, updated_at = excluded.updated_at,
	due_at = excluded.due_at, reason = excluded.reason
WHERE verifications.seq <= excluded.seq`

const insertTimeline = `
INSERT INTO verification_events (workflow_id, seq, scan_ref, type, at, inbox_id, detail)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (workflow_id, seq) DO NOTHING`

// SaveVerification appends timeline events and upserts the projection in one
// transaction. It is idempotent: replaying the same call changes nothing.
func (d *DB) SaveVerification(ctx context.Context, v Verification, events []TimelineEvent) error {
	now := d.now()
	return d.saveLifecycle(ctx, "verification "+v.ScanRef, events, upsertVerification, v.ScanRef, v.WorkflowID, v.ClientID, v.ExternalRef,
		v.CompanyID, v.Stage, v.Status, v.Final, v.Decision, v.DecisionSeq, v.Stuck, v.Seq, v.State, now, now, utcTime(v.DueAt), v.Reason)
}

// saveLifecycle appends a lifecycle's timeline events and runs the upsert
// of its projection in one transaction.
func (d *DB) saveLifecycle(ctx context.Context, what string, events []TimelineEvent, upsert string, args ...any) error {
	tx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save %s: %w", what, err)
	}
	defer tx.Rollback()
	ins := tx.Rebind(insertTimeline)
	for i, e := range events {
		res, err := tx.ExecContext(ctx, ins, e.WorkflowID, e.Seq, e.ScanRef, e.Type, e.At.UTC(), e.InboxID, e.Detail)
		if err != nil {
			return fmt.Errorf("append timeline of %s seq %d: %w", what, e.Seq, err)
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 && !e.Fill {
			if err := sameEntry(ctx, tx, e); err != nil {
				return err
			}
		}
		events[i].Inserted = err == nil && n == 1
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(upsert), args...); err != nil {
		return fmt.Errorf("upsert %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save %s: %w", what, err)
	}
	return nil
}

// FillTimeline stores e unless its sequence number is taken, and returns
// the entry stored there: e, or the one stored first.
func (d *DB) FillTimeline(ctx context.Context, e TimelineEvent) (TimelineEvent, error) {
	if _, err := d.db.ExecContext(ctx, d.db.Rebind(insertTimeline), e.WorkflowID, e.Seq, e.ScanRef, e.Type, e.At.UTC(), e.InboxID, e.Detail); err != nil {
		return TimelineEvent{}, fmt.Errorf("fill timeline of %s seq %d: %w", e.WorkflowID, e.Seq, err)
	}
	var got TimelineEvent
	err := d.db.GetContext(ctx, &got, d.db.Rebind(`SELECT * FROM verification_events WHERE workflow_id = ? AND seq = ?`), e.WorkflowID, e.Seq)
	if err != nil {
		return TimelineEvent{}, fmt.Errorf("read timeline of %s seq %d: %w", e.WorkflowID, e.Seq, err)
	}
	return got, nil
}

// ErrTimelineConflict means a timeline sequence number is already taken by
// a different entry: a lifecycle's history was rewritten (for example a
// Temporal reset). Writing on would leave a silent gap in the trail.
var ErrTimelineConflict = errors.New("timeline entry conflicts with the stored one")

// sameEntry checks that the stored entry with e's sequence number is e (a
// retried write), not another one.
func sameEntry(ctx context.Context, tx *sqlx.Tx, e TimelineEvent) error {
	var got TimelineEvent
	err := tx.GetContext(ctx, &got, tx.Rebind(`SELECT * FROM verification_events WHERE workflow_id = ? AND seq = ?`), e.WorkflowID, e.Seq)
	if err != nil {
		return fmt.Errorf("check timeline of %s seq %d: %w", e.ScanRef, e.Seq, err)
	}
	if got.Type != e.Type || got.InboxID != e.InboxID || got.Detail != e.Detail {
		return fmt.Errorf("%s seq %d: stored %q, new %q: %w", e.WorkflowID, e.Seq, got.Type, e.Type, ErrTimelineConflict)
	}
	return nil
}

// Verification returns the projection of scanRef, or ErrNotFound.
func (d *DB) Verification(ctx context.Context, scanRef string) (Verification, error) {
	var v Verification
	err := d.db.GetContext(ctx, &v, d.db.Rebind(`SELECT * FROM verifications WHERE scan_ref = ?`), scanRef)
	if errors.Is(err, sql.ErrNoRows) {
		return Verification{}, fmt.Errorf("verification %s: %w", scanRef, ErrNotFound)
	}
	if err != nil {
		return Verification{}, fmt.Errorf("get verification %s: %w", scanRef, err)
	}
	return v, nil
}

// Timeline returns the evidence trail of scanRef in order.
func (d *DB) Timeline(ctx context.Context, scanRef string) ([]TimelineEvent, error) {
	var out []TimelineEvent
	err := d.db.SelectContext(ctx, &out, d.db.Rebind(
		`SELECT * FROM verification_events WHERE scan_ref = ? ORDER BY seq`), scanRef)
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", scanRef, err)
	}
	return out, nil
}

// utcTime stores t in UTC: SQLite compares stored times as text.
func utcTime(t sql.NullTime) sql.NullTime {
	if t.Valid {
		t.Time = t.Time.UTC()
	}
	return t
}
