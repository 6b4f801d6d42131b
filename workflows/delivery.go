package workflows

import (
	"fmt"
	"strings"
	"time"
)

// Delivery is one Deliver activity call: the lean runs' path for a
// decision that goes downstream. One activity stores the record that asked
// for the call (unless it is stored already), makes the onboarding call,
// sends the decision's notifications, and writes the call's outcome at the
// timeline entry reserved for it. Separate RecordState, Onboard and Notify
// activities cost three activities and two more workflow tasks (issue 22).
// It is tried once: anything short of success falls back to the separate
// activities, with their retry policies (run_deliver.go).
type Delivery struct {
	WorkflowID string            `json:"workflowId"`
	ScanRef    string            `json:"scanRef,omitempty"`
	Record     *Record           `json:"record,omitempty"` // nil when stored already
	Onboard    OnboardingRequest `json:"onboard"`
	Notify     []Notification    `json:"notify,omitempty"`
	// OutcomeSeq is the timeline entry the onboarding call's outcome
	// fills: the sequence number reserved when the call was asked for.
	OutcomeSeq int64 `json:"outcomeSeq"`
	// Order is the onboarding call's place among the lifecycle's calls.
	Order int64 `json:"order,omitempty"`
}

// DeliveryOutcome is what a Deliver call achieved.
type DeliveryOutcome struct {
	Onboarding OnboardingOutcome `json:"onboarding"`
	// Notified is each notification's outcome, in order.
	Notified []NotifyOutcome `json:"notified,omitempty"`
	// Unsent lists the notifications (by index) that some sink has not
	// taken yet: the workflow sends them again with Notify, which skips
	// the sinks that took them.
	Unsent []int `json:"unsent,omitempty"`
	// Stored is set when the outcome entry is on the timeline; Entry is
	// the entry there (the first attempt's, when another attempt stored
	// it first).
	Stored bool  `json:"stored"`
	Entry  Entry `json:"entry"`
}

// OutcomeEntry is the timeline entry of a delivered call at the reserved
// sequence number: the onboarding outcome, then the sinks each
// notification reached.
func (d Delivery) OutcomeEntry(at time.Time, out DeliveryOutcome) Entry {
	detail := out.Onboarding.detail(d.Onboard)
	var notified []string
	for i, n := range out.Notified {
		if i < len(d.Notify) && len(n.Delivered) > 0 {
			notified = append(notified, fmt.Sprintf("%s → %v", d.Notify[i].Event, n.Delivered))
		}
	}
	if len(notified) > 0 {
		detail += "; notified " + strings.Join(notified, ", ")
	}
	return Entry{Seq: d.OutcomeSeq, Type: EntryOnboarded, At: at, Detail: detail}
}

// detail describes a call's outcome on the timeline.
func (o OnboardingOutcome) detail(req OnboardingRequest) string {
	if o.Skipped {
		return req.label() + ": no onboarding URL configured; skipped"
	}
	return fmt.Sprintf("%s accepted by the onboarding endpoint: %d", req.label(), o.Status)
}
