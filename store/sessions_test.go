package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"kycflow/identity"
	"kycflow/store"
)

func TestConsoleSessionsExpireAndAreDeleted(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return t0 }
		hash := func(id string) []byte { h := sha256.Sum256([]byte(id)); return h[:] }
		alice := identity.Principal{Name: "alice", Role: identity.Reviewer}
		got, err := db.CreateSession(ctx, hash("a"), alice, "csrf-a", 8*time.Hour)
		if err != nil || !got.CreatedAt.Equal(t0) || !got.ExpiresAt.Equal(t0.Add(8*time.Hour)) {
			t.Fatalf("CreateSession = %+v, %v", got, err)
		}
		if _, err := db.CreateSession(ctx, hash("b"), identity.Principal{Name: "bob", Role: identity.Viewer}, "csrf-b", time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateSession(ctx, hash("a"), identity.Principal{Name: "mallory", Role: identity.Admin}, "x", time.Hour); err == nil {
			t.Error("a second session with the same id hash was stored")
		}
		if _, err := db.CreateSession(ctx, hash("c"), identity.Principal{Name: "eve", Role: "root"}, "x", time.Hour); err == nil {
			t.Error("a session with the role root was stored")
		}

		db.Now = func() time.Time { return t0.Add(90 * time.Minute) }
		s, err := db.Session(ctx, hash("a"))
		if err != nil || s.Principal() != alice || s.CSRFToken != "csrf-a" || !bytes.Equal(s.IDHash, hash("a")) ||
			!s.CreatedAt.Equal(t0) || !s.ExpiresAt.Equal(t0.Add(8*time.Hour)) {
			t.Errorf("Session(a) = %+v, %v", s, err)
		}
		if _, err := db.Session(ctx, hash("b")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Session(b) one hour after it ended = %v, want ErrNotFound", err)
		}
		if _, err := db.Session(ctx, hash("nobody")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Session(unknown) = %v, want ErrNotFound", err)
		}
		if n, err := db.DeleteExpiredSessions(ctx); err != nil || n != 1 {
			t.Errorf("DeleteExpiredSessions = %d, %v; want 1 (b)", n, err)
		}
		if n, err := store.CountOnPool(ctx, db, `SELECT COUNT(*) FROM console_sessions`); err != nil || n != 1 {
			t.Errorf("sessions left = %d, %v; want 1", n, err)
		}

		if err := db.DeleteSession(ctx, hash("a")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, hash("a")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Session(a) after sign-out = %v, want ErrNotFound", err)
		}
		if err := db.DeleteSession(ctx, hash("a")); err != nil {
			t.Errorf("DeleteSession twice = %v, want nil", err)
		}

		// Absolute expiry: the exact end is already too late.
		db.Now = func() time.Time { return t0 }
		if _, err := db.CreateSession(ctx, hash("d"), alice, "csrf-d", time.Hour); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return t0.Add(time.Hour - time.Millisecond) }
		if _, err := db.Session(ctx, hash("d")); err != nil {
			t.Errorf("Session(d) just before its end = %v", err)
		}
		db.Now = func() time.Time { return t0.Add(time.Hour) }
		if _, err := db.Session(ctx, hash("d")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Session(d) at its end = %v, want ErrNotFound", err)
		}
	})
}

// Offboarding a reviewer ends every console session of theirs, and only
// theirs.
func TestDeleteSessionsOfAReviewer(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hash := func(id string) []byte { h := sha256.Sum256([]byte(id)); return h[:] }
		for id, p := range map[string]identity.Principal{"a1": {Name: "alice", Role: identity.Reviewer}, "a2": {Name: "alice", Role: identity.Reviewer},
			"b": {Name: "bob", Role: identity.Viewer}} {
			if _, err := db.CreateSession(ctx, hash(id), p, "csrf", time.Hour); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := db.DeleteSessionsOf(ctx, "alice"); err != nil || n != 2 {
			t.Errorf("DeleteSessionsOf(alice) = %d, %v; want 2", n, err)
		}
		if _, err := db.Session(ctx, hash("a1")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("alice's session after offboarding = %v, want ErrNotFound", err)
		}
		if _, err := db.Session(ctx, hash("b")); err != nil {
			t.Errorf("bob's session = %v, want kept", err)
		}
	})
}
