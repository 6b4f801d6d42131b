package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"kycflow/store"
)

// One group holding new rows, re-sends of each other and a re-send of a
// row stored earlier: one row per body, each caller told whether its
// delivery was the first, and every re-send counted.
func TestGroupCommitCountsResendsWithinAndAcrossGroups(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		earlier, err := db.InsertInbox(ctx, pending(`{"n":0}`))
		if err != nil {
			t.Fatal(err)
		}
		group := []store.NewInboxEvent{pending(`{"n":2}`), pending(`{"n":1}`), pending(`{"n":0}`), pending(`{"n":2}`), pending(`{"n":2}`)}
		got, err := db.WriteInboxGroup(ctx, group)
		if err != nil {
			t.Fatal(err)
		}
		wantDup := []bool{false, false, true, true, true}
		for i, s := range got {
			if s.Duplicate != wantDup[i] || s.Status != store.StatusPending || s.ID == 0 {
				t.Errorf("delivery %d = %+v, want duplicate %v", i, s, wantDup[i])
			}
		}
		if got[2].ID != earlier.ID || got[0].ID != got[3].ID || got[0].ID != got[4].ID || got[0].ID == got[1].ID {
			t.Errorf("ids = %+v (earlier %d)", got, earlier.ID)
		}
		for id, want := range map[int64]int{earlier.ID: 1, got[0].ID: 2, got[1].ID: 0} {
			e, err := db.InboxEvent(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if e.DuplicateCount != want || (want > 0) != e.LastDuplicateAt.Valid {
				t.Errorf("row %d: duplicate_count %d (last %v), want %d", id, e.DuplicateCount, e.LastDuplicateAt, want)
			}
		}
		counts, err := db.InboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.StatusPending] != 3 {
			t.Errorf("rows = %v, want 3", counts)
		}
	})
}

// Many concurrent callers, each body sent four times: exactly one first
// delivery per body, all copies on its row, nothing lost.
func TestConcurrentInsertsAreWrittenExactlyOnce(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		const bodies, copies = 100, 4
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			first = map[int]int{}   // body → first deliveries
			ids   = map[int]int64{} // body → row id
			errs  []error
		)
		for c := range copies {
			for b := range bodies {
				wg.Go(func() {
					s, err := db.InsertInbox(context.Background(), pending(fmt.Sprintf(`{"n":%d}`, b)))
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						errs = append(errs, err)
						return
					}
					if !s.Duplicate {
						first[b]++
					}
					if id, ok := ids[b]; ok && id != s.ID {
						errs = append(errs, fmt.Errorf("body %d copy %d on row %d, another on %d", b, c, s.ID, id))
					}
					ids[b] = s.ID
				})
			}
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		for b := range bodies {
			if first[b] != 1 {
				t.Errorf("body %d: %d first deliveries", b, first[b])
			}
			e, err := db.InboxEvent(context.Background(), ids[b])
			if err != nil {
				t.Fatal(err)
			}
			if e.DuplicateCount != copies-1 {
				t.Errorf("body %d: duplicate_count %d, want %d", b, e.DuplicateCount, copies-1)
			}
		}
	})
}
