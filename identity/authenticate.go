package identity

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
)

// ErrUnauthenticated means the credential proves nobody: missing, unknown,
// malformed or revoked. Any other error from Authenticate means it could
// not be checked (the database did not answer).
var ErrUnauthenticated = errors.New("unauthenticated")

// ErrUnknownToken is what Tokens returns for a hash that no active
// (unrevoked) token has.
var ErrUnknownToken = errors.New("unknown or revoked token")

// Tokens is where reviewer tokens are kept (store.DB).
type Tokens interface {
	// TokenPrincipal returns the principal of the active token whose hash
	// is hash, or ErrUnknownToken.
	TokenPrincipal(ctx context.Context, hash []byte) (Principal, error)
}

// Authenticator turns a bearer token into a Principal.
type Authenticator struct {
	tokens   Tokens
	apiToken [sha256.Size]byte
	hasAPI   bool
}

// NewAuthenticator authenticates reviewer tokens against tokens and, when
// apiToken is not empty, apiToken (KYCFLOW_API_TOKEN) as the Admin named
// APITokenName. A nil tokens accepts the API token only.
func NewAuthenticator(tokens Tokens, apiToken string) *Authenticator {
	return &Authenticator{tokens: tokens, apiToken: sha256.Sum256([]byte(apiToken)), hasAPI: apiToken != ""}
}

// Authenticate returns who bearer (the token, without "Bearer ") proves.
// Every call asks Tokens, so a revoked token fails from the next request.
// It returns ErrUnauthenticated for a credential that proves nobody, and
// another error when the check itself failed.
func (a *Authenticator) Authenticate(ctx context.Context, bearer string) (Principal, error) {
	if bearer == "" {
		return Principal{}, ErrUnauthenticated
	}
	// Both sides hashed to equal length first, compared in constant time.
	sum := sha256.Sum256([]byte(bearer))
	if a.hasAPI && subtle.ConstantTimeCompare(sum[:], a.apiToken[:]) == 1 {
		return Principal{Name: APITokenName, Role: Admin}, nil
	}
	if a.tokens == nil || !looksLikeToken(bearer) {
		return Principal{}, ErrUnauthenticated
	}
	p, err := a.tokens.TokenPrincipal(ctx, HashToken(bearer))
	switch {
	case errors.Is(err, ErrUnknownToken):
		return Principal{}, ErrUnauthenticated
	case err != nil:
		return Principal{}, fmt.Errorf("authenticate token: %w", err)
	}
	if _, err := ParseRole(string(p.Role)); err != nil || CheckName(p.Name) != nil {
		return Principal{}, fmt.Errorf("authenticate token: stored principal %q with role %q is invalid", p.Name, p.Role)
	}
	return p, nil
}
