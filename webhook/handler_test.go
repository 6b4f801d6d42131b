package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"kycflow/httpserver"
	"kycflow/idenfy"
	"kycflow/store"
	"kycflow/webhook"
)

const key = "test-signing-key-1"

// fakeInbox is an in-memory inbox with the store's dedup semantics.
type fakeInbox struct {
	mu    sync.Mutex
	rows  []store.NewInboxEvent
	byKey map[string]int64
	err   error
	dups  int
	// discard answers every event as new and keeps nothing (benchmarks).
	discard bool
}

func (f *fakeInbox) InsertInbox(_ context.Context, e store.NewInboxEvent) (store.Stored, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return store.Stored{}, f.err
	}
	if f.discard {
		return store.Stored{ID: 1, Status: e.Status}, nil
	}
	if f.byKey == nil {
		f.byKey = map[string]int64{}
	}
	k := string(store.DedupKey(e.Route, e.Body))
	if id, ok := f.byKey[k]; ok {
		f.dups++
		return store.Stored{ID: id, Duplicate: true, Status: f.rows[id-1].Status}, nil
	}
	f.rows = append(f.rows, e)
	id := int64(len(f.rows))
	f.byKey[k] = id
	return store.Stored{ID: id, Status: e.Status}, nil
}

type env struct {
	engine  http.Handler
	inbox   *fakeInbox
	metrics *webhook.Metrics
	reg     *prometheus.Registry
}

func newEnv(t testing.TB, opts webhook.Options, trusted ...string) *env {
	t.Helper()
	e := &env{inbox: &fakeInbox{}, reg: prometheus.NewRegistry()}
	if opts.Keys == nil {
		opts.Keys = map[idenfy.Kind][][]byte{idenfy.KindKYC: {[]byte(key)}, idenfy.KindKYB: {[]byte(key)}, idenfy.KindAML: {[]byte(key)}}
	}
	opts.Metrics = webhook.NewMetrics(e.reg)
	e.metrics = opts.Metrics
	engine, err := httpserver.NewEngine(discard(), trusted)
	if err != nil {
		t.Fatal(err)
	}
	webhook.New(e.inbox, opts).Register(engine)
	e.engine = engine
	return e
}

type req struct {
	method, path, remote, sig, eventType string
	headers                              map[string]string
	body                                 []byte
	chunked                              bool
}

