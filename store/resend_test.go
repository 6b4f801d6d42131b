package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"kycflow/internal/testenv"
	"kycflow/store"
)

// A re-send is recorded beside the stored delivery, not by rewriting its
// row: the row keeps its version (no new copy of it and its body, no new
// index entries), and the count still comes out right.
func TestResendLeavesTheStoredRowAsItWas(t *testing.T) {
	url := testenv.PostgresURL(t)
	db, err := store.Open(context.Background(), store.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ctx := context.Background()
	first, err := db.InsertInbox(ctx, pending(`{"scanRef":"kept"}`))
	if err != nil {
		t.Fatal(err)
	}
	version := func() (v string) {
		t.Helper()
		if err := raw.QueryRowContext(ctx, `SELECT xmin::text || '/' || ctid::text FROM inbox WHERE id = $1`, first.ID).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := version()
	for range 2 {
		again, err := db.InsertInbox(ctx, pending(`{"scanRef":"kept"}`))
		if err != nil {
			t.Fatal(err)
		}
		if !again.Duplicate || again.ID != first.ID {
			t.Fatalf("re-send = %+v, want a duplicate of %d", again, first.ID)
		}
	}
	if after := version(); after != before {
		t.Errorf("the stored row was rewritten by re-sends: version %s, then %s", before, after)
	}
	e, err := db.InboxEvent(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.DuplicateCount != 2 || !e.LastDuplicateAt.Valid {
		t.Errorf("duplicate_count = %d, last duplicate set %v; want 2, true", e.DuplicateCount, e.LastDuplicateAt.Valid)
	}
}

// A first delivery that commits while a group's statement waits on its key
// is not in that statement's snapshot, so the statement can neither insert
// it nor see it. The group must still answer the re-send as a duplicate of
// that row and count it exactly once.
func TestResendOfARowCommittedWhileTheGroupRan(t *testing.T) {
	url := testenv.PostgresURL(t)
	db, err := store.Open(context.Background(), store.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ctx := context.Background()
	racing := pending(`{"scanRef":"racing"}`)
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var firstID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO inbox (route, dedup_key, body, status, received_at) VALUES ('kyc', $1, $2, 'pending', now()) RETURNING id`,
		store.DedupKey("kyc", racing.Body), racing.Body).Scan(&firstID); err != nil {
		t.Fatal(err)
	}
	type result struct {
		got []store.Stored
		err error
	}
	done := make(chan result, 1)
	go func() {
		got, err := db.WriteInboxGroup(ctx, []store.NewInboxEvent{pending(`{"scanRef":"new"}`), racing})
		done <- result{got, err}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for waiting := 0; waiting == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the group's statement never waited on the uncommitted first delivery")
		}
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.got[0].Duplicate || r.got[0].ID == firstID {
		t.Errorf("new delivery = %+v, want a new row", r.got[0])
	}
	if !r.got[1].Duplicate || r.got[1].ID != firstID {
		t.Errorf("re-send = %+v, want a duplicate of %d", r.got[1], firstID)
	}
	e, err := db.InboxEvent(ctx, firstID)
	if err != nil {
		t.Fatal(err)
	}
	if e.DuplicateCount != 1 {
		t.Errorf("duplicate_count = %d, want 1", e.DuplicateCount)
	}
}
