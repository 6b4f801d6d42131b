package store_test

import (
	"context"
	"errors"
	"testing"

	"kycflow/store"
)

func TestCompaniesAndTheirClients(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.CompanyOfClient(ctx, "client-1", ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("CompanyOfClient before anything = %v, want ErrNotFound", err)
		}
		// A submission in the inbox names the company before its lifecycle recorded it.
		if _, err := db.InsertInbox(ctx, store.NewInboxEvent{Route: "kyb", Body: []byte(`{"id":"c-1"}`), Status: store.StatusPending,
			Kind: "kyb", EventType: "COMPANY_SUBMIT", SubjectType: "companyId", Subject: "c-1", CompanyID: "c-1", ClientID: "client-1"}); err != nil {
			t.Fatal(err)
		}
		if id, err := db.CompanyOfClient(ctx, "client-1", ""); err != nil || id != "c-1" {
			t.Fatalf("CompanyOfClient from the inbox = %q, %v", id, err)
		}
		c := store.Company{CompanyID: "c-2", WorkflowID: "kyb-c-2", ClientID: "client-2", Stage: "decided", Decision: "approved", Seq: 2, State: "{}"}
		tl := entries("x", 1, 2)
		for i := range tl {
			tl[i].WorkflowID, tl[i].ScanRef = "kyb-c-2", ""
		}
		for range 2 { // idempotent
			if err := db.SaveCompany(ctx, c, tl); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Company(ctx, "c-2")
		if err != nil || got.Decision != "approved" || got.WorkflowID != "kyb-c-2" {
			t.Errorf("Company = %+v, %v", got, err)
		}
		if id, err := db.CompanyOfClient(ctx, "client-2", ""); err != nil || id != "c-2" {
			t.Errorf("CompanyOfClient from the projection = %q, %v", id, err)
		}
		other := c
		other.CompanyID, other.WorkflowID, other.ExternalRef = "c-3", "kyb-c-3", "ref-3"
		if err := db.SaveCompany(ctx, other, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveCompany(ctx, store.Company{CompanyID: "c-2", WorkflowID: "kyb-c-2", ClientID: "client-2", ExternalRef: "ref-2", Stage: "decided", Seq: 3, State: "{}"}, nil); err != nil {
			t.Fatal(err)
		}
		for ref, want := range map[string]string{"ref-2": "c-2", "ref-3": "c-3"} {
			if id, err := db.CompanyOfClient(ctx, "client-2", ref); err != nil || id != want {
				t.Errorf("CompanyOfClient(client-2, %s) = %q, %v; want %s", ref, id, err, want)
			}
		}
		if lines, err := db.TimelineOf(ctx, "kyb-c-2"); err != nil || len(lines) != 2 {
			t.Errorf("TimelineOf = %d lines, %v", len(lines), err)
		}
		if _, err := db.Company(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Company(nope) = %v", err)
		}
	})
}