func (e *env) do(r req) *httptest.ResponseRecorder {
	if r.method == "" {
		r.method = http.MethodPost
	}
	if r.path == "" {
		r.path = "/webhooks/idenfy/kyc"
	}
	var body io.Reader = bytes.NewReader(r.body)
	if r.chunked {
		body = io.MultiReader(bytes.NewReader(r.body)) // hides the length
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if r.chunked {
		hr.ContentLength = -1
	}
	hr.RemoteAddr = "192.0.2.9:40000"
	if r.remote != "" {
		hr.RemoteAddr = r.remote
	}
	if r.sig != "" {
		hr.Header.Set(idenfy.SignatureHeader, r.sig)
	}
	if r.eventType != "" {
		hr.Header.Set(idenfy.EventTypeHeader, r.eventType)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.engine.ServeHTTP(w, hr)
	return w
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../idenfy/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sign(body []byte) string { return idenfy.Sign(body, []byte(key)) }

type ack struct {
	Status string `json:"status"`
	ID     int64  `json:"id"`
	Error  string `json:"error"`
}

func decode(t *testing.T, w *httptest.ResponseRecorder) ack {
	t.Helper()
	var a ack
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatalf("response %q is not JSON: %v", w.Body.String(), err)
	}
	return a
}

func TestAcceptedThenDuplicate(t *testing.T) {
	e := newEnv(t, webhook.Options{})
	body := fixture(t, "kyc_manual_approved.json")
	w := e.do(req{body: body, sig: sign(body), eventType: "IDENTIFICATION_MANUAL_FINISHED"})
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", w.Code, w.Body)
	}
	first := decode(t, w)
	if first.Status != "accepted" || first.ID != 1 {
		t.Errorf("ack = %+v, want accepted id 1", first)
	}
	row := e.inbox.rows[0]
	if !bytes.Equal(row.Body, body) || row.Status != store.StatusPending || row.Subject != "5b6c0a2e-2f1d-11ef-9a1b-0242ac120002" ||
		row.EventType != "IDENTIFICATION_MANUAL_FINISHED" || row.RemoteIP != "192.0.2.9" {
		t.Errorf("stored row = %+v", row)
	}
	if row.Headers[idenfy.SignatureHeader] != sign(body) || row.Headers[idenfy.EventTypeHeader] == "" {
		t.Errorf("stored headers = %v, want signature and event type kept", row.Headers)
	}

	w = e.do(req{body: body, sig: sign(body), eventType: "IDENTIFICATION_MANUAL_FINISHED"})
	if got := decode(t, w); w.Code != http.StatusOK || got.Status != "duplicate" || got.ID != first.ID {
		t.Errorf("second delivery = %d %+v, want 200 duplicate id %d", w.Code, got, first.ID)
	}
	if len(e.inbox.rows) != 1 {
		t.Errorf("rows = %d, want 1", len(e.inbox.rows))
	}
}

func TestRejectsUnauthentic(t *testing.T) {
	body := fixture(t, "kyc_manual_approved.json")
	altered := bytes.Clone(body)
	altered[len(altered)/2] ^= 1
	tests := []struct {
		name string
		body []byte
		sig  string
	}{
		{"missing signature", body, ""},
		{"one byte changed", altered, sign(body)},
		{"wrong key", body, idenfy.Sign(body, []byte("other"))},
		{"short", body, sign(body)[:63]},
		{"non-hex", body, strings.Repeat("g", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, webhook.Options{})
			w := e.do(req{body: tt.body, sig: tt.sig})
			if w.Code != http.StatusUnauthorized || decode(t, w).Error != "invalid signature" {
				t.Errorf("response = %d %s, want 401 invalid signature", w.Code, w.Body)
			}
			if len(e.inbox.rows) != 0 {
				t.Errorf("stored %d rows, want none", len(e.inbox.rows))
			}
		})
	}
}

func TestKeyRotationAndPerRouteKeys(t *testing.T) {
	e := newEnv(t, webhook.Options{Keys: map[idenfy.Kind][][]byte{
		idenfy.KindKYC: {[]byte("old"), []byte("new")},
		idenfy.KindAML: {[]byte("aml-only")},
	}})
	body := fixture(t, "kyc_auto_suspected.json")
	for _, k := range []string{"old", "new"} {
		if w := e.do(req{body: body, sig: idenfy.Sign(body, []byte(k))}); w.Code != http.StatusOK {
			t.Errorf("kyc with key %q = %d, want 200", k, w.Code)
		}
	}
	aml := fixture(t, "aml_monitoring_alert.json")
	if w := e.do(req{path: "/webhooks/idenfy/aml", body: aml, sig: idenfy.Sign(aml, []byte("new"))}); w.Code != http.StatusUnauthorized {
		t.Errorf("aml signed with the kyc key = %d, want 401", w.Code)
	}
	if w := e.do(req{path: "/webhooks/idenfy/aml", body: aml, sig: idenfy.Sign(aml, []byte("aml-only"))}); w.Code != http.StatusOK {
		t.Errorf("aml with its key = %d, want 200", w.Code)
	}
	kyb := fixture(t, "kyb_company_submit.json")
	if w := e.do(req{path: "/webhooks/idenfy/kyb", body: kyb, sig: idenfy.Sign(kyb, []byte("new"))}); w.Code != http.StatusUnauthorized {
		t.Errorf("kyb route without keys = %d, want 401", w.Code)
	}
}

