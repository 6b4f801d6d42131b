package operator_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"kycflow/store"
	"kycflow/workflows"
)

// Every list route refuses a parameter it does not know, a repeated one,
// and a value outside its vocabulary, naming what it takes.
func TestListFiltersAreValidated(t *testing.T) {
	h, _ := newAPI(t)
	for _, c := range []struct{ query, wantText string }{
		{"/v1/verifications?stage=bogus", "awaiting_compliance"},
		{"/v1/verifications?stage=AWAITING_COMPLIANCE", "awaiting_compliance"},
		{"/v1/verifications?stag=x", "stage"},
		{"/v1/verifications?stage=%ZZ", "malformed query"},
		{"/v1/verifications?stage=bogus;x=1", "malformed query"},
		{"/v1/verifications?stage=decided&stage=closed", "once"},
		{"/v1/verifications?decision=approve", "resubmission_requested"},
		{"/v1/verifications?status=approved", "[A-Z_-]"},
		{"/v1/verifications?status=" + strings.Repeat("A", 65), "[A-Z_-]"},
		{"/v1/verifications?clientId=a%00b", "clientId"},
		{"/v1/verifications?limit=0", "limit"},
		{"/v1/verifications?cursor=abc", "cursor"},
		{"/v1/companies?stage=bogus", "awaiting_compliance"},
		{"/v1/companies?scanRef=s1", "clientId"},
		{"/v1/queue?kind=kyx", "kyb"},
		{"/v1/queue?stage=decided", "aml_alert"},
		{"/v1/queue?decision=approved", "kind"},
		{"/v1/queue?cursor=abc", "cursor"},
		{"/v1/events?status=bogus", "quarantined"},
		{"/v1/events?status=quarantined&route=kyc", "status"},
		{"/v1/events", "status"},
	} {
		w := get(h, c.query, "Bearer "+token)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), c.wantText) {
			t.Errorf("GET %s = %d %s, want 400 naming %q", c.query, w.Code, w.Body, c.wantText)
		}
	}
	for _, ok := range []string{
		"/v1/verifications?stage=awaiting_compliance&status=SUSPECTED&decision=approved&clientId=user-1&limit=10",
		"/v1/verifications?stage=aml_alert", "/v1/verifications?status=IN-PROGRESS", "/v1/verifications?stage=",
		"/v1/companies?stage=decided&decision=rejected&clientId=c-1",
		"/v1/queue?kind=kyc&stage=awaiting_compliance&clientId=u&limit=500",
		"/v1/events?status=pending", "/v1/events?status=dispatched&limit=1",
	} {
		if w := get(h, ok, "Bearer "+token); w.Code != http.StatusOK {
			t.Errorf("GET %s = %d %s, want 200", ok, w.Code, w.Body)
		}
	}
}

// The store's queue holds exactly the stages in which a lifecycle waits
// for a person (State.Waiting), and every stage the list filters take is
// one the workflows know.
func TestQueueStagesAreTheWaitingStages(t *testing.T) {
	all := []workflows.Stage{workflows.StageAwaitingResult, workflows.StageAutoChecked, workflows.StageInReview, workflows.StageDeciding,
		workflows.StageAwaitingCompliance, workflows.StageDecided, workflows.StageMonitoring, workflows.StageAMLAlert, workflows.StageClosed}
	var waiting []string
	for _, st := range all {
		if _, _, ok := (&workflows.State{Stage: st}).Waiting(); ok {
			waiting = append(waiting, string(st))
		}
	}
	if !slices.Equal(waiting, store.QueueStages) {
		t.Errorf("store.QueueStages = %v, want the waiting stages %v", store.QueueStages, waiting)
	}
}
