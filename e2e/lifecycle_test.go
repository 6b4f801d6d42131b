package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"kycflow/internal/testenv"
	"kycflow/internal/testtemporal"
	"kycflow/store"
	"kycflow/workflows"
)

func TestLifecycleEndToEnd(t *testing.T) {
	ts := testtemporal.New(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort())

	// An auto final:false SUSPECTED result, then the manual APPROVED one.
	auto, manual := kycBody(t, "kyc_auto_suspected.json", "scan-a", 1), kycBody(t, "kyc_manual_approved.json", "scan-a", 2)
	a1 := sys.post(t, "kyc", auto, signed(auto))
	a2 := sys.post(t, "kyc", manual, signed(manual))
	if a1.Status != "accepted" || a2.Status != "accepted" {
		t.Fatalf("acks = %+v %+v", a1, a2)
	}
	d := sys.waitUntil(t, "scan-a", 30*time.Second, decidedApproved)
	if d.WorkflowID != workflows.ID("scan-a") || !d.Final || d.Status != "APPROVED" || d.ClientID != "client-scan-a" || d.count("decided") != 1 {
		t.Errorf("scan-a = %+v", d)
	}
	onTimeline := map[int64]bool{}
	for _, e := range d.Timeline {
		if e.InboxID != nil && (e.Type == "applied") {
			onTimeline[*e.InboxID] = true
		}
	}
	if !onTimeline[a1.ID] || !onTimeline[a2.ID] {
		t.Errorf("timeline does not apply both events %d and %d: %+v", a1.ID, a2.ID, d.Timeline)
	}

	// The same pair three times each, reversed, with fresh bytes each time.
	for i := range 3 {
		m := kycBody(t, "kyc_manual_approved.json", "scan-b", 10+i)
		if r := sys.post(t, "kyc", m, signed(m)); r.Code != 200 {
			t.Fatalf("post = %+v", r)
		}
	}
	for i := range 3 {
		a := kycBody(t, "kyc_auto_suspected.json", "scan-b", 20+i)
		if r := sys.post(t, "kyc", a, signed(a)); r.Code != 200 {
			t.Fatalf("post = %+v", r)
		}
	}
	b := sys.waitUntil(t, "scan-b", 30*time.Second, func(d detail) bool { return decidedApproved(d) && d.count("received") == 6 })
	if b.count("decided") != 1 || b.count("stale") != 1 || b.count("duplicate") != 4 {
		t.Errorf("scan-b timeline: decided %d stale %d duplicate %d, want 1, 1, 4: %+v", b.count("decided"), b.count("stale"), b.count("duplicate"), b.Timeline)
	}

	// A late preliminary result after the final one is recorded stale.
	late := kycBody(t, "kyc_auto_suspected.json", "scan-a", 99, func(m map[string]any) {
		m["status"].(map[string]any)["overall"] = "REVIEWING"
	})
	sys.post(t, "kyc", late, signed(late))
	a := sys.waitUntil(t, "scan-a", 30*time.Second, func(d detail) bool { return d.count("stale") == 1 })
	if !decidedApproved(a) || a.count("decided") != 1 {
		t.Errorf("after the late event scan-a = %s/%s with %d decisions", a.Stage, a.Decision, a.count("decided"))
	}

	// The Web UI view: search attributes are set.
	sys.waitForSearch(t, `KycStage = "decided" AND KycDecision = "approved" AND IdenfyScanRef = "scan-a"`)

	// No personal data from the payloads anywhere in Temporal history, nor
	// in any log line of serve and the worker (debug level included).
	assertNoPII(t, sys, "scan-a", "scan-b")
	logs := logsOf(t)
	if !strings.Contains(logs, "http request") || !strings.Contains(logs, "scan-a") {
		t.Fatalf("captured logs look empty (%d bytes)", len(logs))
	}
	for _, p := range piiMarkers {
		if strings.Contains(logs, p) {
			t.Errorf("logs contain personal data %q", p)
		}
	}
}

func (s *system) waitForSearch(t *testing.T, query string) {
	t.Helper()
	c := s.temporal.GetDefaultClient()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := c.ListWorkflow(context.Background(), listRequest(s.temporal.GetDefaultNamespace(), query))
		if err == nil && len(resp.GetExecutions()) == 1 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("no workflow matches %s", query)
}

func TestLifecycleSurvivesTemporalOutage(t *testing.T) {
	ts := testtemporal.New(t)
	proxy := testenv.NewProxy(t, ts.GetFrontendHostPort())
	proxy.Stop()
	sys := startSystem(t, ts, proxy.Addr())

	const n = 5
	for i := range n {
		ref := fmt.Sprintf("outage-%d", i)
		for j, file := range []string{"kyc_auto_suspected.json", "kyc_manual_approved.json"} {
			body := kycBody(t, file, ref, j)
			if r := sys.post(t, "kyc", body, signed(body)); r.Code != 200 || r.Status != "accepted" {
				t.Fatalf("ack while Temporal is down = %+v, want 200 accepted", r)
			}
		}
	}
	waitFor(t, 30*time.Second, func() bool {
		e, err := sys.db.InboxEvent(context.Background(), 2*n)
		return err == nil && e.Attempts >= 2
	})
	counts, err := sys.db.InboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.StatusPending] != 2*n {
		t.Fatalf("inbox while Temporal is down = %v, want %d pending", counts, 2*n)
	}

	proxy.Start()
	for i := range n {
		sys.waitUntil(t, fmt.Sprintf("outage-%d", i), 60*time.Second, decidedApproved)
	}
	// The last rows are marked dispatched just after Temporal accepted them.
	waitFor(t, 10*time.Second, func() bool {
		counts, _ = sys.db.InboxCounts(context.Background())
		return counts[store.StatusDispatched] == 2*n
	})
}

func listRequest(namespace, query string) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{Namespace: namespace, Query: query}
}

func TestClosedLifecycleRestartsFromStore(t *testing.T) {
	ts := testtemporal.New(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), "KYCFLOW_LATE_EVENT_WINDOW=1s")
	approved := kycBody(t, "kyc_manual_approved.json", "scan-c", 1)
	sys.post(t, "kyc", approved, signed(approved))
	closed := sys.waitUntil(t, "scan-c", 30*time.Second, func(d detail) bool { return d.Stage == "closed" })

	// iDenfy re-reviews after the lifecycle closed: a new run loads the
	// stored state, records a revision and decides again.
	denied := kycBody(t, "kyc_manual_approved.json", "scan-c", 2, func(m map[string]any) { m["status"].(map[string]any)["overall"] = "DENIED" })
	sys.post(t, "kyc", denied, signed(denied))
	d := sys.waitUntil(t, "scan-c", 30*time.Second, func(d detail) bool { return d.Decision == "rejected" })
	if d.count("reopened") != 1 || d.count("revised") != 1 || d.count("decided") != 2 {
		t.Errorf("timeline after reopening = %+v", d.Timeline)
	}
	for i, e := range d.Timeline {
		if e.Seq != int64(i+1) {
			t.Fatalf("timeline seq %d at position %d: the new run did not continue the old sequence", e.Seq, i)
		}
	}
	if len(d.Timeline) <= len(closed.Timeline) {
		t.Errorf("timeline did not grow: %d then %d entries", len(closed.Timeline), len(d.Timeline))
	}
}
