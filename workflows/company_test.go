package workflows_test

import (
	"slices"
	"testing"
	"time"

	"kycflow/idenfy"
	"kycflow/workflows"
)

const companyID = "c-1"

func kyb(eventType string, sum idenfy.CompanySummary) workflows.Event {
	inboxIDs++
	return workflows.Event{InboxID: inboxIDs, Kind: workflows.KindCompany, EventType: eventType, CompanyID: companyID,
		ClientID: "company-client-1", Company: &sum}
}

func submitted() workflows.Event { return kyb(idenfy.EventCompanySubmit, idenfy.CompanySummary{}) }

func reviewed(status string) workflows.Event {
	return kyb(idenfy.EventCompanyReview, idenfy.CompanySummary{ReviewStatus: status, Screenings: []idenfy.Screening{
		{Subject: "COMPANY:" + companyID, Sanctions: "NO_FLAGS", Overall: "NO_FLAGS"},
		{Subject: "BENEFICIARY:b-1", PEPs: "NO_FLAGS", Sanctions: "NO_FLAGS", News: "NO_FLAGS"}}})
}

func amlReviewed(subject, peps string) workflows.Event {
	return kyb(idenfy.EventCompanyAMLReview, idenfy.CompanySummary{Screenings: []idenfy.Screening{
		{Subject: subject, PEPs: peps, Sanctions: "NO_FLAGS", News: "NO_FLAGS", Overall: peps}}})
}

func runCompany(t *testing.T, f *trail, at time.Duration, events ...workflows.Event) workflows.State {
	t.Helper()
	env := newEnv(t, f)
	for i, e := range events {
		send(env, time.Duration(i+1)*time.Minute, e)
	}
	var got workflows.State
	stateAt(env, at, &got)
	env.SetTestTimeout(time.Minute)
	env.ExecuteWorkflow(workflows.CompanyWorkflow, workflows.Input{Generation: workflows.Generation, CompanyID: companyID, Policy: workflows.Policy{LateEventWindow: time.Hour}})
	return got
}

func TestCompanyApprovedAfterACleanAMLReview(t *testing.T) {
	f := &trail{}
	dup := reviewed("APPROVED")
	got := runCompany(t, f, 30*time.Minute, submitted(), dup, dup, amlReviewed("BENEFICIARY:b-1", "NO_FLAGS"), submitted())
	if got.Kind != workflows.KindCompany || got.Stage != workflows.StageDecided || got.Decision != workflows.DecisionApproved {
		t.Errorf("state = %s/%s/%s, want kyb decided approved", got.Kind, got.Stage, got.Decision)
	}
	if len(f.onboarded) != 1 || f.onboarded[0].MessageID != "kyb-c-1-decision-1" || f.onboarded[0].CompanyID != companyID || f.onboarded[0].ScanRef != "" {
		t.Errorf("onboarding = %+v, want one call for the company", f.onboarded)
	}
	if last := f.last(); last.Stage != workflows.StageClosed {
		t.Errorf("final stage = %s, want closed after the late-event window", last.Stage)
	}
	if n := count(f.allTypes(), workflows.EntryDuplicate); n != 2 {
		t.Errorf("timeline %v: want the repeated review and the repeated submission as duplicates", f.allTypes())
	}
}

func TestCompanyWaitsForTheAMLReviewAfterAnApproval(t *testing.T) {
	f := &trail{}
	got := runCompany(t, f, 10*time.Minute, submitted(), reviewed("APPROVED"))
	if got.Stage != workflows.StageInReview || got.Decision != workflows.DecisionNone || len(f.onboarded) != 0 {
		t.Errorf("state = %s/%s, onboarding %d; want in_review without a decision", got.Stage, got.Decision, len(f.onboarded))
	}
}

func TestCompanyWithAFlaggedBeneficiaryGoesToComplianceReview(t *testing.T) {
	f := &trail{}
	got := runCompany(t, f, 30*time.Minute, submitted(), reviewed("APPROVED"), amlReviewed("BENEFICIARY:b-1", idenfy.ScreeningFlagsFound))
	if got.Stage != workflows.StageAwaitingCompliance || got.Decision != workflows.DecisionNone || len(f.onboarded) != 0 {
		t.Errorf("state = %s/%s, onboarding %d; want awaiting_compliance", got.Stage, got.Decision, len(f.onboarded))
	}
	if !slices.Contains(f.events(), workflows.NotifyReviewRequired) {
		t.Errorf("notifications = %v", f.events())
	}
}

