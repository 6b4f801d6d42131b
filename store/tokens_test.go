package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"kycflow/identity"
	"kycflow/store"
)

func TestTokensStoreOnlyTheHashAndRevoke(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return t0 }
		alice1, h1 := identity.NewToken()
		alice2, h2 := identity.NewToken()
		bob, h3 := identity.NewToken()
		var created []store.Token
		for _, c := range []struct {
			hash []byte
			p    identity.Principal
		}{{h1, identity.Principal{Name: "alice", Role: identity.Reviewer}}, {h2, identity.Principal{Name: "alice", Role: identity.Admin}},
			{h3, identity.Principal{Name: "bob", Role: identity.Viewer}}} {
			tok, err := db.CreateToken(ctx, c.hash, c.p)
			if err != nil {
				t.Fatal(err)
			}
			created = append(created, tok)
		}
		if created[0].ID == 0 || created[1].ID <= created[0].ID || !created[0].CreatedAt.Equal(t0) {
			t.Errorf("created = %+v", created)
		}
		if _, err := db.CreateToken(ctx, h1, identity.Principal{Name: "mallory", Role: identity.Admin}); err == nil {
			t.Error("a second token with the same hash was stored")
		}
		for tok, want := range map[string]identity.Principal{alice1: {Name: "alice", Role: identity.Reviewer},
			alice2: {Name: "alice", Role: identity.Admin}, bob: {Name: "bob", Role: identity.Viewer}} {
			if got, err := db.TokenPrincipal(ctx, identity.HashToken(tok)); err != nil || got != want {
				t.Errorf("TokenPrincipal = %+v, %v; want %+v", got, err, want)
			}
		}
		// What is stored is the 32-byte hash (found by it above), never the 47-character token.
		n, err := store.CountOnPool(ctx, db, `SELECT COUNT(*) FROM reviewer_tokens WHERE length(token_hash) = 32`)
		if err != nil || n != 3 {
			t.Errorf("rows holding a 32-byte hash = %d, %v; want 3", n, err)
		}

		db.Now = func() time.Time { return t0.Add(time.Hour) }
		if n, err := db.RevokeReviewer(ctx, "alice"); err != nil || n != 2 {
			t.Fatalf("RevokeReviewer(alice) = %d, %v; want 2", n, err)
		}
		for _, tok := range []string{alice1, alice2} {
			if _, err := db.TokenPrincipal(ctx, identity.HashToken(tok)); !errors.Is(err, identity.ErrUnknownToken) {
				t.Errorf("revoked token: TokenPrincipal = %v, want ErrUnknownToken", err)
			}
		}
		if n, err := db.RevokeReviewer(ctx, "alice"); err != nil || n != 0 {
			t.Errorf("RevokeReviewer(alice) again = %d, %v; want 0", n, err)
		}
		if _, err := db.TokenPrincipal(ctx, identity.HashToken(bob)); err != nil {
			t.Errorf("bob's token after alice's were revoked: %v", err)
		}
		db.Now = func() time.Time { return t0.Add(2 * time.Hour) }
		got, err := db.RevokeToken(ctx, created[2].ID)
		if err != nil || got.Reviewer != "bob" || !got.RevokedAt.Valid || !got.RevokedAt.Time.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("RevokeToken(bob's) = %+v, %v", got, err)
		}
		if _, err := db.TokenPrincipal(ctx, identity.HashToken(bob)); !errors.Is(err, identity.ErrUnknownToken) {
			t.Errorf("bob's revoked token: %v", err)
		}
		db.Now = func() time.Time { return t0.Add(3 * time.Hour) }
		if again, err := db.RevokeToken(ctx, created[2].ID); err != nil || !again.RevokedAt.Time.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("RevokeToken twice = %+v, %v; want the first revocation time kept", again, err)
		}
		if _, err := db.RevokeToken(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RevokeToken(999) = %v, want ErrNotFound", err)
		}
		list, err := db.Tokens(ctx)
		if err != nil || len(list) != 3 {
			t.Fatalf("Tokens() = %+v, %v", list, err)
		}
		for i, want := range []struct {
			name string
			role identity.Role
			at   time.Time
		}{{"alice", identity.Reviewer, t0.Add(time.Hour)}, {"alice", identity.Admin, t0.Add(time.Hour)}, {"bob", identity.Viewer, t0.Add(2 * time.Hour)}} {
			got := list[i]
			if got.ID != created[i].ID || got.Reviewer != want.name || got.Role != want.role || !got.CreatedAt.Equal(t0) || !got.RevokedAt.Time.Equal(want.at) {
				t.Errorf("Tokens()[%d] = %+v, want %s %s revoked at %s", i, got, want.name, want.role, want.at)
			}
		}
	})
}

func TestTokenPrincipalUnknownHash(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		if _, err := db.TokenPrincipal(context.Background(), identity.HashToken("kfr_nobody")); !errors.Is(err, identity.ErrUnknownToken) {
			t.Errorf("TokenPrincipal(unknown) = %v, want ErrUnknownToken", err)
		}
	})
}
