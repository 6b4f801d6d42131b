package workflows_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"kycflow/workflows"
)

func aml(monitoringID, alertStatus, status string) workflows.Event {
	inboxIDs++
	return workflows.Event{InboxID: inboxIDs, Kind: "aml", EventType: "AML_MONITORING", ScanRef: scanRef,
		AML: &workflows.AMLStatus{MonitoringID: monitoringID, AlertStatus: alertStatus, Status: status}}
}

var monitored = workflows.Policy{AMLMonitoring: true, LateEventWindow: time.Hour}

func TestMonitoringAlertClearAndConfirm(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, manualApproved())
	var afterApproval, afterAlert, afterClear workflows.State
	stateAt(env, 10*time.Minute, &afterApproval)
	send(env, time.Hour, aml("m-1", "ALERT", "ALERT"))
	send(env, 61*time.Minute, aml("m-1", "ALERT", "ALERT")) // the same alert again: duplicate
	stateAt(env, 2*time.Hour, &afterAlert)
	var clear, confirm, wrong updateResult
	update(env, 3*time.Hour, workflows.Review{Reviewer: "alice", Decision: "clear", Reason: "different person, DOB differs"}, &clear)
	stateAt(env, 4*time.Hour, &afterClear)
	update(env, 4*time.Hour+time.Minute, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "x"}, &wrong)
	send(env, 5*time.Hour, aml("m-1", "ALERT", "ALERT")) // a new alert after the clear is not a duplicate
	update(env, 6*time.Hour, workflows.Review{Reviewer: "bob", Decision: "confirm", Reason: "sanctions list match confirmed"}, &confirm)
	run(t, env, monitored, nil)

	if afterApproval.Stage != workflows.StageMonitoring || afterApproval.Monitoring == nil || !afterApproval.Monitoring.Active {
		t.Errorf("after approval = %s %+v, want monitoring", afterApproval.Stage, afterApproval.Monitoring)
	}
	if afterAlert.Stage != workflows.StageAMLAlert || !afterAlert.Monitoring.Alert || !slices.Equal(afterAlert.Monitoring.IDs, []string{"m-1"}) {
		t.Errorf("after alert = %s %+v", afterAlert.Stage, afterAlert.Monitoring)
	}
	if clear.err != nil || afterClear.Stage != workflows.StageMonitoring || errType(wrong.rejected) != workflows.ErrNotAwaitingReview {
		t.Errorf("clear = %v, stage %s; approve in monitoring = %v", clear.err, afterClear.Stage, wrong.rejected)
	}
	got := f.last()
	if got.Decision != workflows.DecisionRejected || got.DecisionSeq != 2 || got.Stage != workflows.StageClosed || got.Monitoring.Active {
		t.Errorf("after confirm = %s seq %d stage %s", got.Decision, got.DecisionSeq, got.Stage)
	}
	types := f.types()
	for typ, want := range map[string]int{"aml_alert": 2, "aml_cleared": 1, "aml_confirmed": 1, "monitoring_stopped": 1, "duplicate": 1, "decided": 2} {
		if count(types, typ) != want {
			t.Errorf("%s entries = %d, want %d (timeline %v)", typ, count(types, typ), want, types)
		}
	}
	if ev := f.events(); count(ev, workflows.NotifyAMLAlert) != 2 || !slices.Contains(ev, workflows.NotifyRevised) {
		t.Errorf("notifications = %v", ev)
	}
	if got, want := decisions(f), []workflows.Decision{"approved", "hold", "release", "hold", "rejected"}; !slices.Equal(got, want) {
		t.Errorf("onboarding calls = %v, want %v (the clear releases the first hold)", got, want)
	}
	var cleared int64
	for _, e := range f.entries() {
		if e.Type == workflows.EntryAMLCleared {
			cleared = e.Seq
		}
	}
	if rel := f.onboarded[2]; rel.Reviewer != "alice" || rel.DecisionSeq != 1 || rel.MessageID != fmt.Sprintf("kyc-%s-release-%d", scanRef, cleared) {
		t.Errorf("release = %+v, want alice's, on decision 1, with a webhook-id of its own", rel)
	}
	var details []string
	for _, e := range f.entries() {
		if e.Type == workflows.EntryOnboarded {
			details = append(details, e.Detail)
		}
	}
	want := []string{"decision 1 (approved) accepted", "hold accepted", "release accepted", "hold accepted", "decision 2 (rejected) accepted"}
	for i := range want {
		if i >= len(details) || !strings.HasPrefix(details[i], want[i]) {
			t.Errorf("onboarding timeline = %q, want entries starting %q", details, want)
			break
		}
	}
}

func decisions(f *trail) []workflows.Decision {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []workflows.Decision
	for _, o := range f.onboarded {
		out = append(out, o.Decision)
	}
	return out
}

