package simulate

import (
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"time"

	"kycflow/idenfy"
)

// Scenario is a named webhook sequence for one subject and the outcome a
// correct kycflow reaches.
type Scenario struct {
	Name     string
	Subject  string // scanRef, or company id when Company
	Company  bool   // a KYB company lifecycle (GET /v1/companies/{id})
	Webhooks []Webhook
	// WantStage and WantDecision are the expected lifecycle state.
	WantStage, WantDecision string
	// Later webhooks are sent once the lifecycle is approved and monitored
	// (AML monitoring follows an approval).
	Later []Webhook
}

// Names lists the scenarios in the order `simulate all` runs them.
var Names = []string{"approved", "review-approved", "denied", "suspected", "expired", "duplicates", "late", "aml-alert", "aml-clear", "kyb", "kyb-review"}

// Describe explains each scenario for --help.
var Describe = map[string]string{
	"approved":        "automatic final APPROVED (one webhook) → approved (monitoring/approved with AML monitoring on, the default)",
	"review-approved": "automatic SUSPECTED final:false, then manual APPROVED final:true → approved (monitoring/approved)",
	"denied":          "automatic DENIED final:false, then manual DENIED → decided/rejected",
	"suspected":       "manual SUSPECTED final:true → awaiting_compliance (compliance review)",
	"expired":         "IDENTIFICATION_EXPIRED → decided/resubmission_requested",
	"duplicates":      "review-approved with every webhook delivered 3 times, shuffled → one decision",
	"late":            "approved, then a stale final:false after the final → recorded stale, still approved",
	"aml-alert":       "approved, then an AML monitoring ALERT (sanctions flag) → aml_alert, awaiting a clear/confirm review",
	"aml-clear":       "approved, an AML ALERT, then iDenfy resolves the match → back to monitoring",
	"kyb":             "KYB: company submit, review APPROVED, clean AML review → decided/approved (companies are not AML-monitored)",
	"kyb-review":      "KYB: submit, review APPROVED, a beneficiary's KYC, a PEP flag on the beneficiary's AML review → awaiting_compliance",
}

var (
	docOK  = "DOC_VALIDATED"
	faceOK = "FACE_MATCH"
)

// Build makes a fresh scenario with new IDs and fake people.
func Build(name string, r *mrand.Rand, now time.Time) (Scenario, error) {
	scanRef := NewID()
	client := fmt.Sprintf("sim-user-%06d", r.IntN(1_000_000))
	p := newPerson(r)
	nonce := r.IntN(1 << 30)
	kyc := func(res result, offset time.Duration) Webhook {
		nonce++
		return Webhook{Route: idenfy.KindKYC, EventType: res.eventType, Body: identification(scanRef, client, p, res, now.Add(offset), nonce)}
	}
	auto := func(overall idenfy.Overall, final bool, fraud ...string) result {
		return result{eventType: idenfy.EventIdentificationAutoFinished, final: final, overall: overall, autoDocument: docOK, autoFace: faceOK, fraudTags: fraud}
	}
	manual := func(overall idenfy.Overall, doc, face string) result {
		return result{eventType: idenfy.EventIdentificationManualFinished, final: true, overall: overall,
			autoDocument: docOK, autoFace: faceOK, manualDocument: doc, manualFace: face}
	}
	s := Scenario{Name: name, Subject: scanRef}
	switch name {
	case "approved":
		s.Webhooks = []Webhook{kyc(auto(idenfy.OverallApproved, true), 0)}
		s.WantStage, s.WantDecision = "decided", "approved"
	case "review-approved":
		s.Webhooks = []Webhook{kyc(auto(idenfy.OverallSuspected, false, "DUPLICATE_FACE"), 0), kyc(manual(idenfy.OverallApproved, docOK, faceOK), 10*time.Minute)}
		s.WantStage, s.WantDecision = "decided", "approved"
	case "denied":
		s.Webhooks = []Webhook{kyc(auto(idenfy.OverallDenied, false), 0), kyc(manual(idenfy.OverallDenied, "DOC_FAKE", "FACE_MISMATCH"), 10*time.Minute)}
		s.WantStage, s.WantDecision = "decided", "rejected"
	case "suspected":
		res := manual(idenfy.OverallSuspected, docOK, faceOK)
		res.mismatchTags = []string{"NAME"}
		s.Webhooks = []Webhook{kyc(res, 0)}
		s.WantStage = "awaiting_compliance"
	case "expired":
		s.Webhooks = []Webhook{kyc(result{eventType: idenfy.EventIdentificationExpired, final: true, overall: idenfy.OverallExpired}, 0)}
		s.WantStage, s.WantDecision = "decided", "resubmission_requested"
	case "duplicates":
		pair := []Webhook{kyc(auto(idenfy.OverallSuspected, false, "DUPLICATE_FACE"), 0), kyc(manual(idenfy.OverallApproved, docOK, faceOK), 10*time.Minute)}
		for range 3 {
			s.Webhooks = append(s.Webhooks, pair...)
		}
		r.Shuffle(len(s.Webhooks), func(i, j int) { s.Webhooks[i], s.Webhooks[j] = s.Webhooks[j], s.Webhooks[i] })
		s.WantStage, s.WantDecision = "decided", "approved"
	case "late":
		stale := auto(idenfy.Overall("REVIEWING"), false)
		s.Webhooks = []Webhook{kyc(manual(idenfy.OverallApproved, docOK, faceOK), 0), kyc(stale, 20*time.Minute)}
		s.WantStage, s.WantDecision = "decided", "approved"
	case "aml-alert", "aml-clear":
		s.Webhooks = []Webhook{kyc(auto(idenfy.OverallApproved, true), 0)}
		monitoringID := NewID()
		s.Later = []Webhook{monitoringEvent(monitoringID, scanRef, p, "ALERT", "ALERT", "FLAGS_FOUND")}
		s.WantStage, s.WantDecision = "aml_alert", "approved"
		if name == "aml-clear" {
			s.Later = append(s.Later, monitoringEvent(monitoringID, scanRef, p, "ACCEPTED", "ACTIVE", "FALSE_POSITIVE"))
			s.WantStage = "monitoring"
		}
	case "kyb":
		s.Subject, s.Company = NewID(), true
		s.Webhooks = companyEvents(s.Subject, client, "", now)
		s.WantStage, s.WantDecision = "decided", "approved"
	case "kyb-review":
		s.Subject, s.Company = NewID(), true
		beneficiary := NewID()
		res := auto(idenfy.OverallApproved, true)
		res.companyID = s.Subject
		scanRef = NewID()
		s.Webhooks = companyEvents(s.Subject, client, beneficiary, now)
		s.Webhooks = slices.Insert(s.Webhooks, 2, kyc(res, 5*time.Minute))
		s.WantStage = "awaiting_compliance"
	default:
		return Scenario{}, fmt.Errorf("unknown scenario %q (known: %v)", name, slices.Concat(Names, []string{"load"}))
	}
	return s, nil
}

