package identity

import (
	"errors"
	"testing"
)

// An email address the provider has not said it verified may be anyone's:
// it never names a reviewer (sub does, then).
func TestReviewerNameTakesOnlyAVerifiedEmail(t *testing.T) {
	for _, c := range []struct {
		claims map[string]any
		want   string
	}{
		{map[string]any{"email": "bob@corp.example", "email_verified": true, "sub": "u-1"}, "bob@corp.example"},
		{map[string]any{"email": "bob@corp.example", "sub": "u-1"}, "u-1"},
		{map[string]any{"email": "bob@corp.example", "email_verified": false, "sub": "u-1"}, "u-1"},
		{map[string]any{"preferred_username": "alice", "email": "bob@corp.example"}, "alice"},
	} {
		if got, err := reviewerName(c.claims); err != nil || got != c.want {
			t.Errorf("reviewerName(%v) = %q, %v; want %q", c.claims, got, err, c.want)
		}
	}
	if _, err := reviewerName(map[string]any{"email": "bob@corp.example"}); !errors.Is(err, ErrBadName) {
		t.Errorf("an unverified email alone = %v, want ErrBadName", err)
	}
}

// Names that look alike on the trail must not be two reviewers: invisible
// combining marks and variation selectors are refused.
func TestCheckNameRefusesInvisibleMarks(t *testing.T) {
	for _, name := range []string{"alice\u034f", "alice\ufe0f", "al\u200bice"} {
		if CheckName(name) == nil {
			t.Errorf("CheckName(%q) accepted a name that shows as %q", name, "alice")
		}
	}
	for _, name := range []string{"alice", "José", "o'brien", "bob@corp.example"} {
		if err := CheckName(name); err != nil {
			t.Errorf("CheckName(%q) = %v", name, err)
		}
	}
}
