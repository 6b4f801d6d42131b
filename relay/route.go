package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
	// Generation is the workflow code generation of the runs the relay
	// starts (workflows.Generation; lower while older workers still run).
	Generation int
	// CompanyOfClient maps a KYB clientId to its company (for
	// COMPANY_TOKEN_EXPIRED); store.ErrNotFound when none is known yet.
	CompanyOfClient func(ctx context.Context, clientID, externalRef string) (string, error)
}

// ErrNotYet means an event cannot be routed yet (its company is not known):
// the relay retries it later instead of quarantining it.
var ErrNotYet = errors.New("not routable yet")

// Kinds lists the webhook kinds the router delivers.
func (Router) Kinds() []string {
	return []string{string(idenfy.KindKYC), string(idenfy.KindKYB), string(idenfy.KindAML)}
}

// Route returns the deliveries of an inbox event: one for an
// identification (plus a link to its company's lifecycle when it names
// one), one per listed scanRef for an AML monitoring event, one for a KYB
// company event. An error means the event can never be delivered, unless
// it wraps ErrNotYet. Every ID a workflow ID is built from passes
// idenfy.ValidID first: ingest checks them too, but an event stored before
// it did must not start kyc-../../etc/passwd either.
func (rt Router) Route(ctx context.Context, row store.InboxEvent) ([]Delivery, error) {
	switch row.Kind {
	case string(idenfy.KindKYC):
		if err := idenfy.ValidID(idenfy.IDScanRef, row.Subject); err != nil {
			return nil, err
		}
		if row.CompanyID != "" {
			if err := idenfy.ValidID(idenfy.IDCompany, row.CompanyID); err != nil {
				return nil, err
			}
		}
		sum, err := idenfy.Summarize(row.Body)
		if err != nil {
			return nil, fmt.Errorf("summarise identification: %w", err)
		}
		out := []Delivery{rt.kyc(workflows.Event{
			InboxID: row.ID, Kind: row.Kind, EventType: row.EventType, ScanRef: row.Subject, ClientID: row.ClientID,
			ExternalRef: row.ExternalRef, CompanyID: row.CompanyID, ReceivedAt: row.ReceivedAt, Summary: sum,
		})}
		if row.CompanyID != "" { // a beneficiary's verification: link it to the company
			out = append(out, rt.company(workflows.Event{InboxID: row.ID, Kind: string(idenfy.KindKYB), EventType: workflows.EventBeneficiaryLinked,
				ScanRef: row.Subject, CompanyID: row.CompanyID, ReceivedAt: row.ReceivedAt, Company: &idenfy.CompanySummary{}}))
		}
		return out, nil
	case string(idenfy.KindAML):
		return rt.amlFanOut(row)
	case string(idenfy.KindKYB):
		return rt.kyb(ctx, row)
	}
	return nil, fmt.Errorf("no lifecycle for %s events", row.Kind)
}

// kyb routes a company event to its company's lifecycle; a token expiry,
// keyed by clientId, through the store.
func (rt Router) kyb(ctx context.Context, row store.InboxEvent) ([]Delivery, error) {
	sum, err := idenfy.SummarizeCompany(row.Body)
	if err != nil {
		return nil, fmt.Errorf("summarise company event: %w", err)
	}
	companyID := row.CompanyID
	if companyID == "" && row.SubjectType == idenfy.SubjectClientID {
		if rt.CompanyOfClient == nil {
			return nil, fmt.Errorf("%s for client %s: no company lookup configured", row.EventType, row.Subject)
		}
		companyID, err = rt.CompanyOfClient(ctx, row.Subject, row.ExternalRef)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("%s: no company known for client %s: %w", row.EventType, row.Subject, ErrNotYet)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v: %w", row.EventType, err, ErrNotYet)
		}
	}
	if companyID == "" {
		return nil, fmt.Errorf("%s names no company", row.EventType)
	}
	if err := idenfy.ValidID(idenfy.IDCompany, companyID); err != nil {
		return nil, fmt.Errorf("%s: %w", row.EventType, err)
	}
	return []Delivery{rt.company(workflows.Event{InboxID: row.ID, Kind: row.Kind, EventType: row.EventType, CompanyID: companyID,
		ClientID: row.ClientID, ExternalRef: row.ExternalRef, ReceivedAt: row.ReceivedAt, Company: &sum})}, nil
}

