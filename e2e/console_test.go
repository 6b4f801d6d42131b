package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kycflow/internal/testtemporal"
	"kycflow/workflows"
)

// The compliance console in headless Chromium, against real serve, worker,
// Temporal and PostgreSQL with four-eyes and AML monitoring on: alice finds
// a SUSPECTED verification in the queue, sees why it waits, reveals its
// personal data (the look lands on the timeline) and approves, which waits
// for a second reviewer with nothing onboarded; a viewer sees neither the
// decide form nor the reveal button; bob confirms, and exactly one
// onboarding call, bob's, follows; alice clears an AML alert, which returns
// its verification to monitoring with a release downstream. The queue and
// the case page (before the reveal: no personal data) are screenshotted
// (KYCFLOW_SCREENSHOTS=1 writes them to docs/screenshots).
func TestConsoleFourEyesReviewInABrowser(t *testing.T) {
	b := newBrowser(t) // first: without chromium, skip before starting anything
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	sys := startConsoleSystem(t, ts, consoleReviewers(t), append(env, "KYCFLOW_FOUR_EYES=true", "KYCFLOW_AML_MONITORING=true",
		"KYCFLOW_TEMPORAL_UI_URL=http://localhost:8233")...)
	b.base = sys.url
	const suspected, monitored = "console-suspected", "console-monitored"

	approved := kycBody(t, "kyc_manual_approved.json", monitored, 1)
	sys.post(t, "kyc", approved, signed(approved))
	flagged := kycBody(t, "kyc_auto_suspected.json", suspected, 1, func(m map[string]any) { m["final"] = true })
	sys.post(t, "kyc", flagged, signed(flagged))
	sys.waitUntil(t, monitored, 30*time.Second, func(d detail) bool { return d.Stage == "monitoring" })
	alert := amlBody(t, "mon-console", "ALERT", "ALERT", monitored)
	if r := sys.post(t, "aml", alert, signed(alert)); r.Code != 200 {
		t.Fatalf("AML webhook = %+v", r)
	}
	sys.waitUntil(t, monitored, 30*time.Second, func(d detail) bool { return d.Stage == "aml_alert" })
	sys.waitUntil(t, suspected, 30*time.Second, func(d detail) bool { return d.Stage == "awaiting_compliance" })

	// alice: the queue, the case and why it waits.
	b.signIn("alice")
	row := queueRow(suspected)
	if stage, why := b.attr(row, "data-stage"), b.text(row+" td.reason"); stage != "awaiting_compliance" || why == "" {
		t.Errorf("queue row of %s: stage %q, reason %q; want awaiting_compliance with a reason", suspected, stage, why)
	}
	if b.attr(queueRow(monitored), "data-stage") != "aml_alert" {
		t.Errorf("the queue does not list %s's AML alert", monitored)
	}
	b.screenshot("console-queue")
	b.openCase(suspected)
	if got := b.text("#status"); got != "SUSPECTED" {
		t.Errorf("#status = %q, want SUSPECTED", got)
	}
	if got := b.text("#statuses"); !strings.Contains(got, "SUSPECTED") || !strings.Contains(got, "DUPLICATE_FACE") {
		t.Errorf("#statuses = %q, want the SUSPECTED overall status and the DUPLICATE_FACE fraud tag", got)
	}
	if got := b.text("#review-reason"); !strings.Contains(got, "Why a person must decide:") || len(got) <= len("Why a person must decide:") {
		t.Errorf("#review-reason = %q, want the reason the case waits", got)
	}
	if got := b.attr("#temporal-link", "href"); !strings.HasSuffix(got, "/workflows/"+workflows.ID(suspected)) {
		t.Errorf("#temporal-link = %q, want the workflow %s in the Temporal Web UI", got, workflows.ID(suspected))
	}
	first, last := fixtureName(t)
	if page := b.text("#case"); strings.Contains(page, first) || strings.Contains(page, last) || b.count("#personal-data") != 0 {
		t.Fatalf("the case page shows personal data (%s %s) before the reveal", first, last)
	}
	b.screenshot("console-case")

	// alice reveals the personal data: the page shows it, the timeline the look.
	b.do("show personal data", chromedp.Click(chromedp.CSS("#reveal")), chromedp.WaitVisible(chromedp.CSS("#personal-data")))
	if got := b.text("#personal-data"); !strings.Contains(got, first) || !strings.Contains(got, last) {
		t.Errorf("#personal-data = %q, want the fixture's name %s %s", got, first, last)
	}
	if got := b.text("#timeline tr[data-type=personal_data_viewed]"); !strings.Contains(got, "alice") {
		t.Errorf("timeline's personal_data_viewed = %q, want alice's look", got)
	}

	// alice approves: with four-eyes, it waits for a second reviewer.
	outcome, text := b.decide("approve", "passport checked on a video call")
	if outcome != "awaiting_second_review" || !strings.Contains(text, "second") {
		t.Errorf("alice's approval: #decision-result %s %q, want awaiting_second_review", outcome, text)
	}
	if got := b.text("#stage"); got != "awaiting_compliance" {
		t.Errorf("#stage after one approval = %q, want awaiting_compliance", got)
	}
	if got := b.text("#pending-approval"); !strings.Contains(got, "alice") {
		t.Errorf("#pending-approval = %q, want alice's approval", got)
	}
	if d, _ := sys.verification(t, suspected); d.Stage != "awaiting_compliance" || d.Decision != "" {
		t.Errorf("after alice's approval the API says %s/%q, want undecided", d.Stage, d.Decision)
	}
	if got := down.onboarded(suspected); len(got) != 0 {
		t.Errorf("onboarding calls after one approval: %v, want none", got)
	}
	b.signOut()

	// A viewer reads the case but can neither decide nor reveal.
	b.signIn("vic")
	b.openCase(suspected)
	if n, m := b.count("#decide-form"), b.count("#reveal"); n != 0 || m != 0 {
		t.Errorf("the viewer sees %d decide forms and %d reveal buttons, want none", n, m)
	}
	b.signOut()

	// bob confirms: the case is approved, with exactly one onboarding call.
	b.signIn("bob")
	b.openCase(suspected)
	outcome, text = b.decide("approve", "agree with alice: documents consistent")
	if outcome != "decided" || b.text("#decision") != "approved" {
		t.Errorf("bob's approval: #decision-result %s %q, #decision %q; want decided, approved", outcome, text, b.text("#decision"))
	}
	d := sys.waitUntil(t, suspected, 30*time.Second, hasEntry(workflows.EntryOnboarded))
	if d.Decision != "approved" || b.text("#stage") != d.Stage {
		t.Errorf("after bob's approval: API %s/%s, #stage %q; want approved, the same stage", d.Stage, d.Decision, b.text("#stage"))
	}
	if got := down.onboarded(suspected); !slices.Equal(got, []string{"approved by bob"}) {
		t.Errorf("onboarding calls = %v, want exactly one: approved by bob", got)
	}
	b.signOut()

	// alice clears the AML alert: back to monitoring, released downstream.
	b.signIn("alice")
	b.openCase(monitored)
	if outcome, text := b.decide("clear", "false positive: different date of birth"); outcome != "decided" {
		t.Errorf("alice's clear: #decision-result %s %q, want decided", outcome, text)
	}
	sys.waitUntil(t, monitored, 30*time.Second, func(d detail) bool { return d.Stage == "monitoring" })
	waitFor(t, 20*time.Second, func() bool { return slices.Contains(down.onboarded(monitored), "release by alice") })
	if got := down.onboarded(monitored); !slices.Equal(got, []string{"approved by <nil>", "hold by <nil>", "release by alice"}) {
		t.Errorf("onboarding calls for %s = %v, want approved, hold, then alice's release", monitored, got)
	}

	// The reveal and the reviews left no personal data in Temporal history,
	// nor in any log line of serve and the worker.
	assertNoPII(t, sys, suspected, monitored)
	logs := logsOf(t)
	if !strings.Contains(logs, suspected) {
		t.Fatalf("captured logs look empty (%d bytes)", len(logs))
	}
	for _, p := range append(slices.Clone(piiMarkers), first, last) {
		if strings.Contains(logs, p) {
			t.Errorf("logs contain personal data %q", p)
		}
	}
}

// fixtureName is the name in kyc_auto_suspected.json, the personal data a
// reveal must show and nothing else may.
func fixtureName(t *testing.T) (first, last string) {
	t.Helper()
	var f struct {
		Data struct {
			DocFirstName, DocLastName string
		} `json:"data"`
	}
	if err := json.Unmarshal(fixture(t, "kyc_auto_suspected.json"), &f); err != nil {
		t.Fatal(err)
	}
	if f.Data.DocFirstName == "" || f.Data.DocLastName == "" {
		t.Fatal("kyc_auto_suspected.json has no docFirstName and docLastName")
	}
	return f.Data.DocFirstName, f.Data.DocLastName
}
