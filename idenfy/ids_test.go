package idenfy_test

import (
	"errors"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"kycflow/idenfy"
	"kycflow/simulate"
)

func TestValidID(t *testing.T) {
	tests := []struct {
		name  string
		kind  idenfy.IDKind
		value string
		ok    bool
	}{
		{"uuid scanRef", idenfy.IDScanRef, "5b6c0a2e-2f1d-11ef-9a1b-0242ac120002", true},
		{"uppercase uuid", idenfy.IDScanRef, "5B6C0A2E-2F1D-11EF-9A1B-0242AC120002", true},
		{"underscore", idenfy.IDCompany, "company_01", true},
		{"one character", idenfy.IDBeneficiary, "b", true},
		{"36 characters", idenfy.IDScanRef, strings.Repeat("a", 36), true},
		{"64-character monitoringId", idenfy.IDMonitoring, strings.Repeat("m", 64), true},
		{"path traversal", idenfy.IDScanRef, "../../etc/passwd", false},
		{"slash", idenfy.IDScanRef, "abc/def", false},
		{"backslash", idenfy.IDCompany, `abc\def`, false},
		{"dot", idenfy.IDScanRef, "abc.def", false},
		{"space", idenfy.IDScanRef, "abc def", false},
		{"leading space", idenfy.IDScanRef, " abc", false},
		{"percent-encoding", idenfy.IDScanRef, "abc%2Fdef", false},
		{"query", idenfy.IDScanRef, "abc?x=1", false},
		{"fragment", idenfy.IDScanRef, "abc#x", false},
		{"colon", idenfy.IDCompany, "kyb:abc", false},
		{"newline", idenfy.IDScanRef, "abc\ndef", false},
		{"NUL", idenfy.IDScanRef, "abc\x00", false},
		{"37 characters", idenfy.IDScanRef, strings.Repeat("a", 37), false},
		{"37-character companyId", idenfy.IDCompany, strings.Repeat("c", 37), false},
		{"37-character beneficiaryId", idenfy.IDBeneficiary, strings.Repeat("b", 37), false},
		{"65-character monitoringId", idenfy.IDMonitoring, strings.Repeat("m", 65), false},
		{"unicode letter", idenfy.IDScanRef, "scän-1", false},
		{"fullwidth solidus", idenfy.IDScanRef, "a\uff0fb", false},
		{"invalid UTF-8", idenfy.IDScanRef, "a\xff", false},
		{"empty", idenfy.IDScanRef, "", false},
		{"empty monitoringId", idenfy.IDMonitoring, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := idenfy.ValidID(tt.kind, tt.value)
			if (err == nil) != tt.ok {
				t.Fatalf("ValidID(%s, %q) = %v, want ok %v", tt.kind, tt.value, err, tt.ok)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, idenfy.ErrInvalidID) || !strings.Contains(err.Error(), string(tt.kind)) {
				t.Errorf("ValidID() error = %v, want ErrInvalidID naming %s", err, tt.kind)
			}
			if len(tt.value) > 1 && strings.Contains(err.Error(), tt.value) {
				t.Errorf("ValidID() error %q echoes the value", err)
			}
		})
	}
}