// iDenfy resolving the match releases the hold once; the same resolution
// again is a duplicate and releases nothing more.
func TestAMLResolvedByIDenfyReleasesTheHold(t *testing.T) {
	for _, tc := range []struct {
		action string
		want   []workflows.Decision
	}{
		{workflows.AlertActionHold, []workflows.Decision{"approved", "hold", "release"}},
		{workflows.AlertActionNone, []workflows.Decision{"approved"}},
	} {
		t.Run(tc.action, func(t *testing.T) {
			f := &trail{}
			env := newEnv(t, f)
			send(env, time.Minute, manualApproved())
			send(env, time.Hour, aml("m-9", "ALERT", "ALERT"))
			send(env, 2*time.Hour, aml("m-9", "ACCEPTED", "ACTIVE"))
			send(env, 3*time.Hour, aml("m-9", "ACCEPTED", "ACTIVE"))
			var got workflows.State
			stateAt(env, 4*time.Hour, &got)
			p := monitored
			p.AlertAction = tc.action
			run(t, env, p, nil)
			if got := decisions(f); !slices.Equal(got, tc.want) {
				t.Errorf("onboarding calls = %v, want %v", got, tc.want)
			}
			if got.Stage != workflows.StageMonitoring || count(f.types(), "aml_cleared") != 1 || count(f.types(), "duplicate") != 1 {
				t.Errorf("after iDenfy resolved = %s, timeline %v", got.Stage, f.types())
			}
		})
	}
}

func TestMonitoringStoppedClosesTheLifecycle(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, manualApproved())
	send(env, time.Hour, aml("m-2", "ACCEPTED", "ACTIVE"))
	send(env, 2*time.Hour, aml("m-2", "DECLINED", "STOPPED"))
	run(t, env, monitored, nil)
	got := f.last()
	if got.Stage != workflows.StageClosed || got.Decision != workflows.DecisionApproved || count(f.types(), "monitoring_stopped") != 1 {
		t.Errorf("after STOPPED = %s/%s, timeline %v", got.Stage, got.Decision, f.types())
	}
}

func TestMonitoringForAnUnknownScanRefIsAnOrphan(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, aml("m-3", "ALERT", "ALERT"))
	var got workflows.State
	stateAt(env, time.Hour, &got)
	env.SetTestTimeout(time.Minute)
	env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: workflows.Generation, ScanRef: scanRef, Policy: monitored})
	if got.Monitoring == nil || !got.Monitoring.Orphan || got.Stage != workflows.StageAMLAlert || count(f.types(), "orphan") != 1 {
		t.Errorf("orphan = %s %+v, timeline %v", got.Stage, got.Monitoring, f.types())
	}
}

func TestMonitoringOffWhenThePolicySaysSo(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, manualApproved())
	send(env, time.Hour, aml("m-4", "ALERT", "ALERT"))
	run(t, env, workflows.Policy{LateEventWindow: 2 * time.Hour}, nil)
	if got := f.last(); got.Stage != workflows.StageClosed || count(f.types(), "aml_alert") != 0 || got.Monitoring == nil || got.Monitoring.IDs[0] != "m-4" {
		t.Errorf("without monitoring = %s, timeline %v", got.Stage, f.types())
	}
}

// A run that began before releases existed (no "aml-release" marker) and
// was held then replays without a release; from the next change of its own
// release chain (aml-release-upgrade-<n>) a clear releases the hold. An
// upgrade-legacy-run marker (recorded before releases existed, for the
// older changes) never switches releases on: replaying such a history must
// not send a release it never sent (it did, and failed with a
// nondeterminism error on a real server).
func TestAMLReleaseIsVersioned(t *testing.T) {
	for _, tc := range []struct {
		name      string
		legacy    bool // began before onboarding too: upgraded at its first event
		releaseAt int  // the release-upgrade check that records its marker; -1: none
		want      []workflows.Decision
	}{
		{"release chain switches at the clear", false, 2, []workflows.Decision{"approved", "hold", "release"}},
		{"never switched", false, -1, []workflows.Decision{"approved", "hold"}},
		{"legacy run upgraded by an old marker", true, -1, []workflows.Decision{"approved", "hold"}},
		{"legacy run, release chain at the clear", true, 1, []workflows.Decision{"approved", "hold", "release"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &trail{}
			env := newEnv(t, f)
			env.OnGetVersion("lifecycle-baseline-2026-12", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			env.OnGetVersion("aml-release", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			if tc.legacy {
				env.OnGetVersion("cautious-approval", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
				env.OnGetVersion("upgrade-legacy-run-0", workflow.DefaultVersion, 1).Return(workflow.Version(1))
			}
			for i := range 4 {
				v := workflow.DefaultVersion
				if i == tc.releaseAt {
					v = 1
				}
				env.OnGetVersion(fmt.Sprintf("aml-release-upgrade-%d", i), workflow.DefaultVersion, 1).Return(v)
			}
			send(env, time.Minute, manualApproved())
			send(env, time.Hour, aml("m-8", "ALERT", "ALERT"))
			send(env, 2*time.Hour, aml("m-8", "ACCEPTED", "ACTIVE"))
			runGeneration(t, env, 0, monitored, nil)
			if got := decisions(f); !slices.Equal(got, tc.want) {
				t.Errorf("onboarding calls = %v, want %v", got, tc.want)
			}
		})
	}
}
