package console_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kycflow/console"
	"kycflow/store"
)

func TestKYCCasePageShowsWhyItWaits(t *testing.T) {
	r := newRig(t)
	w := r.signIn("vera").do(http.MethodGet, "/console/cases/kyc/s1", nil)
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("case page = %d %s", w.Code, body)
	}
	for _, want := range []string{
		`<dd id="stage">awaiting_compliance</dd>`, `<dd id="status">SUSPECTED</dd>`,
		`<tr class="flag"><th>overall</th><td>SUSPECTED</td></tr>`,
		`<th>automatic document check</th><td>DOC_VALIDATED</td>`, `<th>manual face check</th><td>FACE_MATCH</td>`,
		`<tr class="flag"><th>fraud tags</th><td>DOC_PHOTO_TAMPERED</td></tr>`, `<tr class="flag"><th>mismatch tags</th><td>NAME</td></tr>`,
		`<tr class="flag"><th>PEP check</th><td>FLAGS_FOUND</td></tr>`, `<th>sanctions check</th><td>NO_FLAGS</td>`,
		`<th>adverse media check</th><td>NOT_CHECKED</td>`,
		`id="review-reason"`, "final result SUSPECTED: a compliance officer must decide", "Review due 2026-03-04 09:00:00 UTC",
		`id="temporal-link" href="http://localhost:8233/namespaces/default/workflows/kyc-s1"`,
		`data-type="review_required"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %s", want)
		}
	}
	// Timeline text is text: markup in a detail is escaped, never run.
	if strings.Contains(body, `<script>alert`) || !strings.Contains(body, `final result SUSPECTED &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`) {
		t.Errorf("the timeline's markup is not escaped:\n%s", body)
	}
	// A viewer gets neither the decide nor the reveal form.
	for _, form := range []string{`id="decide-form"`, `id="reveal-form"`} {
		if strings.Contains(body, form) {
			t.Errorf("a viewer's case page holds %s", form)
		}
	}
}

func TestCasePageShowsDecisionsAndOnboardingCalls(t *testing.T) {
	r := newRig(t)
	b := r.signIn("alice")
	body := b.do(http.MethodGet, "/console/cases/kyc/s5", nil).Body.String()
	for _, want := range []string{`<table id="acts"`, `<tr class="entry act" data-type="decided">`,
		`<tr class="entry act" data-type="onboarding_called">`, "onboarding endpoint accepted decision approved",
		`<dd id="decision">approved</dd>`} {
		if !strings.Contains(body, want) {
			t.Errorf("decided case page lacks %s", want)
		}
	}
	if strings.Contains(body, `id="decide-form"`) {
		t.Error("a decided case offers a decision")
	}
	// An AML alert: the monitoring statuses, and clear / confirm.
	body = b.do(http.MethodGet, "/console/cases/kyc/s4", nil).Body.String()
	for _, want := range []string{`<table id="aml-statuses"`, `<tr class="flag"><th>alert status</th><td>ALERT</td></tr>`,
		`<tr class="flag"><th>PEP</th><td>FLAGS_FOUND</td></tr>`, "monitoring IDs: mon-4", `value="clear"`, `value="confirm"`} {
		if !strings.Contains(body, want) {
			t.Errorf("AML alert page lacks %s", want)
		}
	}
	if strings.Contains(body, `value="approve"`) {
		t.Error("an AML alert offers approve")
	}
}

func TestKYBCasePageShowsTheScreenings(t *testing.T) {
	r := newRig(t)
	w := r.signIn("alice").do(http.MethodGet, "/console/cases/kyb/c1", nil)
	body := w.Body.String()
	for _, want := range []string{`<tr class="flag"><td>BENEFICIARY:b1</td><td>FLAGS_FOUND</td>`, "<td>COMPANY:c1</td>",
		"iDenfy's company review: APPROVED", `href="/console/cases/kyc/s1"`, `action="/console/cases/kyb/c1/decide"`,
		`value="approve"`, `id="temporal-link" href="http://localhost:8233/namespaces/default/workflows/kyb-c1"`} {
		if w.Code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("company page (%d) lacks %s", w.Code, want)
		}
	}
	if strings.Contains(body, `id="reveal-form"`) {
		t.Error("a company page offers personal data")
	}
}

func TestUnknownCaseIs404AndNoTemporalLinkWithoutTheUI(t *testing.T) {
	r := newRig(t, func(o *console.Options) { o.TemporalUIURL = "" })
	b := r.signIn("alice")
	for _, path := range []string{"/console/cases/kyc/nope", "/console/cases/kyb/nope"} {
		if w := b.do(http.MethodGet, path, nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "Unknown case") {
			t.Errorf("GET %s = %d", path, w.Code)
		}
	}
	if body := b.do(http.MethodGet, "/console/cases/kyc/s1", nil).Body.String(); strings.Contains(body, "temporal-link") {
		t.Error("a Temporal link without KYCFLOW_TEMPORAL_UI_URL")
	}
}

func TestShowPersonalDataRecordsTheLookFirst(t *testing.T) {
	r := newRig(t)
	b := r.signIn("alice")
	if body := b.do(http.MethodGet, "/console/cases/kyc/s1", nil).Body.String(); strings.Contains(body, "PETRAITIS") ||
		!strings.Contains(body, `<button id="reveal" type="submit">`) {
		t.Fatal("the case page shows personal data before it is asked for, or no button to ask")
	}
	w := b.post("/console/cases/kyc/s1/personal-data", nil)
	body := w.Body.String()
	if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("reveal = %d (Cache-Control %q)", w.Code, w.Header().Get("Cache-Control"))
	}
	for _, want := range []string{`id="personal-data"`, "<th>docFirstName</th><td><pre>JONAS</pre>", "<th>docNumber</th><td><pre>12345678</pre>",
		"<th>docDob</th><td><pre>1990-01-01</pre>", `data-type="personal_data_viewed"`,
		"alice (reviewer) viewed the personal data of inbox events 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("revealed page lacks %s", want)
		}
	}
	views, err := r.db.PersonalDataViews(context.Background(), "s1")
	if err != nil || len(views) != 1 || views[0].Reviewer != "alice" || len(views[0].InboxIDs) != 1 || views[0].InboxIDs[0] != 1 {
		t.Errorf("recorded views = %+v, %v; want alice's look at inbox event 1", views, err)
	}
	// Never in the logs.
	for _, pii := range []string{"PETRAITIS", "12345678", "1990-01-01"} {
		if bytes.Contains(r.logs.Bytes(), []byte(pii)) {
			t.Errorf("the logs hold %q", pii)
		}
	}
}

func TestAViewerCannotSeePersonalData(t *testing.T) {
	r := newRig(t)
	b := r.signIn("vera")
	w := b.post("/console/cases/kyc/s1/personal-data", nil)
	if w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "PETRAITIS") {
		t.Errorf("a viewer's reveal = %d", w.Code)
	}
	if views, err := r.db.PersonalDataViews(context.Background(), "s1"); err != nil || len(views) != 0 {
		t.Errorf("views after a viewer's refused reveal = %+v, %v", views, err)
	}
}

// failingViews is the store with the record of looks broken.
type failingViews struct{ *store.DB }

func (failingViews) RecordPersonalDataView(context.Context, store.PersonalDataView) (store.PersonalDataView, error) {
	return store.PersonalDataView{}, errors.New("disk full")
}

func TestPersonalDataFailsClosed(t *testing.T) {
	r := newRig(t)
	r.cases.Store = failingViews{r.db}
	w := r.signIn("alice").post("/console/cases/kyc/s1/personal-data", nil)
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "PETRAITIS") || strings.Contains(w.Body.String(), "JONAS") {
		t.Errorf("reveal with the record failing = %d %s, want 503 showing nothing", w.Code, w.Body)
	}
	if w := r.signIn("alice").post("/console/cases/kyc/nope/personal-data", url.Values{}); w.Code != http.StatusNotFound {
		t.Errorf("reveal of an unknown case = %d, want 404", w.Code)
	}
}
