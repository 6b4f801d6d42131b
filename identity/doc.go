// Package identity is who acts on kycflow's cases: reviewers, their roles
// and the bearer tokens that prove them. The operator API and the
// compliance console both authenticate through it, so a decision or a look
// at personal data always names a person, never a shared secret.
//
// It imports nothing of kycflow's: the store implements Tokens.
package identity
