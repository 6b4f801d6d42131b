package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"kycflow/store"
)

func TestListsFilterAndPage(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		openCases(t, db)
		for _, c := range []store.Company{
			{CompanyID: "co-2", ClientID: "c2", Stage: "decided", Decision: "rejected"},
			{CompanyID: "co-3", ClientID: "c1", Stage: "decided", Decision: "approved"},
		} {
			c.WorkflowID, c.Seq, c.State = "kyb-"+c.CompanyID, 1, "{}"
			if err := db.SaveCompany(ctx, c, nil); err != nil {
				t.Fatal(err)
			}
		}
		refs := func(vs []store.Verification) (out []string) {
			for _, v := range vs {
				out = append(out, v.ScanRef)
			}
			return out
		}
		got, next, err := db.ListVerifications(ctx, store.LifecycleFilter{ClientID: "u1"})
		if err != nil || next != 0 || !slices.Equal(refs(got), []string{"alert-2", "done", "late"}) {
			t.Errorf("ListVerifications(clientId u1) = %v, %d, %v", refs(got), next, err)
		}
		page, next, err := db.ListVerifications(ctx, store.LifecycleFilter{ClientID: "u1", Stage: "aml_alert", Limit: 1})
		if err != nil || next != 0 || !slices.Equal(refs(page), []string{"alert-2"}) {
			t.Errorf("ListVerifications(u1, aml_alert) = %v, %d, %v", refs(page), next, err)
		}
		ids := func(cs []store.Company) (out []string) {
			for _, c := range cs {
				out = append(out, c.CompanyID)
			}
			return out
		}
		first, next, err := db.ListCompanies(ctx, store.LifecycleFilter{ClientID: "c1", Limit: 1})
		if err != nil || next == 0 || !slices.Equal(ids(first), []string{"co-3"}) {
			t.Fatalf("ListCompanies(c1) page 1 = %v, %d, %v", ids(first), next, err)
		}
		second, next, err := db.ListCompanies(ctx, store.LifecycleFilter{ClientID: "c1", Limit: 1, After: next})
		if err != nil || next != 0 || !slices.Equal(ids(second), []string{"co-1"}) || !second[0].DueAt.Valid || second[0].Reason != "beneficiary flagged" {
			t.Errorf("ListCompanies(c1) page 2 = %+v, %d, %v", second, next, err)
		}
		if got, _, _ := db.ListCompanies(ctx, store.LifecycleFilter{Stage: "decided", Decision: "rejected"}); !slices.Equal(ids(got), []string{"co-2"}) {
			t.Errorf("ListCompanies(decided, rejected) = %v", ids(got))
		}
	})
}

func TestListInboxShowsNoPayload(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := t0
		db.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
		var ids []int64
		for i, status := range []store.InboxStatus{store.StatusQuarantined, store.StatusPending, store.StatusQuarantined, store.StatusQuarantined} {
			e := pending(`{"scanRef":"scan-` + string(rune('a'+i)) + `","name":"Jane Doe"}`)
			e.Status = status
			if status == store.StatusQuarantined {
				e.QuarantineReason, e.Subject = "unknown event type", ""
			}
			s, err := db.InsertInbox(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, s.ID)
		}
		var got []int64
		f := store.InboxFilter{Status: store.StatusQuarantined, Limit: 2}
		for range 3 {
			page, next, err := db.ListInbox(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page {
				got = append(got, e.ID)
				if e.Status != store.StatusQuarantined || e.QuarantineReason != "unknown event type" || e.Route != "kyc" ||
					e.EventType != "IDENTIFICATION_AUTO_FINISHED" || !e.ReceivedAt.After(t0) {
					t.Errorf("item = %+v", e)
				}
			}
			if next == nil {
				break
			}
			f.After = next
		}
		if want := []int64{ids[3], ids[2], ids[0]}; !slices.Equal(got, want) {
			t.Errorf("quarantined, newest first, pages of 2 = %v, want %v", got, want)
		}
		if p, _, err := db.ListInbox(ctx, store.InboxFilter{Status: store.StatusPending}); err != nil || len(p) != 1 || p[0].Subject != "scan-1" {
			t.Errorf("pending = %+v, %v", p, err)
		}
	})
}
