package relay_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"kycflow/idenfy"
	"kycflow/relay"
	"kycflow/store"
	"kycflow/workflows"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../idenfy/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRouteKYB(t *testing.T) {
	known := map[string]string{"company-client-5": "c-5"}
	rt := relay.Router{TaskQueue: "q", CompanyOfClient: func(_ context.Context, clientID, _ string) (string, error) {
		if id, ok := known[clientID]; ok {
			return id, nil
		}
		return "", store.ErrNotFound
	}}
	ctx := context.Background()

	d, err := rt.Route(ctx, store.InboxEvent{ID: 1, Kind: "kyb", EventType: idenfy.EventCompanyReview, SubjectType: idenfy.SubjectCompanyID,
		Subject: "c-5", CompanyID: "c-5", ClientID: "company-client-5", Body: fixture(t, "kyb_company_review.json")})
	if err != nil || len(d) != 1 || d[0].Options.ID != "kyb-c-5" || d[0].Workflow != workflows.CompanyWorkflow {
		t.Fatalf("review route = %+v, %v", d, err)
	}
	if e := d[0].Arg.(workflows.Event); e.Company == nil || e.Company.ReviewStatus != "APPROVED" || len(e.Company.Screenings) != 2 {
		t.Errorf("review event = %+v", e)
	}

	expired := store.InboxEvent{ID: 2, Kind: "kyb", EventType: idenfy.EventCompanyTokenExpired, SubjectType: idenfy.SubjectClientID,
		Subject: "company-client-5", ClientID: "company-client-5", Body: fixture(t, "kyb_company_token_expired.json")}
	if d, err := rt.Route(ctx, expired); err != nil || len(d) != 1 || d[0].Options.ID != "kyb-c-5" {
		t.Errorf("token expiry route = %+v, %v; want the company of the client", d, err)
	}
	expired.Subject = "unknown-client"
	if _, err := rt.Route(ctx, expired); !errors.Is(err, relay.ErrNotYet) {
		t.Errorf("token expiry of an unknown client = %v, want ErrNotYet (retried, not quarantined)", err)
	}

	kyc := store.InboxEvent{ID: 3, Kind: "kyc", EventType: idenfy.EventIdentification, SubjectType: idenfy.SubjectScanRef, Subject: "scan-b1",
		CompanyID: "c-5", Body: fixture(t, "kyc_manual_approved.json")}
	d, err = rt.Route(ctx, kyc)
	if err != nil || len(d) != 2 || d[0].Options.ID != "kyc-scan-b1" || d[1].Options.ID != "kyb-c-5" {
		t.Fatalf("beneficiary route = %+v, %v; want its lifecycle and its company's", d, err)
	}
	if e := d[1].Arg.(workflows.Event); e.EventType != workflows.EventBeneficiaryLinked || e.ScanRef != "scan-b1" {
		t.Errorf("link event = %+v", e)
	}
}

// An event stored before ingest checked IDs never starts a workflow from
// an ID iDenfy could not have issued: Route refuses it (the relay then
// quarantines it), whichever field the workflow ID would come from.
func TestRouteRefusesInvalidIDs(t *testing.T) {
	rt := relay.Router{TaskQueue: "q", CompanyOfClient: func(context.Context, string, string) (string, error) { return "../c", nil }}
	ctx := context.Background()
	for name, row := range map[string]store.InboxEvent{
		"scanRef": {ID: 1, Kind: "kyc", EventType: idenfy.EventIdentification, SubjectType: idenfy.SubjectScanRef,
			Subject: "../../etc/passwd", Body: fixture(t, "kyc_manual_approved.json")},
		"linked company": {ID: 2, Kind: "kyc", EventType: idenfy.EventIdentification, SubjectType: idenfy.SubjectScanRef,
			Subject: "scan-1", CompanyID: "c/1", Body: fixture(t, "kyc_manual_approved.json")},
		"company": {ID: 3, Kind: "kyb", EventType: idenfy.EventCompanyReview, SubjectType: idenfy.SubjectCompanyID,
			Subject: "c 1", CompanyID: "c 1", Body: fixture(t, "kyb_company_review.json")},
		"company of a client": {ID: 4, Kind: "kyb", EventType: idenfy.EventCompanyTokenExpired, SubjectType: idenfy.SubjectClientID,
			Subject: "company-client-5", ClientID: "company-client-5", Body: fixture(t, "kyb_company_token_expired.json")},
		"listed scanRef": {ID: 5, Kind: "aml", EventType: idenfy.EventAMLMonitoring, SubjectType: idenfy.SubjectMonitoring,
			Subject: "m-1", Body: []byte(`{"monitoringId":"m-1","scanRefList":["ok-1","a%2Fb"],"alertStatus":"ALERT"}`)},
	} {
		d, err := rt.Route(ctx, row)
		if !errors.Is(err, idenfy.ErrInvalidID) || errors.Is(err, relay.ErrNotYet) {
			t.Errorf("%s: Route() = %d deliveries, %v; want ErrInvalidID (quarantined)", name, len(d), err)
		}
	}
}

// The Web UI's static details link a lifecycle to its case page in the
// compliance console when its URL is configured, and say nothing of it
// otherwise.
func TestRouteLinksTheConsole(t *testing.T) {
	ctx := context.Background()
	row := store.InboxEvent{ID: 1, Kind: "kyc", EventType: idenfy.EventIdentification, SubjectType: idenfy.SubjectScanRef,
		Subject: "scan-7", ScanRefsJSON: `["scan-7"]`, Body: fixture(t, "kyc_manual_approved.json")}
	for _, tc := range []struct{ url, want string }{
		{"https://kyc.example.com/console/", "(https://kyc.example.com/console/cases/kyc/scan-7)"},
		{"", ""},
	} {
		rt := relay.Router{TaskQueue: "q", Policy: workflows.Policy{ConsoleURL: tc.url}}
		d, err := rt.Route(ctx, row)
		if err != nil || len(d) != 1 {
			t.Fatalf("route = %+v, %v", d, err)
		}
		details := d[0].Options.StaticDetails
		if got := strings.Contains(details, "Compliance console"); got != (tc.want != "") || !strings.Contains(details, tc.want) {
			t.Errorf("console %q: static details %q, want the link %q", tc.url, details, tc.want)
		}
	}
}
