package identity

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Why OIDC.Finish refuses a sign-in. Each message is fit to show the
// person on a refusal page; SignInMessage picks it out of a wrapped error.
var (
	// ErrNoRole: the provider signed the person in, but the roles claim
	// names none of viewer, reviewer or admin.
	ErrNoRole = errors.New("your account has no kycflow role: ask your identity provider's administrator " +
		"to give you viewer, reviewer or admin")
	// ErrBadName: the person's user name (preferred_username, else email,
	// else sub) cannot stand as a reviewer name (see CheckName).
	ErrBadName = errors.New("your account's user name cannot be used as a reviewer name: it must start with a letter " +
		"and hold only letters, digits and . _ - @ + '")
	// ErrSignInState: the callback does not belong to a sign-in this
	// browser started in the last 10 minutes (no cookie, an altered or
	// expired one, or another state).
	ErrSignInState = errors.New("this sign-in has expired or was started elsewhere: please sign in again")
	// ErrUnverified: the provider's answer failed verification (code
	// refused, ID token with a wrong issuer, audience, signature, expiry
	// or nonce).
	ErrUnverified = errors.New("the identity provider's answer could not be verified: please sign in again")
	// ErrProviderUnavailable: the provider could not be reached (discovery,
	// token or userinfo endpoint).
	ErrProviderUnavailable = errors.New("the identity provider cannot be reached: please try again in a minute")
)

// ProviderError is the provider's own refusal, sent back to the callback
// as error and error_description (RFC 6749 4.1.2.1), e.g. access_denied.
type ProviderError struct {
	Code        string
	Description string
}

func (e *ProviderError) Error() string {
	if e.Description == "" {
		return fmt.Sprintf("the identity provider refused the sign-in (%s)", e.Code)
	}
	return fmt.Sprintf("the identity provider refused the sign-in (%s: %s)", e.Code, e.Description)
}

// SignInMessage is what to show a person whose sign-in err refused.
func SignInMessage(err error) string {
	if pe, ok := errors.AsType[*ProviderError](err); ok {
		return pe.Error()
	}
	for _, known := range []error{ErrNoRole, ErrBadName, ErrSignInState, ErrUnverified, ErrProviderUnavailable} {
		if errors.Is(err, known) {
			return known.Error()
		}
	}
	return "the sign-in failed: please try again"
}

// printable keeps at most max runes of s, dropping control and format
// characters, for a provider's text that will be shown.
func printable(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		if unicode.IsPrint(r) {
			b.WriteRune(r)
			n++
		}
	}
	return b.String()
}
