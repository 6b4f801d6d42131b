package identity

import (
	"fmt"
	"strings"
)

// Role is what a principal may do.
type Role string

// Roles, from least to most allowed.
const (
	// Viewer reads cases, queues and events, never personal data.
	Viewer Role = "viewer"
	// Reviewer also decides compliance reviews and AML alerts, and reads
	// a case's personal data.
	Reviewer Role = "reviewer"
	// Admin may do everything a reviewer may, and redrive inbox events.
	Admin Role = "admin"
)

// Roles lists every role.
var Roles = []Role{Viewer, Reviewer, Admin}

// ParseRole reads a role's name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("role %q: want one of %s", s, roleNames())
}

func roleNames() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// CanRead reports whether r may read cases, queues and events: every role.
func (r Role) CanRead() bool { return r == Viewer || r == Reviewer || r == Admin }

// CanDecide reports whether r may decide a review or an AML alert.
func (r Role) CanDecide() bool { return r == Reviewer || r == Admin }

// CanViewPersonalData reports whether r may read a case's decrypted
// personal data (each view is recorded).
func (r Role) CanViewPersonalData() bool { return r == Reviewer || r == Admin }

// CanRedrive reports whether r may make a stored inbox event pending again.
func (r Role) CanRedrive() bool { return r == Admin }

// Principal is an authenticated person (or the API token) and its role.
type Principal struct {
	Name string
	Role Role
}
