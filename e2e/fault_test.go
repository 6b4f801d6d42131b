package e2e

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"testing"
	"time"

	"kycflow/internal/testenv"
	"kycflow/internal/testtemporal"
	"kycflow/workflows"
)

// The fault suite (go test ./e2e -run Fault): each test breaks one
// component under load and counts what was sent, acknowledged, stored,
// dispatched and decided, and what was lost or acted on twice (both must
// be zero).

// outcome reads the lifecycles of refs: how many reached want, and how
// many were decided more than once.
func outcome(t *testing.T, sys *system, refs []string, want func(ref string) string) (decided, doubled int) {
	t.Helper()
	for _, ref := range refs {
		v, err := sys.db.Verification(context.Background(), ref)
		if err != nil {
			continue
		}
		if v.Decision == want(ref) {
			decided++
		}
		tl, err := sys.db.Timeline(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range tl {
			if e.Type == workflows.EntryDecided {
				n++
			}
		}
		if n > 1 || v.DecisionSeq > 1 {
			doubled++
		}
	}
	return decided, doubled
}

// waitDecided polls until every ref is decided as expected.
func waitDecided(t *testing.T, sys *system, refs []string, timeout time.Duration, want func(string) string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	pending := refs
	for len(pending) > 0 && time.Now().Before(deadline) {
		var still []string
		for _, ref := range pending {
			if v, err := sys.db.Verification(context.Background(), ref); err != nil || v.Decision != want(ref) {
				still = append(still, ref)
			}
		}
		pending = still
		if len(pending) > 0 {
			time.Sleep(250 * time.Millisecond)
		}
	}
	if len(pending) > 0 {
		t.Errorf("%d of %d lifecycles not decided within %v (e.g. %s)", len(pending), len(refs), timeout, pending[0])
	}
}

func approved(string) string { return string(workflows.DecisionApproved) }

// Temporal is unreachable while 1,000 webhooks (500 verifications, an
// automatic and a manual result each) arrive: every one is acknowledged and
// stored, and every lifecycle completes once Temporal is back.
func TestFaultTemporalUnavailable(t *testing.T) {
	ts := testtemporal.New(t)
	proxy := testenv.NewProxy(t, ts.GetFrontendHostPort())
	proxy.Stop()
	sys := startSystem(t, ts, proxy.Addr())
	const n = 500
	var ds []delivery
	var refs []string
	for i := range n {
		ref := fmt.Sprintf("tdown-%03d", i)
		refs = append(refs, ref)
		ds = append(ds, delivery{"kyc", kycBody(t, "kyc_auto_suspected.json", ref, 1)}, delivery{"kyc", kycBody(t, "kyc_manual_approved.json", ref, 2)})
	}
	var tl tally
	(&sender{url: sys.url, concurrency: 16}).send(t, ds, &tl)
	stored, _ := inboxTotals(t, sys.db)
	if int(tl.acked.Load()) != len(ds) || stored != len(ds) {
		t.Fatalf("while Temporal is down: %d acknowledged, %d stored of %d (codes %v)", tl.acked.Load(), stored, len(ds), tl.codes)
	}
	proxy.Start()
	waitDecided(t, sys, refs, 5*time.Minute, approved)
	waitFor(t, 30*time.Second, func() bool { _, d := inboxTotals(t, sys.db); return d == len(ds) })
	stored, dispatched := inboxTotals(t, sys.db)
	decided, doubled := outcome(t, sys, refs, approved)
	figures{test: "Temporal down during 1,000 webhooks", sent: len(ds), acknowledged: int(tl.acked.Load()), stored: stored, dispatched: dispatched,
		decided: decided, lost: len(ds) - dispatched + n - decided, doubled: doubled, note: fmt.Sprintf("max ack %v", tl.maxLatency.Round(time.Millisecond))}.report(t)
}

// 1,000 verifications; every webhook is delivered 1–5 times (some re-sent
// with fresh file URLs, so different bytes), all shuffled, with stale
// non-final results mixed in: each lifecycle ends in its expected decision,
// decided exactly once, onboarded exactly once.
func TestFaultDuplicateAndReorderStorm(t *testing.T) {
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), env...)
	r := mrand.New(mrand.NewPCG(11, 12))
	const n = 1000
	want := map[string]string{}
	var ds []delivery
	var refs []string
	nonce := 0
	for i := range n {
		ref := fmt.Sprintf("storm-%04d", i)
		refs = append(refs, ref)
		final, decision := "APPROVED", workflows.DecisionApproved
		if i%4 == 3 {
			final, decision = "DENIED", workflows.DecisionRejected
		}
		want[ref] = string(decision)
		setFinal := func(m map[string]any) { m["status"].(map[string]any)["overall"] = final }
		stale := func(m map[string]any) { m["status"].(map[string]any)["overall"] = "REVIEWING" }
		for _, w := range []struct {
			file string
			edit func(map[string]any)
		}{{"kyc_auto_suspected.json", nil}, {"kyc_manual_approved.json", setFinal}, {"kyc_auto_suspected.json", stale}} {
			nonce++
			body := kycBody(t, w.file, ref, nonce, editOrNone(w.edit))
			for range 1 + r.IntN(5) {
				if r.IntN(2) == 0 { // a re-send with fresh pre-signed URLs: new bytes, same result
					nonce++
					ds = append(ds, delivery{"kyc", kycBody(t, w.file, ref, nonce, editOrNone(w.edit))})
				} else {
					ds = append(ds, delivery{"kyc", body})
				}
			}
		}
	}
	r.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	var tl tally
	(&sender{url: sys.url, concurrency: 16}).send(t, ds, &tl)
	wantOf := func(ref string) string { return want[ref] }
	waitDecided(t, sys, refs, 8*time.Minute, wantOf)
	stored, _ := inboxTotals(t, sys.db)
	waitFor(t, 60*time.Second, func() bool { _, d := inboxTotals(t, sys.db); return d == stored })
	_, dispatched := inboxTotals(t, sys.db)
	decided, doubled := outcome(t, sys, refs, wantOf)
	waitFor(t, 60*time.Second, func() bool { return len(down.onboarding.Effective()) >= n })
	perRef := map[string]int{}
	for _, m := range down.onboarding.Effective() {
		perRef[fmt.Sprint(m.Body["scanRef"])]++
	}
	for _, c := range perRef {
		if c > 1 {
			doubled++
		}
	}
	figures{test: "duplicate and reorder storm, 1,000 verifications", sent: len(ds), acknowledged: int(tl.acked.Load()), stored: stored,
		dispatched: dispatched, decided: decided, lost: int(tl.sent.Load()-tl.acked.Load()) + n - decided, doubled: doubled,
		note: fmt.Sprintf("%d onboarding calls for %d verifications", len(down.onboarding.Effective()), len(perRef))}.report(t)
}

func editOrNone(e func(map[string]any)) func(map[string]any) {
	if e == nil {
		return func(map[string]any) {}
	}
	return e
}
