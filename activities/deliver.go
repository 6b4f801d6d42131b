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
// call, sends the notifications to the sinks and stores the call's outcome
// at its reserved timeline entry. The workflow tries it once and takes
// over with separate activities on any error, so every step here is one
// attempt: a store that is away or an endpoint that fails ends the call.
// Once the onboarding call is accepted, the call finishes even if
// cancelled (what went downstream must reach the timeline), by the
// activity's deadline. E-mail is left to Notify, which never sends one
// twice: a Deliver call that dies after sending would be sent again.
func (d *Deliverer) Deliver(ctx context.Context, dl workflows.Delivery) (workflows.DeliveryOutcome, error) {
	var out workflows.DeliveryOutcome
	stop := heartbeat(ctx, nil) // a slow store is not a dead worker
	defer stop()
	if dl.Record != nil {
		if err := d.Lifecycle.RecordState(ctx, *dl.Record); err != nil {
			return out, err
		}
	}
	var err error
	if out.Onboarding, err = d.Effects.Onboard(ctx, dl.Onboard); err != nil {
		return out, err
	}
	nctx := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok { // leave the outcome's write its time
		var cancel context.CancelFunc
		nctx, cancel = context.WithDeadline(nctx, deadline.Add(-outcomeTime))
		defer cancel()
	}
	for i, n := range dl.Notify {
		no, err := d.Effects.notify(nctx, n, false)
		out.Notified = append(out.Notified, no)
		if err != nil || d.Effects.mails(n) {
			out.Unsent = append(out.Unsent, i)
		}
	}
	ctx = nctx
	out.Entry = dl.OutcomeEntry(time.Now().UTC(), out)
	stored, err := d.Lifecycle.Store.FillTimeline(ctx, timelineEvent(dl.WorkflowID, dl.ScanRef, out.Entry))
	if err == nil { // else the workflow stores the entry
		out.Stored = true
		out.Entry.Type, out.Entry.At, out.Entry.Detail = stored.Type, stored.At, stored.Detail
	}
	return out, nil
}

// outcomeTime is what a Deliver call keeps of its time for storing its
// outcome: notifications to slow sinks stop short of it.
const outcomeTime = 5 * time.Second