func TestCompanyDeniedAndExpired(t *testing.T) {
	f := &trail{}
	if got := runCompany(t, f, 30*time.Minute, submitted(), reviewed("DENIED")); got.Decision != workflows.DecisionRejected {
		t.Errorf("denied company decision = %s", got.Decision)
	}
	f = &trail{}
	expired := kyb(idenfy.EventCompanyTokenExpired, idenfy.CompanySummary{})
	if got := runCompany(t, f, 30*time.Minute, submitted(), expired, reviewed("APPROVED")); got.Decision != workflows.DecisionResubmissionRequested {
		t.Errorf("expired company decision = %s", got.Decision)
	}
}

func TestBeneficiaryVerificationsAreLinked(t *testing.T) {
	f := &trail{}
	link := workflows.Event{InboxID: 900, Kind: "kyc", EventType: workflows.EventBeneficiaryLinked, ScanRef: "scan-b1", CompanyID: companyID, Company: &idenfy.CompanySummary{}}
	again := link
	again.InboxID = 901
	got := runCompany(t, f, 10*time.Minute, submitted(), link, again)
	if got.Company == nil || !slices.Equal(got.Company.Beneficiaries, []string{"scan-b1"}) {
		t.Errorf("company = %+v, want scan-b1 linked once", got.Company)
	}
}

// A person's rejection stands when iDenfy later clears the flag that sent
// the company to review; an unrelated clean AML review changes nothing.
func TestCompanyDecisionByAPersonIsNotOverturnedByAClearedFlag(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, submitted(), reviewed("APPROVED"), amlReviewed("BENEFICIARY:b-1", idenfy.ScreeningTruePositive))
	var out updateResult
	update(env, time.Hour, workflows.Review{Reviewer: "alice", Decision: "reject", Reason: "sanctioned UBO"}, &out)
	send(env, 2*time.Hour, amlReviewed("BENEFICIARY:b-1", "FALSE_POSITIVE"), amlReviewed("COMPANY:"+companyID, "NO_FLAGS"),
		kyb("COMPANY_INFO_REQUEST", idenfy.CompanySummary{}))
	var got workflows.State
	stateAt(env, 3*time.Hour, &got)
	env.ExecuteWorkflow(workflows.CompanyWorkflow, workflows.Input{Generation: workflows.Generation, CompanyID: companyID, Policy: workflows.Policy{LateEventWindow: 24 * time.Hour}})
	if out.err != nil || out.rejected != nil || got.Decision != workflows.DecisionRejected || got.DecisionSeq != 1 {
		t.Errorf("review %+v; state %s/%s seq %d, want rejected once", out, got.Stage, got.Decision, got.DecisionSeq)
	}
	if len(f.onboarded) != 1 || count(f.events(), workflows.NotifyReviewRequired) != 1 {
		t.Errorf("onboarding %d, notifications %v; want one rejection and one review request", len(f.onboarded), f.events())
	}
}

// An AML review's hit stands when the company review, arriving later,
// embeds older clean statuses for the same subject.
func TestCompanyAMLReviewBeforeTheCompanyReview(t *testing.T) {
	f := &trail{}
	got := runCompany(t, f, 30*time.Minute, submitted(), amlReviewed("BENEFICIARY:b-1", idenfy.ScreeningTruePositive), reviewed("APPROVED"))
	if got.Stage != workflows.StageAwaitingCompliance || len(f.onboarded) != 0 {
		t.Errorf("state = %s/%s, onboarding %d; want compliance review", got.Stage, got.Decision, len(f.onboarded))
	}
}

func TestCompanyTokenExpiryAfterTheReviewIsStale(t *testing.T) {
	f := &trail{}
	expired := kyb(idenfy.EventCompanyTokenExpired, idenfy.CompanySummary{})
	got := runCompany(t, f, 30*time.Minute, submitted(), reviewed("APPROVED"), expired, amlReviewed("COMPANY:"+companyID, "NO_FLAGS"))
	if got.Decision != workflows.DecisionApproved || got.DecisionSeq != 1 || count(f.allTypes(), workflows.EntryStale) != 1 {
		t.Errorf("state %s seq %d, timeline %v; want approved once, the expiry stale", got.Decision, got.DecisionSeq, f.allTypes())
	}
}
