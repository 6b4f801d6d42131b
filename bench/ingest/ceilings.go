package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"kycflow/bench"
	"kycflow/idenfy"
	"kycflow/store"
)

// dbCeilings measures the database alone, with the same bodies, driver and
// concurrency as the HTTP targets and no HTTP: one INSERT … ON CONFLICT DO
// NOTHING per operation, each its own commit, prepared.
//
//	db-alone    the row kycflow stores (every column, classified ahead of
//	            time) into a table made LIKE the inbox, with its indexes
//	db-minimal  route, key, body, headers, subject and time into a table
//	            with only the primary key and the unique key: what the
//	            database can do for any webhook receiver
func dbCeilings(ctx context.Context, db *sql.DB, l load) ([]bench.Result, error) {
	type row struct {
		key           []byte
		headers, refs string
		class         idenfy.Classification
	}
	bodies := l.bodies
	rows := make([]row, len(bodies))
	for i, b := range bodies {
		class, err := idenfy.Classify(idenfy.KindKYC, "", b)
		if err != nil {
			return nil, fmt.Errorf("bench body %d: %w", i, err)
		}
		h := map[string]string{"User-Agent": "Go-http-client/1.1"}
		for name, v := range l.headers(i) {
			h[name] = v[0]
		}
		hj, _ := json.Marshal(h)
		rj, _ := json.Marshal(class.ScanRefs)
		rows[i] = row{key: store.DedupKey("kyc", b), headers: string(hj), refs: string(rj), class: class}
	}
	// Prepared, as kycflow's own group statements are: the best this
	// driver does for a statement run again and again.
	alone, err := db.PrepareContext(ctx, `INSERT INTO ceiling_inbox (route, dedup_key, body, body_key_id, headers, remote_ip, status,
		quarantine_reason, kind, event_type, subject_type, subject, scan_refs, company_id, client_id, external_ref, received_at,
		next_attempt_at, duplicate_count) VALUES ('kyc', $1, $2, '', $3, '127.0.0.1', 'pending', '', $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 0)
		ON CONFLICT (dedup_key) DO NOTHING`)
	if err != nil {
		return nil, fmt.Errorf("prepare db-alone: %w", err)
	}
	defer alone.Close()
	minimal, err := db.PrepareContext(ctx, `INSERT INTO ceiling_minimal (route, dedup_key, body, headers, subject, received_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (dedup_key) DO NOTHING`)
	if err != nil {
		return nil, fmt.Errorf("prepare db-minimal: %w", err)
	}
	defer minimal.Close()
	var out []bench.Result
	out = append(out, bench.Drive(ctx, "db-alone", len(bodies), l.concurrency, func(ctx context.Context, i int) error {
		r := rows[i]
		_, err := alone.ExecContext(ctx, r.key, bodies[i], r.headers, string(r.class.Kind), r.class.EventType, r.class.SubjectType,
			r.class.Subject, r.refs, r.class.CompanyID, r.class.ClientID, r.class.ExternalRef, time.Now())
		return err
	}))
	out = append(out, bench.Drive(ctx, "db-minimal", len(bodies), l.concurrency, func(ctx context.Context, i int) error {
		_, err := minimal.ExecContext(ctx, "kyc", rows[i].key, bodies[i], rows[i].headers, rows[i].class.Subject, time.Now())
		return err
	}))
	return out, nil
}

// migrateScratch gives the scratch database kycflow's schema ahead of
// serve (which would migrate it at start) and the ceiling tables: the
// inbox-shaped one is made LIKE the inbox.
func migrateScratch(ctx context.Context, url string, db *sql.DB) error {
	st, err := store.Open(ctx, store.Options{URL: url, InboxBatch: 1})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE ceiling_inbox (LIKE inbox INCLUDING ALL);
		CREATE TABLE ceiling_minimal (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, route TEXT NOT NULL,
		dedup_key BYTEA NOT NULL UNIQUE, body BYTEA NOT NULL, headers JSONB NOT NULL, subject TEXT NOT NULL, received_at TIMESTAMPTZ NOT NULL)`); err != nil {
		return fmt.Errorf("create ceiling tables: %w", err)
	}
	return nil
}
