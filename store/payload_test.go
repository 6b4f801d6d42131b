package store_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"kycflow/store"
)

func keySpec(id string, b byte) string {
	return id + ":" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

func TestPayloadsEncryptedAtRestWithRotation(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		old, err := store.ParsePayloadKeys(keySpec("k1", 1))
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(`{"scanRef":"enc-1","data":{"docFirstName":"JANE"}}`)
		s, err := db.WithPayloadKeys(old).InsertInbox(ctx, store.NewInboxEvent{Route: "kyc", Body: body, Status: store.StatusPending, Kind: "kyc", Subject: "enc-1"})
		if err != nil {
			t.Fatal(err)
		}
		plain, err := db.InboxEvent(ctx, s.ID) // no keys: the stored bytes are sealed
		if err != nil {
			t.Fatal(err)
		}
		if plain.BodyKeyID != "k1" || plain.Body != nil || !errors.Is(plain.SealErr, store.ErrPayloadKey) {
			t.Errorf("read without keys = key %q body %q err %v; want it sealed by k1", plain.BodyKeyID, plain.Body, plain.SealErr)
		}
		rotated, err := store.ParsePayloadKeys(keySpec("k2", 2) + "," + keySpec("k1", 1))
		if err != nil {
			t.Fatal(err)
		}
		rdb := db.WithPayloadKeys(rotated)
		got, err := rdb.InboxEvent(ctx, s.ID)
		if err != nil || !bytes.Equal(got.Body, body) {
			t.Errorf("read after rotation = %q, %v", got.Body, err)
		}
		again, err := rdb.InboxEvent(ctx, s.ID)
		if dup, err2 := rdb.InsertInbox(ctx, store.NewInboxEvent{Route: "kyc", Body: body, Status: store.StatusPending}); err != nil || err2 != nil || !dup.Duplicate || again.ID != dup.ID {
			t.Errorf("the same bytes under a new key = %+v, %v; want the duplicate of row %d", dup, err2, s.ID)
		}
		claimed, err := rdb.ClaimPending(ctx, []string{"kyc"}, 10, time.Minute)
		if err != nil || len(claimed) != 1 || !bytes.Equal(claimed[0].Body, body) {
			t.Errorf("claimed = %+v, %v; want the opened body", claimed, err)
		}
	})
}

func TestPurgeRemovesOldPayloadsOnly(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var ids []int64
		for i, st := range []store.InboxStatus{store.StatusPending, store.StatusQuarantined, store.StatusPending} {
			db.Now = func() time.Time { return base.Add(time.Duration(i) * 24 * time.Hour) }
			s, err := db.InsertInbox(ctx, store.NewInboxEvent{Route: "kyc", Body: []byte{byte('a' + i)}, Status: st,
				Headers: map[string]string{"User-Agent": "iDenfy"}, Kind: "kyc"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, s.ID)
		}
		if err := db.MarkDispatched(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
		n, err := db.Purge(ctx, base.Add(36*time.Hour)) // rows 0 (dispatched) and 1 (quarantined) are older
		if err != nil || n != 2 {
			t.Fatalf("Purge = %d, %v; want 2", n, err)
		}
		for i, id := range ids {
			e, err := db.InboxEvent(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			purged := i < 2
			if e.PurgedAt.Valid != purged || (len(e.Body) == 0) != purged || (e.HeadersJSON == "{}") != purged {
				t.Errorf("row %d: purged %v, body %q, headers %s", i, e.PurgedAt.Valid, e.Body, e.HeadersJSON)
			}
		}
		if n, _ := db.Purge(ctx, base.Add(100*24*time.Hour)); n != 0 {
			t.Errorf("second purge = %d; the pending row must stay and purged rows are not purged twice", n)
		}
	})
}

func TestParsePayloadKeys(t *testing.T) {
	for _, bad := range []string{"k1", "k1:short", ":" + base64.StdEncoding.EncodeToString(make([]byte, 32)), keySpec("a", 1) + "," + keySpec("a", 2)} {
		if _, err := store.ParsePayloadKeys(bad); err == nil {
			t.Errorf("ParsePayloadKeys(%q) accepted", bad)
		}
	}
	if k, err := store.ParsePayloadKeys(""); k != nil || err != nil {
		t.Errorf("empty spec = %v, %v; want no encryption", k, err)
	}
}
