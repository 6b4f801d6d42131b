package idenfy

import (
	"errors"
	"fmt"
)

// IDKind names an identifier iDenfy issues.
type IDKind string

// The identifiers ValidID knows. iDenfy issues UUIDs for all of them.
const (
	IDScanRef     IDKind = "scanRef"
	IDCompany     IDKind = "companyId"
	IDBeneficiary IDKind = "beneficiaryId"
	IDMonitoring  IDKind = "monitoringId"
)

// MaxIDLen is the longest scanRef, companyId or beneficiaryId iDenfy
// documents: 36 characters, the length of a UUID.
const MaxIDLen = 36

// MaxMonitoringIDLen bounds a monitoringId. iDenfy documents no length for
// it (its monitoring IDs are UUIDs too); 64 leaves room without admitting
// anything a workflow ID or URL path would trip over.
const MaxMonitoringIDLen = 64

// MaxClientIDLen is the longest clientId iDenfy accepts when a session is
// created (ASCII, at most 100 characters).
const MaxClientIDLen = 100

// ErrInvalidID is what every ValidID error wraps.
var ErrInvalidID = errors.New("not an iDenfy identifier")

// ValidID reports whether v can be an identifier of the given kind as
// iDenfy issues it: 1 to 36 (a monitoringId: 64) ASCII letters, digits,
// '-' and '_'. Everything kycflow derives from an ID — workflow IDs
// (kyc-<scanRef>), API paths (/v1/verifications/{scanRef}), log lines —
// relies on that: a value with a slash, a dot, a space, a '%' or a
// non-ASCII letter is not from iDenfy. The error names the kind and the
// first offending character's position, never the value itself.
func ValidID(kind IDKind, v string) error {
	limit := MaxIDLen
	if kind == IDMonitoring {
		limit = MaxMonitoringIDLen
	}
	if v == "" {
		return fmt.Errorf("%w: %s is missing", ErrInvalidID, kind)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !idChar(c) {
			return fmt.Errorf("%w: %s has %s at byte %d (iDenfy's are letters, digits, '-' and '_')", ErrInvalidID, kind, describeByte(c), i+1)
		}
	}
	if len(v) > limit {
		return fmt.Errorf("%w: %s is %d characters long, iDenfy's have at most %d", ErrInvalidID, kind, len(v), limit)
	}
	return nil
}

// ValidClientID reports whether v can be a clientId: the partner's own
// user reference, which iDenfy accepts as at most 100 printable ASCII
// characters. It is not an iDenfy ID, so its rule is looser than ValidID's;
// kycflow never builds a workflow ID or a path from it. An empty clientId
// is the caller's decision (optional in most webhooks).
func ValidClientID(v string) error {
	if len(v) > MaxClientIDLen {
		return fmt.Errorf("%w: clientId is longer than %d characters", ErrInvalidID, MaxClientIDLen)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e {
			return fmt.Errorf("%w: clientId has %s at byte %d (printable ASCII only)", ErrInvalidID, describeByte(c), i+1)
		}
	}
	return nil
}

func idChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// describeByte names a character for an error message without echoing
// anything but a single printable ASCII character.
func describeByte(c byte) string {
	switch {
	case c >= 0x80:
		return "a non-ASCII byte"
	case c < 0x20 || c == 0x7f:
		return "a control character"
	case c == ' ':
		return "a space"
	default:
		return fmt.Sprintf("%q", rune(c))
	}
}
