package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"kycflow/internal/testenv"
	"kycflow/store"
)

func TestClaimLeasesAndDispatch(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var ids []int64
		for i := range 3 {
			s, err := db.InsertInbox(ctx, pending(fmt.Sprintf(`{"scanRef":"s%d"}`, i)))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, s.ID)
		}
		aml := pending(`{"monitoringId":"m"}`)
		aml.Kind = "aml"
		if _, err := db.InsertInbox(ctx, aml); err != nil {
			t.Fatal(err)
		}
		oldest, ok, err := db.OldestPending(ctx, []string{"kyc"})
		if err != nil || !ok || oldest.IsZero() {
			t.Fatalf("OldestPending() = %v %v %v", oldest, ok, err)
		}

		got, err := db.ClaimPending(ctx, []string{"kyc"}, 2, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[1] || got[0].Attempts != 1 {
			t.Fatalf("first claim = %v", claimed(got))
		}
		// Leased rows are not claimed again; the third is.
		again, err := db.ClaimPending(ctx, []string{"kyc"}, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 1 || again[0].ID != ids[2] {
			t.Fatalf("second claim = %v, want only the third row", claimed(again))
		}
		if err := db.MarkDispatched(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
		if err := db.RetryLater(ctx, ids[1], time.Now().Add(-time.Second), "temporal unavailable"); err != nil {
			t.Fatal(err)
		}
		if err := db.Quarantine(ctx, ids[2], "cannot summarise"); err != nil {
			t.Fatal(err)
		}
		retry, err := db.ClaimPending(ctx, []string{"kyc"}, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(retry) != 1 || retry[0].ID != ids[1] || retry[0].Attempts != 2 || retry[0].LastError != "temporal unavailable" {
			t.Fatalf("retry claim = %+v", claimed(retry))
		}
		counts, err := db.InboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.StatusDispatched] != 1 || counts[store.StatusQuarantined] != 1 || counts[store.StatusPending] != 2 {
			t.Errorf("counts = %v", counts)
		}
	})
}

func claimed(es []store.InboxEvent) []int64 {
	var out []int64
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

// Several relays on PostgreSQL never claim the same row.
func TestClaimSkipLockedPostgres(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	const rows = 300
	for i := range rows {
		if _, err := db.InsertInbox(ctx, pending(fmt.Sprintf(`{"scanRef":"r%d"}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu   sync.Mutex
		seen = map[int64]int{}
		wg   sync.WaitGroup
	)
	for range 6 {
		wg.Go(func() {
			for {
				got, err := db.ClaimPending(ctx, []string{"kyc"}, 7, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, e := range got {
					seen[e.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != rows {
		t.Errorf("claimed %d distinct rows, want %d", len(seen), rows)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("row %d claimed %d times", id, n)
		}
	}
}

func TestMarkDispatchedInOneStatement(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var ids []int64
		for i := range 3 {
			s, err := db.InsertInbox(ctx, store.NewInboxEvent{Route: "kyc", Body: []byte{byte('a' + i)}, Status: store.StatusPending, Kind: "kyc"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, s.ID)
		}
		if err := db.MarkDispatched(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkDispatched(ctx, ids[0], ids[2]); err != nil {
			t.Fatal(err)
		}
		counts, err := db.InboxCounts(ctx)
		if err != nil || counts[store.StatusDispatched] != 2 || counts[store.StatusPending] != 1 {
			t.Errorf("counts = %v, %v; want 2 dispatched, 1 pending", counts, err)
		}
	})
}
