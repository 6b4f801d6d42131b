package activities

import (
	"context"
	"time"

	"kycflow/workflows"
)

// Deliverer runs the Deliver activity: the store, then the onboarding
// endpoint, then the notification sinks, in one call.
type Deliverer struct {
	Lifecycle *Lifecycle
	Effects   *Effects
}

// Deliver stores the record that asked for the call, makes the onboarding
// call, sends the notifications and stores the call's outcome at its
// reserved timeline entry. The workflow tries it once and takes over with
// separate activities on any error, so every step here is one attempt: a
// store that is away or an endpoint that fails ends the call. Once the
// onboarding call is accepted, the call finishes even if cancelled: what
// went downstream must reach the timeline.
func (d *Deliverer) Deliver(ctx context.Context, dl workflows.Delivery) (workflows.DeliveryOutcome, error) {
	var out workflows.DeliveryOutcome
	if dl.Record != nil {
		if err := d.Lifecycle.RecordState(ctx, *dl.Record); err != nil {
			return out, err
		}
	}
	var err error
	if out.Onboarding, err = d.Effects.Onboard(ctx, dl.Onboard); err != nil {
		return out, err
	}
	ctx = context.WithoutCancel(ctx)
	for i, n := range dl.Notify {
		no, err := d.Effects.Notify(ctx, n)
		out.Notified = append(out.Notified, no)
		if err != nil {
			out.Unsent = append(out.Unsent, i)
		}
	}
	out.Entry = dl.OutcomeEntry(time.Now().UTC(), out)
	stored, err := d.Lifecycle.Store.FillTimeline(ctx, timelineEvent(dl.WorkflowID, dl.ScanRef, out.Entry))
	if err == nil { // else the workflow stores the entry
		out.Stored = true
		out.Entry.Type, out.Entry.At, out.Entry.Detail = stored.Type, stored.At, stored.Detail
	}
	return out, nil
}
