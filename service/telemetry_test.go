package service

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// The Temporal SDK names its metrics temporal_… itself (as Temporal's SDK
// metrics reference lists them): the scope must add no prefix of its own.
func TestTemporalSDKMetricNames(t *testing.T) {
	tel := NewTelemetry()
	tel.temporal.Counter("temporal_request").Inc(1)
	srv := httptest.NewServer(tel.handler())
	defer srv.Close()
	var names []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) { // the SDK reports every second
		names = metricNames(t, srv.URL)
		if slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, "temporal_request") }) {
			break
		}
	}
	if !slices.Contains(names, "temporal_request") || slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "temporal_temporal_") }) {
		t.Errorf("/metrics names %v, want temporal_request", slices.DeleteFunc(names, func(n string) bool { return !strings.Contains(n, "temporal") }))
	}
}

// metricNames lists the metric families url exports.
func metricNames(t *testing.T, url string) []string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			names = append(names, f[2])
		}
	}
	return names
}