func TestUnsignedOnlyWhenAllowed(t *testing.T) {
	body := []byte(`{"scanRef":"s1","final":true}`)
	noKeys := map[idenfy.Kind][][]byte{}
	if w := newEnv(t, webhook.Options{Keys: noKeys}).do(req{body: body}); w.Code != http.StatusUnauthorized {
		t.Errorf("no keys, unsigned = %d, want 401", w.Code)
	}
	h := webhook.New(&fakeInbox{}, webhook.Options{Keys: noKeys, AllowUnsigned: true})
	if got := h.UnsignedRoutes(); len(got) != 3 {
		t.Errorf("UnsignedRoutes() = %v, want all three", got)
	}
	if w := newEnv(t, webhook.Options{Keys: noKeys, AllowUnsigned: true}).do(req{body: body}); w.Code != http.StatusOK {
		t.Errorf("insecure mode, unsigned = %d, want 200", w.Code)
	}
	withKey := newEnv(t, webhook.Options{AllowUnsigned: true})
	if w := withKey.do(req{body: body}); w.Code != http.StatusUnauthorized {
		t.Errorf("insecure mode on a route with keys, unsigned = %d, want 401", w.Code)
	}
}

func TestQuarantine(t *testing.T) {
	e := newEnv(t, webhook.Options{})
	for i, body := range [][]byte{[]byte("this is not json"), []byte(`{"final":true}`)} {
		w := e.do(req{body: body, sig: sign(body)})
		got := decode(t, w)
		if w.Code != http.StatusAccepted || got.Status != "quarantined" || got.ID != int64(i+1) {
			t.Errorf("response = %d %+v, want 202 quarantined", w.Code, got)
		}
		if row := e.inbox.rows[i]; row.Status != store.StatusQuarantined || row.QuarantineReason == "" || !bytes.Equal(row.Body, body) {
			t.Errorf("stored = %+v, want quarantined with a reason", row)
		}
	}
	if n := e.counter(t, "kycflow_inbox_quarantined_total"); n != 2 {
		t.Errorf("quarantined metric = %v, want 2", n)
	}
}

// A signed identification whose scanRef iDenfy could not have issued is
// kept for operators, quarantined with the reason, and never handed to the
// relay: no workflow kyc-../../etc/passwd.
func TestQuarantinesAnInvalidScanRef(t *testing.T) {
	woken := 0
	e := newEnv(t, webhook.Options{OnStored: func() { woken++ }})
	body := bytes.Replace(fixture(t, "kyc_manual_approved.json"), []byte("5b6c0a2e-2f1d-11ef-9a1b-0242ac120002"), []byte("../../etc/passwd"), 1)
	w := e.do(req{body: body, sig: sign(body), eventType: "IDENTIFICATION_MANUAL_FINISHED"})
	if got := decode(t, w); w.Code != http.StatusAccepted || got.Status != "quarantined" {
		t.Fatalf("response = %d %+v, want 202 quarantined", w.Code, got)
	}
	row := e.inbox.rows[0]
	if row.Status != store.StatusQuarantined || !strings.Contains(row.QuarantineReason, "scanRef has '.'") {
		t.Errorf("stored = %s %q, want quarantined with the scanRef's problem as the reason", row.Status, row.QuarantineReason)
	}
	if woken != 0 || e.counter(t, "kycflow_inbox_quarantined_total") != 1 {
		t.Errorf("relay woken %d times, quarantined metric %v; want 0 and 1", woken, e.counter(t, "kycflow_inbox_quarantined_total"))
	}
}

// counter sums a counter family over its labels.
func (e *env) counter(t *testing.T, name string) float64 {
	t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t, webhook.Options{})
	big := bytes.Repeat([]byte("a"), 6<<20)
	for _, chunked := range []bool{false, true} {
		w := e.do(req{body: big, sig: sign(big), chunked: chunked})
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("6 MiB (chunked=%v) = %d, want 413", chunked, w.Code)
		}
	}
	small := newEnv(t, webhook.Options{MaxBodyBytes: 100})
	body := fixture(t, "kyc_manual_approved.json")
	if w := small.do(req{body: body, sig: sign(body)}); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("configured limit = %d, want 413", w.Code)
	}
	if len(e.inbox.rows)+len(small.inbox.rows) != 0 {
		t.Error("an oversized body was stored")
	}
}

