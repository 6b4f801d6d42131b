package store_test

import (
	"context"
	"database/sql"
	"errors"
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
// that row and count it exactly once. If recording it fails, only that
// delivery fails (iDenfy sends it again): the group's new row, already
// committed, keeps its answer and nothing is counted twice.
func TestResendOfARowCommittedWhileTheGroupRan(t *testing.T) {
	for name, fail := range map[string]bool{"recorded": false, "record fails": true} {
		t.Run(name, func(t *testing.T) { resendCommittedWhileTheGroupRan(t, fail) })
	}
}

func resendCommittedWhileTheGroupRan(t *testing.T, fail bool) {
	url := testenv.PostgresURL(t)
	db, err := store.Open(context.Background(), store.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	boom := errors.New("the database went away")
	if fail {
		store.SetResendHook(db, func(int) error { return boom })
	}
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
		got  []store.Stored
		errs []error
		err  error
	}
	done := make(chan result, 1)
	go func() {
		got, errs, err := db.WriteInboxGroupEach(ctx, []store.NewInboxEvent{pending(`{"scanRef":"new"}`), racing})
		done <- result{got, errs, err}
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
	if r.err != nil || r.errs[0] != nil {
		t.Fatalf("group: %v; new delivery: %v", r.err, r.errs[0])
	}
	if r.got[0].Duplicate || r.got[0].ID == 0 || r.got[0].ID == firstID {
		t.Errorf("new delivery = %+v, want a new row", r.got[0])
	}
	wantCount := 1
	if fail {
		wantCount = 0
		if !errors.Is(r.errs[1], boom) {
			t.Errorf("re-send answered %+v, %v; want the recording's error", r.got[1], r.errs[1])
		}
	} else if r.errs[1] != nil || !r.got[1].Duplicate || r.got[1].ID != firstID {
		t.Errorf("re-send = %+v, %v; want a duplicate of %d", r.got[1], r.errs[1], firstID)
	}
	e, err := db.InboxEvent(ctx, firstID)
	if err != nil {
		t.Fatal(err)
	}
	if e.DuplicateCount != wantCount {
		t.Errorf("duplicate_count = %d, want %d", e.DuplicateCount, wantCount)
	}
}

// On SQLite every re-send is recorded after the group's statement. If that
// fails, the group's new rows keep their answers (they are committed: a
// retry would call them duplicates) and only the re-sends fail.
func TestAFailedResendRecordFailsOnlyTheResends(t *testing.T) {
	db := testenv.SQLite(t)
	ctx := context.Background()
	earlier, err := db.InsertInbox(ctx, pending(`{"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	store.SetResendHook(db, func(int) error { return boom })
	got, errs, err := db.WriteInboxGroupEach(ctx, []store.NewInboxEvent{pending(`{"n":1}`), pending(`{"n":0}`), pending(`{"n":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || errs[2] != nil || got[0].Duplicate || !got[2].Duplicate || got[0].ID != got[2].ID || got[0].ID == earlier.ID {
		t.Errorf("new body's deliveries = %+v %v, %+v %v; want the new row, then its copy", got[0], errs[0], got[2], errs[2])
	}
	if !errors.Is(errs[1], boom) {
		t.Errorf("re-send = %+v, %v; want the recording's error", got[1], errs[1])
	}
	e, err := db.InboxEvent(ctx, earlier.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.DuplicateCount != 0 {
		t.Errorf("duplicate_count = %d, want 0 (the failed re-send is not counted)", e.DuplicateCount)
	}
}
