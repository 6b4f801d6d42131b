package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"kycflow/store"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func due(d time.Duration) sql.NullTime { return sql.NullTime{Time: t0.Add(d), Valid: true} }

// openCases stores the cases of the queue tests: four open ones, one
// decided, and returns the store's clock advancing a second per write.
func openCases(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	clock := t0
	db.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	for _, v := range []store.Verification{
		{ScanRef: "late", ClientID: "u1", Stage: "awaiting_compliance", DueAt: due(48 * time.Hour), Reason: "SUSPECTED by iDenfy"},
		{ScanRef: "alert-1", ClientID: "u2", Stage: "aml_alert", Reason: "AML ALERT on [m-1]"},
		{ScanRef: "done", ClientID: "u1", Stage: "decided", Decision: "approved"},
		{ScanRef: "soon", ClientID: "u2", Stage: "awaiting_compliance", DueAt: due(time.Hour), Reason: "screening flagged PEP"},
		{ScanRef: "alert-2", ClientID: "u1", Stage: "aml_alert", Reason: "AML ALERT on [m-2]"},
	} {
		v.WorkflowID, v.Seq, v.State = "kyc-"+v.ScanRef, 1, "{}"
		if err := db.SaveVerification(ctx, v, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SaveCompany(ctx, store.Company{CompanyID: "co-1", WorkflowID: "kyb-co-1", ClientID: "c1", Stage: "awaiting_compliance",
		Seq: 1, State: "{}", DueAt: due(24 * time.Hour), Reason: "beneficiary flagged"}, nil); err != nil {
		t.Fatal(err)
	}
}

func subjects(items []store.QueueItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Kind+":"+it.Subject)
	}
	return out
}

func TestQueueOrdersOpenCasesByDueTime(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		openCases(t, db)
		want := []string{"kyc:soon", "kyb:co-1", "kyc:late", "kyc:alert-1", "kyc:alert-2"}
		all, next, err := db.Queue(ctx, store.QueueFilter{})
		if err != nil || next != nil || !slices.Equal(subjects(all), want) {
			t.Fatalf("Queue() = %v, %v, %v; want %v", subjects(all), next, err, want)
		}
		if it := all[0]; !it.DueAt.Valid || !it.DueAt.Time.Equal(t0.Add(time.Hour)) || it.Reason != "screening flagged PEP" ||
			it.WorkflowID != "kyc-soon" || it.ClientID != "u2" || it.Stage != "awaiting_compliance" {
			t.Errorf("first item = %+v", it)
		}
		if all[3].DueAt.Valid || all[3].Reason != "AML ALERT on [m-1]" {
			t.Errorf("alert item = %+v, want undated with its reason", all[3])
		}
		var paged []store.QueueItem
		f := store.QueueFilter{Limit: 2}
		for range 5 {
			page, next, err := db.Queue(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, page...)
			if next == nil {
				break
			}
			f.After = next
		}
		if !slices.Equal(subjects(paged), want) {
			t.Errorf("pages of 2 = %v, want %v", subjects(paged), want)
		}
		for _, c := range []struct {
			f    store.QueueFilter
			want []string
		}{
			{store.QueueFilter{Kind: "kyb"}, []string{"kyb:co-1"}},
			{store.QueueFilter{Kind: "kyc", Stage: "aml_alert"}, []string{"kyc:alert-1", "kyc:alert-2"}},
			{store.QueueFilter{ClientID: "u1"}, []string{"kyc:late", "kyc:alert-2"}},
			{store.QueueFilter{Kind: "kyb", Stage: "aml_alert"}, nil},
		} {
			got, _, err := db.Queue(ctx, c.f)
			if err != nil || !slices.Equal(subjects(got), c.want) {
				t.Errorf("Queue(%+v) = %v, %v; want %v", c.f, subjects(got), err, c.want)
			}
		}
		depth, err := db.QueueDepth(ctx)
		wantDepth := map[[2]string]int{{"kyc", "awaiting_compliance"}: 2, {"kyc", "aml_alert"}: 2, {"kyb", "awaiting_compliance"}: 1}
		if err != nil || fmt.Sprint(depth) != fmt.Sprint(wantDepth) {
			t.Errorf("QueueDepth() = %v, %v; want %v", depth, err, wantDepth)
		}
		// A decided case leaves the queue, and its due time with it.
		if err := db.SaveVerification(ctx, store.Verification{ScanRef: "soon", WorkflowID: "kyc-soon", Stage: "decided", Seq: 2, State: "{}"}, nil); err != nil {
			t.Fatal(err)
		}
		if v, _ := db.Verification(ctx, "soon"); v.DueAt.Valid || v.Reason != "" {
			t.Errorf("decided projection keeps due %v reason %q", v.DueAt, v.Reason)
		}
		if got, _, _ := db.Queue(ctx, store.QueueFilter{}); len(got) != 4 || got[0].Subject != "co-1" {
			t.Errorf("after the decision: %v", subjects(got))
		}
	})
}

