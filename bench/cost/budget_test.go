package cost_test

import (
	"log/slog"
	"testing"
	"time"

	"kycflow/bench/benchtest"
	"kycflow/bench/cost"
)

// One verification of each happy path and of a reviewer clearing an AML
// alert, through a real serve and worker on an embedded Temporal server:
// no history may hold more events, and no verification cost more billable
// actions, than budget.json allows. A change that cuts them lowers the
// budget (the log names the slack); one that adds to them fails here.
func TestCostWithinBudget(t *testing.T) {
	o := cost.Defaults()
	benchtest.Setup(t, &o.Options)
	o.Scenarios = []string{"approved", "review-approved", "denied", "aml-clear", "aml-alert+clear"}
	o.Settle = 500 * time.Millisecond
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	samples, _, err := cost.Measure(t.Context(), o, log)
	if err != nil {
		t.Fatal(err)
	}
	ends := map[string]string{"approved": "open: monitoring", "review-approved": "open: monitoring", "denied": "closed",
		"aml-clear": "open: monitoring", "aml-alert+clear": "open: monitoring"}
	for _, s := range samples {
		t.Logf("%s: %d history events (%d unbatched), %d billable actions %+v, %s", s.Scenario, s.Events, s.EventsUnbatched,
			s.Actions.Total, s.Actions, s.End)
		if s.End != ends[s.Scenario] {
			t.Errorf("%s ended %q, want %q", s.Scenario, s.End, ends[s.Scenario])
		}
	}
	if len(samples) != len(o.Scenarios) {
		t.Fatalf("%d scenarios measured, want %d", len(samples), len(o.Scenarios))
	}
	budget, err := cost.LoadBudget()
	if err != nil {
		t.Fatal(err)
	}
	for _, over := range budget.Over(samples) {
		t.Error(over)
	}
	for _, slack := range budget.Slack(samples) {
		t.Log(slack + ": lower bench/cost/budget.json to keep the gain")
	}
}
