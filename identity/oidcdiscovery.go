package identity

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// CheckRedirectURL refuses a redirect URL that is not an absolute http(s)
// URL ending in OIDCCallbackPath.
func CheckRedirectURL(raw string) error {
	if err := checkHTTPURL(raw); err != nil {
		return fmt.Errorf("oidc redirect url: %w", err)
	}
	u, _ := url.Parse(raw)
	if !strings.HasSuffix(u.Path, OIDCCallbackPath) || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("oidc redirect url must end with %s (no query)", OIDCCallbackPath)
	}
	return nil
}

func checkHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return nil
}

// Discover fetches the provider's discovery document unless it already
// has; after a failure it tries again only once discoveryRetry has passed.
// Begin and Finish call it; serve may call it at start to warn early.
func (o *OIDC) Discover(ctx context.Context) error {
	_, err := o.endpoints(ctx)
	return err
}

func (o *OIDC) endpoints(ctx context.Context) (*endpoints, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ep != nil {
		return o.ep, nil
	}
	now := o.opts.Now()
	if o.lastFail != nil && now.Sub(o.lastTry) < discoveryRetry {
		return nil, o.lastFail
	}
	o.lastTry = now
	// Not cut short by the request that asked: a browser that gave up must
	// not leave a failure that refuses everyone else for discoveryRetry.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(o.clientContext(ctx)), discoveryTimeout)
	defer cancel()
	p, err := oidc.NewProvider(ctx, o.opts.Issuer)
	if err != nil {
		o.lastFail = fmt.Errorf("%w: discover %s: %v", ErrProviderUnavailable, o.opts.Issuer, err)
		o.opts.Log.Warn("oidc discovery failed: console sign-in is unavailable until the provider answers",
			"issuer", o.opts.Issuer, "err", err)
		return nil, o.lastFail
	}
	o.lastFail = nil
	o.ep = &endpoints{
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: o.opts.ClientID, Now: o.opts.Now}),
		oauth: oauth2.Config{
			ClientID: o.opts.ClientID, ClientSecret: o.opts.ClientSecret, RedirectURL: o.opts.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
		},
	}
	o.opts.Log.Info("oidc provider discovered", "issuer", o.opts.Issuer)
	return o.ep, nil
}

func (o *OIDC) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, o.opts.HTTPClient)
}
