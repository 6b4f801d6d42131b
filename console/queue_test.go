package console_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"kycflow/workflows"
)

var queueRow = regexp.MustCompile(`<tr class="case( overdue)?" data-kind="(kyc|kyb)" data-id="([^"]+)"`)

// queueIDs are the cases a queue page lists, in order, each "kind/id"
// with "!" when marked overdue.
func queueIDs(body string) []string {
	var out []string
	for _, m := range queueRow.FindAllStringSubmatch(body, -1) {
		id := m[2] + "/" + m[3]
		if m[1] != "" {
			id += "!"
		}
		out = append(out, id)
	}
	return out
}

func TestQueueListsTheOpenCasesOldestDueFirst(t *testing.T) {
	r := newRig(t)
	b := r.signIn("vera") // a viewer reads the queue
	for _, path := range []string{"/console", "/console/", "/console/queue"} {
		w := b.do(http.MethodGet, path, nil)
		// c1 (due 47 h) and s1 (48 h) are overdue at 48.5 h, then s3 (49 h), s2 (50 h), then the AML alert s4 (no due time).
		// s5 is decided: not in the queue.
		if got, want := queueIDs(w.Body.String()), []string{"kyb/c1!", "kyc/s1!", "kyc/s3", "kyc/s2", "kyc/s4"}; w.Code != http.StatusOK || !slices.Equal(got, want) {
			t.Errorf("GET %s = %d, cases %v, want %v", path, w.Code, got, want)
		}
	}
	body := b.do(http.MethodGet, "/console/queue", nil).Body.String()
	for _, want := range []string{"2026-03-04 09:00:00 UTC", "final result SUSPECTED: a compliance officer must decide",
		"AML ALERT on [mon-4]", `href="/console/cases/kyb/c1"`, `href="/console/cases/kyc/s4"`} {
		if !strings.Contains(body, want) {
			t.Errorf("queue lacks %q", want)
		}
	}
}

func TestQueueFilters(t *testing.T) {
	r := newRig(t)
	b := r.signIn("alice")
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"stage=aml_alert", []string{"kyc/s4"}},
		{"kind=kyb", []string{"kyb/c1!"}},
		{"clientId=client-1", []string{"kyc/s1!", "kyc/s3"}},
		{"stage=awaiting_compliance&kind=kyc&clientId=client-2", []string{"kyc/s2"}},
		{"clientId=nobody", nil},
	} {
		w := b.do(http.MethodGet, "/console/queue?"+c.query, nil)
		if got := queueIDs(w.Body.String()); w.Code != http.StatusOK || !slices.Equal(got, c.want) {
			t.Errorf("queue?%s = %d %v, want %v", c.query, w.Code, got, c.want)
		}
	}
	for _, q := range []string{"stage=decided", "kind=kyx", "cursor=bogus", "limit=0", "sort=due", "clientId=%00"} {
		if w := b.do(http.MethodGet, "/console/queue?"+q, nil); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="queue-error"`) {
			t.Errorf("queue?%s = %d, want 400 with the problem shown", q, w.Code)
		}
	}
}

var nextPage = regexp.MustCompile(`id="next-page" href="([^"]+)"`)

func TestQueuePaginatesWithTheCursor(t *testing.T) {
	r := newRig(t)
	b := r.signIn("alice")
	path := "/console/queue?limit=2"
	var all []string
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("the queue does not end")
		}
		w := b.do(http.MethodGet, path, nil)
		ids := queueIDs(w.Body.String())
		if w.Code != http.StatusOK || len(ids) == 0 || len(ids) > 2 {
			t.Fatalf("GET %s = %d %v", path, w.Code, ids)
		}
		all = append(all, ids...)
		path = ""
		if m := nextPage.FindStringSubmatch(w.Body.String()); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if want := []string{"kyb/c1!", "kyc/s1!", "kyc/s3", "kyc/s2", "kyc/s4"}; !slices.Equal(all, want) {
		t.Errorf("pages of 2 = %v, want %v", all, want)
	}
	// Filters survive paging.
	w := b.do(http.MethodGet, "/console/queue?kind=kyc&limit=1", nil)
	m := nextPage.FindStringSubmatch(w.Body.String())
	if m == nil || !strings.Contains(m[1], "kind=kyc") {
		t.Fatalf("next page of kind=kyc = %v", m)
	}
	if got := queueIDs(b.do(http.MethodGet, strings.ReplaceAll(m[1], "&amp;", "&"), nil).Body.String()); !slices.Equal(got, []string{"kyc/s3"}) {
		t.Errorf("second page of kind=kyc = %v, want [kyc/s3]", got)
	}
}

// A page costs one query on the queue index whatever the queue's size:
// 10,000 open cases, the first page is 50 and the cursor moves on.
func TestQueueWithManyOpenCases(t *testing.T) {
	r := newRig(t)
	for i := range 10000 {
		saveKYC(t, r.db, workflows.State{ScanRef: "bulk-" + strings.Repeat("0", 5-len(itoa(int64(i)))) + itoa(int64(i)),
			Stage: workflows.StageAwaitingCompliance, Status: "SUSPECTED", ReviewReason: "bulk",
			ComplianceDue: t0.Add(time.Duration(100+i) * time.Hour)}, nil)
	}
	b := r.signIn("alice")
	w := b.do(http.MethodGet, "/console/queue?kind=kyc", nil)
	ids := queueIDs(w.Body.String())
	if w.Code != http.StatusOK || len(ids) != 50 || ids[0] != "kyc/s1!" || ids[3] != "kyc/bulk-00000" || nextPage.FindString(w.Body.String()) == "" {
		t.Errorf("first page of 10,004 KYC cases = %d, %d rows from %v, want 50 and a next page", w.Code, len(ids), ids[:min(5, len(ids))])
	}
}
