package operator_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"kycflow/httpserver"
	"kycflow/identity"
	"kycflow/internal/testenv"
	"kycflow/operator"
	"kycflow/store"
)

const token = "operator-token"

func newAPI(t *testing.T) (http.Handler, *store.DB) {
	t.Helper()
	db := testenv.SQLite(t)
	e, err := httpserver.NewEngine(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	operator.New(db, nil, operator.Options{Auth: identity.NewAuthenticator(db, token)}).Register(e)
	return e, db
}

func get(h http.Handler, path, auth string) *httptest.ResponseRecorder {
	return do(h, http.MethodGet, path, auth)
}

func do(h http.Handler, method, path, auth string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(`{"reviewer":"a","decision":"approve","reason":"r"}`))
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestEveryRouteNeedsTheToken: no credential, a wrong one, or one that
// looks like a reviewer token but is none is 401 on every route
// (everyRoute, auth_test.go; TestEveryRouteByRole has each role's answers).
func TestEveryRouteNeedsTheToken(t *testing.T) {
	h, db := newAPI(t)
	reviewer, _ := identity.NewToken() // never stored
	valid := newToken(t, db, "alice", identity.Admin)
	for _, route := range everyRoute {
		path := strings.ReplaceAll(route.path, "{id}", "1")
		for _, auth := range []string{"", "Bearer wrong", "Basic " + token, token, "Bearer " + token + "x", "bearer " + token,
			"Bearer " + reviewer, "Bearer " + valid + "x", "Bearer " + strings.ToUpper(valid), "Basic " + valid, "Bearer  " + valid} {
			if w := do(h, route.method, path, auth); w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s with %q = %d, want 401", route.method, path, auth, w.Code)
			}
		}
	}
	noToken := operator.New(testenv.SQLite(t), nil, operator.Options{})
	e, _ := httpserver.NewEngine(nil, nil)
	noToken.Register(e)
	if w := get(e, "/v1/verifications", "Bearer "); w.Code != http.StatusUnauthorized {
		t.Errorf("unconfigured token accepted an empty bearer: %d", w.Code)
	}
}

func TestDetailContract(t *testing.T) {
	h, db := newAPI(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	err := db.SaveVerification(ctx, store.Verification{ScanRef: "s1", WorkflowID: "kyc-s1", ClientID: "user-1", ExternalRef: "ord-1",
		Stage: "decided", Status: "APPROVED", Final: true, Decision: "approved", DecisionSeq: 1, Seq: 2, State: "{}"},
		[]store.TimelineEvent{
			{WorkflowID: "kyc-s1", Seq: 1, ScanRef: "s1", Type: "received", At: at, InboxID: sql.NullInt64{Int64: 7, Valid: true}, Detail: "IDENTIFICATION_MANUAL_FINISHED"},
			{WorkflowID: "kyc-s1", Seq: 2, ScanRef: "s1", Type: "decided", At: at, Detail: "approved"},
		})
	if err != nil {
		t.Fatal(err)
	}
	w := get(h, "/v1/verifications/s1", "Bearer "+token)
	if w.Code != http.StatusOK {
		t.Fatalf("detail = %d %s", w.Code, w.Body)
	}
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"scanRef", "clientId", "externalRef", "workflowId", "stage", "status", "final", "decision", "updatedAt", "timeline"} {
		if _, ok := got[k]; !ok {
			t.Errorf("detail lacks %q: %s", k, w.Body)
		}
	}
	tl := got["timeline"].([]any)
	first, second := tl[0].(map[string]any), tl[1].(map[string]any)
	if len(tl) != 2 || first["type"] != "received" || first["inboxId"] != float64(7) || second["inboxId"] != nil || first["at"] != "2026-11-25T10:00:00Z" {
		t.Errorf("timeline = %v", tl)
	}
	if got["decision"] != "approved" || got["stage"] != "decided" || got["final"] != true {
		t.Errorf("detail = %v", got)
	}
	if w := get(h, "/v1/verifications/nope", "Bearer "+token); w.Code != http.StatusNotFound {
		t.Errorf("unknown scanRef = %d, want 404", w.Code)
	}
}

