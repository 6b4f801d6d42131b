package workflows_test

import (
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"kycflow/workflows"
)

// A re-sent final result that repeats the decision leaves a monitored
// lifecycle where it was (monitoring, or its open alert) instead of stuck
// in "deciding" without its monitoring deadline; runs recorded before the
// baseline keep the old behaviour.
func TestSameDecisionKeepsTheMonitoredStage(t *testing.T) {
	resent := func() workflows.Event {
		e := manualApproved()
		e.MismatchTags = []string{"NAME"} // a new result, the same decision
		return e
	}
	for _, tc := range []struct {
		name     string
		baseline bool
		alert    bool
		want     workflows.Stage
	}{
		{"monitoring", true, false, workflows.StageMonitoring},
		{"open alert", true, true, workflows.StageAMLAlert},
		{"before the baseline", false, false, workflows.StageDeciding},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &trail{}
			env := newEnv(t, f)
			if !tc.baseline {
				env.OnGetVersion("lifecycle-baseline-2026-12", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			send(env, time.Minute, manualApproved())
			if tc.alert {
				send(env, time.Hour, aml("m-5", "ALERT", "ALERT"))
			}
			send(env, 2*time.Hour, resent())
			var got workflows.State
			stateAt(env, 3*time.Hour, &got)
			env.SetTestTimeout(time.Minute)
			env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: generation(tc.baseline), ScanRef: scanRef, Policy: monitored})
			if got.Stage != tc.want || got.Decision != workflows.DecisionApproved || got.DecisionSeq != 1 {
				t.Errorf("after a re-sent approval = %s/%s (decision %d), want %s/approved (decision 1)", got.Stage, got.Decision, got.DecisionSeq, tc.want)
			}
		})
	}
}

// iDenfy stopping monitoring while an alert holds the account leaves the
// alert for a person: clearing it releases the hold and the lifecycle
// closes; before the baseline, the stop closed it with the account held.
func TestMonitoringStopDuringAnAlertWaitsForAPerson(t *testing.T) {
	for _, tc := range []struct {
		name     string
		baseline bool
		want     []workflows.Decision
		stage    workflows.Stage
	}{
		{"baseline", true, []workflows.Decision{"approved", "hold", "release"}, workflows.StageAMLAlert},
		{"before the baseline", false, []workflows.Decision{"approved", "hold"}, workflows.StageDecided},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &trail{}
			env := newEnv(t, f)
			if !tc.baseline {
				env.OnGetVersion("lifecycle-baseline-2026-12", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			send(env, time.Minute, manualApproved())
			send(env, time.Hour, aml("m-6", "ALERT", "ALERT"))
			send(env, 2*time.Hour, aml("m-6", "DECLINED", "STOPPED"))
			var afterStop workflows.State
			stateAt(env, 3*time.Hour, &afterStop)
			var clear updateResult
			if tc.baseline {
				update(env, 4*time.Hour, workflows.Review{Reviewer: "alice", Decision: "clear", Reason: "different person"}, &clear)
			}
			runGeneration(t, env, generation(tc.baseline), monitored, nil)
			if afterStop.Stage != tc.stage || afterStop.Monitoring.Active {
				t.Errorf("after the stop = %s, monitoring %+v; want %s, inactive", afterStop.Stage, afterStop.Monitoring, tc.stage)
			}
			if got := decisions(f); !slices.Equal(got, tc.want) {
				t.Errorf("onboarding calls = %v, want %v", got, tc.want)
			}
			if last := f.last(); last.Stage != workflows.StageClosed || last.Decision != workflows.DecisionApproved {
				t.Errorf("at the end = %s/%s, want closed/approved", last.Stage, last.Decision)
			}
			if tc.baseline && (clear.err != nil || clear.state.Stage != workflows.StageDecided) {
				t.Errorf("clear after the stop = %+v, %v; want decided", clear.state.Stage, clear.err)
			}
		})
	}
}
