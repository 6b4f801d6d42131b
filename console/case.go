package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"kycflow/idenfy"
	"kycflow/operator"
	"kycflow/store"
	"kycflow/workflows"
)

// caseView is a case page: the lifecycle's projection and the statuses of
// its stored state, the evidence trail, and what the signed-in reviewer may
// do to it.
type caseView struct {
	Kind       string // store.KindKYC or store.KindKYB
	ID         string // scanRef or company ID
	Path       string // this page
	WorkflowID string
	ClientID   string
	Stage      string
	Status     string
	Decision   string
	UpdatedAt  time.Time
	// State is the stored workflow state (the lifecycle's new state after
	// a review); StateUnreadable when it could not be read.
	State           workflows.State
	StateUnreadable bool
	Details         string // where it stands and why, one line
	Verdict         []status
	AML             []status // the last AML monitoring event's statuses
	Screenings      []screening
	Timeline        []entry
	Acts            []entry // the decisions and onboarding calls
	Decisions       []string
	CanDecide       bool
	CanReveal       bool
	MineToConfirm   bool // the signed-in reviewer gave the pending first approval
	TemporalURL     string
	Reason          string // the reason last typed, kept when a review is refused
	Result          *result
	Personal        *personalView
}

// status is one labelled iDenfy status; Flag marks one that needs a
// person's judgement.
type status struct {
	Label, Value string
	Flag         bool
}

type screening struct {
	idenfy.Screening
	Flagged bool
}

// entry is a timeline line; Class marks decisions, onboarding calls and
// looks at personal data.
type entry struct {
	operator.Timeline
	Class string
}

// result is what a review, a look or a redrive did, shown at the top.
type result struct {
	Outcome string // operator.ReviewOutcome, or "requeued", "refused"
	OK      bool
	Text    string
}

// acts are the timeline entries that record a person's decision or a
// call downstream.
var acts = map[string]string{
	workflows.EntryReviewed: "act", workflows.EntryDecided: "act", workflows.EntryOnboarded: "act",
	workflows.EntryOnboardFailed: "act", workflows.EntrySuperseded: "act", workflows.EntryDeliveryRetried: "act", workflows.EntryAMLCleared: "act",
	workflows.EntryAMLConfirmed: "act", workflows.EntryApprovalLapsed: "act", workflows.EntryRevised: "act",
	operator.EntryPersonalDataViewed: "look",
}

// decisionsOf are the decisions a stage takes (none: it takes no review).
func decisionsOf(stage string) []string {
	switch workflows.Stage(stage) {
	case workflows.StageAwaitingCompliance:
		return []string{workflows.ReviewApprove, workflows.ReviewReject}
	case workflows.StageAMLAlert:
		return []string{workflows.ReviewClear, workflows.ReviewConfirm}
	}
	return nil
}

func (c *Console) kycCase(w http.ResponseWriter, r *http.Request, s store.Session) {
	v, err := c.loadKYC(r.Context(), r.PathValue("id"), s)
	c.showCase(w, r, s, http.StatusOK, v, err)
}

func (c *Console) kybCase(w http.ResponseWriter, r *http.Request, s store.Session) {
	v, err := c.loadKYB(r.Context(), r.PathValue("id"), s)
	c.showCase(w, r, s, http.StatusOK, v, err)
}

// showCase renders a loaded case page, or what kept it from loading.
func (c *Console) showCase(w http.ResponseWriter, r *http.Request, s store.Session, code int, v *caseView, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		c.render(w, r, http.StatusNotFound, "message", &s, message{Title: "Unknown case",
			Text: "kycflow has no case " + r.PathValue("id") + ".", Back: Path + "/queue"})
	case err != nil:
		c.unavailable(w, r, &s, err)
	default:
		c.render(w, r, code, "case", &s, v)
	}
}

// loadKYC reads a verification's page.
func (c *Console) loadKYC(ctx context.Context, scanRef string, s store.Session) (*caseView, error) {
	rec, err := c.store.Verification(ctx, scanRef)
	if err != nil {
		return nil, err
	}
	timeline, err := c.cases.VerificationTimeline(ctx, scanRef)
	if err != nil {
		return nil, err
	}
	v := &caseView{Kind: store.KindKYC, ID: scanRef, Path: Path + "/cases/kyc/" + url.PathEscape(scanRef), WorkflowID: rec.WorkflowID,
		ClientID: rec.ClientID, Stage: rec.Stage, Status: rec.Status, Decision: rec.Decision, UpdatedAt: rec.UpdatedAt,
		CanReveal: s.Role.CanViewPersonalData()}
	v.readState(rec.State)
	c.finish(v, timeline, s)
	return v, nil
}

// loadKYB reads a company's page.
func (c *Console) loadKYB(ctx context.Context, companyID string, s store.Session) (*caseView, error) {
	rec, err := c.store.Company(ctx, companyID)
	if err != nil {
		return nil, err
	}
	events, err := c.store.TimelineOf(ctx, rec.WorkflowID)
	if err != nil {
		return nil, err
	}
	v := &caseView{Kind: store.KindKYB, ID: companyID, Path: Path + "/cases/kyb/" + url.PathEscape(companyID), WorkflowID: rec.WorkflowID,
		ClientID: rec.ClientID, Stage: rec.Stage, Status: rec.Status, Decision: rec.Decision, UpdatedAt: rec.UpdatedAt}
	v.readState(rec.State)
	c.finish(v, operator.TimelineView(events), s)
	return v, nil
}

