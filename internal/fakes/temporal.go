package fakes

import (
	"context"
	"slices"
	"sync"

	"go.temporal.io/sdk/client"

	"kycflow/workflows"
)

// Temporal stands in for the Temporal client the operator API and the
// console send reviews through (its UpdateWorkflow): it records each review
// and the workflow it went to, and answers with Err, or with State. With
// Block it waits until the caller gives up, as with no worker running.
type Temporal struct {
	State workflows.State
	Err   error
	Block bool

	mu      sync.Mutex
	reviews []workflows.Review
	ids     []string
}

// UpdateWorkflow records the review and answers.
func (f *Temporal) UpdateWorkflow(ctx context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	f.mu.Lock()
	f.reviews = append(f.reviews, o.Args[0].(workflows.Review))
	f.ids = append(f.ids, o.WorkflowID)
	f.mu.Unlock()
	if f.Block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if f.Err != nil {
		return nil, f.Err
	}
	return updateHandle{f.State}, nil
}

// Sent returns the reviews sent so far.
func (f *Temporal) Sent() []workflows.Review {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reviews)
}

// IDs returns the workflow IDs the reviews went to.
func (f *Temporal) IDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ids)
}

type updateHandle struct{ state workflows.State }

func (updateHandle) WorkflowID() string { return "" }
func (updateHandle) RunID() string      { return "" }
func (updateHandle) UpdateID() string   { return "" }
func (h updateHandle) Get(_ context.Context, v any) error {
	*v.(*workflows.State) = h.state
	return nil
}