// company is the SignalWithStart of e into its company's lifecycle.
func (rt Router) company(e workflows.Event) Delivery {
	return rt.start(workflows.CompanyID(e.CompanyID), workflows.CompanyWorkflow, workflows.Input{CompanyID: e.CompanyID, Policy: rt.Policy, Generation: rt.Generation}, e,
		fmt.Sprintf("KYB company %s (client %s)", e.CompanyID, orDash(e.ClientID)),
		fmt.Sprintf("**iDenfy KYB company verification**\n\n- company id: `%s`\n- clientId: `%s`\n\n"+
			"Stage and decision are the KybStage and KybDecision search attributes; the `state` query and kycflow's "+
			"`GET /v1/companies/%s` show the screenings, linked beneficiaries and evidence trail. No personal data is kept in this history.%s",
			e.CompanyID, orDash(e.ClientID), e.CompanyID, rt.consoleLine(&workflows.State{Kind: workflows.KindCompany, CompanyID: e.CompanyID})),
		workflows.AttrCompanyID.ValueSet(e.CompanyID), workflows.AttrKybStage.ValueSet(string(workflows.StageAwaitingResult)))
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
	for _, ref := range sum.ScanRefs {
		if err := idenfy.ValidID(idenfy.IDScanRef, ref); err != nil {
			return nil, fmt.Errorf("AML monitoring: %w", err)
		}
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
	return rt.start(workflows.ID(e.ScanRef), workflows.VerificationWorkflow, workflows.Input{ScanRef: e.ScanRef, Policy: rt.Policy, Generation: rt.Generation}, e,
		fmt.Sprintf("KYC verification %s (client %s)", e.ScanRef, orDash(e.ClientID)),
		fmt.Sprintf("**iDenfy KYC verification**\n\n- scanRef: `%s`\n- clientId: `%s`\n- externalRef: `%s`\n\n"+
			"Stage, status and decision are the KycStage, KycStatus and KycDecision search attributes; "+
			"the `state` query and kycflow's `GET /v1/verifications/%s` show the full evidence trail. "+
			"No personal data is kept in this history: the raw webhooks stay in kycflow's inbox.%s",
			e.ScanRef, orDash(e.ClientID), orDash(e.ExternalRef), e.ScanRef, rt.consoleLine(&workflows.State{ScanRef: e.ScanRef})),
		workflows.AttrScanRef.ValueSet(e.ScanRef), workflows.AttrStage.ValueSet(string(workflows.StageAwaitingResult)))
}

// start is the SignalWithStart of e into the lifecycle id of workflowType,
// created with attrs (and the client ID) and the Web UI's summary and
// details.
func (rt Router) start(id, workflowType string, input workflows.Input, e workflows.Event, summary, details string,
	attrs ...temporal.SearchAttributeUpdate) Delivery {
	if e.ClientID != "" {
		attrs = append(attrs, workflows.AttrClientID.ValueSet(e.ClientID))
	}
	return Delivery{
		Options: client.StartWorkflowOptions{ID: id, TaskQueue: rt.TaskQueue, TypedSearchAttributes: temporal.NewSearchAttributes(attrs...),
			StaticSummary: summary, StaticDetails: details},
		Signal: workflows.SignalEvent, Arg: e, Workflow: workflowType, Input: input,
	}
}

// consoleLine links the Web UI's static details to the case's page in the
// compliance console, when its URL is configured.
func (rt Router) consoleLine(s *workflows.State) string {
	if rt.Policy.ConsoleURL == "" {
		return ""
	}
	return "\n\nCompliance console: [" + s.Subject() + "](" + strings.TrimSuffix(rt.Policy.ConsoleURL, "/") + s.CasePath() + ")"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
