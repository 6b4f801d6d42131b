package operator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"kycflow/httpserver"
	"kycflow/identity"
	"kycflow/internal/fakes"
	"kycflow/internal/testenv"
	"kycflow/operator"
	"kycflow/store"
)

// personalCase stores s1 with a timeline, its identification webhook, an
// AML alert listing it, an older purged identification, and another
// case's identification; it returns the ids of s1's KYC and AML rows.
type personalCase struct {
	kyc, aml, purged, other int64
}

func storePersonalCase(t *testing.T, db *store.DB) personalCase {
	t.Helper()
	ctx := context.Background()
	at := func(h int) func() time.Time { return func() time.Time { return t0.Add(time.Duration(h) * time.Hour) } }
	insert := func(h int, e store.NewInboxEvent) int64 {
		db.Now = at(h)
		s, err := db.InsertInbox(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	kyc := func(ref string, n int) store.NewInboxEvent {
		body := fakes.Payload(t, "kyc_manual_approved.json", func(m map[string]any) { m["scanRef"], m["finishTime"] = ref, n })
		return store.NewInboxEvent{Route: "kyc", Body: body, Status: store.StatusPending, Kind: "kyc", EventType: "IDENTIFICATION_MANUAL_FINISHED",
			SubjectType: "scanRef", Subject: ref, ScanRefs: []string{ref}}
	}
	var c personalCase
	c.purged = insert(0, kyc("s1", 1))
	c.kyc = insert(1, kyc("s1", 2))
	c.other = insert(1, kyc("s2", 3))
	c.aml = insert(2, store.NewInboxEvent{Route: "aml", Status: store.StatusPending, Kind: "aml", EventType: "AML_MONITORING",
		SubjectType: "monitoringId", Subject: "m-1", ScanRefs: []string{"s2", "s1"},
		Body: fakes.Payload(t, "aml_monitoring_alert.json", func(m map[string]any) { m["scanRefList"] = []string{"s2", "s1"} })})
	if err := db.MarkDispatched(ctx, c.purged); err != nil {
		t.Fatal(err)
	}
	db.Now = at(3)
	if n, err := db.Purge(ctx, t0.Add(30*time.Minute)); err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v", n, err)
	}
	err := db.SaveVerification(ctx, store.Verification{ScanRef: "s1", WorkflowID: "kyc-s1", Stage: "aml_alert", Seq: 2, State: "{}"},
		[]store.TimelineEvent{
			{WorkflowID: "kyc-s1", Seq: 1, ScanRef: "s1", Type: "received", At: t0.Add(time.Hour), Detail: "IDENTIFICATION_MANUAL_FINISHED"},
			{WorkflowID: "kyc-s1", Seq: 2, ScanRef: "s1", Type: "aml_alert", At: t0.Add(5 * time.Hour), Detail: "ALERT"},
		})
	if err != nil {
		t.Fatal(err)
	}
	db.Now = at(4) // the view is recorded between the two entries
	return c
}

// personalAPI is the API over db (or s, when set) logging into logs.
func personalAPI(t *testing.T, db *store.DB, s operator.Store, logs *bytes.Buffer) http.Handler {
	t.Helper()
	if s == nil {
		s = db
	}
	e, err := httpserver.NewEngine(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	operator.New(s, &fakes.Temporal{}, operator.Options{Auth: identity.NewAuthenticator(db, token), Log: log}).Register(e)
	return e
}

func TestPersonalDataShowsFieldsAndRecordsTheView(t *testing.T) {
	db := testenv.SQLite(t)
	c := storePersonalCase(t, db)
	var logs bytes.Buffer
	h := personalAPI(t, db, nil, &logs)
	alice := newToken(t, db, "alice", identity.Reviewer)

	w := call(h, "GET", "/v1/verifications/s1/personal-data", alice, "")
	if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("personal data = %d (Cache-Control %q) %s", w.Code, w.Header().Get("Cache-Control"), w.Body)
	}
	var got struct {
		ScanRef, WorkflowID string
		Items               []map[string]any
		NextCursor          *string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.ScanRef != "s1" || got.WorkflowID != "kyc-s1" || len(got.Items) != 3 || got.NextCursor != nil {
		t.Fatalf("personal data = %s, want s1's three payloads (not s2's)", w.Body)
	}
	purged, kyc, aml := got.Items[0], got.Items[1], got.Items[2]
	if purged["inboxId"] != float64(c.purged) || purged["purged"] != true || purged["unavailable"] != "purged" || purged["person"] != nil {
		t.Errorf("purged payload = %v, want listed as purged without data", purged)
	}
	person, _ := kyc["person"].(map[string]any)
	if kyc["inboxId"] != float64(c.kyc) || kyc["kind"] != "kyc" || kyc["eventType"] != "IDENTIFICATION_MANUAL_FINISHED" ||
		kyc["receivedAt"] != "2026-11-25T11:00:00Z" || kyc["purged"] != false || person == nil {
		t.Fatalf("KYC payload = %v", kyc)
	}
	for field, want := range map[string]any{"docFirstName": "JONAS", "docLastName": "PETRAITIS", "docDob": "1990-01-01", "docNumber": "12345678",
		"docType": "ID_CARD", "docIssuingCountry": "LT", "docNationality": "LT", "docPersonalCode": "39001011234", "address": nil} {
		if v, ok := person[field]; !ok || v != want {
			t.Errorf("KYC person[%s] = %v (present %v), want %v", field, v, ok, want)
		}
	}
	subject, _ := aml["subject"].(map[string]any)
	if aml["inboxId"] != float64(c.aml) || aml["kind"] != "aml" || subject["name"] != "JONAS" || subject["surname"] != "PETRAITIS" ||
		subject["dob"] != "1990-01-01" || subject["nationality"] != "LT" {
		t.Errorf("AML payload = %v", aml)
	}
	if hits := aml["hits"].([]any); len(hits) != 1 || !strings.Contains(w.Body.String(), `"suspicion":"SANCTION"`) || aml["amlCheck"] == nil {
		t.Errorf("AML hits = %v, amlCheck %v", aml["hits"], aml["amlCheck"])
	}

	views, err := db.PersonalDataViews(context.Background(), "s1")
	if err != nil || len(views) != 1 {
		t.Fatalf("views = %+v, %v", views, err)
	}
	v := views[0]
	if v.Reviewer != "alice" || v.Role != identity.Reviewer || v.WorkflowID != "kyc-s1" || !slices.Equal(v.InboxIDs, []int64{c.kyc, c.aml}) ||
		!v.At.Equal(t0.Add(4*time.Hour)) {
		t.Errorf("view = %+v, want alice's look at %d and %d (not the purged one)", v, c.kyc, c.aml)
	}
	for _, secret := range []string{"JONAS", "PETRAITIS", "12345678", "1990-01-01", "39001011234"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), `"personal data viewed"`) || !strings.Contains(logs.String(), `"inbox_ids":[`+itoa(c.kyc)+","+itoa(c.aml)+"]") {
		t.Errorf("the log does not record the view by ids:\n%s", logs.String())
	}

	// The detail's timeline shows the look, in time order, with seq 0.
	w = call(h, "GET", "/v1/verifications/s1", alice, "")
	var d operator.Detail
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil || w.Code != http.StatusOK {
		t.Fatalf("detail = %d %s", w.Code, w.Body)
	}
	var types []string
	for _, e := range d.Timeline {
		types = append(types, e.Type)
	}
	if want := []string{"received", operator.EntryPersonalDataViewed, "aml_alert"}; !slices.Equal(types, want) {
		t.Fatalf("timeline = %v, want %v", types, want)
	}
	viewed := d.Timeline[1]
	if viewed.Seq != 0 || viewed.InboxID != nil || !viewed.At.Equal(t0.Add(4*time.Hour)) ||
		viewed.Detail != "alice (reviewer) viewed the personal data of inbox events "+itoa(c.kyc)+", "+itoa(c.aml) {
		t.Errorf("personal_data_viewed entry = %+v", viewed)
	}
	if strings.Contains(w.Body.String(), "JONAS") {
		t.Errorf("the detail shows personal data: %s", w.Body)
	}
}

func TestPersonalDataPages(t *testing.T) {
	db := testenv.SQLite(t)
	c := storePersonalCase(t, db)
	h := personalAPI(t, db, nil, &bytes.Buffer{})
	var page operator.PersonalData
	w := call(h, "GET", "/v1/verifications/s1/personal-data?limit=2", token, "")
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || len(page.Items) != 2 || page.NextCursor == nil {
		t.Fatalf("page 1 = %d %s", w.Code, w.Body)
	}
	w = call(h, "GET", "/v1/verifications/s1/personal-data?limit=2&cursor="+*page.NextCursor, token, "")
	page = operator.PersonalData{}
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || len(page.Items) != 1 || page.Items[0].InboxID != c.aml || page.NextCursor != nil {
		t.Errorf("page 2 = %d %s", w.Code, w.Body)
	}
	views, _ := db.PersonalDataViews(context.Background(), "s1")
	if len(views) != 2 || !slices.Equal(views[0].InboxIDs, []int64{c.kyc}) || !slices.Equal(views[1].InboxIDs, []int64{c.aml}) ||
		views[0].Reviewer != identity.APITokenName || views[0].Role != identity.Admin {
		t.Errorf("views = %+v, want one per page, each with the ids it showed, by the API token's admin", views)
	}
	for _, q := range []string{"limit=0", "cursor=x", "scanRef=s2"} {
		if w := call(h, "GET", "/v1/verifications/s1/personal-data?"+q, token, ""); w.Code != http.StatusBadRequest {
			t.Errorf("?%s = %d, want 400", q, w.Code)
		}
	}
}

func TestPersonalDataRefusals(t *testing.T) {
	db := testenv.SQLite(t)
	storePersonalCase(t, db)
	h := personalAPI(t, db, nil, &bytes.Buffer{})
	viewer := newToken(t, db, "vera", identity.Viewer)
	reviewer := newToken(t, db, "rita", identity.Reviewer)
	if w := call(h, "GET", "/v1/verifications/s1/personal-data", viewer, ""); w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "JONAS") {
		t.Errorf("viewer = %d %s, want 403 without data", w.Code, w.Body)
	}
	if w := call(h, "GET", "/v1/verifications/nope/personal-data", reviewer, ""); w.Code != http.StatusNotFound {
		t.Errorf("unknown scanRef = %d %s, want 404", w.Code, w.Body)
	}
	if w := call(h, "GET", "/v1/verifications/s1/personal-data", "", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("no token = %d, want 401", w.Code)
	}
	for _, ref := range []string{"s1", "nope"} {
		if views, err := db.PersonalDataViews(context.Background(), ref); err != nil || len(views) != 0 {
			t.Errorf("views of %s after refusals = %+v, %v; want none", ref, views, err)
		}
	}
}

