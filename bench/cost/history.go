package cost

import (
	"maps"
	"slices"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

// RulesURL is the Temporal Cloud page the billable actions are counted by.
const RulesURL = "https://docs.temporal.io/evaluate/cloud/actions"

// Marker names the Go SDK records.
const (
	markerVersion       = "Version"
	markerLocalActivity = "LocalActivity"
	markerSideEffect    = "SideEffect"
	markerMutableSide   = "MutableSideEffect"
	changeVersionAttr   = "TemporalChangeVersion"
)

// Counts is what the histories of one verification hold: every workflow
// its scenario touched, every run of each.
type Counts struct {
	Workflows int `json:"workflows"`
	Runs      int `json:"runs"`
	Events    int `json:"historyEvents"`
	// Joined counts the completions (activity results, fired timers,
	// signals) that joined a workflow task already scheduled for another.
	// Timing decides how many do: EventsUnbatched, the events had each
	// had a workflow task of its own (three events more), does not vary.
	Joined          int `json:"joinedWorkflowTasks"`
	EventsUnbatched int `json:"historyEventsUnbatched"`
	Bytes           int `json:"historyBytes"` // protobuf size of the events
	WorkflowTasks   int `json:"workflowTasks"`
	Activities      int `json:"activities"`      // scheduled
	ActivityRetries int `json:"activityRetries"` // attempts after each activity's first
	LocalActivities int `json:"localActivities"` // LocalActivity markers
	Timers          int `json:"timers"`          // started
	Upserts         int `json:"searchAttributeUpserts"`
	// VersionUpserts are the upserts of TemporalChangeVersion alone, which
	// the Go SDK adds to each GetVersion marker (counted in Upserts too).
	VersionUpserts int     `json:"versionUpserts"`
	VersionMarkers int     `json:"versionMarkers"`
	SideEffects    int     `json:"sideEffectMarkers"`
	Signals        int     `json:"signals"`
	Updates        int     `json:"updates"` // accepted: a rejected one leaves no event
	Children       int     `json:"childWorkflows"`
	ContinuedAsNew int     `json:"continuedAsNew"`
	Actions        Actions `json:"billableActions"`
}

// Actions are the billable actions of the histories by Temporal Cloud's
// rules (RulesURL), as far as history shows them: queries, activity
// heartbeats and rejected updates leave no event and are not counted.
type Actions struct {
	Total int `json:"total"`
	// Starts: a run started by Signal-With-Start is billed as its signal;
	// every run started by continue-as-new is one start.
	Starts     int `json:"workflowStarts"`
	Signals    int `json:"signals"` // each Signal or Signal-With-Start
	Updates    int `json:"updates"` // each accepted Update
	Activities int `json:"activities"`
	// Markers: all RecordMarker commands of one workflow task count as one
	// action (local activities, version markers, side effects), plus each
	// local activity retry.
	Markers  int `json:"markers"`
	Timers   int `json:"timers"`
	Upserts  int `json:"searchAttributeUpserts"` // but TemporalChangeVersion alone
	Children int `json:"childWorkflows"`         // two per child: intent and start
	Other    int `json:"other"`                  // options updated, Nexus operations, resets
}

// Add counts one run's history; first says whether it is the first run of
// its workflow (later runs began by continue-as-new).
func (c *Counts) Add(events []*historypb.HistoryEvent, first bool) {
	a := &c.Actions
	c.Runs++
	if first {
		c.Workflows++
	}
	if !first || !signalWithStart(events) {
		a.Starts++
	}
	markerTasks, taskScheduled := map[int64]bool{}, false
	for _, ev := range events {
		c.Events++
		c.Bytes += proto.Size(ev)
		if taskScheduled && wakes[ev.GetEventType()] {
			c.Joined++
		}
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
			c.WorkflowTasks++
			taskScheduled = true
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
			taskScheduled = false
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			a.Markers += int(ev.GetWorkflowTaskCompletedEventAttributes().GetMeteringMetadata().GetNonfirstLocalActivityExecutionAttempts())
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED:
			if ev.GetWorkflowTaskFailedEventAttributes().GetCause() == enumspb.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW {
				a.Other++
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			c.Activities++
			a.Activities++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			retries := max(int(ev.GetActivityTaskStartedEventAttributes().GetAttempt())-1, 0)
			c.ActivityRetries += retries
			a.Activities += retries
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			attrs := ev.GetMarkerRecordedEventAttributes()
			switch attrs.GetMarkerName() {
			case markerVersion:
				c.VersionMarkers++
			case markerLocalActivity:
				c.LocalActivities++
			case markerSideEffect, markerMutableSide:
				c.SideEffects++
			}
			markerTasks[attrs.GetWorkflowTaskCompletedEventId()] = true
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			c.Timers++
			a.Timers++
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			c.Upserts++
			fields := ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields()
			if slices.Equal(slices.Collect(maps.Keys(fields)), []string{changeVersionAttr}) {
				c.VersionUpserts++
			} else {
				a.Upserts++
			}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
			c.Signals++
			a.Signals++
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			c.Updates++
			a.Updates++
		case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
			c.Children++
			a.Children += 2
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
			c.ContinuedAsNew++ // billed as the next run's start
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED, enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
			enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED:
			a.Other++
		}
	}
	a.Markers += len(markerTasks)
	c.EventsUnbatched = c.Events + 3*c.Joined
	a.Total = a.Starts + a.Signals + a.Updates + a.Activities + a.Markers + a.Timers + a.Upserts + a.Children + a.Other
}

// wakes are the events that make the server schedule a workflow task, or
// join one already scheduled.
var wakes = map[enumspb.EventType]bool{
	enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: true, enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED: true,
	enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: true, enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED: true,
	enumspb.EVENT_TYPE_TIMER_FIRED: true, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: true,
	enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED: true, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED: true,
	enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: true, enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED: true,
	enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED: true, enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED: true,
	enumspb.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED: true, enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED: true,
	enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED: true, enumspb.EVENT_TYPE_NEXUS_OPERATION_FAILED: true,
}

// signalWithStart reports whether a run began with Signal-With-Start: its
// start is followed at once by the signal, before any workflow task.
func signalWithStart(events []*historypb.HistoryEvent) bool {
	return len(events) > 1 && events[0].GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED &&
		events[1].GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
}
