package console_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kycflow/console"
	"kycflow/idenfy"
	"kycflow/identity"
	"kycflow/internal/fakes"
	"kycflow/internal/testenv"
	"kycflow/operator"
	"kycflow/store"
	"kycflow/workflows"
)

// t0 is when the test cases were received.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// password is every local test reviewer's password.
const password = "correct horse battery staple"

var (
	hashOnce sync.Once
	hash     []byte
)

// reviewers are the local reviewers of the tests: two reviewers, a viewer
// and an admin, all with password (hashed at bcrypt's lowest cost, for
// speed).
func reviewers(t *testing.T) []console.LocalReviewer {
	hashOnce.Do(func() {
		var err error
		if hash, err = bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost); err != nil {
			t.Fatal(err)
		}
	})
	return []console.LocalReviewer{{Name: "alice", Role: identity.Reviewer, PasswordHash: hash},
		{Name: "bob", Role: identity.Reviewer, PasswordHash: hash}, {Name: "vera", Role: identity.Viewer, PasswordHash: hash},
		{Name: "ada", Role: identity.Admin, PasswordHash: hash}}
}

// sessions counts the sessions the console creates and the ended ones it
// deletes, around the real store.
type sessions struct {
	*store.DB
	mu               sync.Mutex
	created, expired int
}

func (s *sessions) CreateSession(ctx context.Context, idHash []byte, p identity.Principal, csrf string, ttl time.Duration) (store.Session, error) {
	out, err := s.DB.CreateSession(ctx, idHash, p, csrf, ttl)
	if err == nil {
		s.mu.Lock()
		s.created++
		s.mu.Unlock()
	}
	return out, err
}

func (s *sessions) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	n, err := s.DB.DeleteExpiredSessions(ctx)
	s.mu.Lock()
	s.expired += int(n)
	s.mu.Unlock()
	return n, err
}

// rig is a console over SQLite with the cases of seed, Temporal faked.
type rig struct {
	t     *testing.T
	db    *store.DB
	store *sessions
	tf    *fakes.Temporal
	cases *operator.Cases
	h     http.Handler
	logs  *bytes.Buffer
	seed  seeded
}

// newRig makes a rig; edit changes the console's options.
func newRig(t *testing.T, edit ...func(*console.Options)) *rig {
	t.Helper()
	db := testenv.SQLite(t)
	r := &rig{t: t, db: db, tf: &fakes.Temporal{}, logs: &bytes.Buffer{}}
	r.seed = seed(t, db)
	log := slog.New(slog.NewJSONHandler(r.logs, nil))
	r.cases = &operator.Cases{Store: db, Temporal: r.tf, Log: log}
	o := console.Options{Log: log, Local: reviewers(t), TemporalUIURL: "http://localhost:8233", Namespace: "default",
		Now: func() time.Time { return t0.Add(48*time.Hour + 30*time.Minute) }}
	for _, e := range edit {
		e(&o)
	}
	r.store = &sessions{DB: db}
	r.h = console.New(r.store, r.cases, o)
	return r
}

// browser is a signed-in (or not) browser: its session cookie and the
// CSRF token its last page carried.
type browser struct {
	r      *rig
	cookie string
	csrf   string
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends a same-origin request (as a browser does from the console's own
// pages) with the browser's cookie; a POST carries form.
func (b *browser) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	var req *http.Request
	if method == http.MethodPost {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if b.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "kycflow_session", Value: b.cookie})
	}
	w := httptest.NewRecorder()
	b.r.h.ServeHTTP(w, req)
	if m := csrfInput.FindStringSubmatch(w.Body.String()); m != nil {
		b.csrf = m[1]
	}
	return w
}

// post sends form with the browser's CSRF token added.
func (b *browser) post(path string, form url.Values) *httptest.ResponseRecorder {
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf)
	return b.do(http.MethodPost, path, form)
}

