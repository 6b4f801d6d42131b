package cost

import (
	"context"
	"fmt"
	"slices"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// readCounts counts the full histories of the workflows ids: every run
// of each.
func readCounts(ctx context.Context, tc client.Client, ids []string) (Counts, error) {
	var c Counts
	for _, id := range ids {
		runs, err := runs(ctx, tc, id)
		if err != nil {
			return Counts{}, err
		}
		for i, events := range runs {
			c.Add(events, i == 0)
		}
	}
	return c, nil
}

// runs reads every run of the workflow id, the first one first: from the
// current run back along continue-as-new.
func runs(ctx context.Context, tc client.Client, id string) ([][]*historypb.HistoryEvent, error) {
	var out [][]*historypb.HistoryEvent
	for runID := ""; ; {
		events, err := history(ctx, tc, id, runID)
		if err != nil {
			return nil, err
		}
		if len(events) == 0 {
			return nil, fmt.Errorf("history of %s (run %q) is empty", id, runID)
		}
		out = append(out, events)
		if runID = events[0].GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId(); runID == "" {
			slices.Reverse(out)
			return out, nil
		}
	}
}

// history reads one run's events (the current run when runID is empty).
func history(ctx context.Context, tc client.Client, id, runID string) ([]*historypb.HistoryEvent, error) {
	var events []*historypb.HistoryEvent
	it := tc.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, err)
		}
		events = append(events, ev)
	}
	return events, nil
}

// started lists the workflows started on the server since the visibility
// query's time bound (an RFC 3339 time), one ID each.
func started(ctx context.Context, tc client.Client, since string) ([]string, error) {
	var (
		ids   []string
		seen  = map[string]bool{}
		token []byte
	)
	for {
		resp, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("StartTime >= '%s'", since), NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list workflows started since %s: %w", since, err)
		}
		for _, e := range resp.GetExecutions() {
			if id := e.GetExecution().GetWorkflowId(); !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return ids, nil
		}
	}
}
