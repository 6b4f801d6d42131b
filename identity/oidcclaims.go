package identity

import (
	"fmt"
	"strings"
)

// claimAt returns the claim called name or, when there is none, the value
// the dotted path name reaches through nested objects: "realm_access.roles"
// is claims["realm_access"]["roles"]. The exact name is tried first, so a
// namespaced claim such as "https://kycflow.example/roles" works too.
func claimAt(claims map[string]any, name string) (any, bool) {
	if v, ok := claims[name]; ok {
		return v, true
	}
	if !strings.Contains(name, ".") {
		return nil, false
	}
	var cur any = claims
	for part := range strings.SplitSeq(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// highestRole reads a roles claim (a JSON array of strings, a single
// string — space-separated names allowed — or an object whose keys are
// role names, as ZITADEL sends) and returns the highest role it names:
// admin, then reviewer, then viewer. Names are matched exactly; unknown
// ones are ignored.
func highestRole(v any) (Role, bool) {
	var names []string
	switch v := v.(type) {
	case string:
		names = strings.Fields(v)
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				names = append(names, s)
			}
		}
	case map[string]any:
		for k := range v {
			names = append(names, k)
		}
	}
	best, found := Role(""), false
	for i := len(Roles) - 1; i >= 0 && !found; i-- {
		for _, n := range names {
			if n == string(Roles[i]) {
				best, found = Roles[i], true
			}
		}
	}
	return best, found
}

// reviewerName is the first of preferred_username, email (only when
// email_verified says true: an address the provider has not verified
// may be anyone's) and sub that is present; it must pass
// CheckName, or the sign-in is refused rather than falling through to a
// different name for the same person.
func reviewerName(claims map[string]any) (string, error) {
	for _, claim := range []string{"preferred_username", "email", "sub"} {
		s, _ := claims[claim].(string)
		if s == "" || (claim == "email" && !verified(claims["email_verified"])) {
			continue
		}
		if CheckName(s) != nil {
			return "", fmt.Errorf("%w (claim %s)", ErrBadName, claim)
		}
		return s, nil
	}
	return "", fmt.Errorf("%w (no preferred_username, email or sub)", ErrBadName)
}

func verified(v any) bool {
	return v == true || v == "true"
}
