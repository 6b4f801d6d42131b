package identity

import (
	"fmt"
	"strings"
	"unicode"
)

// MaxName is the longest reviewer name, in bytes (a review's reviewer is
// at most 100 bytes).
const MaxName = 100

// APITokenName is the principal KYCFLOW_API_TOKEN authenticates as, an
// Admin. No reviewer may take the name.
const APITokenName = "api-token"

// CheckName refuses a reviewer name that could not stand on a timeline or
// in `kycflow token list` unambiguously: it must start with a letter and
// hold only letters, digits and . _ - @ + ' (so an e-mail address does),
// at most MaxName bytes, and not be APITokenName. A name that starts with a
// letter is never taken for a token ID.
func CheckName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("reviewer name is required")
	case len(name) > MaxName:
		return fmt.Errorf("reviewer name must be at most %d bytes", MaxName)
	case strings.EqualFold(name, APITokenName):
		return fmt.Errorf("reviewer name %q is reserved for KYCFLOW_API_TOKEN", APITokenName)
	}
	for i, c := range name {
		switch {
		case unicode.IsLetter(c):
		case i == 0:
			return fmt.Errorf("reviewer name %q must start with a letter", name)
		case unicode.IsDigit(c), strings.ContainsRune(".-_@+'", c):
		default:
			return fmt.Errorf("reviewer name %q: %U is not allowed (letters, digits and . _ - @ + ' only)", name, c)
		}
	}
	return nil
}
