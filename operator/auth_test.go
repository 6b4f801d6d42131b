package operator_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"kycflow/httpserver"
	"kycflow/identity"
	"kycflow/internal/fakes"
	"kycflow/internal/testenv"
	"kycflow/operator"
	"kycflow/store"
	"kycflow/workflows"
)

// route is one /v1 route, a request that succeeds on the data rolesAPI
// stores, and the status each role gets.
type route struct {
	method, path, body string
	ok                 int  // the success status
	decides, redrives  bool // needs a deciding role / admin
	personal           bool // needs a role that may view personal data
}

// everyRoute lists every /v1 route; redrive's path gets the event id.
var everyRoute = []route{
	{method: "GET", path: "/v1/verifications", ok: 200},
	{method: "GET", path: "/v1/verifications/s1", ok: 200},
	{method: "GET", path: "/v1/verifications/s1/personal-data", ok: 200, personal: true},
	{method: "POST", path: "/v1/verifications/s1/review", body: `{"decision":"approve","reason":"checked"}`, ok: 200, decides: true},
	{method: "GET", path: "/v1/companies", ok: 200},
	{method: "GET", path: "/v1/companies/c1", ok: 200},
	{method: "POST", path: "/v1/companies/c1/review", body: `{"decision":"approve","reason":"checked"}`, ok: 200, decides: true},
	{method: "GET", path: "/v1/queue", ok: 200},
	{method: "GET", path: "/v1/events?status=quarantined", ok: 200},
	{method: "POST", path: "/v1/events/{id}/redrive", ok: 202, redrives: true},
}

// want is the status role gets on r.
func (r route) want(role identity.Role) int {
	switch {
	case r.redrives && !role.CanRedrive(), r.decides && !role.CanDecide(), r.personal && !role.CanViewPersonalData():
		return http.StatusForbidden
	}
	return r.ok
}

