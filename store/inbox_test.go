package store_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kycflow/internal/testenv"
	"kycflow/store"
)

// contract runs fn against a fresh store of every dialect.
func contract(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for name, open := range testenv.Stores(t) {
		t.Run(name, func(t *testing.T) { fn(t, open(t)) })
	}
}

func pending(body string) store.NewInboxEvent {
	return store.NewInboxEvent{
		Route: "kyc", Body: []byte(body), Headers: map[string]string{"Idenfy-Event-Type": "IDENTIFICATION_AUTO_FINISHED"},
		RemoteIP: "192.0.2.1", Status: store.StatusPending, Kind: "kyc", EventType: "IDENTIFICATION_AUTO_FINISHED",
		SubjectType: "scanRef", Subject: "scan-1", ScanRefs: []string{"scan-1"}, ClientID: "user-1",
	}
}

func TestInsertInboxStoresExactBytes(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		body := "{\"scanRef\": \"scan-1\",\n \"x\":\"\u00e9\\u00e9\"}\n\x00\xff" // odd bytes must survive
		got, err := db.InsertInbox(ctx, pending(body))
		if err != nil {
			t.Fatal(err)
		}
		if got.ID == 0 || got.Duplicate || got.Status != store.StatusPending {
			t.Fatalf("InsertInbox() = %+v, want a new pending row", got)
		}
		e, err := db.InboxEvent(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Body, []byte(body)) {
			t.Errorf("stored body = %q, want %q", e.Body, body)
		}
		if !bytes.Equal(e.DedupKey, store.DedupKey("kyc", []byte(body))) {
			t.Errorf("dedup key = %x", e.DedupKey)
		}
		h, err := e.Headers()
		if err != nil {
			t.Fatal(err)
		}
		refs, err := e.ScanRefs()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"Idenfy-Event-Type": "IDENTIFICATION_AUTO_FINISHED"}, h); diff != "" {
			t.Errorf("headers (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"scan-1"}, refs); diff != "" {
			t.Errorf("scanRefs (-want +got):\n%s", diff)
		}
		if e.Subject != "scan-1" || e.ClientID != "user-1" || e.RemoteIP != "192.0.2.1" || e.ReceivedAt.IsZero() || !e.NextAttemptAt.Valid {
			t.Errorf("stored event = %+v", e)
		}
	})
}

func TestInsertInboxDeduplicates(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first, err := db.InsertInbox(ctx, pending(`{"scanRef":"a"}`))
		if err != nil {
			t.Fatal(err)
		}
		again, err := db.InsertInbox(ctx, pending(`{"scanRef":"a"}`))
		if err != nil {
			t.Fatal(err)
		}
		if !again.Duplicate || again.ID != first.ID {
			t.Errorf("second InsertInbox() = %+v, want duplicate of %d", again, first.ID)
		}
		other := pending(`{"scanRef":"a"}`)
		other.Route = "aml"
		otherRoute, err := db.InsertInbox(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		if otherRoute.Duplicate || otherRoute.ID == first.ID {
			t.Errorf("same body on another route = %+v, want a new row", otherRoute)
		}
		e, err := db.InboxEvent(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e.DuplicateCount != 1 || !e.LastDuplicateAt.Valid {
			t.Errorf("duplicate_count = %d, last_duplicate_at valid = %v; want 1, true", e.DuplicateCount, e.LastDuplicateAt.Valid)
		}
	})
}

func TestInsertInboxConcurrentDeliveriesStoreOneRow(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 50
		ids := make(chan int64, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				s, err := db.InsertInbox(ctx, pending(`{"scanRef":"concurrent"}`))
				if err != nil {
					t.Error(err)
					return
				}
				ids <- s.ID
			})
		}
		wg.Wait()
		close(ids)
		seen := map[int64]bool{}
		for id := range ids {
			seen[id] = true
		}
		if len(seen) != 1 {
			t.Fatalf("50 concurrent deliveries returned ids %v, want one", seen)
		}
		counts, err := db.InboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.StatusPending] != 1 {
			t.Errorf("pending rows = %d, want 1", counts[store.StatusPending])
		}
		for id := range seen {
			e, err := db.InboxEvent(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if e.DuplicateCount != n-1 {
				t.Errorf("duplicate_count = %d, want %d", e.DuplicateCount, n-1)
			}
		}
	})
}

func TestInsertInboxQuarantined(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := store.NewInboxEvent{Route: "kyc", Body: []byte("not json"), Status: store.StatusQuarantined, QuarantineReason: "invalid json"}
		got, err := db.InsertInbox(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := db.InboxEvent(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Status != store.StatusQuarantined || stored.QuarantineReason != "invalid json" || stored.NextAttemptAt.Valid {
			t.Errorf("stored = status %q reason %q next %v; want quarantined, not scheduled", stored.Status, stored.QuarantineReason, stored.NextAttemptAt)
		}
		empty, err := db.InsertInbox(ctx, store.NewInboxEvent{Route: "kyc", Status: store.StatusQuarantined})
		if err != nil {
			t.Fatalf("empty body: %v", err)
		}
		if empty.ID == got.ID {
			t.Error("empty body deduplicated against another body")
		}
	})
}

func TestInboxEventNotFound(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		if _, err := db.InboxEvent(context.Background(), 424242); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("InboxEvent(missing) error = %v, want ErrNotFound", err)
		}
	})
}

func TestMigrateIsIdempotent(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatalf("second Migrate() = %v", err)
		}
		cur, latest, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur != latest || cur == 0 {
			t.Errorf("SchemaVersion() = %d, %d; want equal and non-zero", cur, latest)
		}
	})
}

func TestInsertInboxStoresOddTextSafely(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		e := pending(`{"scanRef":"s\u0000"}`)
		e.Subject, e.ClientID, e.EventType = "s\x00x", "a\x00b", "BAD\xff"
		e.Headers = map[string]string{"User-Agent": "x\x00\xfe"}
		e.ScanRefs = []string{"\x00"}
		got, err := db.InsertInbox(context.Background(), e)
		if err != nil {
			t.Fatalf("InsertInbox() with NUL and invalid UTF-8 in text = %v, want stored", err)
		}
		row, err := db.InboxEvent(context.Background(), got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if row.Subject != "sx" || row.ClientID != "ab" || !bytes.Equal(row.Body, e.Body) {
			t.Errorf("stored subject %q client %q", row.Subject, row.ClientID)
		}
	})
}
