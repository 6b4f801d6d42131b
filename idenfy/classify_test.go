package idenfy_test

import (
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kycflow/idenfy"
	"kycflow/simulate"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestClassify(t *testing.T) {
	const company = "c0ffee00-aaaa-4bbb-8ccc-000000000010"
	tests := []struct {
		name   string
		route  idenfy.Kind
		header string
		file   string
		body   string
		want   idenfy.Classification
	}{
		{
			name: "manual approved with header", route: idenfy.KindKYC, header: "IDENTIFICATION_MANUAL_FINISHED", file: "kyc_manual_approved.json",
			want: idenfy.Classification{Kind: idenfy.KindKYC, EventType: "IDENTIFICATION_MANUAL_FINISHED", SubjectType: "scanRef",
				Subject: "5b6c0a2e-2f1d-11ef-9a1b-0242ac120002", ScanRefs: []string{"5b6c0a2e-2f1d-11ef-9a1b-0242ac120002"},
				ClientID: "user-42", ExternalRef: "order-7781"},
		},
		{
			name: "kyc without header is the legacy event", route: idenfy.KindKYC, file: "kyc_auto_suspected.json",
			want: idenfy.Classification{Kind: idenfy.KindKYC, EventType: "IDENTIFICATION", SubjectType: "scanRef",
				Subject: "9c0b7d5e-1111-4a2b-8c3d-000000000002", ScanRefs: []string{"9c0b7d5e-1111-4a2b-8c3d-000000000002"}, ClientID: "user-77"},
		},
		{
			name: "dashboard spelling normalised", route: idenfy.KindKYC, header: " identification canceled ", body: `{"scanRef":"s1"}`,
			want: idenfy.Classification{Kind: idenfy.KindKYC, EventType: "IDENTIFICATION_CANCELLED", SubjectType: "scanRef", Subject: "s1", ScanRefs: []string{"s1"}},
		},
		{
			name: "unknown event type kept on its route", route: idenfy.KindKYC, header: "FACIAL_AUTHENTICATION", body: `{"scanRef":"s2","clientId":"c"}`,
			want: idenfy.Classification{Kind: idenfy.KindKYC, EventType: "FACIAL_AUTHENTICATION", SubjectType: "scanRef", Subject: "s2", ScanRefs: []string{"s2"}, ClientID: "c"},
		},
		{
			name: "a beneficiary's identification names its company", route: idenfy.KindKYC,
			body: `{"scanRef":"s3","companyId":"c0ffee00-aaaa-4bbb-8ccc-000000000010","beneficiaryId":"b_1"}`,
			want: idenfy.Classification{Kind: idenfy.KindKYC, EventType: "IDENTIFICATION", SubjectType: "scanRef", Subject: "s3",
				ScanRefs: []string{"s3"}, CompanyID: company},
		},
		{
			name: "company submit", route: idenfy.KindKYB, header: "COMPANY_SUBMIT", file: "kyb_company_submit.json",
			want: idenfy.Classification{Kind: idenfy.KindKYB, EventType: "COMPANY_SUBMIT", SubjectType: "companyId", Subject: company,
				CompanyID: company, ClientID: "company-client-5", ExternalRef: "kyb-5"},
		},
		{
			name: "company review inferred without header", route: idenfy.KindKYB, file: "kyb_company_review.json",
			want: idenfy.Classification{Kind: idenfy.KindKYB, EventType: "COMPANY_REVIEW", SubjectType: "companyId", Subject: company, CompanyID: company},
		},
		{
			name: "company aml review routes by companyId", route: idenfy.KindKYB, file: "kyb_company_aml_review.json",
			want: idenfy.Classification{Kind: idenfy.KindKYB, EventType: "COMPANY_AML_REVIEW", SubjectType: "companyId", Subject: company,
				CompanyID: company, ClientID: "company-client-5", ExternalRef: "kyb-5"},
		},
		{
			name: "company token expired keyed by clientId", route: idenfy.KindKYB, header: "COMPANY_TOKEN_EXPIRED", file: "kyb_company_token_expired.json",
			want: idenfy.Classification{Kind: idenfy.KindKYB, EventType: "COMPANY_TOKEN_EXPIRED", SubjectType: "clientId", Subject: "company-client-5",
				ClientID: "company-client-5", ExternalRef: "kyb-5"},
		},
		{
			name: "known header wins over route", route: idenfy.KindKYC, header: "COMPANY_SUBMIT", file: "kyb_company_submit.json",
			want: idenfy.Classification{Kind: idenfy.KindKYB, EventType: "COMPANY_SUBMIT", SubjectType: "companyId", Subject: company,
				CompanyID: company, ClientID: "company-client-5", ExternalRef: "kyb-5"},
		},
		{
			name: "aml monitoring fans out", route: idenfy.KindAML, header: "AML_MONITORING", file: "aml_monitoring_alert.json",
			want: idenfy.Classification{Kind: idenfy.KindAML, EventType: "AML_MONITORING", SubjectType: "monitoringId",
				Subject: "d1e2f3a4-0000-4000-8000-000000000020", ScanRefs: []string{"5b6c0a2e-2f1d-11ef-9a1b-0242ac120002"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			if tt.file != "" {
				body = fixture(t, tt.file)
			}
			got, err := idenfy.Classify(tt.route, tt.header, body)
			if err != nil {
				t.Fatalf("Classify() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Classify() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClassifyQuarantines(t *testing.T) {
	tests := []struct {
		name  string
		route idenfy.Kind
		body  string
		want  error
	}{
		{"not json", idenfy.KindKYC, "this is not json", idenfy.ErrInvalidJSON},
		{"empty body", idenfy.KindKYC, "", idenfy.ErrInvalidJSON},
		{"array", idenfy.KindKYC, `[1,2]`, idenfy.ErrInvalidJSON},
		{"truncated", idenfy.KindKYC, `{"scanRef":"abc"`, idenfy.ErrInvalidJSON},
		{"scanRef is a number", idenfy.KindKYC, `{"scanRef":12}`, idenfy.ErrInvalidJSON},
		{"null", idenfy.KindKYC, `null`, idenfy.ErrMissingKey},
		{"no scanRef", idenfy.KindKYC, `{"final":true}`, idenfy.ErrMissingKey},
		{"empty scanRef", idenfy.KindKYC, `{"scanRef":""}`, idenfy.ErrMissingKey},
		{"scanRef with newline", idenfy.KindKYC, `{"scanRef":"a\nb"}`, idenfy.ErrMissingKey},
		{"scanRef too long", idenfy.KindKYC, `{"scanRef":"` + string(make([]byte, 0)) + longKey() + `"}`, idenfy.ErrMissingKey},
		{"company without id", idenfy.KindKYB, `{"companyName":"x"}`, idenfy.ErrMissingKey},
		{"monitoring without id", idenfy.KindAML, `{"scanRefList":["a"]}`, idenfy.ErrMissingKey},
		{"monitoring with bad scanRef", idenfy.KindAML, `{"monitoringId":"m","scanRefList":[""]}`, idenfy.ErrMissingKey},
		{"NUL in clientId", idenfy.KindKYC, `{"scanRef":"s","clientId":"a\u0000b"}`, idenfy.ErrMissingKey},
		{"NUL in externalRef", idenfy.KindKYB, `{"id":"c","externalRef":"\u0000"}`, idenfy.ErrMissingKey},
		{"NUL in scanRef", idenfy.KindKYC, `{"scanRef":"s\u0000x"}`, idenfy.ErrMissingKey},
		{"status is a string", idenfy.KindKYC, `{"scanRef":"s","status":"APPROVED"}`, idenfy.ErrInvalidJSON},
		{"final is a string", idenfy.KindKYC, `{"scanRef":"s","final":"true"}`, idenfy.ErrInvalidJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := idenfy.Classify(tt.route, "", []byte(tt.body))
			if !errors.Is(err, tt.want) {
				t.Errorf("Classify() error = %v, want %v", err, tt.want)
			}
		})
	}
}

func longKey() string {
	b := make([]byte, idenfy.MaxKeyLen+1)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}

func TestParseFixtures(t *testing.T) {
	a, err := idenfy.ParseIdentification(fixture(t, "kyc_manual_approved.json"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Final == nil || !*a.Final || a.Status.Overall != idenfy.OverallApproved || *a.Status.ManualFace != "FACE_MATCH" || len(a.AML) != 1 {
		t.Errorf("ParseIdentification(A) = final %v overall %q, want final APPROVED with one AML result", a.Final, a.Status.Overall)
	}
	b, err := idenfy.ParseIdentification(fixture(t, "kyc_auto_suspected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Final == nil || *b.Final || b.Status.ManualFace != nil || b.ExternalRef != nil {
		t.Errorf("ParseIdentification(B): nulls must stay nil and final:false must be set")
	}
	m, err := idenfy.ParseMonitoring(fixture(t, "aml_monitoring_alert.json"))
	if err != nil {
		t.Fatal(err)
	}
	if *m.AlertStatus != idenfy.AlertStatusAlert || len(m.ScanRefList) != 1 {
		t.Errorf("ParseMonitoring() = %q %v", *m.AlertStatus, m.ScanRefList)
	}
	c, err := idenfy.ParseCompanyEvent(fixture(t, "kyb_company_aml_review.json"))
	if err != nil {
		t.Fatal(err)
	}
	if *c.AMLReviewSubjectType != idenfy.SubjectBeneficiary {
		t.Errorf("ParseCompanyEvent() subject type = %q", *c.AMLReviewSubjectType)
	}
}

func FuzzClassify(f *testing.F) {
	for _, name := range []string{"kyc_manual_approved.json", "kyc_auto_suspected.json", "kyc_expired.json", "kyb_company_review.json",
		"kyb_company_aml_review.json", "kyb_company_token_expired.json", "aml_monitoring_alert.json"} {
		f.Add(fixture(f, name), "")
	}
	f.Add([]byte(`{"scanRef":"x"}`), "COMPANY_REVIEW")
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		for _, route := range idenfy.Kinds {
			c, err := idenfy.Classify(route, header, body)
			if err != nil {
				if !errors.Is(err, idenfy.ErrInvalidJSON) && !errors.Is(err, idenfy.ErrMissingKey) {
					t.Fatalf("Classify() error %v wraps no sentinel", err)
				}
				continue
			}
			if c.Subject == "" || len(c.Subject) > idenfy.MaxKeyLen {
				t.Fatalf("Classify() accepted subject %q", c.Subject)
			}
			// An accepted identification can be summarized: the lifecycle
			// decides on it (Classify reads both in one pass).
			if _, err := idenfy.Summarize(body); c.Kind == idenfy.KindKYC && err != nil {
				t.Fatalf("Classify() accepted a body Summarize refuses: %v", err)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"kyc_manual_approved.json", "kyb_company_review.json", "aml_monitoring_alert.json"} {
		f.Add(fixture(f, name))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// Parsing must never panic, whatever the bytes.
		_, _ = idenfy.ParseIdentification(body)
		_, _ = idenfy.ParseCompanyEvent(body)
		_, _ = idenfy.ParseMonitoring(body)
	})
}

func TestClassifyQuarantinesDuplicateKeys(t *testing.T) {
	many := func(dupOf string) string { // an object of 40 keys, the last one dupOf
		var b strings.Builder
		b.WriteString(`{"scanRef":"a"`)
		for i := range 38 {
			fmt.Fprintf(&b, `,"k%d":%d`, i, i)
		}
		return b.String() + `,"` + dupOf + `":1}`
	}
	for body, dup := range map[string]bool{
		many("K3"):                           true,  // past the keys compared one by one
		many("k39"):                          false, // 40 distinct keys
		`{"scanRef":"a","sc\u0061nref":"b"}`: true,  // escaped
		`{"x":1,"y":{"x":2},"z":[{"x":3},{"x":4}]}`:                  false, // one per object
		`{"scanRef":"a","scanRef":"b"}`:                              true,
		`{"scanRef":"a","status":{"overall":"X","overall":"Y"}}`:     true,
		`{"scanRef":"a","list":[{"k":1},{"k":2}],"x":{"k":{"k":1}}}`: false,
		`{"scanRef":"a","k":[1,{"scanRef":"b"}],"z":"scanRef"}`:      false,
		"{\"scanRef\":\"a\",\"ſcanRef\":\"b\"}":                      true, // long s folds to s
		`{"scanRef":"a","k":1,"\u212a":2}`:                           true, // Kelvin sign folds to k
		"{\"scanRef\":\"a\",\"ß\":1,\"ss\":2}":                       false,
	} {
		_, err := idenfy.Classify(idenfy.KindKYC, "", []byte(body))
		if got := errors.Is(err, idenfy.ErrInvalidJSON); got != dup {
			t.Errorf("Classify(%s) = %v; want quarantined %v", body, err, dup)
		}
	}
}

// A mistyped field is named as the body names it: the reason is stored
// with the quarantined event and read by people.
func TestClassifyNamesTheMistypedField(t *testing.T) {
	for _, c := range []struct {
		route idenfy.Kind
		body  string
		want  string
	}{
		{idenfy.KindKYC, `{"scanRef":5}`, `field "scanRef" has JSON type number`},
		{idenfy.KindKYC, `{"scanRef":"s","status":{"overall":1}}`, `field "status.overall" has JSON type number`},
		{idenfy.KindKYB, `{"id":5}`, `field "id" has JSON type number`},
		{idenfy.KindAML, `{"monitoringId":"m","scanRefList":[1]}`, `field "scanRefList" has JSON type number`},
	} {
		_, err := idenfy.Classify(c.route, "", []byte(c.body))
		if err == nil || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("Classify(%s, %s) = %v, want …%s", c.route, c.body, err, c.want)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	b.Run("fixture", func(b *testing.B) { benchmarkClassify(b, fixture(b, "kyc_manual_approved.json")) })
	// The body kycflow bench sends: a full data object, more than 32 keys
	// at the top and in data.
	s, err := simulate.Build("approved", mrand.New(mrand.NewPCG(42, 42)), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("simulated", func(b *testing.B) { benchmarkClassify(b, s.Webhooks[0].Body) })
}

func benchmarkClassify(b *testing.B, body []byte) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := idenfy.Classify(idenfy.KindKYC, "", body); err != nil {
			b.Fatal(err)
		}
	}
}
