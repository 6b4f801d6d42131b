package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"kycflow/store"
)

// One group holding new rows, re-sends of each other and two re-sends of a
// row stored earlier: one row per body, each caller told whether its
// delivery was the first, and every re-send counted.
func TestGroupCommitCountsResendsWithinAndAcrossGroups(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
		earlier, err := db.InsertInbox(ctx, pending(`{"n":0}`))
		if err != nil {
			t.Fatal(err)
		}
		fallbacks := 0 // re-sends the group's statement left to recordResends
		store.SetResendHook(db, func(int) error { fallbacks++; return nil })
		group := []store.NewInboxEvent{pending(`{"n":2}`), pending(`{"n":1}`), pending(`{"n":0}`), pending(`{"n":2}`), pending(`{"n":2}`), pending(`{"n":0}`)}
		got, err := db.WriteInboxGroup(ctx, group)
		if err != nil {
			t.Fatal(err)
		}
		// PostgreSQL records a re-send of an earlier row in the group's
		// statement; SQLite after it.
		if want := map[string]int{store.Postgres: 0, store.SQLite: 1}[db.Dialect()]; fallbacks != want {
			t.Errorf("re-sends recorded after the statement %d times, want %d", fallbacks, want)
		}
		wantDup := []bool{false, false, true, true, true, true}
		for i, s := range got {
			if s.Duplicate != wantDup[i] || s.Status != store.StatusPending || s.ID == 0 {
				t.Errorf("delivery %d = %+v, want duplicate %v", i, s, wantDup[i])
			}
		}
		if got[2].ID != earlier.ID || got[5].ID != earlier.ID || got[0].ID != got[3].ID || got[0].ID != got[4].ID || got[0].ID == got[1].ID {
			t.Errorf("ids = %+v (earlier %d)", got, earlier.ID)
		}
		// The group's copies were stamped 09:00:02 … 09:00:07, in order.
		at := func(sec int) time.Time { return time.Date(2026, 11, 26, 9, 0, sec, 0, time.UTC) }
		for id, want := range map[int64]struct {
			dups int
			last time.Time
		}{earlier.ID: {2, at(7)}, got[0].ID: {2, at(6)}, got[1].ID: {0, time.Time{}}} {
			e, err := db.InboxEvent(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if e.DuplicateCount != want.dups || !e.LastDuplicateAt.Time.Equal(want.last) {
				t.Errorf("row %d: duplicate_count %d, last duplicate %v; want %d, %v", id, e.DuplicateCount, e.LastDuplicateAt.Time, want.dups, want.last)
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

// Re-sends of stored bodies arrive while the relay marks those rows
// dispatched many at a time, in id order. A group must not lock several
// existing rows in another order: PostgreSQL would break the deadlock by
// failing one side after a second.
func TestResendsDoNotDeadlockWithTheRelay(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 64
		ids := make([]int64, n)
		for i := range n {
			s, err := db.InsertInbox(ctx, pending(fmt.Sprintf(`{"r":%d}`, i)))
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = s.ID
		}
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
		)
		note := func(err error) {
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}
		for round := range 20 {
			wg.Go(func() {
				events := make([]store.NewInboxEvent, n)
				for i := range n {
					events[i] = pending(fmt.Sprintf(`{"r":%d}`, (i*7+round)%n))
				}
				_, err := db.WriteInboxGroup(ctx, events)
				note(err)
			})
			wg.Go(func() { note(db.MarkDispatched(ctx, slices.Clone(ids)...)) })
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("%d failures, first: %v", len(errs), errs[0])
		}
	})
}

// After Close an insert fails at once, even without a deadline, instead
// of waiting for writers that are gone.
func TestInsertAfterCloseFails(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		db.Close()
		db.Close() // again: nothing happens
		done := make(chan error, 1)
		go func() {
			_, err := db.InsertInbox(context.Background(), pending(`{"late":true}`))
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("InsertInbox after Close = %v, want an error saying the store is closed", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("InsertInbox after Close hangs")
		}
	})
}