// rolesAPI is the API over SQLite with a verification (s1) and a company
// (c1) awaiting review, s1's identification webhook quarantined (for the
// redrive, whose id is returned), and Temporal faked by tf.
func rolesAPI(t *testing.T, tf *fakes.Temporal) (http.Handler, *store.DB, int64) {
	t.Helper()
	h, db := reviewAPI(t, tf)
	body, err := os.ReadFile("../idenfy/testdata/kyc_manual_approved.json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.InsertInbox(context.Background(), store.NewInboxEvent{Route: "kyc", Body: body, Status: store.StatusQuarantined,
		QuarantineReason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return h, db, st.ID
}

// newToken stores a token proving name in role and returns it.
func newToken(t *testing.T, db *store.DB, name string, role identity.Role) string {
	t.Helper()
	tok, hash := identity.NewToken()
	if _, err := db.CreateToken(context.Background(), hash, identity.Principal{Name: name, Role: role}); err != nil {
		t.Fatal(err)
	}
	return tok
}

// call makes a request with bearer (none when empty) and body.
func call(h http.Handler, method, path, bearer, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if bearer != "" {
		r.Header.Set("Authorization", "Bearer "+bearer)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestEveryRouteByRole(t *testing.T) {
	tf := &fakes.Temporal{State: workflows.State{ScanRef: "s1", Stage: workflows.StageDecided, Decision: workflows.DecisionApproved}}
	h, db, eventID := rolesAPI(t, tf)
	bearers := map[string]identity.Role{
		newToken(t, db, "vera", identity.Viewer):   identity.Viewer,
		newToken(t, db, "rita", identity.Reviewer): identity.Reviewer,
		newToken(t, db, "ada", identity.Admin):     identity.Admin,
		token:                                      identity.Admin, // KYCFLOW_API_TOKEN
	}
	for bearer, role := range bearers {
		for _, r := range everyRoute {
			path := strings.ReplaceAll(r.path, "{id}", itoa(eventID))
			w := call(h, r.method, path, bearer, r.body)
			if want := r.want(role); w.Code != want {
				t.Errorf("%s %s as %s = %d %s, want %d", r.method, path, role, w.Code, w.Body, want)
			}
			if w.Code == http.StatusForbidden && !strings.Contains(w.Body.String(), "role "+string(role)+" may not") {
				t.Errorf("%s %s as %s: 403 body %s does not name the role", r.method, path, role, w.Body)
			}
		}
	}
	// Reviews reached Temporal from the deciding roles only, each named
	// for its token.
	var names []string
	for _, rv := range tf.Sent() {
		names = append(names, rv.Reviewer)
	}
	slices.Sort(names)
	if got := strings.Join(names, ","); got != "ada,ada,api-token,api-token,rita,rita" {
		t.Errorf("reviews sent by %s, want two each from ada, api-token and rita", got)
	}
}

func TestRevokedTokenIsRefusedAtOnce(t *testing.T) {
	h, db, _ := rolesAPI(t, &fakes.Temporal{})
	tok := newToken(t, db, "carol", identity.Reviewer)
	other := newToken(t, db, "dave", identity.Reviewer)
	if w := call(h, "GET", "/v1/verifications/s1", tok, ""); w.Code != http.StatusOK {
		t.Fatalf("before revocation = %d %s", w.Code, w.Body)
	}
	if n, err := db.RevokeReviewer(context.Background(), "carol"); err != nil || n != 1 {
		t.Fatalf("RevokeReviewer = %d, %v", n, err)
	}
	for _, r := range everyRoute {
		if w := call(h, r.method, r.path, tok, r.body); w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s with a revoked token = %d, want 401", r.method, r.path, w.Code)
		}
	}
	if w := call(h, "GET", "/v1/verifications/s1", other, ""); w.Code != http.StatusOK {
		t.Errorf("another reviewer's token after carol's revocation = %d", w.Code)
	}
}

func TestReviewerInTheBodyIsIgnored(t *testing.T) {
	tf := &fakes.Temporal{State: workflows.State{ScanRef: "s1", Stage: workflows.StageDecided, Decision: workflows.DecisionApproved}}
	h, db, _ := rolesAPI(t, tf)
	alice := newToken(t, db, "alice", identity.Reviewer)
	for _, c := range []struct{ path, body string }{
		{"/v1/verifications/s1/review", `{"reviewer":"mallory","decision":"approve","reason":"checked"}`},
		{"/v1/companies/c1/review", `{"reviewer":"bob\u0000\u202e","decision":"reject","reason":"checked"}`},
		{"/v1/verifications/s1/review", `{"reviewer":42,"decision":"approve","reason":"checked"}`},
		{"/v1/verifications/s1/review", `{"decision":"approve","reason":"checked"}`},
	} {
		if w := call(h, "POST", c.path, alice, c.body); w.Code != http.StatusOK {
			t.Errorf("POST %s %s = %d %s, want 200", c.path, c.body, w.Code, w.Body)
		}
	}
	sent := tf.Sent()
	if len(sent) != 4 {
		t.Fatalf("sent %+v, want 4 reviews", sent)
	}
	for _, rv := range sent {
		if rv.Reviewer != "alice" {
			t.Errorf("review sent as %q, want the token's reviewer alice: %+v", rv.Reviewer, rv)
		}
	}
	if sent[1].Decision != "reject" || sent[1].Reason != "checked" {
		t.Errorf("company review = %+v", sent[1])
	}
	// The strict parser still refuses other keys and repeated ones.
	for _, body := range []string{`{"reviewer":"a","Reviewer":"b","decision":"approve","reason":"x"}`, `{"decision":"approve","reason":"x","by":"b"}`} {
		if w := call(h, "POST", "/v1/verifications/s1/review", alice, body); w.Code != http.StatusBadRequest {
			t.Errorf("POST %s = %d, want 400", body, w.Code)
		}
	}
}

func TestAPITokenIsTheAdminNamedAPIToken(t *testing.T) {
	tf := &fakes.Temporal{State: workflows.State{ScanRef: "s1", Stage: workflows.StageDecided, Decision: workflows.DecisionApproved}}
	h, _, eventID := rolesAPI(t, tf)
	if w := call(h, "POST", "/v1/verifications/s1/review", token, `{"reviewer":"alice","decision":"approve","reason":"checked"}`); w.Code != http.StatusOK {
		t.Fatalf("review with the API token = %d %s", w.Code, w.Body)
	}
	if got := tf.Sent(); len(got) != 1 || got[0].Reviewer != identity.APITokenName {
		t.Errorf("sent %+v, want the reviewer %q", got, identity.APITokenName)
	}
	if w := call(h, "POST", "/v1/events/"+itoa(eventID)+"/redrive", token, ""); w.Code != http.StatusAccepted {
		t.Errorf("redrive with the API token = %d %s, want 202", w.Code, w.Body)
	}
}

// brokenAuth cannot tell who anyone is (its database is down).
type brokenAuth struct{}

func (brokenAuth) Authenticate(context.Context, string) (identity.Principal, error) {
	return identity.Principal{}, errors.New("connection refused")
}

func TestAuthenticationThatCannotTellIs503(t *testing.T) {
	tf := &fakes.Temporal{}
	e, err := httpserver.NewEngine(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	operator.New(testenv.SQLite(t), tf, operator.Options{Auth: brokenAuth{}}).Register(e)
	w := call(e, "POST", "/v1/verifications/s1/review", "kfr_x", `{"decision":"approve","reason":"x"}`)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("review while authentication fails = %d %s, want 503", w.Code, w.Body)
	}
	if len(tf.Sent()) != 0 {
		t.Errorf("Temporal was sent %+v", tf.Sent())
	}
}

// The principal's role is checked before the handler runs: a handler
// never sees a request its role may not make.
func TestForbiddenRequestsReachNoHandler(t *testing.T) {
	tf := &fakes.Temporal{}
	h, db, eventID := rolesAPI(t, tf)
	viewer := newToken(t, db, "vera", identity.Viewer)
	reviewer := newToken(t, db, "rita", identity.Reviewer)
	call(h, "POST", "/v1/verifications/s1/review", viewer, `{"decision":"approve","reason":"x"}`)
	call(h, "POST", "/v1/companies/c1/review", viewer, `{"decision":"approve","reason":"x"}`)
	call(h, "POST", "/v1/events/"+itoa(eventID)+"/redrive", reviewer, "")
	call(h, "GET", "/v1/verifications/s1/personal-data", viewer, "")
	if len(tf.Sent()) != 0 {
		t.Errorf("Temporal was sent %+v", tf.Sent())
	}
	if e, err := db.InboxEvent(context.Background(), eventID); err != nil || e.Status != store.StatusQuarantined {
		t.Errorf("event after a reviewer's redrive = %+v, %v; want it still quarantined", e.Status, err)
	}
	if views, err := db.PersonalDataViews(context.Background(), "s1"); err != nil || len(views) != 0 {
		t.Errorf("views after a viewer's request = %+v, %v; want none", views, err)
	}
}
