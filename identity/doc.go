// Package identity is who acts on kycflow's cases: reviewers, their roles,
// the bearer tokens that prove them and the OpenID Connect sign-in of the
// console. The operator API and the compliance console both authenticate
// through it, so a decision or a look at personal data always names a
// person, never a shared secret.
//
// It imports nothing of kycflow's (the store implements Tokens): only the
// standard library and the OpenID Connect client libraries (go-oidc,
// oauth2).
package identity
