package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"kycflow/identity"
	"kycflow/store"
)

func TestCasePayloadsAreTheScanRefsKYCAndAMLWebhooks(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys, err := store.ParsePayloadKeys(keySpec("k1", 1))
		if err != nil {
			t.Fatal(err)
		}
		sealed := db.WithPayloadKeys(keys)
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		insert := func(db *store.DB, day int, e store.NewInboxEvent) int64 {
			t.Helper()
			db.Now = func() time.Time { return base.Add(time.Duration(day) * 24 * time.Hour) }
			s, err := db.InsertInbox(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			return s.ID
		}
		kyc := func(ref, body string) store.NewInboxEvent {
			return store.NewInboxEvent{Route: "kyc", Body: []byte(body), Status: store.StatusPending, Kind: "kyc", Subject: ref, ScanRefs: []string{ref}}
		}
		aml := func(body string, refs ...string) store.NewInboxEvent {
			return store.NewInboxEvent{Route: "aml", Body: []byte(body), Status: store.StatusPending, Kind: "aml", Subject: "mon-1", ScanRefs: refs}
		}
		purged := insert(sealed, 0, kyc("s1", `{"n":1}`))
		first := insert(sealed, 10, kyc("s1", `{"n":2}`))
		insert(sealed, 10, kyc("s2", `{"n":3}`))
		both := insert(db, 11, aml(`{"n":4}`, "s2", "s1"))
		insert(db, 11, aml(`{"n":5}`, "s2", "s10"))
		insert(db, 12, store.NewInboxEvent{Route: "kyb", Body: []byte(`{"n":6}`), Status: store.StatusPending, Kind: "kyb", Subject: "s1"})
		last := insert(db, 13, kyc("s1", `{"n":7}`))
		if err := db.MarkDispatched(ctx, purged); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Purge(ctx, base.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}

		got, next, err := sealed.CasePayloads(ctx, "s1", 0, 0)
		if err != nil || next != 0 {
			t.Fatalf("CasePayloads(s1) next %d, %v", next, err)
		}
		var ids []int64
		for _, e := range got {
			ids = append(ids, e.ID)
		}
		if want := []int64{purged, first, both, last}; !slices.Equal(ids, want) {
			t.Fatalf("CasePayloads(s1) = %v, want %v (s1's KYC and the AML webhook listing it; not s2's, s10's or the KYB row)", ids, want)
		}
		if !got[0].PurgedAt.Valid || len(got[0].Body) != 0 {
			t.Errorf("purged row = %+v, want purged without body", got[0])
		}
		if string(got[1].Body) != `{"n":2}` || string(got[2].Body) != `{"n":4}` {
			t.Errorf("bodies = %q, %q; want them opened", got[1].Body, got[2].Body)
		}
		if unkeyed, _, err := db.CasePayloads(ctx, "s1", 0, 0); err != nil || unkeyed[1].SealErr == nil || unkeyed[1].Body != nil {
			t.Errorf("without the payload key = %+v, %v; want SealErr and no body", unkeyed[1], err)
		}

		page, next, err := sealed.CasePayloads(ctx, "s1", 0, 2)
		if err != nil || len(page) != 2 || page[1].ID != first || next != first {
			t.Fatalf("page 1 of 2 = %d rows, next %d, %v", len(page), next, err)
		}
		page, next, err = sealed.CasePayloads(ctx, "s1", next, 2)
		if err != nil || len(page) != 2 || page[0].ID != both || page[1].ID != last || next != 0 {
			t.Errorf("page 2 = %+v, next %d, %v", page, next, err)
		}
		if none, _, err := db.CasePayloads(ctx, "nobody", 0, 0); err != nil || len(none) != 0 {
			t.Errorf("CasePayloads(nobody) = %d rows, %v", len(none), err)
		}
	})
}

func TestPersonalDataViewsAreRecorded(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
		for i, v := range []store.PersonalDataView{
			{WorkflowID: "kyc-s1", ScanRef: "s1", Reviewer: "alice", Role: identity.Reviewer, InboxIDs: []int64{3, 9}},
			{WorkflowID: "kyc-s2", ScanRef: "s2", Reviewer: "alice", Role: identity.Reviewer, InboxIDs: []int64{4}},
			{WorkflowID: "kyc-s1", ScanRef: "s1", Reviewer: "bob", Role: identity.Admin},
		} {
			db.Now = func() time.Time { return t0.Add(time.Duration(i) * time.Minute) }
			got, err := db.RecordPersonalDataView(ctx, v)
			if err != nil || got.ID == 0 || !got.At.Equal(db.Now()) {
				t.Fatalf("RecordPersonalDataView = %+v, %v", got, err)
			}
		}
		views, err := db.PersonalDataViews(ctx, "s1")
		if err != nil || len(views) != 2 {
			t.Fatalf("PersonalDataViews(s1) = %+v, %v", views, err)
		}
		a, b := views[0], views[1]
		if a.Reviewer != "alice" || a.Role != identity.Reviewer || a.WorkflowID != "kyc-s1" || !slices.Equal(a.InboxIDs, []int64{3, 9}) || !a.At.Equal(t0) {
			t.Errorf("first view = %+v", a)
		}
		if b.Reviewer != "bob" || b.Role != identity.Admin || len(b.InboxIDs) != 0 || !b.At.Equal(t0.Add(2*time.Minute)) {
			t.Errorf("second view = %+v", b)
		}
	})
}
