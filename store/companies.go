package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Company is the stored projection of one KYB company lifecycle.
type Company struct {
	ID          int64     `db:"id"`
	CompanyID   string    `db:"company_id"`
	WorkflowID  string    `db:"workflow_id"`
	ClientID    string    `db:"client_id"`
	ExternalRef string    `db:"external_ref"`
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
	// DueAt and Reason: as in Verification.
	DueAt  sql.NullTime `db:"due_at"`
	Reason string       `db:"reason"`
}

const upsertCompany = `
INSERT INTO companies (company_id, workflow_id, client_id, external_ref, stage, status, final,
	decision, decision_seq, stuck, seq, state, created_at, updated_at, due_at, reason)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (company_id) DO UPDATE SET
	workflow_id = excluded.workflow_id, client_id = excluded.client_id, external_ref = excluded.external_ref,
	stage = excluded.stage, status = excluded.status, final = excluded.final,
	decision = excluded.decision, decision_seq = excluded.decision_seq, stuck = excluded.stuck,
	seq = excluded.seq, state = excluded.state, updated_at = excluded.updated_at,
	due_at = excluded.due_at, reason = excluded.reason
WHERE companies.seq <= excluded.seq`

// SaveCompany appends timeline events and upserts the company projection in
// one transaction; idempotent like SaveVerification.
func (d *DB) SaveCompany(ctx context.Context, c Company, events []TimelineEvent) error {
	now := d.now()
	return d.saveLifecycle(ctx, "company "+c.CompanyID, events, upsertCompany, c.CompanyID, c.WorkflowID, c.ClientID, c.ExternalRef,
		c.Stage, c.Status, c.Final, c.Decision, c.DecisionSeq, c.Stuck, c.Seq, c.State, now, now, utcTime(c.DueAt), c.Reason)
}

// Company returns the projection of a company, or ErrNotFound.
func (d *DB) Company(ctx context.Context, companyID string) (Company, error) {
	var c Company
	err := d.db.GetContext(ctx, &c, d.db.Rebind(`SELECT * FROM companies WHERE company_id = ?`), companyID)
	if errors.Is(err, sql.ErrNoRows) {
		return Company{}, fmt.Errorf("company %s: %w", companyID, ErrNotFound)
	}
	if err != nil {
		return Company{}, fmt.Errorf("get company %s: %w", companyID, err)
	}
	return c, nil
}

// CompanyOfClient returns the company a KYB clientId belongs to: from the
// company projections, or else from the KYB webhooks received so far (the
// submission may not be recorded by its lifecycle yet). When a client has
// several companies, the one with the same externalRef wins, then the most
// recent. ErrNotFound when none names it.
func (d *DB) CompanyOfClient(ctx context.Context, clientID, externalRef string) (string, error) {
	var id string
	err := d.db.GetContext(ctx, &id, d.db.Rebind(
		`SELECT company_id FROM companies WHERE client_id = ? ORDER BY (external_ref = ?) DESC, updated_at DESC LIMIT 1`), clientID, externalRef)
	if errors.Is(err, sql.ErrNoRows) {
		err = d.db.GetContext(ctx, &id, d.db.Rebind(`SELECT company_id FROM inbox WHERE kind = 'kyb' AND client_id = ? AND company_id <> ''
			ORDER BY (external_ref = ?) DESC, id DESC LIMIT 1`), clientID, externalRef)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("company of client %s: %w", clientID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("company of client %s: %w", clientID, err)
	}
	return id, nil
}

// TimelineOf returns the evidence trail of a lifecycle by workflow ID.
func (d *DB) TimelineOf(ctx context.Context, workflowID string) ([]TimelineEvent, error) {
	var out []TimelineEvent
	err := d.db.SelectContext(ctx, &out, d.db.Rebind(`SELECT * FROM verification_events WHERE workflow_id = ? ORDER BY seq`), workflowID)
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", workflowID, err)
	}
	return out, nil
}
