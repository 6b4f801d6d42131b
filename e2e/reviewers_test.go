package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"kycflow/internal/testtemporal"
	"kycflow/workflows"
)

// Per-reviewer tokens against real serve, worker, Temporal and PostgreSQL:
// with four-eyes, alice's approval waits (202, nothing onboarded), alice
// cannot confirm it herself, a viewer can neither decide nor see personal
// data, bob's approval decides with exactly one onboarding call; alice's
// personal-data view lands on the timeline; a revoked token is refused.
func TestFourEyesWithReviewerTokens(t *testing.T) {
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), append(env, "KYCFLOW_FOUR_EYES=true")...)
	body := kycBody(t, "kyc_auto_suspected.json", "four-1", 1, func(m map[string]any) { m["final"] = true })
	sys.post(t, "kyc", body, signed(body))
	sys.waitUntil(t, "four-1", 30*time.Second, func(d detail) bool { return d.Stage == "awaiting_compliance" })
	alice, bob, vic := sys.reviewerToken(t, "alice", "reviewer"), sys.reviewerToken(t, "bob", "reviewer"), sys.reviewerToken(t, "vic", "viewer")

	if code, out := sys.reviewAs(t, vic, "four-1", `{"decision":"approve","reason":"looks fine"}`); code != http.StatusForbidden {
		t.Errorf("viewer's approval = %d %v, want 403", code, out)
	}
	code, out := sys.reviewAs(t, alice, "four-1", `{"decision":"approve","reason":"passport checked by video call"}`)
	if code != http.StatusAccepted || out["status"] != "awaiting_second_review" || out["approvedBy"] != "alice" {
		t.Fatalf("alice's approval = %d %v, want 202 awaiting_second_review", code, out)
	}
	if code, out := sys.reviewAs(t, alice, "four-1", `{"decision":"approve","reason":"me again"}`); code != http.StatusConflict {
		t.Errorf("alice confirming her own approval = %d %v, want 409", code, out)
	}
	if d, _ := sys.verification(t, "four-1"); d.Stage != "awaiting_compliance" || d.Decision != "" || len(down.onboarding.Effective()) != 0 {
		t.Fatalf("after one approval = %s/%s, %d onboarding calls; want undecided, none", d.Stage, d.Decision, len(down.onboarding.Effective()))
	}

	if _, code := sys.apiAs(t, vic, http.MethodGet, "/v1/verifications/four-1/personal-data", ""); code != http.StatusForbidden {
		t.Errorf("viewer's personal data = %d, want 403", code)
	}
	raw, code := sys.apiAs(t, alice, http.MethodGet, "/v1/verifications/four-1/personal-data", "")
	if code != http.StatusOK || !strings.Contains(string(raw), `"inboxId"`) {
		t.Errorf("alice's personal data = %d %s", code, raw)
	}

	if code, out := sys.reviewAs(t, bob, "four-1", `{"decision":"approve","reason":"agreed"}`); code != http.StatusOK || out["decision"] != "approved" {
		t.Fatalf("bob's approval = %d %v, want 200 approved", code, out)
	}
	d := sys.waitUntil(t, "four-1", 30*time.Second, hasEntry(workflows.EntryOnboarded))
	if got := down.onboarding.Effective(); len(got) != 1 || got[0].Body["reviewer"] != "bob" || !strings.Contains(got[0].Body["reason"].(string), "alice") {
		t.Errorf("onboarding = %+v, want exactly one call, bob confirming alice", got)
	}
	var reviewed, viewed []string
	for _, e := range d.Timeline {
		switch e.Type {
		case workflows.EntryReviewed:
			reviewed = append(reviewed, strings.Fields(e.Detail)[0])
		case "personal_data_viewed":
			viewed = append(viewed, e.Detail)
		}
	}
	if strings.Join(reviewed, ",") != "alice,bob" || len(viewed) != 1 || !strings.Contains(viewed[0], "alice") {
		t.Errorf("timeline reviewed by %v, personal data viewed %v; want alice then bob, and alice's view", reviewed, viewed)
	}

	if _, errOut, err := runBinary(t, []string{"KYCFLOW_DATABASE_URL=" + sys.cfg.DatabaseURL}, "token", "revoke", "bob"); err != nil {
		t.Fatalf("token revoke: %v\n%s", err, errOut)
	}
	waitFor(t, 5*time.Second, func() bool {
		_, code := sys.apiAs(t, bob, http.MethodGet, "/v1/verifications/four-1", "")
		return code == http.StatusUnauthorized
	})
}
