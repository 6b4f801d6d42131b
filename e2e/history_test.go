package e2e

import (
	"context"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"kycflow/internal/testtemporal"
	"kycflow/simulate"
	"kycflow/workflows"
)

// TestRecordHistories records real workflow histories into
// workflows/testdata for the replay test. It runs only when asked:
//
//	KYCFLOW_RECORD_HISTORIES=1 scripts/test -run TestRecordHistories ./e2e
//
// Re-record when a workflow change is intentional and versioned; never to
// make a failing replay pass.
func TestRecordHistories(t *testing.T) {
	if os.Getenv("KYCFLOW_RECORD_HISTORIES") == "" {
		t.Skip("set KYCFLOW_RECORD_HISTORIES=1 to record replay histories")
	}
	ts := testtemporal.New(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), "KYCFLOW_REVIEW_SLA=1s", "KYCFLOW_LATE_EVENT_WINDOW=3s", "KYCFLOW_AML_MONITORING=true")
	post := func(file, ref string, nonce int, edits ...func(map[string]any)) {
		b := kycBody(t, file, ref, nonce, edits...)
		if r := sys.post(t, "kyc", b, signed(b)); r.Code != 200 {
			t.Fatalf("post = %+v", r)
		}
	}
	// stuck → approved (monitoring) → AML alert → clear → late stale → revised to DENIED → closed.
	post("kyc_auto_suspected.json", "replay-revised", 1)
	sys.waitUntil(t, "replay-revised", 30*time.Second, func(d detail) bool { return d.count("stuck") == 1 })
	post("kyc_manual_approved.json", "replay-revised", 2)
	post("kyc_manual_approved.json", "replay-revised", 3)
	sys.waitUntil(t, "replay-revised", 30*time.Second, func(d detail) bool { return d.Stage == "monitoring" })
	alert := amlBody(t, "replay-mon", "ALERT", "ALERT", "replay-revised")
	sys.post(t, "aml", alert, signed(alert))
	sys.waitUntil(t, "replay-revised", 30*time.Second, func(d detail) bool { return d.Stage == "aml_alert" })
	if code, _ := sys.review(t, "replay-revised", `{"reviewer":"rec","decision":"clear","reason":"false positive"}`); code != 200 {
		t.Fatalf("clear = %d", code)
	}
	post("kyc_auto_suspected.json", "replay-revised", 4, func(m map[string]any) { m["status"].(map[string]any)["overall"] = "REVIEWING" })
	post("kyc_manual_approved.json", "replay-revised", 5, func(m map[string]any) { m["status"].(map[string]any)["overall"] = "DENIED" })
	sys.waitUntil(t, "replay-revised", 30*time.Second, func(d detail) bool { return d.Stage == "closed" })
	// suspected final → compliance review (stays open).
	post("kyc_auto_suspected.json", "replay-review", 1, func(m map[string]any) { m["final"] = true })
	sys.waitUntil(t, "replay-review", 30*time.Second, func(d detail) bool { return d.Stage == "awaiting_compliance" })
	// expired → resubmission requested → closed.
	post("kyc_expired.json", "replay-expired", 1)
	sys.waitUntil(t, "replay-expired", 30*time.Second, func(d detail) bool { return d.Stage == "closed" })

	// KYB: a beneficiary flagged → compliance review → approved by a person → closed.
	c := &simulate.Client{BaseURL: sys.url, Key: []byte(testKey), APIToken: apiToken}
	company, err := simulate.Build("kyb-review", mrand.New(mrand.NewPCG(3, 3)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Play(context.Background(), company, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Await(context.Background(), company, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if code, _ := sys.postJSON(t, company.APIPath()+"/review", `{"reviewer":"rec","decision":"approve","reason":"checked"}`); code != 200 {
		t.Fatalf("company review = %d", code)
	}
	company.WantStage, company.WantDecision = "closed", "approved"
	if _, err := c.Await(context.Background(), company, 30*time.Second); err != nil {
		t.Fatal(err)
	}

	for _, ref := range []string{"replay-revised", "replay-review", "replay-expired"} {
		writeHistory(t, ts, workflows.ID(ref), ref)
	}
	writeHistory(t, ts, workflows.CompanyID(company.Subject), "replay-kyb")
}

func writeHistory(t *testing.T, ts *testtemporal.Server, workflowID, name string) {
	t.Helper()
	it := ts.GetDefaultClient().GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "workflows", "testdata", name+".json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d events)", path, len(h.Events))
}