// Migration 6 fills the queue columns of the cases already waiting, from
// their stored state.
func TestMigrationFillsTheQueueColumns(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := store.MigrateDownTo(ctx, db, 5); err != nil {
			t.Fatal(err)
		}
		insert := `INSERT INTO verifications (scan_ref, workflow_id, stage, seq, state, created_at, updated_at) VALUES ('%s', 'kyc-%[1]s', '%s', 1, '%s', '2026-11-25 10:00:00 +0000 UTC', '2026-11-25 10:00:00 +0000 UTC')`
		if db.Dialect() == store.Postgres {
			insert = `INSERT INTO verifications (scan_ref, workflow_id, stage, seq, state, created_at, updated_at) VALUES ('%s', 'kyc-%[1]s', '%s', 1, '%s', now(), now())`
		}
		for _, row := range [][3]string{
			{"waiting", "awaiting_compliance", `{"stage":"awaiting_compliance","reviewReason":"SUSPECTED by iDenfy","complianceDue":"2026-11-27T10:00:00.5Z"}`},
			{"alerted", "aml_alert", `{"stage":"aml_alert","monitoring":{"active":true,"alert":true,"monitoringIds":["m-1","m-2"]}}`},
			{"decided", "decided", `{"stage":"decided","reviewReason":"stale","complianceDue":"2026-11-27T10:00:00Z"}`},
		} {
			if err := store.ExecOnPool(ctx, db, fmt.Sprintf(insert, row[0], row[1], row[2])); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
		w, err := db.Verification(ctx, "waiting")
		if err != nil || !w.DueAt.Valid || !w.DueAt.Time.Equal(time.Date(2026, 11, 27, 10, 0, 0, 5e8, time.UTC)) || w.Reason != "SUSPECTED by iDenfy" {
			t.Errorf("waiting = due %v reason %q (%v)", w.DueAt, w.Reason, err)
		}
		a, _ := db.Verification(ctx, "alerted")
		if a.DueAt.Valid || a.Reason != "AML ALERT on [m-1 m-2]: waiting for a compliance officer to clear or confirm." {
			t.Errorf("alerted = due %v reason %q", a.DueAt, a.Reason)
		}
		if d, _ := db.Verification(ctx, "decided"); d.DueAt.Valid || d.Reason != "" {
			t.Errorf("decided = due %v reason %q", d.DueAt, d.Reason)
		}
		// The filled due time sorts with the ones written later.
		if err := db.SaveVerification(ctx, store.Verification{ScanRef: "new", WorkflowID: "kyc-new", Stage: "awaiting_compliance", Seq: 1,
			State: "{}", DueAt: sql.NullTime{Time: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), Valid: true}}, nil); err != nil {
			t.Fatal(err)
		}
		if got, _, err := db.Queue(ctx, store.QueueFilter{}); err != nil || !slices.Equal(subjects(got), []string{"kyc:new", "kyc:waiting", "kyc:alerted"}) {
			t.Errorf("queue after the migration = %v, %v", subjects(got), err)
		}
	})
}
