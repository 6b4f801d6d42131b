package relay

import (
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"kycflow/idenfy"
	"kycflow/store"
	"kycflow/workflows"
)

// Delivery is one SignalWithStartWorkflow call.
type Delivery struct {
	Options  client.StartWorkflowOptions
	Signal   string
	Arg      any
	Workflow string
	Input    any
}

// Router decides where an inbox event goes.
type Router struct {
	TaskQueue string
	// Policy is stamped into every lifecycle the relay starts; a running
	// lifecycle keeps the policy it started with.
	Policy workflows.Policy
}

// Kinds lists the webhook kinds the router delivers. KYB events stay
// pending in the inbox until their lifecycle exists.
func (Router) Kinds() []string { return []string{string(idenfy.KindKYC), string(idenfy.KindAML)} }

// Route returns the deliveries of an inbox event: one for an
// identification, one per listed scanRef for an AML monitoring event. An
// error means the event can never be delivered.
func (rt Router) Route(row store.InboxEvent) ([]Delivery, error) {
	switch row.Kind {
	case string(idenfy.KindKYC):
		sum, err := idenfy.Summarize(row.Body)
		if err != nil {
			return nil, fmt.Errorf("summarise identification: %w", err)
		}
		return []Delivery{rt.kyc(workflows.Event{
			InboxID: row.ID, Kind: row.Kind, EventType: row.EventType, ScanRef: row.Subject, ClientID: row.ClientID,
			ExternalRef: row.ExternalRef, CompanyID: row.CompanyID, ReceivedAt: row.ReceivedAt, Summary: sum,
		})}, nil
	case string(idenfy.KindAML):
		return rt.amlFanOut(row)
	}
	return nil, fmt.Errorf("no lifecycle for %s events yet", row.Kind)
}

// amlFanOut sends an AML monitoring event to the lifecycle of every scanRef
// it lists.
func (rt Router) amlFanOut(row store.InboxEvent) ([]Delivery, error) {
	sum, err := idenfy.SummarizeMonitoring(row.Body)
	if err != nil {
		return nil, fmt.Errorf("summarise AML monitoring: %w", err)
	}
	if len(sum.ScanRefs) == 0 {
		return nil, fmt.Errorf("AML monitoring %s lists no scanRef", sum.MonitoringID)
	}
	var out []Delivery
	for _, ref := range sum.ScanRefs {
		out = append(out, rt.kyc(workflows.Event{
			InboxID: row.ID, Kind: row.Kind, EventType: row.EventType, ScanRef: ref, ReceivedAt: row.ReceivedAt,
			AML: &workflows.AMLStatus{MonitoringID: sum.MonitoringID, AlertStatus: sum.AlertStatus, Status: sum.Status,
				PEPsStatus: sum.PEPsStatus, SanctionsStatus: sum.SanctionsStatus, AdverseMediaStatus: sum.AdverseMediaStatus, IsActive: sum.IsActive},
		}))
	}
	return out, nil
}

// kyc is the SignalWithStart of e into its scanRef's lifecycle.
func (rt Router) kyc(e workflows.Event) Delivery {
	attrs := []temporal.SearchAttributeUpdate{workflows.AttrScanRef.ValueSet(e.ScanRef), workflows.AttrStage.ValueSet(string(workflows.StageAwaitingResult))}
	if e.ClientID != "" {
		attrs = append(attrs, workflows.AttrClientID.ValueSet(e.ClientID))
	}
	opts := client.StartWorkflowOptions{
		ID:                    workflows.ID(e.ScanRef),
		TaskQueue:             rt.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(attrs...),
		StaticSummary:         fmt.Sprintf("KYC verification %s (client %s)", e.ScanRef, orDash(e.ClientID)),
		StaticDetails: fmt.Sprintf("**iDenfy KYC verification**\n\n- scanRef: `%s`\n- clientId: `%s`\n- externalRef: `%s`\n\n"+
			"Stage, status and decision are the KycStage, KycStatus and KycDecision search attributes; "+
			"the `state` query and kycflow's `GET /v1/verifications/%s` show the full evidence trail. "+
			"No personal data is kept in this history: the raw webhooks stay in kycflow's inbox.",
			e.ScanRef, orDash(e.ClientID), orDash(e.ExternalRef), e.ScanRef),
	}
	return Delivery{
		Options: opts, Signal: workflows.SignalEvent, Arg: e,
		Workflow: workflows.VerificationWorkflow, Input: workflows.Input{ScanRef: e.ScanRef, Policy: rt.Policy},
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
