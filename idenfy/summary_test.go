package idenfy_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kycflow/idenfy"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		file string
		want idenfy.Summary
	}{
		{"kyc_manual_approved.json", idenfy.Summary{Final: true, Overall: "APPROVED", AutoDocument: "DOC_VALIDATED", AutoFace: "FACE_MATCH",
			ManualDocument: "DOC_VALIDATED", ManualFace: "FACE_MATCH", FraudTags: []string{}, MismatchTags: []string{}, SuspicionReasons: []string{}}},
		{"kyc_auto_suspected.json", idenfy.Summary{Overall: "SUSPECTED", AutoDocument: "DOC_VALIDATED", AutoFace: "FACE_MATCH",
			FraudTags: []string{"DUPLICATE_FACE"}, MismatchTags: []string{"NAME"}, SuspicionReasons: []string{}}},
		{"kyc_expired.json", idenfy.Summary{Final: true, Overall: "EXPIRED", FraudTags: []string{}, MismatchTags: []string{}, SuspicionReasons: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := idenfy.Summarize(fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Summarize() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSummarizeToleratesUnrelatedChanges(t *testing.T) {
	body := []byte(`{"final":true,"status":{"overall":"APPROVED","additionalSteps":{"now":"an object"}},"data":42,
		"AML":[{"status":{"serviceSuspected":true}}],"scanRef":"s"}`)
	got, err := idenfy.Summarize(body)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Final || got.Overall != idenfy.OverallApproved || !got.AMLSuspected {
		t.Errorf("Summarize() = %+v", got)
	}
	if _, err := idenfy.Summarize([]byte(`{"final":"yes"}`)); !errors.Is(err, idenfy.ErrInvalidJSON) {
		t.Errorf("Summarize(final as string) error = %v, want ErrInvalidJSON", err)
	}
}

func TestSummarizeMonitoring(t *testing.T) {
	got, err := idenfy.SummarizeMonitoring(fixture(t, "aml_monitoring_alert.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got.MonitoringID != "d1e2f3a4-0000-4000-8000-000000000020" || got.AlertStatus != "ALERT" || got.SanctionsStatus != "FLAGS_FOUND" ||
		len(got.ScanRefs) != 1 || got.IsActive == nil || !*got.IsActive {
		t.Errorf("SummarizeMonitoring() = %+v", got)
	}
	if _, err := idenfy.SummarizeMonitoring([]byte(`{"monitoringId":"m","status":{"x":1}}`)); !errors.Is(err, idenfy.ErrInvalidJSON) {
		t.Errorf("status as an object = %v, want ErrInvalidJSON", err)
	}
}

func TestSummarizeCompany(t *testing.T) {
	review, err := idenfy.SummarizeCompany(fixture(t, "kyb_company_review.json"))
	if err != nil {
		t.Fatal(err)
	}
	if review.ReviewStatus != "APPROVED" || len(review.Screenings) != 2 ||
		review.Screenings[0].Subject != "COMPANY:c0ffee00-aaaa-4bbb-8ccc-000000000010" ||
		review.Screenings[1] != (idenfy.Screening{Subject: "BENEFICIARY:b0000000-0000-4000-8000-000000000011", PEPs: "NO_FLAGS", Sanctions: "NO_FLAGS", News: "NO_FLAGS"}) {
		t.Errorf("review summary = %+v", review)
	}
	aml, err := idenfy.SummarizeCompany(fixture(t, "kyb_company_aml_review.json"))
	if err != nil {
		t.Fatal(err)
	}
	if aml.ReviewStatus != "" || len(aml.Screenings) != 1 || aml.Screenings[0].Subject != "BENEFICIARY:b0000000-0000-4000-8000-000000000011" || aml.Screenings[0].Flagged() {
		t.Errorf("AML review summary = %+v", aml)
	}
	if !(idenfy.Screening{PEPs: idenfy.ScreeningFlagsFound}).Flagged() || (idenfy.Screening{PEPs: "FALSE_POSITIVE"}).Flagged() {
		t.Error("Flagged() is wrong")
	}
}
