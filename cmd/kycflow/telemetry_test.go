package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"kycflow/internal/testtemporal"
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
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
