// Package worker registers kycflow's workflows and activities on a Temporal
// worker (Register is shared by the worker process and the tests) and
// registers the search attributes a namespace needs.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"kycflow/activities"
	"kycflow/workflows"
)

// Register adds every workflow and activity under its explicit name.
func Register(r sdkworker.Registry, a *activities.Lifecycle, e *activities.Effects) {
	r.RegisterWorkflowWithOptions(workflows.Verification, workflow.RegisterOptions{Name: workflows.VerificationWorkflow})
	r.RegisterWorkflowWithOptions(workflows.Verification, workflow.RegisterOptions{Name: workflows.CompanyWorkflow})
	r.RegisterActivityWithOptions(a.RecordState, activity.RegisterOptions{Name: workflows.ActivityRecordState})
	r.RegisterActivityWithOptions(a.LoadVerification, activity.RegisterOptions{Name: workflows.ActivityLoadVerification})
	r.RegisterActivityWithOptions(a.LoadCompany, activity.RegisterOptions{Name: workflows.ActivityLoadCompany})
	r.RegisterActivityWithOptions(e.Onboard, activity.RegisterOptions{Name: workflows.ActivityOnboard})
	r.RegisterActivityWithOptions(e.Notify, activity.RegisterOptions{Name: workflows.ActivityNotify})
	r.RegisterActivityWithOptions(e.Reconcile, activity.RegisterOptions{Name: workflows.ActivityReconcile})
	d := &activities.Deliverer{Lifecycle: a, Effects: e}
	r.RegisterActivityWithOptions(d.Deliver, activity.RegisterOptions{Name: workflows.ActivityDeliver})
}

// Run runs a worker on taskQueue until ctx ends, then stops it gracefully:
// it stops polling and lets running activities finish.
func Run(ctx context.Context, c client.Client, taskQueue string, a *activities.Lifecycle, e *activities.Effects) error {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{WorkerStopTimeout: 30 * time.Second})
	Register(w, a, e)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker on task queue %s: %w", taskQueue, err)
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

// Logger bridges slog into the Temporal SDK.
func Logger(log *slog.Logger) sdklog.Logger { return sdklog.NewStructuredLogger(log) }

// Setup registers kycflow's search attributes on namespace. It is
// idempotent: attributes that exist with the right type are left alone; one
// that exists with another type is an error.
func Setup(ctx context.Context, c client.Client, namespace string) ([]string, error) {
	ops := c.OperatorService()
	have, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return nil, fmt.Errorf("list search attributes of %s: %w", namespace, err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	var added []string
	for name, typ := range workflows.SearchAttributes() {
		cur, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
			added = append(added, name)
		case cur != typ:
			return nil, fmt.Errorf("search attribute %s exists on %s with type %s, kycflow needs %s", name, namespace, cur, typ)
		}
	}
	slices.Sort(added)
	if len(missing) == 0 {
		return nil, nil
	}
	_, err = ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	if err != nil {
		return nil, fmt.Errorf("add search attributes to %s: %w", namespace, err)
	}
	return added, nil
}
