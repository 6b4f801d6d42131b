package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"kycflow/internal/testtemporal"
	"kycflow/workflows"
)

func TestAMLAlertFansOutToEveryListedLifecycle(t *testing.T) {
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), append(env, "KYCFLOW_AML_MONITORING=true", "KYCFLOW_LATE_EVENT_WINDOW=2s")...)
	monitoring := func(d detail) bool { return d.Stage == "monitoring" && d.Decision == "approved" }
	for _, ref := range []string{"aml-a", "aml-b"} {
		b := kycBody(t, "kyc_manual_approved.json", ref, 1)
		sys.post(t, "kyc", b, signed(b))
		sys.waitUntil(t, ref, 30*time.Second, monitoring)
	}
	alert := amlBody(t, "mon-1", "ALERT", "ALERT", "aml-a", "aml-b")
	if r := sys.post(t, "aml", alert, signed(alert)); r.Code != 200 {
		t.Fatalf("AML webhook = %+v", r)
	}
	for _, ref := range []string{"aml-a", "aml-b"} {
		sys.waitUntil(t, ref, 30*time.Second, func(d detail) bool { return d.Stage == "aml_alert" })
	}
	waitFor(t, 20*time.Second, func() bool { return strings.Count(strings.Join(down.events(), ","), workflows.NotifyAMLAlert) == 2 })

	alice := sys.reviewerToken(t, "alice", "reviewer")
	if code, out := sys.reviewAs(t, alice, "aml-a", `{"decision":"clear","reason":"false positive: different date of birth"}`); code != 200 || out["stage"] != "monitoring" {
		t.Fatalf("clear = %d %v", code, out)
	}
	if code, _ := sys.review(t, "aml-a", `{"reviewer":"alice","decision":"clear","reason":"again"}`); code != 409 {
		t.Errorf("clear outside aml_alert = %d, want 409", code)
	}
	// The clear released aml-a's hold downstream, once, under its own
	// webhook-id; aml-b, still on alert, stays held.
	actions := func() []string {
		var out []string
		for _, m := range down.onboarding.Effective() {
			out = append(out, fmt.Sprintf("%s:%v", m.Body["scanRef"], m.Body["decision"]))
		}
		slices.Sort(out)
		return out
	}
	want := []string{"aml-a:approved", "aml-a:hold", "aml-a:release", "aml-b:approved", "aml-b:hold"}
	waitFor(t, 20*time.Second, func() bool { return slices.Equal(actions(), want) })
	for _, m := range down.onboarding.Effective() {
		if m.Body["decision"] == "release" && (!strings.HasPrefix(m.ID, "kyc-aml-a-release-") || m.Body["reviewer"] != "alice" || down.onboarding.Attempts(m.ID) != 1) {
			t.Errorf("release %s = %v (%d attempts), want alice's, with a webhook-id of its own", m.ID, m.Body, down.onboarding.Attempts(m.ID))
		}
	}
	d := sys.waitUntil(t, "aml-a", 20*time.Second, func(d detail) bool { return d.count(workflows.EntryOnboarded) == 3 })
	var said []string
	for _, e := range d.Timeline {
		if e.Type == workflows.EntryOnboarded {
			said = append(said, strings.Fields(e.Detail)[0])
		}
	}
	if !slices.Equal(said, []string{"decision", "hold", "release"}) {
		t.Errorf("onboarding entries begin %q, want decision, hold, release", said)
	}
	var b detailWithMonitoring
	sys.getJSON(t, "/v1/verifications/aml-b", &b)
	if b.Stage != "aml_alert" || !b.Monitoring.Alert || !b.Monitoring.Active || len(b.Monitoring.MonitoringIDs) != 1 {
		t.Errorf("aml-b = %+v, want still on alert", b)
	}
	var a detailWithMonitoring
	sys.getJSON(t, "/v1/verifications/aml-a", &a)
	if a.Stage != "monitoring" || a.Monitoring.Alert || !a.Monitoring.Active {
		t.Errorf("aml-a = %+v, want monitoring without alert", a)
	}

	stop := amlBody(t, "mon-1", "DECLINED", "STOPPED", "aml-a")
	sys.post(t, "aml", stop, signed(stop))
	d = sys.waitUntil(t, "aml-a", 30*time.Second, func(d detail) bool { return d.Stage == "closed" })
	if d.count(workflows.EntryMonitoringStopped) != 1 || d.Decision != "approved" {
		t.Errorf("after STOPPED: %+v", d)
	}
}

type detailWithMonitoring struct {
	Stage      string `json:"stage"`
	Monitoring struct {
		Active        bool     `json:"active"`
		Alert         bool     `json:"alert"`
		MonitoringIDs []string `json:"monitoringIds"`
	} `json:"monitoring"`
}

// A monitored verification takes 1,000 AML webhooks (duplicates, alerts and
// clears by iDenfy) across several continue-as-new runs; no run's history
// comes near Temporal's limits, and the final state is right.
func TestMonitoringSurvivesAThousandAMLWebhooks(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	ts := testtemporal.New(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), "KYCFLOW_AML_MONITORING=true", "KYCFLOW_MONITORING_CAN_EVERY=150", "KYCFLOW_AML_ALERT_ACTION=none")
	b := kycBody(t, "kyc_manual_approved.json", "aml-many", 1)
	sys.post(t, "kyc", b, signed(b))
	sys.waitUntil(t, "aml-many", 30*time.Second, func(d detail) bool { return d.Stage == "monitoring" })
	const n = 1000
	sent := 0
	for i := range n {
		status := []string{"ALERT", "ACTIVE"}[(i/3)%2] // alert, then iDenfy resolves it, in runs of three
		alertStatus := map[string]string{"ALERT": "ALERT", "ACTIVE": "ACCEPTED"}[status]
		body := amlBody(t, "mon-many", alertStatus, status, "aml-many")
		body = append(body[:len(body)-1], []byte(fmt.Sprintf(`,"n":%d}`, i))...) // distinct bytes: duplicates by meaning
		if r := sys.post(t, "aml", body, signed(body)); r.Code != 200 {
			t.Fatalf("webhook %d = %+v", i, r)
		}
		sent++
	}
	// The last run of three was ALERT or ACTIVE: (999/3)%2 = 1 → ACTIVE.
	d := sys.waitUntil(t, "aml-many", 180*time.Second, func(d detail) bool { return d.count("received") >= n+1 })
	if d.Stage != "monitoring" || d.Decision != "approved" {
		t.Errorf("final = %s/%s, want monitoring/approved", d.Stage, d.Decision)
	}
	alerts, clears := d.count(workflows.EntryAMLAlert), d.count(workflows.EntryAMLCleared)
	if alerts != 167 || clears != 167 || d.count(workflows.EntryDuplicate) != n-alerts-clears {
		t.Errorf("alerts %d clears %d duplicates %d; want 167, 167 and the rest duplicates", alerts, clears, d.count(workflows.EntryDuplicate))
	}
	// Walk the run chain back from the current run through each run's
	// continued-from link, counting every run's history events.
	runs, longest, runID := 0, 0, ""
	for {
		it := ts.GetDefaultClient().GetWorkflowHistory(context.Background(), "kyc-aml-many", runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		events, prev := 0, ""
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			if events == 0 {
				prev = e.GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
			}
			events++
		}
		runs++
		longest = max(longest, events)
		if prev == "" {
			break
		}
		runID = prev
	}
	t.Logf("%d AML webhooks → %d runs, longest history %d events", sent, runs, longest)
	if runs < 5 || longest > 10_000 {
		t.Errorf("%d runs, longest history %d events; want several runs, each under 10,000", runs, longest)
	}
}
