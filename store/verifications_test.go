package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"kycflow/store"
)

func projection(scanRef string, seq int64, stage string) store.Verification {
	return store.Verification{ScanRef: scanRef, WorkflowID: "kyc-" + scanRef, ClientID: "user-1", Stage: stage,
		Status: "APPROVED", Final: true, Decision: "approved", DecisionSeq: 1, Seq: seq, State: `{"stage":"` + stage + `"}`}
}

func entries(scanRef string, from, to int64) []store.TimelineEvent {
	var out []store.TimelineEvent
	for seq := from; seq <= to; seq++ {
		out = append(out, store.TimelineEvent{WorkflowID: "kyc-" + scanRef, Seq: seq, ScanRef: scanRef, Type: "received",
			At: time.Date(2026, 1, 1, 0, 0, int(seq), 0, time.UTC), InboxID: sql.NullInt64{Int64: seq, Valid: true}, Detail: fmt.Sprint(seq)})
	}
	return out
}

func TestSaveVerificationIsIdempotentAndMonotonic(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.SaveVerification(ctx, projection("s1", 2, "auto_checked"), entries("s1", 1, 2)); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveVerification(ctx, projection("s1", 5, "decided"), entries("s1", 3, 5)); err != nil {
			t.Fatal(err)
		}
		// A retried older call: no duplicate lines, projection not moved back.
		if err := db.SaveVerification(ctx, projection("s1", 2, "auto_checked"), entries("s1", 1, 2)); err != nil {
			t.Fatal(err)
		}
		v, err := db.Verification(ctx, "s1")
		if err != nil {
			t.Fatal(err)
		}
		if v.Stage != "decided" || v.Seq != 5 || !v.Final || v.Decision != "approved" {
			t.Errorf("projection = %+v, want decided at seq 5", v)
		}
		tl, err := db.Timeline(ctx, "s1")
		if err != nil {
			t.Fatal(err)
		}
		if len(tl) != 5 || tl[0].Seq != 1 || tl[4].Seq != 5 || !tl[0].InboxID.Valid || tl[2].Detail != "3" {
			t.Errorf("timeline = %+v, want seq 1..5 once each", tl)
		}
		if _, err := db.Verification(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Verification(missing) = %v, want ErrNotFound", err)
		}
	})
}

func TestListVerifications(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := range 5 {
			stage := "decided"
			if i%2 == 1 {
				stage = "auto_checked"
			}
			if err := db.SaveVerification(ctx, projection(fmt.Sprint("s", i), 1, stage), nil); err != nil {
				t.Fatal(err)
			}
		}
		page, next, err := db.ListVerifications(ctx, store.LifecycleFilter{Stage: "decided", Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 2 || page[0].ScanRef != "s4" || page[1].ScanRef != "s2" || next == 0 {
			t.Fatalf("first page = %v next %d", scanRefs(page), next)
		}
		page, next, err = db.ListVerifications(ctx, store.LifecycleFilter{Stage: "decided", Limit: 2, After: next})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 1 || page[0].ScanRef != "s0" || next != 0 {
			t.Errorf("second page = %v next %d, want [s0] and no more", scanRefs(page), next)
		}
		all, _, err := db.ListVerifications(ctx, store.LifecycleFilter{Decision: "approved", Status: "APPROVED"})
		if err != nil || len(all) != 5 {
			t.Errorf("filter by decision and status = %d rows, %v", len(all), err)
		}
	})
}

func scanRefs(vs []store.Verification) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.ScanRef)
	}
	return out
}

func TestSaveVerificationRefusesARewrittenTimeline(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.SaveVerification(ctx, projection("s1", 2, "decided"), entries("s1", 1, 2)); err != nil {
			t.Fatal(err)
		}
		other := entries("s1", 2, 2)
		other[0].Type = "stale"
		if err := db.SaveVerification(ctx, projection("s1", 2, "decided"), other); !errors.Is(err, store.ErrTimelineConflict) {
			t.Errorf("SaveVerification(different entry at seq 2) = %v, want ErrTimelineConflict", err)
		}
	})
}

// A delivery's outcome entry is stored where its sequence number is free;
// where the delivery stored one first, that one stays, with no conflict.
func TestFillTimelineKeepsTheFirstEntry(t *testing.T) {
	contract(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.SaveVerification(ctx, projection("s1", 3, "decided"), entries("s1", 1, 2)); err != nil {
			t.Fatal(err)
		}
		first := entries("s1", 3, 3)[0]
		first.Type, first.Detail = "onboarding_called", "decision 1 (approved) accepted by the onboarding endpoint: 200"
		got, err := db.FillTimeline(ctx, first)
		if err != nil || got.Detail != first.Detail {
			t.Fatalf("FillTimeline(free seq) = %+v, %v; want it stored", got, err)
		}
		late := first
		late.Type, late.Detail, late.Fill = "delivery_retried", "the call did not finish", true
		if got, err := db.FillTimeline(ctx, late); err != nil || got.Detail != first.Detail {
			t.Errorf("FillTimeline(taken seq) = %+v, %v; want the first entry", got, err)
		}
		if err := db.SaveVerification(ctx, projection("s1", 3, "decided"), []store.TimelineEvent{late}); err != nil {
			t.Errorf("SaveVerification(fill at a taken seq) = %v, want no conflict", err)
		}
		tl, err := db.Timeline(ctx, "s1")
		if err != nil || len(tl) != 3 || tl[2].Type != "onboarding_called" {
			t.Errorf("timeline = %+v, %v; want the first outcome kept", tl, err)
		}
	})
}