// unrecorded is a store whose personal_data_views cannot be written.
type unrecorded struct{ *store.DB }

func (unrecorded) RecordPersonalDataView(context.Context, store.PersonalDataView) (store.PersonalDataView, error) {
	return store.PersonalDataView{}, errors.New("disk full")
}

func TestPersonalDataFailsClosedWhenTheViewIsNotRecorded(t *testing.T) {
	db := testenv.SQLite(t)
	storePersonalCase(t, db)
	var logs bytes.Buffer
	h := personalAPI(t, db, unrecorded{db}, &logs)
	w := call(h, "GET", "/v1/verifications/s1/personal-data", token, "")
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("personal data with the view unrecordable = %d, want 503", w.Code)
	}
	for _, secret := range []string{"JONAS", "PETRAITIS", "12345678", "inboxId", "items"} {
		if strings.Contains(w.Body.String(), secret) {
			t.Errorf("the 503 shows %q: %s", secret, w.Body)
		}
	}
	if strings.Contains(logs.String(), "JONAS") || strings.Contains(logs.String(), `"personal data viewed"`) {
		t.Errorf("log = %s", logs.String())
	}
}

func TestPersonalDataOfASealedPayloadIsWithheld(t *testing.T) {
	db := testenv.SQLite(t)
	keys, err := store.ParsePayloadKeys("k1:" + strings.Repeat("A", 43) + "=")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := db.WithPayloadKeys(keys).InsertInbox(ctx, store.NewInboxEvent{Route: "kyc", Status: store.StatusPending, Kind: "kyc", Subject: "s1",
		ScanRefs: []string{"s1"}, Body: fakes.Payload(t, "kyc_manual_approved.json", func(m map[string]any) { m["scanRef"] = "s1" })})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveVerification(ctx, store.Verification{ScanRef: "s1", WorkflowID: "kyc-s1", Stage: "decided", Seq: 1, State: "{}"}, nil); err != nil {
		t.Fatal(err)
	}
	h := personalAPI(t, db, nil, &bytes.Buffer{}) // without the payload key
	var page operator.PersonalData
	w := call(h, "GET", "/v1/verifications/s1/personal-data", token, "")
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || len(page.Items) != 1 || page.Items[0].InboxID != s.ID ||
		page.Items[0].Unavailable != "sealed" || page.Items[0].Person != nil {
		t.Errorf("sealed payload = %d %s, want it listed as sealed without data", w.Code, w.Body)
	}
	if views, _ := db.PersonalDataViews(ctx, "s1"); len(views) != 1 || len(views[0].InboxIDs) != 0 {
		t.Errorf("views = %+v, want one showing no payload", views)
	}
}
