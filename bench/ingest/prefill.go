package ingest

import (
	"context"
	"database/sql"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"time"

	"kycflow/idenfy"
	"kycflow/simulate"
	"kycflow/store"
)

// prefill stores n identification webhooks as serve stores them (classified,
// through the store's group commit), marks them delivered, and copies them
// into the ceiling tables, so that kycflow and its database ceilings are
// measured against a store that already holds n verifications. The bodies
// come from their own random stream: none is one of the measured bodies.
func prefill(ctx context.Context, dbURL string, db *sql.DB, n int) error {
	if n <= 0 {
		return nil
	}
	st, err := store.Open(ctx, store.Options{URL: dbURL})
	if err != nil {
		return err
	}
	defer st.Close()
	events := make(chan store.NewInboxEvent, 64)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for e := range events {
				if _, err := st.InsertInbox(ctx, e); err != nil {
					select {
					case errs <- fmt.Errorf("prefill: %w", err):
					default:
					}
				}
			}
		})
	}
	r := mrand.New(mrand.NewPCG(7, uint64(n)))
	for i := 0; i < n && len(errs) == 0; i++ {
		s, err := simulate.Build("approved", r, time.Now())
		if err != nil {
			close(events)
			return err
		}
		body := s.Webhooks[0].Body
		c, err := idenfy.Classify(idenfy.KindKYC, "", body)
		if err != nil {
			close(events)
			return fmt.Errorf("prefill body %d: %w", i, err)
		}
		events <- store.NewInboxEvent{Route: "kyc", Body: body, Headers: map[string]string{"User-Agent": "Go-http-client/1.1"},
			RemoteIP: "127.0.0.1", Status: store.StatusPending, Kind: string(c.Kind), EventType: c.EventType,
			SubjectType: c.SubjectType, Subject: c.Subject, ScanRefs: c.ScanRefs}
	}
	close(events)
	wg.Wait()
	if len(errs) > 0 {
		return <-errs
	}
	for _, q := range []string{
		`UPDATE inbox SET status = 'dispatched', dispatched_at = now(), next_attempt_at = NULL WHERE status = 'pending'`,
		`INSERT INTO ceiling_inbox OVERRIDING SYSTEM VALUE SELECT * FROM inbox`,
		`SELECT setval(pg_get_serial_sequence('ceiling_inbox', 'id'), (SELECT max(id) FROM ceiling_inbox))`,
		`INSERT INTO ceiling_minimal (route, dedup_key, body, headers, subject, received_at)
			SELECT route, dedup_key, body, headers, subject, received_at FROM inbox`,
		`VACUUM ANALYZE inbox, ceiling_inbox, ceiling_minimal`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("prefill: %w", err)
		}
	}
	// Start the measurements from a checkpoint, not in the middle of one
	// the prefill's writes brought on (best effort: it needs privileges).
	db.ExecContext(ctx, `CHECKPOINT`)
	return nil
}
