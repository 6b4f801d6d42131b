package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"

	"kycflow/identity"
)

// consoleKeyBytes is the length of KYCFLOW_CONSOLE_KEY once decoded.
const consoleKeyBytes = 32

// validateSignIn checks the console's sign-in settings: the OIDC variables
// all together or none, and the cookie key (generated when empty).
func (c *Config) validateSignIn() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	var missing []string
	for _, v := range []struct{ name, value string }{
		{"KYCFLOW_OIDC_ISSUER", c.OIDCIssuer}, {"KYCFLOW_OIDC_CLIENT_ID", c.OIDCClientID},
		{"KYCFLOW_OIDC_CLIENT_SECRET", c.OIDCClientSecret}, {"KYCFLOW_OIDC_REDIRECT_URL", c.OIDCRedirectURL},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 && len(missing) < 4 {
		add("OpenID Connect sign-in needs KYCFLOW_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET and _REDIRECT_URL together; missing: %s",
			strings.Join(missing, ", "))
	}
	if c.OIDCIssuer != "" && !isHTTPURL(c.OIDCIssuer) {
		add("KYCFLOW_OIDC_ISSUER must be an absolute http(s) URL (the provider's issuer, e.g. https://login.example.com/realms/kyc)")
	}
	if c.OIDCRedirectURL != "" {
		if err := identity.CheckRedirectURL(c.OIDCRedirectURL); err != nil {
			add("KYCFLOW_OIDC_REDIRECT_URL must be the absolute http(s) URL of the console's callback, "+
				"ending with %s (e.g. https://kycflow.example.com%s)", identity.OIDCCallbackPath, identity.OIDCCallbackPath)
		}
	}
	if strings.TrimSpace(c.OIDCRolesClaim) != c.OIDCRolesClaim || c.OIDCRolesClaim == "" {
		add("KYCFLOW_OIDC_ROLES_CLAIM must name a claim (default roles; a dotted path such as realm_access.roles reaches a nested one)")
	}
	c.consoleKey, c.consoleKeyTemp = nil, false
	if c.ConsoleKey == "" {
		c.consoleKey, c.consoleKeyTemp = make([]byte, consoleKeyBytes), true
		rand.Read(c.consoleKey) // never fails (crypto/rand since Go 1.24)
	} else if k, ok := decodeKey(c.ConsoleKey); ok && len(k) == consoleKeyBytes {
		c.consoleKey = k
	} else {
		add("KYCFLOW_CONSOLE_KEY must be %d random bytes in base64 (head -c32 /dev/urandom | base64)", consoleKeyBytes)
	}
	return errs
}

func decodeKey(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(strings.TrimSpace(s)); err == nil {
			return k, true
		}
	}
	return nil, false
}

// CookieKey is the key that authenticates the console's cookies:
// KYCFLOW_CONSOLE_KEY, or one generated for this process when it is empty
// (CookieKeyGenerated).
func (c Config) CookieKey() []byte { return c.consoleKey }

// CookieKeyGenerated reports whether CookieKey was generated because
// KYCFLOW_CONSOLE_KEY is empty: what it protects does not survive a
// restart and is not understood by another replica.
func (c Config) CookieKeyGenerated() bool { return c.consoleKeyTemp }

// OIDC returns the console's OpenID Connect sign-in, or nil when
// KYCFLOW_OIDC_ISSUER is not set. It does not wait for the provider: a
// provider that is down must not keep serve (and so webhook ingest) from
// starting. Discovery is tried once in the background, its failure logged,
// and tried again on the next sign-in, which meanwhile answers 503.
//
// The cookie is Secure unless the redirect URL is plain http (dev).
func (c Config) OIDC(ctx context.Context, log *slog.Logger) (*identity.OIDC, error) {
	if c.OIDCIssuer == "" {
		return nil, nil
	}
	log = log.With("component", "oidc")
	o, err := identity.NewOIDC(identity.OIDCOptions{
		Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret,
		RedirectURL: c.OIDCRedirectURL, RolesClaim: c.OIDCRolesClaim, CookieKey: c.consoleKey,
		InsecureCookie: strings.HasPrefix(c.OIDCRedirectURL, "http://"), Log: log,
	})
	if err != nil {
		return nil, fmt.Errorf("console sign-in: %w", err)
	}
	if c.consoleKeyTemp {
		log.Warn("KYCFLOW_CONSOLE_KEY is not set: a random key protects sign-ins in progress, so a restart interrupts " +
			"them and they cannot span replicas; set the same KYCFLOW_CONSOLE_KEY on every serve")
	}
	go o.Discover(ctx) // logs its own failure
	return o, nil
}