func TestListPagesAndFilters(t *testing.T) {
	h, db := newAPI(t)
	for i := range 3 {
		stage := "decided"
		if i == 1 {
			stage = "in_review"
		}
		if err := db.SaveVerification(context.Background(), store.Verification{ScanRef: fmt.Sprint("s", i), WorkflowID: "w",
			Stage: stage, Seq: 1, State: "{}"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var page operator.List
	w := get(h, "/v1/verifications?stage=decided&limit=1", "Bearer "+token)
	json.Unmarshal(w.Body.Bytes(), &page)
	if w.Code != 200 || len(page.Items) != 1 || page.Items[0].ScanRef != "s2" || page.NextCursor == nil {
		t.Fatalf("page 1 = %d %s", w.Code, w.Body)
	}
	w = get(h, "/v1/verifications?stage=decided&limit=1&cursor="+*page.NextCursor, "Bearer "+token)
	page = operator.List{}
	json.Unmarshal(w.Body.Bytes(), &page)
	if len(page.Items) != 1 || page.Items[0].ScanRef != "s0" || page.NextCursor != nil {
		t.Errorf("page 2 = %s", w.Body)
	}
	for _, q := range []string{"limit=0", "limit=x", "limit=501", "cursor=abc", "cursor=-1"} {
		if w := get(h, "/v1/verifications?"+q, "Bearer "+token); w.Code != http.StatusBadRequest {
			t.Errorf("?%s = %d, want 400", q, w.Code)
		}
	}
}

// hangingTemporal takes an Update and never answers, like a namespace with
// no worker polling.
type hangingTemporal struct{}

func (hangingTemporal) UpdateWorkflow(ctx context.Context, _ client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestReviewWithoutAWorkerTimesOut(t *testing.T) {
	db := testenv.SQLite(t)
	e, err := httpserver.NewEngine(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	operator.New(db, hangingTemporal{}, operator.Options{Auth: identity.NewAuthenticator(db, token), ReviewTimeout: 200 * time.Millisecond}).Register(e)
	if err := db.SaveVerification(context.Background(), store.Verification{ScanRef: "s1", WorkflowID: "kyc-s1", Stage: "awaiting_compliance", Seq: 1, State: "{}"}, nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	w := do(e, http.MethodPost, "/v1/verifications/s1/review", "Bearer "+token)
	if w.Code != http.StatusGatewayTimeout || !strings.Contains(w.Body.String(), "worker") || w.Header().Get("Retry-After") == "" {
		t.Errorf("review = %d %s, want 504 naming the missing worker", w.Code, w.Body)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("review answered after %s", took)
	}
}

func TestCompanyContract(t *testing.T) {
	h, db := newAPI(t)
	ctx := context.Background()
	state := `{"kind":"kyb","companyId":"c1","stage":"awaiting_compliance","company":{"beneficiaries":["scan-b1"],` +
		`"screenings":[{"subject":"BENEFICIARY:b1","peps":"FLAGS_FOUND"}]}}`
	err := db.SaveCompany(ctx, store.Company{CompanyID: "c1", WorkflowID: "kyb-c1", ClientID: "company-client-1", Stage: "awaiting_compliance",
		Status: "APPROVED", Seq: 1, State: state},
		[]store.TimelineEvent{{WorkflowID: "kyb-c1", Seq: 1, Type: "review_required", At: time.Now(), Detail: "flags"}})
	if err != nil {
		t.Fatal(err)
	}
	w := get(h, "/v1/companies/c1", "Bearer "+token)
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
		t.Fatalf("company = %d %s", w.Code, w.Body)
	}
	for _, k := range []string{"companyId", "clientId", "externalRef", "workflowId", "stage", "status", "decision", "updatedAt", "beneficiaries", "timeline"} {
		if _, ok := got[k]; !ok {
			t.Errorf("company detail lacks %q: %s", k, w.Body)
		}
	}
	if got["workflowId"] != "kyb-c1" || fmt.Sprint(got["beneficiaries"]) != "[scan-b1]" || len(got["timeline"].([]any)) != 1 {
		t.Errorf("company detail = %s", w.Body)
	}
	if w := get(h, "/v1/companies/nope", "Bearer "+token); w.Code != http.StatusNotFound {
		t.Errorf("unknown company = %d, want 404", w.Code)
	}
}
