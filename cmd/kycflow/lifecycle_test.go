package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"

	"kycflow/internal/testenv"
	"kycflow/internal/testtemporal"
	"kycflow/service"
	"kycflow/store"
	"kycflow/workflows"
)

const apiToken = "lifecycle-test-token"

// system is serve + worker against real PostgreSQL and a real Temporal.
type system struct {
	*server
	temporal *testtemporal.Server
	db       *store.DB
	cfg      service.Config // the worker's configuration
}

// startSystem runs serve (reaching Temporal at serveTemporal, which may be
// a proxy) and a worker (reaching it directly).
func startSystem(t *testing.T, ts *testtemporal.Server, serveTemporal string, environ ...string) *system {
	t.Helper()
	return startSystemWith(t, ts, serveTemporal, true, environ...)
}

func startSystemWith(t *testing.T, ts *testtemporal.Server, serveTemporal string, withWorker bool, environ ...string) *system {
	t.Helper()
	dbURL := testenv.PostgresURL(t)
	// Lifecycle tests end at the decision; monitoring tests switch it on.
	common := append([]string{"KYCFLOW_DATABASE_URL=" + dbURL, "TEMPORAL_NAMESPACE=" + ts.GetDefaultNamespace(), "KYCFLOW_API_TOKEN=" + apiToken,
		"KYCFLOW_AML_MONITORING=false"}, environ...)
	s := startServe(t, append(common, "TEMPORAL_ADDRESS="+serveTemporal)...)
	cfg, err := service.LoadConfig(append(common, "TEMPORAL_ADDRESS="+ts.GetFrontendHostPort(), "KYCFLOW_IDENFY_KEYS="+testKey))
	if err != nil {
		t.Fatal(err)
	}
	if withWorker {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- service.Worker(ctx, cfg, testLogger(t)) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("worker returned %v", err)
			}
		})
	}
	db, err := store.Open(context.Background(), store.Options{URL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &system{server: s, temporal: ts, db: db, cfg: cfg}
}

// kycBody builds a realistic identification body from a fixture, with the
// given scanRef and a distinct file URL nonce so re-sends differ in bytes
// the way iDenfy's fresh pre-signed URLs do.
func kycBody(t *testing.T, file, scanRef string, nonce int, edits ...func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fixture(t, file), &m); err != nil {
		t.Fatal(err)
	}
	for _, edit := range edits {
		edit(m)
	}
	m["scanRef"], m["clientId"] = scanRef, "client-"+scanRef
	m["fileUrls"] = map[string]string{"FACE": fmt.Sprintf("https://s3.eu-west-1.amazonaws.com/bucket/FACE.png?X-Amz-Signature=%d", nonce)}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type detail struct {
	ScanRef    string `json:"scanRef"`
	ClientID   string `json:"clientId"`
	WorkflowID string `json:"workflowId"`
	Stage      string `json:"stage"`
	Status     string `json:"status"`
	Final      bool   `json:"final"`
	Decision   string `json:"decision"`
	Timeline   []struct {
		Seq     int64  `json:"seq"`
		Type    string `json:"type"`
		InboxID *int64 `json:"inboxId"`
		Detail  string `json:"detail"`
	} `json:"timeline"`
}

func (d detail) count(typ string) int {
	n := 0
	for _, e := range d.Timeline {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func (s *system) verification(t *testing.T, scanRef string) (detail, int) {
	t.Helper()
	raw, code := s.rawGet(t, "/v1/verifications/"+scanRef)
	var d detail
	json.Unmarshal(raw, &d)
	return d, code
}

func (s *system) rawGet(t *testing.T, path string) ([]byte, int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+apiToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return raw, resp.StatusCode
}

// waitUntil polls the API until cond holds for scanRef.
func (s *system) waitUntil(t *testing.T, scanRef string, timeout time.Duration, cond func(detail) bool) detail {
	t.Helper()
	var last detail
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		d, code := s.verification(t, scanRef)
		if code == http.StatusOK && cond(d) {
			return d
		}
		last = d
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not reach the expected state within %v; last: %+v", scanRef, timeout, last)
	return last
}

func decidedApproved(d detail) bool { return d.Stage == "decided" && d.Decision == "approved" }

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

// piiMarkers are the fixtures' personal data: names, document numbers,
// dates of birth and expiry, file URLs, client IPs and locations.
var piiMarkers = []string{"JONAS", "PETRAITIS", "12345678", "39001011234", "1990-01-01", "2031-05-14", "amazonaws.com",
	"X-Amz-Signature", "203.0.113.10", "198.51.100.7", "Vilnius", "London", "DOE"}

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

func assertNoPII(t *testing.T, s *system, scanRefs ...string) {
	t.Helper()
	ids := make([]string, len(scanRefs))
	for i, ref := range scanRefs {
		ids[i] = workflows.ID(ref)
	}
	assertNoPIIIn(t, s, piiMarkers, ids...)
}

// assertNoPIIIn checks every byte of the workflows' histories for markers.
func assertNoPIIIn(t *testing.T, s *system, markers []string, workflowIDs ...string) {
	t.Helper()
	c := s.temporal.GetDefaultClient()
	for _, ref := range workflowIDs {
		it := c.GetWorkflowHistory(context.Background(), ref, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		var raw bytes.Buffer
		events := 0
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			b, err := proto.Marshal(e) // payloads appear as their raw JSON bytes
			if err != nil {
				t.Fatal(err)
			}
			raw.Write(b)
			events++
		}
		if events == 0 {
			t.Fatalf("history of %s is empty", ref)
		}
		for _, p := range markers {
			if strings.Contains(raw.String(), p) {
				t.Errorf("history of %s contains personal data %q", ref, p)
			}
		}
	}
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
