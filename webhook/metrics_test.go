package webhook_test

import (
	"testing"

	"kycflow/idenfy"
	"kycflow/webhook"
)

// The counters operators alert on are exported from the start, at zero,
// for every route: an absent series cannot be told from a broken scrape,
// and the allowlist's counter must be there before the allowlist is on.
func TestMetricsExportedAtZero(t *testing.T) {
	e := newEnv(t, webhook.Options{})
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]int{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if m.GetCounter().GetValue() != 0 {
				t.Errorf("%s = %v before any request", mf.GetName(), m.GetCounter().GetValue())
			}
			series[mf.GetName()]++
		}
	}
	want := map[string]int{"kycflow_inbox_quarantined_total": len(idenfy.Kinds), "kycflow_webhook_ip_not_allowed_total": 2 * len(idenfy.Kinds)}
	for name, n := range want {
		if series[name] != n {
			t.Errorf("%s has %d series before any request, want %d (one per route, and mode)", name, series[name], n)
		}
	}
}