// companyEvents renders a company's submit, review and AML review; with a
// beneficiary, the review lists that person and the AML review flags them
// as a PEP.
func companyEvents(company, client, beneficiary string, now time.Time) []Webhook {
	ext := "kyb-" + company[:8]
	beneficiaries, aml := []any{}, map[string]any{
		"amlReviewSubjectType": "COMPANY", "id": company, "companyId": company, "clientId": client, "externalRef": ext,
		"negativeNewsStatus": "NO_FLAGS", "pepsCheckStatus": "NO_FLAGS", "sanctionsCheckStatus": "NO_FLAGS", "overallStatus": "NO_FLAGS"}
	if beneficiary != "" {
		beneficiaries = append(beneficiaries, map[string]any{"id": beneficiary, "pepsStatus": "NOT_CHECKED", "sanctionsStatus": "NO_FLAGS", "newsStatus": "NO_FLAGS"})
		aml["amlReviewSubjectType"], aml["id"], aml["pepsCheckStatus"], aml["overallStatus"] = "BENEFICIARY", beneficiary, "FLAGS_FOUND", "FLAGS_FOUND"
	}
	enc := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return b
	}
	return []Webhook{
		{Route: idenfy.KindKYB, EventType: idenfy.EventCompanySubmit, Body: enc(map[string]any{
			"id": company, "submissionTime": now.UTC().Format(time.RFC3339), "soleProprietor": false, "clientId": client, "externalRef": ext})},
		{Route: idenfy.KindKYB, EventType: idenfy.EventCompanyReview, Body: enc(map[string]any{
			"id": company, "companyName": "Simulated Widgets Ltd (fake)", "registrationNumber": "SIM-000001", "status": "APPROVED",
			"denyReason": nil, "soleProprietor": false, "amlComment": nil, "sanctionsCheckStatus": "NO_FLAGS",
			"amlCheck": map[string]any{"overallStatus": "NO_FLAGS", "adverseMedia": []any{}, "amlCheck": []any{}}, "beneficiaries": beneficiaries})},
		{Route: idenfy.KindKYB, EventType: idenfy.EventCompanyAMLReview, Body: enc(aml)},
	}
}

// monitoringEvent renders an AML_MONITORING webhook (docs/idenfy.md) for
// one monitored person, with fake data.
func monitoringEvent(monitoringID, scanRef string, p person, alertStatus, status, sanctions string) Webhook {
	b, err := json.Marshal(map[string]any{
		"monitoringId": monitoringID, "name": p.first, "surname": p.last, "nationality": "LT", "dob": p.dob,
		"isActive": true, "expiration": time.Now().AddDate(1, 0, 0).Format("2006-01-02"), "scanRefList": []string{scanRef},
		"alertStatus": alertStatus, "status": status, "pepsStatus": "NO_FLAGS", "sanctionsStatus": sanctions, "adverseMediaStatus": "NOT_CHECKED",
		"results": []any{}, "amlCheck": map[string]any{"overallStatus": sanctions, "adverseMedia": []any{}, "amlCheck": []any{}},
	})
	if err != nil {
		panic(err)
	}
	return Webhook{Route: idenfy.KindAML, EventType: idenfy.EventAMLMonitoring, Body: b}
}