// Classify quarantines a webhook whose IDs iDenfy could not have issued:
// ErrMissingKey, so the handler stores it quarantined and the relay never
// starts a workflow for it.
func TestClassifyQuarantinesInvalidIDs(t *testing.T) {
	tests := []struct {
		name  string
		route idenfy.Kind
		body  string
	}{
		{"scanRef with path traversal", idenfy.KindKYC, `{"scanRef":"../../etc/passwd"}`},
		{"scanRef with a slash", idenfy.KindKYC, `{"scanRef":"a/b"}`},
		{"scanRef with a space", idenfy.KindKYC, `{"scanRef":"a b"}`},
		{"scanRef percent-encoded", idenfy.KindKYC, `{"scanRef":"..%2F..%2Fetc"}`},
		{"scanRef of 37 characters", idenfy.KindKYC, `{"scanRef":"` + strings.Repeat("a", 37) + `"}`},
		{"scanRef with a unicode letter", idenfy.KindKYC, `{"scanRef":"scän"}`},
		{"KYC companyId with a slash", idenfy.KindKYC, `{"scanRef":"s","companyId":"../c"}`},
		{"KYC beneficiaryId of 37 characters", idenfy.KindKYC, `{"scanRef":"s","beneficiaryId":"` + strings.Repeat("b", 37) + `"}`},
		{"KYC beneficiaryId with a dot", idenfy.KindKYC, `{"scanRef":"s","beneficiaryId":"b.1"}`},
		{"clientId of 101 characters", idenfy.KindKYC, `{"scanRef":"s","clientId":"` + strings.Repeat("c", 101) + `"}`},
		{"clientId not ASCII", idenfy.KindKYC, `{"scanRef":"s","clientId":"üser"}`},
		{"company id with path traversal", idenfy.KindKYB, `{"id":"../../etc"}`},
		{"company AML review companyId with a slash", idenfy.KindKYB, `{"amlReviewSubjectType":"COMPANY","id":"c","companyId":"c/1"}`},
		{"company review beneficiary id percent-encoded", idenfy.KindKYB,
			`{"id":"c","companyName":"x","beneficiaries":[{"id":"b%2F1"}]}`},
		{"company AML review of a beneficiary with a slash", idenfy.KindKYB,
			`{"amlReviewSubjectType":"BENEFICIARY","id":"b/1","companyId":"c"}`},
		{"monitoringId with a space", idenfy.KindAML, `{"monitoringId":"m 1","scanRefList":["a"]}`},
		{"monitoringId of 65 characters", idenfy.KindAML, `{"monitoringId":"` + strings.Repeat("m", 65) + `","scanRefList":["a"]}`},
		{"scanRefList entry with path traversal", idenfy.KindAML, `{"monitoringId":"m","scanRefList":["a","../b"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := idenfy.Classify(tt.route, "", []byte(tt.body))
			if !errors.Is(err, idenfy.ErrMissingKey) {
				t.Errorf("Classify() error = %v, want ErrMissingKey", err)
			}
		})
	}
}

// The quarantine reason is read by operators: it names the field and the
// rule, never the value.
func TestClassifyExplainsAnInvalidID(t *testing.T) {
	_, err := idenfy.Classify(idenfy.KindKYC, "IDENTIFICATION_MANUAL_FINISHED", []byte(`{"scanRef":"../../etc/passwd","final":true}`))
	const want = "scanRef has '.' at byte 1 (iDenfy's are letters, digits, '-' and '_')"
	if !errors.Is(err, idenfy.ErrMissingKey) || !errors.Is(err, idenfy.ErrInvalidID) || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("Classify() error = %v, want ErrMissingKey and ErrInvalidID ending %q", err, want)
	}
	if strings.Contains(err.Error(), "etc/passwd") {
		t.Errorf("Classify() error %q echoes the value", err)
	}
}

func TestValidClientID(t *testing.T) {
	for v, ok := range map[string]bool{
		"user-42": true, "sim-user-000001": true, "": true, "name with spaces@example.invalid": true,
		strings.Repeat("x", 100): true, strings.Repeat("x", 101): false, "tab\there": false, "ünicode": false, "nul\x00": false,
	} {
		if err := idenfy.ValidClientID(v); (err == nil) != ok {
			t.Errorf("ValidClientID(%q) = %v, want ok %v", v, err, ok)
		}
	}
}

// Every ID the simulator issues (and so the load, bench and end-to-end
// tests that use it) is one iDenfy could have issued, and so are the
// short ones the tests write by hand.
func TestIDsUsedByTheProjectAreValid(t *testing.T) {
	r := mrand.New(mrand.NewPCG(7, 7))
	for _, name := range simulate.Names {
		s, err := simulate.Build(name, r, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		kind := idenfy.IDScanRef
		if s.Company {
			kind = idenfy.IDCompany
		}
		if err := idenfy.ValidID(kind, s.Subject); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, w := range append(s.Webhooks, s.Later...) {
			if _, err := idenfy.Classify(w.Route, w.EventType, w.Body); err != nil {
				t.Errorf("%s: Classify(%s) = %v", name, w.EventType, err)
			}
		}
	}
	for _, v := range []string{"storm-0001", "tdown-001", "wkill-001", "skill-001", "pgdown-001", "outage-1", "replay-revised",
		"replay-mon", "metrics-1", "aml-many", "scan-a", "rev-1", "enc-1", "kyb-review", "c-5", "scan-b1"} {
		if err := idenfy.ValidID(idenfy.IDScanRef, v); err != nil {
			t.Errorf("ValidID(%q) = %v", v, err)
		}
	}
}