// readState reads the stored workflow state; the projection's columns
// stand if it cannot be read.
func (v *caseView) readState(raw string) {
	var st workflows.State
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		v.StateUnreadable = true
		return
	}
	v.State = st
	v.Details = details(st)
	v.Verdict = verdictStatuses(st.Verdict)
	if st.Monitoring != nil {
		v.AML = amlStatuses(st.Monitoring.LastKey)
	}
	if st.Company != nil {
		for _, sc := range st.Company.Screenings {
			v.Screenings = append(v.Screenings, screening{Screening: sc, Flagged: sc.Flagged()})
		}
	}
}

// applyState shows the lifecycle's state after a review: fresher than the
// projection, which the lifecycle records a moment later.
func (v *caseView) applyState(st workflows.State) {
	if st.Stage == "" {
		return
	}
	v.State, v.StateUnreadable = st, false
	v.Stage, v.Status, v.Decision, v.UpdatedAt = string(st.Stage), st.Status, string(st.Decision), st.UpdatedAt
	v.Details = details(st)
}

// details is where the lifecycle stands, in one line, without repeating
// the review reason the page shows anyway.
func details(st workflows.State) string {
	d := st.Details()
	if d == "Waiting for compliance review: "+st.ReviewReason {
		return "Waiting for compliance review."
	}
	return d
}

// finish adds the timeline, the actions the reviewer may take and the
// Temporal Web UI link.
func (c *Console) finish(v *caseView, timeline []operator.Timeline, s store.Session) {
	v.Timeline, v.Acts = nil, nil
	for _, t := range timeline {
		e := entry{Timeline: t, Class: acts[t.Type]}
		v.Timeline = append(v.Timeline, e)
		if e.Class != "" {
			v.Acts = append(v.Acts, e)
		}
	}
	v.Decisions = decisionsOf(v.Stage)
	v.CanDecide = s.Role.CanDecide() && len(v.Decisions) > 0
	p := v.State.PendingApproval
	v.MineToConfirm = p != nil && strings.EqualFold(p.Reviewer, s.Reviewer)
	v.TemporalURL = c.temporalURL(v.WorkflowID)
}

// temporalURL links a workflow in the Temporal Web UI ("" without one).
func (c *Console) temporalURL(workflowID string) string {
	if c.o.TemporalUIURL == "" || workflowID == "" {
		return ""
	}
	return strings.TrimRight(c.o.TemporalUIURL, "/") + "/namespaces/" + url.PathEscape(c.o.Namespace) +
		"/workflows/" + url.PathEscape(workflowID)
}

// flagged are iDenfy statuses that need a person's judgement.
var flagged = []string{"SUSPECTED", "DENIED", "FLAGS_FOUND", "TRUE_POSITIVE", "ALERT", "FAILED"}

// verdictStatuses lists the statuses of the result in force.
func verdictStatuses(e *workflows.Event) []status {
	if e == nil {
		return nil
	}
	out := []status{{Label: "event", Value: e.EventType}, {Label: "received", Value: e.ReceivedAt.UTC().Format(time.RFC3339)}}
	add := func(label, value string) {
		if value != "" {
			out = append(out, status{Label: label, Value: value, Flag: slices.Contains(flagged, value)})
		}
	}
	add("final", fmt.Sprint(e.Final))
	add("overall", string(e.Overall))
	add("automatic document check", e.AutoDocument)
	add("automatic face check", e.AutoFace)
	add("manual document check", e.ManualDocument)
	add("manual face check", e.ManualFace)
	for _, l := range []struct {
		label string
		tags  []string
	}{{"fraud tags", e.FraudTags}, {"mismatch tags", e.MismatchTags}, {"suspicion reasons", e.SuspicionReasons}} {
		if len(l.tags) > 0 {
			out = append(out, status{Label: l.label, Value: strings.Join(l.tags, ", "), Flag: true})
		}
	}
	add("AML result class", e.AMLResultClass)
	add("PEP check", e.PEPsStatus)
	add("sanctions check", e.SanctionsStatus)
	add("adverse media check", e.AdverseMediaStatus)
	if e.AMLSuspected {
		out = append(out, status{Label: "AML / LID service", Value: "suspected", Flag: true})
	}
	if e.Reconciled {
		out = append(out, status{Label: "source", Value: "iDenfy's status API (reconciled)"})
	}
	return out
}

// amlStatuses reads the statuses of the last AML monitoring event from the
// monitoring state's key (aml|monitoringId|alertStatus|status|peps|
// sanctions|adverseMedia|active); nothing when it has another shape.
func amlStatuses(key string) []status {
	parts := strings.Split(key, "|")
	if len(parts) != 8 || parts[0] != "aml" {
		return nil
	}
	var out []status
	for i, label := range []string{"", "monitoring ID", "alert status", "monitoring status", "PEP", "sanctions", "adverse media"} {
		if i > 0 && parts[i] != "" {
			out = append(out, status{Label: label, Value: parts[i], Flag: slices.Contains(flagged, parts[i])})
		}
	}
	return out
}
