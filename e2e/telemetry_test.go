package e2e

import (
	"encoding/json"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"kycflow/internal/testtemporal"
	"kycflow/simulate"
	"kycflow/workflows"
)

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// serve's /metrics shows ingest, relay and Temporal SDK metrics; the
// worker's (KYCFLOW_METRICS_ADDR) shows decisions, onboarding outcomes and
// its own Temporal SDK metrics; /readyz reports the database and Temporal.
func TestMetricsAndReadiness(t *testing.T) {
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	metricsAddr := freeAddr(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), append(env, "KYCFLOW_METRICS_ADDR="+metricsAddr)...)
	body := kycBody(t, "kyc_manual_approved.json", "metrics-1", 1)
	sys.post(t, "kyc", body, signed(body))
	sys.waitUntil(t, "metrics-1", 30*time.Second, hasEntry(workflows.EntryOnboarded))
	if len(down.onboarding.Effective()) != 1 {
		t.Fatal("no onboarding call")
	}

	var serveMetrics, workerMetrics string
	waitFor(t, 10*time.Second, func() bool { // the SDK's metrics are reported every second
		serveMetrics, workerMetrics = scrape(t, sys.url+"/metrics"), scrape(t, "http://"+metricsAddr+"/metrics")
		return strings.Contains(serveMetrics, "temporal_request") && strings.Contains(workerMetrics, "temporal_")
	})
	for _, want := range []string{`kycflow_webhook_requests_total{outcome="accepted",route="kyc"} 1`, `kycflow_webhook_ack_seconds_bucket`,
		`kycflow_relay_events_total{kind="kyc",outcome="dispatched"} 1`, `kycflow_inbox_lag_seconds`, `temporal_request`} {
		if !strings.Contains(serveMetrics, want) {
			t.Errorf("serve /metrics lacks %s", want)
		}
	}
	for _, want := range []string{`kycflow_decisions_total{decision="approved",kind="kyc"} 1`, `kycflow_onboarding_calls_total{outcome="accepted"} 1`,
		`kycflow_notifications_total{channel="sink",outcome="delivered"}`, `temporal_`} {
		if !strings.Contains(workerMetrics, want) {
			t.Errorf("worker /metrics lacks %s", want)
		}
	}

	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	resp, err := http.Get(sys.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&ready)
	resp.Body.Close()
	if resp.StatusCode != 200 || ready.Status != "ready" || ready.Checks["database"] != "ok" || ready.Checks["temporal"] != "ok" {
		t.Errorf("readyz = %d %+v", resp.StatusCode, ready)
	}
	alone := startServe(t) // its Temporal address is a closed port
	resp, err = http.Get(alone.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&ready)
	resp.Body.Close()
	if resp.StatusCode != 200 || ready.Status != "degraded" || ready.Checks["temporal"] != "unreachable" {
		t.Errorf("readyz without Temporal = %d %+v; want 200 degraded (webhooks are still taken)", resp.StatusCode, ready)
	}
}

// metricNames lists the metric families of a Prometheus text exposition.
func metricNames(exposition string) []string {
	var names []string
	for line := range strings.Lines(exposition) {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			names = append(names, f[2])
		}
	}
	return names
}

// readmeOperationsMetrics returns the metric names README.md's Operations
// section writes in backticks (labels and all).
func readmeOperationsMetrics(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Operations\n")
	if !ok {
		t.Fatal("README.md has no Operations section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var names []string
	for _, m := range regexp.MustCompile("`((?:kycflow|temporal)_[a-z0-9_]+)").FindAllStringSubmatch(section, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

// Every metric README's Operations section names is exported by serve's or
// the worker's /metrics after a simulated lifecycle (decided, onboarded,
// notified), so the README and the code cannot drift apart.
func TestReadmeOperationsMetricsExist(t *testing.T) {
	documented := readmeOperationsMetrics(t)
	if len(documented) < 10 {
		t.Fatalf("README's Operations section names %d metrics (%v); the parser lost them", len(documented), documented)
	}
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	metricsAddr := freeAddr(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), append(env, "KYCFLOW_METRICS_ADDR="+metricsAddr)...)
	s, err := simulate.Build("review-approved", mrand.New(mrand.NewPCG(3, 4)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range s.Webhooks {
		if r := sys.post(t, string(w.Route), w.Body, signed(w.Body)); r.Code != http.StatusOK {
			t.Fatalf("%s: %d", w.EventType, r.Code)
		}
	}
	sys.waitUntil(t, s.Subject, 30*time.Second, hasEntry(workflows.EntryOnboarded)) // its Deliver call notified too
	if len(down.onboarding.Effective()) != 1 {
		t.Fatal("no onboarding call")
	}
	var missing []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) { // the SDK reports every second
		exported := append(metricNames(scrape(t, sys.url+"/metrics")), metricNames(scrape(t, "http://"+metricsAddr+"/metrics"))...)
		missing = slices.DeleteFunc(slices.Clone(documented), func(n string) bool { return slices.Contains(exported, n) })
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(missing) > 0 {
		t.Errorf("README's Operations section names metrics that neither serve's nor the worker's /metrics exports: %v", missing)
	}
	t.Logf("README's Operations section names %d metrics: %v", len(documented), documented)
}
