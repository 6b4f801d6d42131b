package identity

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Why OIDC.Finish refuses a sign-in. Each message is fit to show the
// person on a refusal page: it is the error's UserMessage, which
// SignInMessage (or errors.As to interface{ UserMessage() string }) finds
// in a wrapped error.
var (
	// ErrNoRole: the provider signed the person in, but the roles claim
	// names none of viewer, reviewer or admin.
	ErrNoRole error = refusal("your account has no kycflow role: ask your identity provider's administrator " +
		"to give you viewer, reviewer or admin")
	// ErrBadName: the person's user name (preferred_username, else email,
	// else sub) cannot stand as a reviewer name (see CheckName).
	ErrBadName error = refusal("your account's user name cannot be used as a reviewer name: it must start with a letter " +
		"and hold only letters, digits and . _ - @ + '")
	// ErrSignInState: the callback does not belong to a sign-in this
	// browser started in the last 10 minutes (no cookie, an altered or
	// expired one, or another state).
	ErrSignInState error = refusal("this sign-in has expired or was started elsewhere: please sign in again")
	// ErrUnverified: the provider's answer failed verification (code
	// refused, ID token with a wrong issuer, audience, signature, expiry
	// or nonce).
	ErrUnverified error = refusal("the identity provider's answer could not be verified: please sign in again")
	// ErrProviderUnavailable: the provider could not be reached (discovery,
	// token or userinfo endpoint).
	ErrProviderUnavailable error = refusal("the identity provider cannot be reached: please try again in a minute")
)

// refusal is a sentinel whose message is fit to show.
type refusal string

func (r refusal) Error() string { return string(r) }

// UserMessage is the message as a sentence for a page.
func (r refusal) UserMessage() string { return sentence(string(r)) }

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

// UserMessage is the refusal as a sentence for a page.
func (e *ProviderError) UserMessage() string { return sentence(e.Error()) }

// SignInMessage is what to show a person whose sign-in err refused: the
// UserMessage in err's chain, or a generic sentence.
func SignInMessage(err error) string {
	var um interface{ UserMessage() string }
	if errors.As(err, &um) {
		return um.UserMessage()
	}
	return "The sign-in failed: please try again."
}

// sentence starts s with a capital and ends it with a full stop.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
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
