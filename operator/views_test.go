package operator_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kycflow/httpserver"
	"kycflow/identity"
	"kycflow/internal/testenv"
	"kycflow/operator"
	"kycflow/store"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// withCases stores four open cases and a decided one.
func withCases(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	due := func(d time.Duration) sql.NullTime { return sql.NullTime{Time: t0.Add(d), Valid: true} }
	for _, v := range []store.Verification{
		{ScanRef: "late", ClientID: "u1", Stage: "awaiting_compliance", Status: "SUSPECTED", DueAt: due(48 * time.Hour), Reason: "SUSPECTED by iDenfy"},
		{ScanRef: "alert", ClientID: "u2", Stage: "aml_alert", Status: "APPROVED", Reason: "AML ALERT on [m-1]"},
		{ScanRef: "done", ClientID: "u1", Stage: "decided", Decision: "approved"},
		{ScanRef: "soon/1", ClientID: "u2", Stage: "awaiting_compliance", DueAt: due(time.Hour), Reason: "screening flagged PEP"},
	} {
		v.WorkflowID, v.Seq, v.State = "kyc-"+v.ScanRef, 1, "{}"
		if err := db.SaveVerification(ctx, v, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, co := range []store.Company{
		{CompanyID: "co-1", ClientID: "c1", Stage: "awaiting_compliance", DueAt: due(24 * time.Hour), Reason: "beneficiary flagged"},
		{CompanyID: "co-2", ClientID: "c1", Stage: "decided", Decision: "rejected"},
	} {
		co.WorkflowID, co.Seq, co.State = "kyb-"+co.CompanyID, 1, "{}"
		if err := db.SaveCompany(ctx, co, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func getJSON(t *testing.T, h http.Handler, path string, into any) {
	t.Helper()
	w := get(h, path, "Bearer "+token)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, w.Code, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), into); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func TestQueueContract(t *testing.T) {
	h, db := newAPI(t)
	withCases(t, db)
	var raw struct {
		Items      []map[string]any
		NextCursor *string
	}
	getJSON(t, h, "/v1/queue", &raw)
	if len(raw.Items) != 4 || raw.NextCursor != nil {
		t.Fatalf("queue = %+v", raw)
	}
	first := raw.Items[0]
	for _, k := range []string{"kind", "id", "workflowId", "clientId", "stage", "status", "due", "reason", "updatedAt", "path"} {
		if _, ok := first[k]; !ok {
			t.Errorf("queue item lacks %q: %v", k, first)
		}
	}
	if first["kind"] != "kyc" || first["id"] != "soon/1" || first["path"] != "/v1/verifications/soon%2F1" || first["due"] != "2026-11-25T11:00:00Z" ||
		first["reason"] != "screening flagged PEP" {
		t.Errorf("first item = %v", first)
	}
	if alert := raw.Items[3]; alert["id"] != "alert" || alert["due"] != nil || alert["stage"] != "aml_alert" {
		t.Errorf("last item = %v, want the undated AML alert", alert)
	}
	if co := raw.Items[1]; co["kind"] != "kyb" || co["path"] != "/v1/companies/co-1" || co["workflowId"] != "kyb-co-1" {
		t.Errorf("company item = %v", co)
	}
	var paged []string
	path := "/v1/queue?limit=1"
	for range 5 {
		var page operator.Queue
		getJSON(t, h, path, &page)
		for _, it := range page.Items {
			paged = append(paged, it.ID)
		}
		if page.NextCursor == nil {
			break
		}
		path = "/v1/queue?limit=1&cursor=" + *page.NextCursor
	}
	if want := []string{"soon/1", "co-1", "late", "alert"}; !slices.Equal(paged, want) {
		t.Errorf("pages of 1 = %v, want %v", paged, want)
	}
	for query, want := range map[string][]string{"kind=kyb": {"co-1"}, "stage=aml_alert": {"alert"}, "clientId=u1&kind=kyc": {"late"}} {
		var page operator.Queue
		getJSON(t, h, "/v1/queue?"+query, &page)
		var got []string
		for _, it := range page.Items {
			got = append(got, it.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("queue?%s = %v, want %v", query, got, want)
		}
	}
}

func TestCompaniesListAndClientFilter(t *testing.T) {
	h, db := newAPI(t)
	withCases(t, db)
	var page struct {
		Items      []map[string]any
		NextCursor *string
	}
	getJSON(t, h, "/v1/companies?clientId=c1&limit=1", &page)
	if len(page.Items) != 1 || page.Items[0]["companyId"] != "co-2" || page.NextCursor == nil {
		t.Fatalf("companies page 1 = %+v", page)
	}
	for _, k := range []string{"companyId", "clientId", "externalRef", "workflowId", "stage", "status", "decision", "updatedAt"} {
		if _, ok := page.Items[0][k]; !ok {
			t.Errorf("company item lacks %q", k)
		}
	}
	next := *page.NextCursor
	page.Items, page.NextCursor = nil, nil
	getJSON(t, h, "/v1/companies?clientId=c1&limit=1&cursor="+next, &page)
	if len(page.Items) != 1 || page.Items[0]["companyId"] != "co-1" || page.NextCursor != nil {
		t.Errorf("companies page 2 = %+v", page)
	}
	var vs operator.List
	getJSON(t, h, "/v1/verifications?clientId=u2", &vs)
	if len(vs.Items) != 2 || vs.Items[0].ScanRef != "soon/1" || vs.Items[1].ScanRef != "alert" {
		t.Errorf("verifications?clientId=u2 = %+v", vs.Items)
	}
}

func TestEventsListShowsNoPayload(t *testing.T) {
	h, db := newAPI(t)
	ctx := context.Background()
	var ids []int64
	for i, status := range []store.InboxStatus{store.StatusQuarantined, store.StatusPending, store.StatusQuarantined} {
		s, err := db.InsertInbox(ctx, store.NewInboxEvent{Route: "kyc", Body: []byte(`{"firstName":"Jane","lastName":"Doe","n":` + string(rune('0'+i)) + `}`),
			Headers: map[string]string{"Idenfy-Signature": "secret-signature"}, RemoteIP: "192.0.2.7", Status: status,
			QuarantineReason: "routing key missing", Kind: "kyc", EventType: "IDENTIFICATION_AUTO_FINISHED", Subject: "scan-9"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	w := get(h, "/v1/events?status=quarantined&limit=1", "Bearer "+token)
	for _, secret := range []string{"Jane", "Doe", "secret-signature", "192.0.2.7", "body", "headers"} {
		if strings.Contains(w.Body.String(), secret) {
			t.Errorf("events list shows %q: %s", secret, w.Body)
		}
	}
	var page struct {
		Items      []map[string]any
		NextCursor *string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || len(page.Items) != 1 || page.NextCursor == nil {
		t.Fatalf("events page 1 = %d %s", w.Code, w.Body)
	}
	it := page.Items[0]
	for _, k := range []string{"id", "route", "eventType", "kind", "subject", "receivedAt", "status", "quarantineReason", "attempts", "lastError"} {
		if _, ok := it[k]; !ok {
			t.Errorf("event lacks %q: %v", k, it)
		}
	}
	if it["id"] != float64(ids[2]) || it["subject"] != "scan-9" || it["status"] != "quarantined" || it["quarantineReason"] != "routing key missing" {
		t.Errorf("newest quarantined event = %v", it)
	}
	var second operator.EventList
	getJSON(t, h, "/v1/events?status=quarantined&limit=1&cursor="+*page.NextCursor, &second)
	if len(second.Items) != 1 || second.Items[0].ID != ids[0] || second.NextCursor != nil {
		t.Errorf("events page 2 = %+v", second)
	}
}

func TestMetricsCountRefusalsAndTheQueue(t *testing.T) {
	db := testenv.SQLite(t)
	withCases(t, db)
	reg := prometheus.NewRegistry()
	m := operator.NewMetrics(reg, db)
	e, err := httpserver.NewEngine(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	operator.New(db, nil, operator.Options{Auth: identity.NewAuthenticator(db, token), Metrics: m}).Register(e)
	get(e, "/v1/verifications", "")                          // 401
	get(e, "/v1/verifications?stage=bogus", "Bearer "+token) // 400
	get(e, "/v1/verifications/nope", "Bearer "+token)        // 404
	get(e, "/v1/verifications/nope", "Bearer "+token)        // 404
	get(e, "/v1/queue", "Bearer "+token)                     // 200: not counted
	got := gathered(t, reg)
	for series, want := range map[string]float64{
		`kycflow_operator_refusals_total{status="400"}`: 1, `kycflow_operator_refusals_total{status="401"}`: 1,
		`kycflow_operator_refusals_total{status="404"}`:               2,
		`kycflow_queue_depth{kind="kyc",stage="awaiting_compliance"}`: 2, `kycflow_queue_depth{kind="kyc",stage="aml_alert"}`: 1,
		`kycflow_queue_depth{kind="kyb",stage="awaiting_compliance"}`: 1, `kycflow_queue_depth{kind="kyb",stage="aml_alert"}`: 0,
		`kycflow_operator_refusals_total{status="409"}`: 0, // exported at zero before the first
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}
	if len(got) != 12 {
		t.Errorf("series = %v, want the 8 refusal statuses and the 4 queue depths", got)
	}
}

// gathered is every series on reg as name{label="value",...} → value.
func gathered(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			v := m.GetCounter().GetValue() + m.GetGauge().GetValue()
			out[f.GetName()+"{"+strings.Join(labels, ",")+"}"] = v
		}
	}
	return out
}
