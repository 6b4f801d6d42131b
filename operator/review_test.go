package operator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"kycflow/httpserver"
	"kycflow/identity"
	"kycflow/internal/fakes"
	"kycflow/internal/testenv"
	"kycflow/operator"
	"kycflow/store"
	"kycflow/workflows"
)

// reviewAPI is the API over SQLite with one verification (s1) and one
// company (c1) awaiting compliance review, and Temporal faked by tf.
func reviewAPI(t *testing.T, tf *fakes.Temporal) (http.Handler, *store.DB) {
	t.Helper()
	db := testenv.SQLite(t)
	e, err := httpserver.NewEngine(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	operator.New(db, tf, operator.Options{Auth: identity.NewAuthenticator(db, token)}).Register(e)
	ctx := context.Background()
	if err := db.SaveVerification(ctx, store.Verification{ScanRef: "s1", WorkflowID: "kyc-s1", Stage: "awaiting_compliance", Seq: 1, State: "{}"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveCompany(ctx, store.Company{CompanyID: "c1", WorkflowID: "kyb-c1", Stage: "awaiting_compliance", Seq: 1, State: "{}"}, nil); err != nil {
		t.Fatal(err)
	}
	return e, db
}

// send makes an authenticated request with body.
func send(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	return call(h, method, path, token, body)
}

func TestReviewBodyIsStrict(t *testing.T) {
	tf := &fakes.Temporal{State: workflows.State{ScanRef: "s1", Stage: workflows.StageDecided, Decision: workflows.DecisionApproved}}
	h, _ := reviewAPI(t, tf)
	for _, c := range []struct{ body, wantKey string }{
		{`{"reviewer":"a","decision":"approve","reason":"ok","Decision":"reject"}`, `"Decision"`},
		{`{"reviewer":"a","decision":"approve","reason":"ok","decision":"reject"}`, `"decision"`},
		{`{"reviewer":"a","DECISION":"reject","reason":"ok"}`, `"DECISION"`},
		{`{"reviewer":"a","decision":"approve","reason":"ok","d\u0065cision":"reject"}`, `"decision"`},
		{`{"reviewer":"a","decision":"approve","reason":"ok","reviewr":"b"}`, `"reviewr"`},
		{`{"reviewer":"a","decision":"approve","reason":"ok","extra":{"decision":"reject"}}`, `"extra"`},
		{`{"reviewer":"a","decision":"approve","reason":"ok","ſcanRef":"x"}`, `"ſcanRef"`},
		{`{"reviewer":"a","decision":1,"reason":"ok"}`, `"decision"`},
		{`{"reviewer":"a","decision":"approve","reason":"ok"} {"decision":"reject"}`, "one JSON object"},
		{`[{"reviewer":"a","decision":"approve","reason":"ok"}]`, "one JSON object"},
		{`{"reviewer":"a","decision":"approve","reason":"ok"`, "one JSON object"},
		{``, "one JSON object"},
	} {
		for _, path := range []string{"/v1/verifications/s1/review", "/v1/companies/c1/review"} {
			w := send(h, http.MethodPost, path, c.body)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), jsonQuoted(c.wantKey)) {
				t.Errorf("POST %s %s = %d %s, want 400 naming %s", path, c.body, w.Code, w.Body, c.wantKey)
			}
		}
	}
	if got := tf.Sent(); len(got) != 0 {
		t.Fatalf("Temporal was sent %+v for refused bodies", got)
	}
	w := send(h, http.MethodPost, "/v1/verifications/s1/review", `{"reviewer":"alice","decision":"approve","reason":"checked"}`)
	if got := tf.Sent(); w.Code != http.StatusOK || len(got) != 1 || got[0] != (workflows.Review{Reviewer: "api-token", Decision: "approve", Reason: "checked"}) {
		t.Errorf("valid review = %d %s, sent %+v", w.Code, w.Body, got)
	}
}

// jsonQuoted is s as it appears inside a JSON string.
func jsonQuoted(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }

func TestRedriveTakesNoBody(t *testing.T) {
	h, db := reviewAPI(t, &fakes.Temporal{})
	ctx := context.Background()
	st, err := db.InsertInbox(ctx, store.NewInboxEvent{Route: "kyc", Body: []byte(`{"x":1}`), Status: store.StatusQuarantined,
		QuarantineReason: "no scanRef"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/v1/events/" + itoa(st.ID) + "/redrive"
	for _, body := range []string{`{"force":true}`, `{"id":1,"ID":2}`, `[]`, `null`} {
		if w := send(h, http.MethodPost, path, body); w.Code != http.StatusBadRequest {
			t.Errorf("redrive with %s = %d %s, want 400", body, w.Code, w.Body)
		}
	}
	if e, err := db.InboxEvent(ctx, st.ID); err != nil || e.Status != store.StatusQuarantined || e.QuarantineReason != "no scanRef" {
		t.Errorf("after refused redrives: %+v, %v; want unchanged", e, err)
	}
	for _, body := range []string{``, `{}`, " { } \n"} {
		if w := send(h, http.MethodPost, path, body); w.Code == http.StatusBadRequest {
			t.Errorf("redrive with %q = %d %s, want the body accepted", body, w.Code, w.Body)
		}
	}
}

func TestReviewTheStageDoesNotTakeIs400(t *testing.T) {
	for _, c := range []struct {
		err      error
		want     int
		wantText string
	}{
		{temporal.NewApplicationError(`kyc-s1 is aml_alert: aml_alert accepts "clear" or "confirm", not "approve"`, workflows.ErrWrongDecision),
			http.StatusBadRequest, `aml_alert accepts \"clear\" or \"confirm\"`},
		{temporal.NewApplicationError("kyc-s1 is decided: nothing to review", workflows.ErrNotAwaitingReview), http.StatusConflict, "nothing to review"},
	} {
		h, _ := reviewAPI(t, &fakes.Temporal{Err: c.err})
		w := send(h, http.MethodPost, "/v1/verifications/s1/review", `{"reviewer":"a","decision":"approve","reason":"ok"}`)
		if w.Code != c.want || !strings.Contains(w.Body.String(), c.wantText) {
			t.Errorf("review refused with %v = %d %s, want %d naming %q", c.err, w.Code, w.Body, c.want, c.wantText)
		}
	}
}

func TestReviewTextIsCheckedBeforeTemporal(t *testing.T) {
	tf := &fakes.Temporal{}
	h, _ := reviewAPI(t, tf)
	for _, body := range []string{
		`{"reviewer":"a","decision":"approve","reason":"ok\u001b[2J"}`,
		`{"reviewer":"a","decision":"approve","reason":"ok\nreviewed: b decided reject"}`,
		`{"reviewer":"a","decision":"approve","reason":"ok \u202eevorppa"}`,
		`{"decision":"approve","reason":"` + strings.Repeat("a", 501) + `"}`,
	} {
		w := send(h, http.MethodPost, "/v1/verifications/s1/review", body)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "reason") {
			t.Errorf("review %s = %d %s, want 400 naming the field", body, w.Code, w.Body)
		}
	}
	if got := tf.Sent(); len(got) != 0 {
		t.Errorf("Temporal was sent %+v", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Reviewer text may hold markup as text; every response that shows a
// timeline escapes it (JSON with <, > and & escaped).
func TestTimelineMarkupIsEscaped(t *testing.T) {
	h, db := reviewAPI(t, &fakes.Temporal{})
	ctx := context.Background()
	const detail = `alice decided approve: <script>alert(1)</script> & <img src=x onerror=alert(2)>`
	line := func(workflowID string) []store.TimelineEvent {
		return []store.TimelineEvent{{WorkflowID: workflowID, ScanRef: strings.TrimPrefix(workflowID, "kyc-"), Seq: 2, Type: "reviewed", At: time.Now(), Detail: detail}}
	}
	if err := db.SaveVerification(ctx, store.Verification{ScanRef: "s1", WorkflowID: "kyc-s1", Stage: "decided", Seq: 2, State: "{}"}, line("kyc-s1")); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveCompany(ctx, store.Company{CompanyID: "c1", WorkflowID: "kyb-c1", Stage: "decided", Seq: 2, State: "{}"}, line("kyb-c1")); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/v1/verifications/s1", "/v1/companies/c1"} {
		w := send(h, http.MethodGet, path, "")
		var got struct{ Timeline []struct{ Detail string } }
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || len(got.Timeline) != 1 || got.Timeline[0].Detail != detail {
			t.Fatalf("GET %s = %d %s, want the detail back exactly", path, w.Code, w.Body)
		}
		for _, raw := range []string{"<", ">", "&"} {
			if strings.Contains(w.Body.String(), raw) {
				t.Errorf("GET %s: body holds a raw %q: %s", path, raw, w.Body)
			}
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
	}
}

// A four-eyes first approval answers 202 awaiting_second_review; the first
// approver confirming it is a 409.
func TestFourEyesFirstApprovalIs202(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	tf := &fakes.Temporal{State: workflows.State{ScanRef: "s1", Stage: workflows.StageAwaitingCompliance,
		PendingApproval: &workflows.Approval{Reviewer: "api-token", Reason: "ok", At: at}}}
	h, _ := reviewAPI(t, tf)
	w := send(h, http.MethodPost, "/v1/verifications/s1/review", `{"decision":"approve","reason":"ok"}`)
	var got struct {
		Status     string    `json:"status"`
		ApprovedBy string    `json:"approvedBy"`
		ApprovedAt time.Time `json:"approvedAt"`
		Case       struct {
			Stage, Decision string
		} `json:"case"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusAccepted || got.Status != "awaiting_second_review" ||
		got.ApprovedBy != "api-token" || !got.ApprovedAt.Equal(at) || got.Case.Stage != "awaiting_compliance" || got.Case.Decision != "" {
		t.Errorf("first approval = %d %s, want 202 awaiting_second_review", w.Code, w.Body)
	}
	tf.State, tf.Err = workflows.State{}, temporal.NewApplicationError("api-token already approved kyc-s1", workflows.ErrAlreadyReviewed)
	if w := send(h, http.MethodPost, "/v1/verifications/s1/review", `{"decision":"approve","reason":"again"}`); w.Code != http.StatusConflict ||
		!strings.Contains(w.Body.String(), "already approved") {
		t.Errorf("the first approver again = %d %s, want 409", w.Code, w.Body)
	}
}
