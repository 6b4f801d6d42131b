package store_test

import (
	"context"
	"testing"

	"kycflow/internal/testenv"
	"kycflow/store"
)

// On PostgreSQL a group's statement is prepared once per size and reused.
// When PostgreSQL no longer knows it (as behind a pooler that hands the
// connection's statements to another server connection; here DEALLOCATE
// ALL on the pool's only connection), the group is still written, sent
// again unprepared, and the DB stops preparing. With NoPrepare nothing is
// prepared at all.
func TestPreparedGroupStatementAndItsFallback(t *testing.T) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	open := func(noPrepare bool) *store.DB {
		t.Helper()
		db, err := store.Open(ctx, store.Options{URL: url, MaxOpenConns: 1, NoPrepare: noPrepare})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	serverPrepared := func(db *store.DB) int {
		t.Helper()
		n, err := store.CountOnPool(ctx, db, `SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'WITH ins AS%'`)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	write := func(db *store.DB, wantDup []bool, bodies ...string) []store.Stored {
		t.Helper()
		events := make([]store.NewInboxEvent, len(bodies))
		for i, b := range bodies {
			events[i] = pending(b)
		}
		got, err := db.WriteInboxGroup(ctx, events)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range got {
			if s.ID == 0 || s.Duplicate != wantDup[i] {
				t.Errorf("%s stored as %+v, want duplicate %v", bodies[i], s, wantDup[i])
			}
		}
		return got
	}

	db := open(false)
	first := write(db, []bool{false, false}, `{"scanRef":"p1"}`, `{"scanRef":"p2"}`)
	write(db, []bool{true, false}, `{"scanRef":"p1"}`, `{"scanRef":"p3"}`)
	if stmts, on := store.PreparedState(db); stmts != 1 || !on {
		t.Fatalf("after two groups of two: %d statements prepared, preparing %v; want 1, true", stmts, on)
	}
	if n := serverPrepared(db); n != 1 {
		t.Fatalf("the server holds %d group statements, want 1", n)
	}

	if err := store.ExecOnPool(ctx, db, "DEALLOCATE ALL"); err != nil {
		t.Fatal(err)
	}
	p4 := write(db, []bool{true, false}, `{"scanRef":"p2"}`, `{"scanRef":"p4"}`)[1]
	if _, on := store.PreparedState(db); on {
		t.Error("still preparing after PostgreSQL refused a prepared statement")
	}
	write(db, []bool{true, false}, `{"scanRef":"p4"}`, `{"scanRef":"p5"}`)
	if n := serverPrepared(db); n != 0 {
		t.Errorf("the server holds %d group statements after preparing stopped, want 0", n)
	}
	for _, s := range append(first, p4) {
		e, err := db.InboxEvent(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e.DuplicateCount != 1 {
			t.Errorf("inbox event %d: duplicate_count %d, want 1", s.ID, e.DuplicateCount)
		}
	}

	plain := open(true)
	write(plain, []bool{true, false}, `{"scanRef":"p5"}`, `{"scanRef":"p6"}`)
	if stmts, on := store.PreparedState(plain); stmts != 0 || on {
		t.Errorf("NoPrepare: %d statements prepared, preparing %v", stmts, on)
	}
	if n := serverPrepared(plain); n != 0 {
		t.Errorf("NoPrepare: the server holds %d group statements", n)
	}

	// Behind a pooler the server connection may already hold another
	// client's statements under the names lib/pq gives its own ("1", "2",
	// …), so the PREPARE itself is refused (42P05). The group is still
	// written, and the DB stops preparing instead of trying per group.
	taken := open(false)
	if err := store.ExecOnPool(ctx, taken, `PREPARE "1" AS SELECT 1; PREPARE "2" AS SELECT 2; PREPARE "3" AS SELECT 3`); err != nil {
		t.Fatal(err)
	}
	write(taken, []bool{true, false}, `{"scanRef":"p6"}`, `{"scanRef":"p7"}`)
	if stmts, on := store.PreparedState(taken); stmts != 0 || on {
		t.Errorf("after a refused PREPARE: %d statements prepared, preparing %v; want 0, false", stmts, on)
	}
}
