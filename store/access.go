package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"kycflow/identity"
)

// PersonalDataView is one look at a case's decrypted personal data: who
// looked, with which role, at which inbox events' data, when.
type PersonalDataView struct {
	ID         int64
	WorkflowID string
	ScanRef    string
	Reviewer   string
	Role       identity.Role
	InboxIDs   []int64 // the events whose personal data was shown
	At         time.Time
}

type viewRow struct {
	ID         int64     `db:"id"`
	WorkflowID string    `db:"workflow_id"`
	ScanRef    string    `db:"scan_ref"`
	Reviewer   string    `db:"reviewer"`
	Role       string    `db:"role"`
	InboxIDs   string    `db:"inbox_ids"`
	At         time.Time `db:"at"`
}

// RecordPersonalDataView records v at the store's current time and
// returns it as stored.
func (d *DB) RecordPersonalDataView(ctx context.Context, v PersonalDataView) (PersonalDataView, error) {
	ids := v.InboxIDs
	if ids == nil {
		ids = []int64{}
	}
	raw, err := json.Marshal(ids)
	if err != nil {
		return PersonalDataView{}, fmt.Errorf("encode inbox ids: %w", err)
	}
	v.At = d.now()
	q := `INSERT INTO personal_data_views (workflow_id, scan_ref, reviewer, role, inbox_ids, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
	err = d.db.GetContext(ctx, &v.ID, d.db.Rebind(q), v.WorkflowID, v.ScanRef, v.Reviewer, string(v.Role), string(raw), v.At)
	if err != nil {
		return PersonalDataView{}, fmt.Errorf("record personal data view of %s by %s: %w", v.ScanRef, v.Reviewer, err)
	}
	return v, nil
}

// PersonalDataViews returns the recorded views of scanRef's personal
// data, oldest first.
func (d *DB) PersonalDataViews(ctx context.Context, scanRef string) ([]PersonalDataView, error) {
	var rows []viewRow
	err := d.db.SelectContext(ctx, &rows, d.db.Rebind(`SELECT * FROM personal_data_views WHERE scan_ref = ? ORDER BY at, id`), scanRef)
	if err != nil {
		return nil, fmt.Errorf("personal data views of %s: %w", scanRef, err)
	}
	out := make([]PersonalDataView, len(rows))
	for i, r := range rows {
		out[i] = PersonalDataView{ID: r.ID, WorkflowID: r.WorkflowID, ScanRef: r.ScanRef, Reviewer: r.Reviewer, Role: identity.Role(r.Role), At: r.At}
		if err := json.Unmarshal([]byte(r.InboxIDs), &out[i].InboxIDs); err != nil {
			return nil, fmt.Errorf("decode inbox ids of personal data view %d: %w", r.ID, err)
		}
	}
	return out, nil
}

// CasePayloads returns the stored deliveries routed to scanRef — KYC
// webhooks whose subject it is, AML webhooks whose scanRef list holds it —
// in inbox order after the id after, at most limit (1–500, default 50),
// their bodies opened (see InboxEvent: a purged row has none, a row sealed
// with a key not configured has SealErr). next is the last id of the page
// when more follow, else 0.
func (d *DB) CasePayloads(ctx context.Context, scanRef string, after int64, limit int) (events []InboxEvent, next int64, err error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var kyc, aml []InboxEvent
	err = d.db.SelectContext(ctx, &kyc, d.db.Rebind(`SELECT * FROM inbox WHERE subject = ? AND kind = 'kyc' AND id > ? ORDER BY id LIMIT ?`),
		scanRef, after, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("KYC payloads of %s: %w", scanRef, err)
	}
	if d.dialect == Postgres {
		refs, _ := json.Marshal([]string{scanRef})
		err = d.db.SelectContext(ctx, &aml, d.db.Rebind(`SELECT * FROM inbox WHERE kind = 'aml' AND scan_refs @> CAST(? AS JSONB) AND id > ?
			ORDER BY id LIMIT ?`), string(refs), after, limit+1)
	} else {
		err = d.db.SelectContext(ctx, &aml, `SELECT * FROM inbox WHERE kind = 'aml' AND id > ?
			AND EXISTS (SELECT 1 FROM json_each(inbox.scan_refs) WHERE json_each.value = ?) ORDER BY id LIMIT ?`, after, scanRef, limit+1)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("AML payloads of %s: %w", scanRef, err)
	}
	events = append(kyc, aml...)
	slices.SortFunc(events, func(a, b InboxEvent) int { return cmp.Compare(a.ID, b.ID) })
	if len(events) > limit {
		events = events[:limit]
		next = events[limit-1].ID
	}
	for i := range events {
		d.reveal(&events[i])
	}
	return events, next, nil
}