func TestStoreFailureIs503(t *testing.T) {
	e := newEnv(t, webhook.Options{})
	e.inbox.err = errors.New("connection refused")
	body := fixture(t, "kyc_manual_approved.json")
	w := e.do(req{body: body, sig: sign(body)})
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "5" {
		t.Errorf("response = %d Retry-After %q, want 503 with Retry-After 5", w.Code, w.Header().Get("Retry-After"))
	}
	if strings.Contains(w.Body.String(), "refused") {
		t.Errorf("error text leaked to the client: %s", w.Body)
	}
}

func TestAllowlist(t *testing.T) {
	body := fixture(t, "kyc_manual_approved.json")
	allow := func(mode string) *webhook.Allowlist {
		a, err := webhook.ParseAllowlist([]string{"203.0.113.0/24", "2001:db8::1"}, mode)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name    string
		mode    string
		trusted []string
		remote  string
		xff     string
		want    int
		wantIP  string
	}{
		{"allowed direct", "enforce", nil, "203.0.113.7:1", "", 200, "203.0.113.7"},
		{"allowed ipv6", "enforce", nil, "[2001:db8::1]:1", "", 200, "2001:db8::1"},
		{"refused direct", "enforce", nil, "192.0.2.9:1", "", 403, ""},
		{"spoofed X-Forwarded-For from untrusted peer", "enforce", nil, "192.0.2.9:1", "203.0.113.7", 403, ""},
		{"X-Forwarded-For from trusted proxy", "enforce", []string{"10.0.0.0/8"}, "10.1.2.3:1", "203.0.113.7", 200, "203.0.113.7"},
		{"trusted proxy forwarding a refused client", "enforce", []string{"10.0.0.0/8"}, "10.1.2.3:1", "192.0.2.9", 403, ""},
		{"report mode lets it through", "report", nil, "192.0.2.9:1", "", 200, "192.0.2.9"},
	}
	reported := 0.0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, webhook.Options{Allowlist: allow(tt.mode)}, tt.trusted...)
			r := req{body: body, sig: sign(body), remote: tt.remote}
			if tt.xff != "" {
				r.headers = map[string]string{"X-Forwarded-For": tt.xff}
			}
			w := e.do(r)
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d", w.Code, tt.want)
			}
			if tt.want == 200 && e.inbox.rows[0].RemoteIP != tt.wantIP {
				t.Errorf("stored remote IP = %q, want %q", e.inbox.rows[0].RemoteIP, tt.wantIP)
			}
			if tt.want == 403 && len(e.inbox.rows) != 0 {
				t.Error("a refused request was stored")
			}
			reported += e.counter(t, "kycflow_webhook_ip_not_allowed_total")
		})
	}
	if reported != 4 {
		t.Errorf("ip_not_allowed metric total = %v, want 4 (three refused, one reported)", reported)
	}
}

func TestParseAllowlist(t *testing.T) {
	if a, err := webhook.ParseAllowlist(nil, "enforce"); a != nil || err != nil {
		t.Errorf("empty allowlist = %v, %v; want nil, nil", a, err)
	}
	_, err := webhook.ParseAllowlist([]string{"nonsense", "10.0.0.0/33"}, "block")
	if err == nil || !strings.Contains(err.Error(), "nonsense") || !strings.Contains(err.Error(), "10.0.0.0/33") || !strings.Contains(err.Error(), "block") {
		t.Errorf("ParseAllowlist(bad) error = %v, want every problem named", err)
	}
}

func TestRoutingErrors(t *testing.T) {
	e := newEnv(t, webhook.Options{})
	if w := e.do(req{method: http.MethodGet}); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET = %d, want 405", w.Code)
	}
	if w := e.do(req{path: "/webhooks/idenfy/other"}); w.Code != http.StatusNotFound {
		t.Errorf("unknown route = %d, want 404", w.Code)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