// signIn signs name in with the test password and opens the queue (so the
// browser holds a CSRF token).
func (r *rig) signIn(name string) *browser {
	r.t.Helper()
	b := &browser{r: r}
	w := b.do(http.MethodPost, "/console/login", url.Values{"name": {name}, "password": {password}})
	ck := sessionCookie(w)
	if w.Code != http.StatusSeeOther || ck == nil {
		r.t.Fatalf("sign in %s = %d %s", name, w.Code, w.Body)
	}
	b.cookie = ck.Value
	if w := b.do(http.MethodGet, "/console/queue", nil); w.Code != http.StatusOK || b.csrf == "" {
		r.t.Fatalf("queue after signing in %s = %d %s", name, w.Code, w.Body)
	}
	return b
}

func sessionCookie(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == "kycflow_session" {
			return c
		}
	}
	return nil
}

// seeded names the seeded cases.
type seeded struct {
	quarantined, unroutable int64 // inbox events
}

// seed stores: s1, a SUSPECTED verification awaiting compliance review
// (its identification webhook stored, its timeline holding markup), s2 and
// s3 awaiting review with later due times, s4 on an AML alert, the company
// c1 awaiting review with a flagged beneficiary, s5 decided (not in the
// queue), and two quarantined inbox events.
func seed(t *testing.T, db *store.DB) seeded {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return t0 }
	body := fakes.Payload(t, "kyc_manual_approved.json", func(m map[string]any) { m["scanRef"] = "s1" })
	if _, err := db.InsertInbox(ctx, store.NewInboxEvent{Route: "kyc", Body: body, Status: store.StatusDispatched, Kind: "kyc",
		EventType: "IDENTIFICATION_MANUAL_FINISHED", SubjectType: "scanRef", Subject: "s1", ScanRefs: []string{"s1"}}); err != nil {
		t.Fatal(err)
	}
	suspected := &workflows.Event{InboxID: 1, Kind: "kyc", EventType: "IDENTIFICATION_MANUAL_FINISHED", ScanRef: "s1", ReceivedAt: t0,
		Summary: idenfy.Summary{Final: true, Overall: "SUSPECTED", AutoDocument: "DOC_VALIDATED", AutoFace: "FACE_MATCH",
			ManualDocument: "DOC_VALIDATED", ManualFace: "FACE_MATCH", FraudTags: []string{"DOC_PHOTO_TAMPERED"},
			MismatchTags: []string{"NAME"}, PEPsStatus: "FLAGS_FOUND", SanctionsStatus: "NO_FLAGS", AdverseMediaStatus: "NOT_CHECKED"}}
	review := func(ref, client string, due time.Duration) workflows.State {
		return workflows.State{ScanRef: ref, ClientID: client, Stage: workflows.StageAwaitingCompliance, Status: "SUSPECTED", Final: true,
			Verdict: suspected, ReviewReason: "final result SUSPECTED: a compliance officer must decide", ComplianceDue: t0.Add(due),
			UpdatedAt: t0}
	}
	saveKYC(t, db, review("s1", "client-1", 48*time.Hour), []store.TimelineEvent{
		{Seq: 1, Type: workflows.EntryReceived, At: t0, InboxID: nullID(1), Detail: "IDENTIFICATION_MANUAL_FINISHED final=true overall=SUSPECTED"},
		{Seq: 2, Type: workflows.EntryReviewRequired, At: t0.Add(time.Second), Detail: `final result SUSPECTED <script>alert("x")</script>`},
	})
	saveKYC(t, db, review("s2", "client-2", 50*time.Hour), nil)
	saveKYC(t, db, review("s3", "client-1", 49*time.Hour), nil)
	alert := workflows.State{ScanRef: "s4", ClientID: "client-4", Stage: workflows.StageAMLAlert, Status: "APPROVED", Final: true,
		Decision: workflows.DecisionApproved, UpdatedAt: t0, Monitoring: &workflows.Monitoring{Active: true, Alert: true, IDs: []string{"mon-4"},
			LastKey: "aml|mon-4|ALERT||FLAGS_FOUND|NO_FLAGS|NOT_CHECKED|true"}}
	saveKYC(t, db, alert, nil)
	decided := workflows.State{ScanRef: "s5", Stage: workflows.StageDecided, Status: "APPROVED", Final: true, Decision: workflows.DecisionApproved,
		DecisionReason: "approved by policy", UpdatedAt: t0}
	saveKYC(t, db, decided, []store.TimelineEvent{{Seq: 1, Type: workflows.EntryDecided, At: t0, Detail: "approved by policy"},
		{Seq: 2, Type: workflows.EntryOnboarded, At: t0.Add(time.Second), Detail: "onboarding endpoint accepted decision approved"}})

	company := workflows.State{Kind: workflows.KindCompany, CompanyID: "c1", ClientID: "client-9", Stage: workflows.StageAwaitingCompliance,
		Status: "APPROVED", ReviewReason: "BENEFICIARY:b1 is flagged (PEP FLAGS_FOUND)", ComplianceDue: t0.Add(47 * time.Hour), UpdatedAt: t0,
		Company: &workflows.Company{Submitted: true, ReviewStatus: "APPROVED", AMLReviewed: true, Beneficiaries: []string{"s1"},
			Screenings: []idenfy.Screening{{Subject: "BENEFICIARY:b1", PEPs: "FLAGS_FOUND", Sanctions: "NO_FLAGS", News: "NO_FLAGS"},
				{Subject: "COMPANY:c1", PEPs: "NO_FLAGS", Sanctions: "NO_FLAGS", News: "NO_FLAGS"}}}}
	raw, _ := json.Marshal(company)
	err := db.SaveCompany(ctx, store.Company{CompanyID: "c1", WorkflowID: "kyb-c1", ClientID: "client-9", Stage: string(company.Stage),
		Status: company.Status, Seq: 1, State: string(raw), DueAt: nullTime(company.ComplianceDue), Reason: company.ReviewReason},
		[]store.TimelineEvent{{WorkflowID: "kyb-c1", Seq: 1, Type: workflows.EntryReviewRequired, At: t0, Detail: company.ReviewReason}})
	if err != nil {
		t.Fatal(err)
	}

	var s seeded
	for _, e := range []struct {
		id   *int64
		body []byte
	}{{&s.quarantined, fakes.Payload(t, "kyc_manual_approved.json", func(m map[string]any) { m["scanRef"] = "s9" })}, {&s.unroutable, []byte(`{"x":1}`)}} {
		st, err := db.InsertInbox(ctx, store.NewInboxEvent{Route: "kyc", Body: e.body, Status: store.StatusQuarantined, QuarantineReason: "no route yet"})
		if err != nil {
			t.Fatal(err)
		}
		*e.id = st.ID
	}
	return s
}

// saveKYC stores a verification's projection from its state, with events.
func saveKYC(t *testing.T, db *store.DB, st workflows.State, events []store.TimelineEvent) {
	t.Helper()
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		events[i].WorkflowID, events[i].ScanRef = workflows.ID(st.ScanRef), st.ScanRef
	}
	v := store.Verification{ScanRef: st.ScanRef, WorkflowID: workflows.ID(st.ScanRef), ClientID: st.ClientID, Stage: string(st.Stage),
		Status: st.Status, Final: st.Final, Decision: string(st.Decision), Seq: int64(len(events) + 1), State: string(raw)}
	if due, reason, ok := st.Waiting(); ok {
		v.DueAt, v.Reason = nullTime(due), reason
	}
	if err := db.SaveVerification(context.Background(), v, events); err != nil {
		t.Fatal(err)
	}
}

func nullTime(t time.Time) (n sql.NullTime) {
	if t.IsZero() {
		return n
	}
	return sql.NullTime{Time: t, Valid: true}
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: true} }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
