package cost_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"

	"kycflow/bench/cost"
)

// ev is a history event of type t with attributes set by with.
func ev(t enumspb.EventType, with ...func(*historypb.HistoryEvent)) *historypb.HistoryEvent {
	e := &historypb.HistoryEvent{EventType: t}
	for _, f := range with {
		f(e)
	}
	return e
}

func marker(name string, task int64) *historypb.HistoryEvent {
	return ev(enumspb.EVENT_TYPE_MARKER_RECORDED, func(e *historypb.HistoryEvent) {
		e.Attributes = &historypb.HistoryEvent_MarkerRecordedEventAttributes{MarkerRecordedEventAttributes: &historypb.MarkerRecordedEventAttributes{
			MarkerName: name, WorkflowTaskCompletedEventId: task}}
	})
}

func upsert(keys ...string) *historypb.HistoryEvent {
	fields := map[string]*commonpb.Payload{}
	for _, k := range keys {
		fields[k] = &commonpb.Payload{}
	}
	return ev(enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, func(e *historypb.HistoryEvent) {
		e.Attributes = &historypb.HistoryEvent_UpsertWorkflowSearchAttributesEventAttributes{
			UpsertWorkflowSearchAttributesEventAttributes: &historypb.UpsertWorkflowSearchAttributesEventAttributes{
				SearchAttributes: &commonpb.SearchAttributes{IndexedFields: fields}}}
	})
}

func activityStarted(attempt int32) *historypb.HistoryEvent {
	return ev(enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, func(e *historypb.HistoryEvent) {
		e.Attributes = &historypb.HistoryEvent_ActivityTaskStartedEventAttributes{
			ActivityTaskStartedEventAttributes: &historypb.ActivityTaskStartedEventAttributes{Attempt: attempt}}
	})
}

// taskCompleted completes a workflow task whose local activities were
// retried localRetries times.
func taskCompleted(localRetries uint32) *historypb.HistoryEvent {
	return ev(enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, func(e *historypb.HistoryEvent) {
		e.Attributes = &historypb.HistoryEvent_WorkflowTaskCompletedEventAttributes{WorkflowTaskCompletedEventAttributes: &historypb.WorkflowTaskCompletedEventAttributes{
			MeteringMetadata: &commonpb.MeteringMetadata{NonfirstLocalActivityExecutionAttempts: localRetries}}}
	})
}

var (
	started     = ev(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
	signaled    = ev(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
	wftSched    = ev(enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	wftStarted  = ev(enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED)
	actSched    = ev(enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
	actDone     = ev(enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
	timer       = ev(enumspb.EVENT_TYPE_TIMER_STARTED)
	accepted    = ev(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
	child       = ev(enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)
	continued   = ev(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)
	completed   = ev(enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
	wftComplete = taskCompleted(0)
)

// The billable actions follow Temporal Cloud's rules: a Signal-With-Start
// is one action; a continue-as-new run's start is one; every activity
// attempt is one; all markers of a workflow task are one; upserts of
// TemporalChangeVersion alone are free; a child is two.
func TestCountsActions(t *testing.T) {
	first := []*historypb.HistoryEvent{
		started, signaled, wftSched, wftStarted, wftComplete, // Signal-With-Start: one action
		marker("Version", 5), upsert("TemporalChangeVersion"), marker("Version", 5), upsert("TemporalChangeVersion"), // one action, upserts free
		upsert("KycStage", "IdenfyScanRef"),   // one
		actSched, activityStarted(3), actDone, // three attempts: three
		wftSched, wftStarted, taskCompleted(1), // a local activity retried: one
		marker("LocalActivity", 16), marker("SideEffect", 16), // one: same task
		timer, child, accepted, continued, // one, two, one; continue-as-new is billed as the next start
	}
	second := []*historypb.HistoryEvent{started, wftSched, wftStarted, wftComplete, signaled, marker("Version", 4), completed}
	var c cost.Counts
	c.Add(first, true)
	c.Add(second, false)
	want := cost.Actions{Starts: 1, Signals: 2, Updates: 1, Activities: 3, Markers: 4, Timers: 1, Upserts: 1, Children: 2}
	want.Total = 15
	if diff := cmp.Diff(want, c.Actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	if c.Workflows != 1 || c.Runs != 2 || c.Events != len(first)+len(second) || c.WorkflowTasks != 3 || c.Activities != 1 ||
		c.ActivityRetries != 2 || c.VersionMarkers != 3 || c.LocalActivities != 1 || c.SideEffects != 1 || c.Upserts != 3 ||
		c.VersionUpserts != 2 || c.Signals != 2 || c.Updates != 1 || c.Children != 1 || c.ContinuedAsNew != 1 || c.Timers != 1 {
		t.Errorf("counts = %+v", c)
	}
	if c.Bytes <= 0 {
		t.Errorf("bytes = %d", c.Bytes)
	}

	var plain cost.Counts // started by StartWorkflow: the start is an action of its own
	plain.Add([]*historypb.HistoryEvent{started, wftSched, wftStarted, wftComplete, completed}, true)
	if plain.Actions.Starts != 1 || plain.Actions.Total != 1 {
		t.Errorf("plain start: actions %+v, want one start", plain.Actions)
	}
}

// A completion that lands while a workflow task is already scheduled
// joins it; unbatched, it would have cost a task of three events more.
func TestCountsJoined(t *testing.T) {
	var c cost.Counts
	c.Add([]*historypb.HistoryEvent{
		started, signaled, wftSched, wftStarted, wftComplete, actSched, actSched,
		activityStarted(1), actDone, wftSched, activityStarted(1), actDone, wftStarted, wftComplete, // the second joined
		wftSched, signaled, wftStarted, wftComplete, // a signal joined too
	}, true)
	if c.Joined != 2 || c.EventsUnbatched != c.Events+6 {
		t.Errorf("joined %d, unbatched %d of %d events; want 2 joined, 6 events more", c.Joined, c.EventsUnbatched, c.Events)
	}
}

func TestBudget(t *testing.T) {
	b := cost.Budget{"approved": {Events: 46, Actions: 10}, "denied": {Events: 71, Actions: 16}}
	sample := func(name string, events, joined, actions int) cost.Sample {
		var s cost.Sample
		s.Scenario, s.Events, s.Joined, s.EventsUnbatched, s.Actions.Total = name, events, joined, events+3*joined, actions
		return s
	}
	samples := []cost.Sample{sample("approved", 47, 0, 10), sample("denied", 68, 2, 17), sample("kyb", 1, 0, 1)}
	want := []string{
		"approved: history events 47 > budget 46",
		"denied: history events 74 > budget 71 (unbatched: 68 in history, 2 completions joined another's workflow task)",
		"denied: billable actions 17 > budget 16",
		"kyb: no budget in bench/cost/budget.json",
	}
	if diff := cmp.Diff(want, b.Over(samples)); diff != "" {
		t.Errorf("Over (-want +got):\n%s", diff)
	}
	if got := b.Over([]cost.Sample{sample("approved", 40, 0, 9)}); len(got) != 0 {
		t.Errorf("Over under budget = %q, want nothing", got)
	}
	if got, want := b.Slack([]cost.Sample{sample("approved", 40, 0, 10)}), []string{"approved: history events 40 < budget 46"}; !cmp.Equal(got, want) {
		t.Errorf("Slack = %q, want %q", got, want)
	}
	checked, err := cost.LoadBudget()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range cost.Names() {
		if l, ok := checked[name]; !ok || l.Events <= 0 || l.Actions <= 0 {
			t.Errorf("budget.json: %s = %+v, want a limit for every scenario", name, l)
		}
	}
}
