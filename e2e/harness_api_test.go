package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"kycflow/idenfy"
	"kycflow/workflows"
)

// The harness's client side: signed webhooks built from the fixtures, the
// operator API, polling with a deadline, and the check that no personal
// data reaches Temporal.

func signed(body []byte) string { return idenfy.Sign(body, []byte(testKey)) }

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../idenfy/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
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

// amlBody builds an AML monitoring webhook for the listed scanRefs.
func amlBody(t *testing.T, monitoringID, alertStatus, status string, scanRefs ...string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fixture(t, "aml_monitoring_alert.json"), &m); err != nil {
		t.Fatal(err)
	}
	m["monitoringId"], m["scanRefList"], m["alertStatus"], m["status"] = monitoringID, scanRefs, alertStatus, status
	if alertStatus != "ALERT" {
		m["sanctionsStatus"] = "NO_FLAGS"
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reply is serve's answer to a webhook.
type reply struct {
	Code       int
	RetryAfter string
	Status     string `json:"status"`
	ID         int64  `json:"id"`
	Error      string `json:"error"`
}

func (s *server) post(t *testing.T, route string, body []byte, sig string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+"/webhooks/idenfy/"+route, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if sig != "" {
		req.Header.Set(idenfy.SignatureHeader, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{Code: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("reply %q: %v", raw, err)
	}
	return r
}

// detail is the operator API's view of a verification.
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

func decidedApproved(d detail) bool { return d.Stage == "decided" && d.Decision == "approved" }

func hasEntry(typ string) func(detail) bool {
	return func(d detail) bool { return d.count(typ) > 0 }
}

// api sends an operator API request with the API token (admin).
func (s *system) api(t *testing.T, method, path, body string) ([]byte, int) {
	t.Helper()
	return s.apiAs(t, apiToken, method, path, body)
}

// apiAs sends an operator API request with token.
func (s *system) apiAs(t *testing.T, token, method, path, body string) ([]byte, int) {
	t.Helper()
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return raw, resp.StatusCode
}

func (s *system) verification(t *testing.T, scanRef string) (detail, int) {
	t.Helper()
	raw, code := s.api(t, http.MethodGet, "/v1/verifications/"+scanRef, "")
	var d detail
	json.Unmarshal(raw, &d)
	return d, code
}

func (s *system) getJSON(t *testing.T, path string, into any) {
	t.Helper()
	raw, code := s.api(t, http.MethodGet, path, "")
	if code != 200 {
		t.Fatalf("GET %s = %d", path, code)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatal(err)
	}
}

// postJSON POSTs body to an operator API path and decodes the answer.
func (s *system) postJSON(t *testing.T, path, body string) (int, map[string]any) {
	t.Helper()
	raw, code := s.api(t, http.MethodPost, path, body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return code, out
}

func (s *system) review(t *testing.T, scanRef, body string) (int, map[string]any) {
	t.Helper()
	return s.postJSON(t, "/v1/verifications/"+scanRef+"/review", body)
}

// reviewAs sends a review with a reviewer's token.
func (s *system) reviewAs(t *testing.T, token, scanRef, body string) (int, map[string]any) {
	t.Helper()
	raw, code := s.apiAs(t, token, http.MethodPost, "/v1/verifications/"+scanRef+"/review", body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return code, out
}

// reviewerToken makes a reviewer's API token the way an operator does,
// with the production binary's `kycflow token create`, and returns the
// token it prints alone on its last line.
func (s *system) reviewerToken(t *testing.T, name, role string) string {
	t.Helper()
	out, errOut, err := runBinary(t, []string{"KYCFLOW_DATABASE_URL=" + s.cfg.DatabaseURL}, "token", "create", "--reviewer", name, "--role", role)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
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

func waitFor(t *testing.T, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// piiMarkers are the fixtures' personal data: names, document numbers,
// dates of birth and expiry, file URLs, client IPs and locations.
var piiMarkers = []string{"JONAS", "PETRAITIS", "12345678", "39001011234", "1990-01-01", "2031-05-14", "amazonaws.com",
	"X-Amz-Signature", "203.0.113.10", "198.51.100.7", "Vilnius", "London", "DOE"}

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
