package workflows

import "testing"

// While a person must act, the Web UI's current details end with the case's
// console page; otherwise, or without a console URL, they add nothing.
func TestConsoleLink(t *testing.T) {
	base := "https://kyc.example.com/console"
	for _, tc := range []struct {
		s    State
		base string
		want string
	}{
		{State{ScanRef: "s-1", Stage: StageAwaitingCompliance}, base, " Decide in the console: https://kyc.example.com/console/cases/kyc/s-1"},
		{State{ScanRef: "s-1", Stage: StageAMLAlert}, base + "/", " Decide in the console: https://kyc.example.com/console/cases/kyc/s-1"},
		{State{Kind: KindCompany, CompanyID: "c-1", Stage: StageAwaitingCompliance}, base, " Decide in the console: https://kyc.example.com/console/cases/kyb/c-1"},
		{State{ScanRef: "s-1", Stage: StageMonitoring}, base, ""},
		{State{ScanRef: "s-1", Stage: StageAwaitingCompliance}, "", ""},
	} {
		if got := consoleLink(tc.base, &tc.s); got != tc.want {
			t.Errorf("consoleLink(%q, %s) = %q, want %q", tc.base, tc.s.Stage, got, tc.want)
		}
	}
}
