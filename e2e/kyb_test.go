package e2e

import (
	"context"
	"encoding/json"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"kycflow/idenfy"
	"kycflow/internal/testtemporal"
	"kycflow/simulate"
	"kycflow/workflows"
)

// KYB end to end, through the simulator's webhooks: a clean company is
// approved with one onboarding call; a beneficiary flagged as a PEP sends
// the company to compliance review; a token expiry keyed by clientId
// reaches the right company lifecycle.
func TestKYBEndToEnd(t *testing.T) {
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), env...)
	c := &simulate.Client{BaseURL: sys.url, Key: []byte(testKey), APIToken: apiToken}
	ctx := context.Background()
	r := mrand.New(mrand.NewPCG(7, 7))

	clean, err := simulate.Build("kyb", r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Play(ctx, clean, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if st, err := c.Await(ctx, clean, 30*time.Second); err != nil {
		t.Fatalf("clean company: %v (%+v)", err, st)
	}
	waitFor(t, 20*time.Second, func() bool { return onboarded(down, workflows.CompanyID(clean.Subject)+"-decision-1") == "approved" })
	if n := len(down.onboarding.Effective()); n != 1 {
		t.Errorf("%d onboarding calls, want one", n)
	}

	flagged, err := simulate.Build("kyb-review", r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Play(ctx, flagged, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	st, err := c.Await(ctx, flagged, 30*time.Second)
	if err != nil {
		t.Fatalf("flagged company: %v (%+v)", err, st)
	}
	var co struct {
		Beneficiaries []string           `json:"beneficiaries"`
		Screenings    []idenfy.Screening `json:"screenings"`
		ClientID      string             `json:"clientId"`
	}
	sys.getJSON(t, "/v1/companies/"+flagged.Subject, &co)
	if len(co.Beneficiaries) != 1 || len(co.Screenings) < 2 {
		t.Errorf("flagged company = %+v, want its beneficiary linked and screenings listed", co)
	}
	if code, out := sys.postJSON(t, "/v1/companies/"+flagged.Subject+"/review",
		`{"reviewer":"alice","decision":"approve","reason":"PEP is a local councillor; enhanced due diligence done"}`); code != 200 || out["decision"] != "approved" {
		t.Errorf("company review = %d %v", code, out)
	}
	waitFor(t, 20*time.Second, func() bool { return onboarded(down, workflows.CompanyID(flagged.Subject)+"-decision-1") == "approved" })
	// The company's name and registration number never reach history or logs.
	kybPII := []string{"Simulated Widgets", "SIM-000001"}
	assertNoPIIIn(t, sys, kybPII, workflows.CompanyID(clean.Subject), workflows.CompanyID(flagged.Subject))
	for _, p := range kybPII {
		if strings.Contains(logsOf(t), p) {
			t.Errorf("logs contain %q", p)
		}
	}

	// A third company is submitted, then its token expires: keyed by clientId only.
	late, err := simulate.Build("kyb", r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(ctx, late.Webhooks[0]); err != nil { // the submission
		t.Fatal(err)
	}
	var submit map[string]any
	json.Unmarshal(late.Webhooks[0].Body, &submit)
	expiry, _ := json.Marshal(map[string]any{"clientId": submit["clientId"], "externalRef": submit["externalRef"]})
	if a, err := c.Send(ctx, simulate.Webhook{Route: idenfy.KindKYB, EventType: idenfy.EventCompanyTokenExpired, Body: expiry}); err != nil || a.Code != 200 {
		t.Fatalf("token expiry = %+v, %v", a, err)
	}
	late.Webhooks, late.WantStage, late.WantDecision = late.Webhooks[:1], "decided", "resubmission_requested"
	late.Webhooks = append(late.Webhooks, simulate.Webhook{Body: expiry})
	if st, err := c.Await(ctx, late, 30*time.Second); err != nil {
		t.Fatalf("expired company: %v (%+v)", err, st)
	}
}

// onboarded returns the decision of the onboarding call with webhook-id
// id ("" until there is one) and checks it names the company only.
func onboarded(down *downstream, id string) any {
	for _, m := range down.onboarding.Effective() {
		if m.ID == id && m.Body["scanRef"] == nil && m.Body["companyId"] != nil {
			return m.Body["decision"]
		}
	}
	return ""
}
