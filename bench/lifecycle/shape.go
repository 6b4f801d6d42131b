package lifecycle

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"kycflow/bench"
	"kycflow/workflows"
)

// Shape is where a lifecycle's activities fall, in the order they are
// scheduled: how many in all, how many before its second event, and which
// one (0-based) completes the verification.
type Shape struct {
	Activities   int `json:"activities"`
	BeforeSecond int `json:"beforeSecondEvent"`
	Completion   int `json:"completionAt"`
}

// SampledShape is the most common shape among sampled kycflow histories.
type SampledShape struct {
	Shape
	Types   map[string]int `json:"types"`   // activity type → how many, in one history of this shape
	Matched int            `json:"matched"` // sampled histories of this shape
	Sampled int            `json:"sampled"`
}

func (s SampledShape) String() string {
	var types []string
	for _, name := range slices.Sorted(maps.Keys(s.Types)) {
		types = append(types, fmt.Sprintf("%s %d", name, s.Types[name]))
	}
	return fmt.Sprintf("%d (%s); %d before the manual result; onboarding is activity %d; %d of %d sampled histories",
		s.Activities, strings.Join(types, ", "), s.BeforeSecond, s.Completion+1, s.Matched, s.Sampled)
}

// ReadShape reads the shape of up to ten of the lifecycles ids, spread
// over the run, once each has nothing left running.
func ReadShape(ctx context.Context, tc client.Client, ids []string) (SampledShape, error) {
	const samples = 10
	count := map[Shape]int{}
	types := map[Shape]map[string]int{}
	n := min(samples, len(ids))
	for k := range n {
		id := ids[k*len(ids)/n]
		if err := WaitIdle(ctx, tc, id); err != nil {
			return SampledShape{}, err
		}
		sh, ty, err := historyShape(ctx, tc, id)
		if err != nil {
			return SampledShape{}, err
		}
		if count[sh]++; types[sh] == nil {
			types[sh] = ty
		}
	}
	best := SampledShape{Sampled: n}
	for sh, c := range count {
		if c > best.Matched || (c == best.Matched && sh.Activities > best.Activities) {
			best.Shape, best.Types, best.Matched = sh, types[sh], c
		}
	}
	return best, nil
}

// WaitIdle polls a lifecycle until no activity or workflow task is pending.
func WaitIdle(ctx context.Context, tc client.Client, id string) error {
	return bench.Poll(ctx, "lifecycle "+id+" idle", 50*time.Millisecond, 30*time.Second, func() (bool, error) {
		d, err := tc.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			return false, err
		}
		return len(d.GetPendingActivities()) == 0 && d.GetPendingWorkflowTask() == nil, nil
	})
}

// historyShape counts the activities a lifecycle scheduled.
func historyShape(ctx context.Context, tc client.Client, id string) (Shape, map[string]int, error) {
	sh, types, signals := Shape{Completion: -1}, map[string]int{}, 0
	it := tc.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return sh, nil, fmt.Errorf("history of %s: %w", id, err)
		}
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
			signals++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			name := ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
			types[name]++
			if signals < 2 {
				sh.BeforeSecond++
			}
			if (name == workflows.ActivityOnboard || name == workflows.ActivityDeliver) && sh.Completion < 0 {
				sh.Completion = sh.Activities
			}
			sh.Activities++
		}
	}
	if sh.Completion < 0 {
		return sh, nil, fmt.Errorf("lifecycle %s made no onboarding call", id)
	}
	return sh, types, nil
}
