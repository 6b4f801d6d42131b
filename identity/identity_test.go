package identity_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"kycflow/identity"
)

// fakeTokens holds tokens by hash; err, when set, is every lookup's answer.
type fakeTokens struct {
	byHash  map[string]identity.Principal
	err     error
	lookups int
}

func (f *fakeTokens) TokenPrincipal(_ context.Context, hash []byte) (identity.Principal, error) {
	f.lookups++
	if f.err != nil {
		return identity.Principal{}, f.err
	}
	p, ok := f.byHash[string(hash)]
	if !ok {
		return identity.Principal{}, identity.ErrUnknownToken
	}
	return p, nil
}

func TestNewTokenIsRandomPrefixedAndHashedWithSHA256(t *testing.T) {
	a, hashA := identity.NewToken()
	b, _ := identity.NewToken()
	if a == b {
		t.Fatalf("NewToken() returned %q twice", a)
	}
	if !strings.HasPrefix(a, identity.TokenPrefix) || len(a) != len(identity.TokenPrefix)+43 {
		t.Errorf("NewToken() = %q, want %s and 43 base64url characters (32 bytes)", a, identity.TokenPrefix)
	}
	want := sha256.Sum256([]byte(a))
	if !bytes.Equal(hashA, want[:]) || !bytes.Equal(identity.HashToken(a), want[:]) {
		t.Errorf("hash = %x, want SHA-256 of the token %x", hashA, want)
	}
	if bytes.Contains(hashA, []byte(a[len(identity.TokenPrefix):])) {
		t.Error("the hash holds the token")
	}
}

func TestAuthenticate(t *testing.T) {
	alice, aliceHash := identity.NewToken()
	unknown, _ := identity.NewToken()
	tokens := &fakeTokens{byHash: map[string]identity.Principal{string(aliceHash): {Name: "alice", Role: identity.Reviewer}}}
	a := identity.NewAuthenticator(tokens, "the-api-token")
	for _, c := range []struct {
		bearer string
		want   identity.Principal
		err    error
	}{
		{alice, identity.Principal{Name: "alice", Role: identity.Reviewer}, nil},
		{"the-api-token", identity.Principal{Name: identity.APITokenName, Role: identity.Admin}, nil},
		{unknown, identity.Principal{}, identity.ErrUnauthenticated},
		{"", identity.Principal{}, identity.ErrUnauthenticated},
		{"the-api-tokenx", identity.Principal{}, identity.ErrUnauthenticated},
		{alice + "x", identity.Principal{}, identity.ErrUnauthenticated},
		{strings.ToUpper(alice), identity.Principal{}, identity.ErrUnauthenticated},
		{"kfr_", identity.Principal{}, identity.ErrUnauthenticated},
	} {
		got, err := a.Authenticate(context.Background(), c.bearer)
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("Authenticate(%q) = %+v, %v; want %+v, %v", c.bearer, got, err, c.want, c.err)
		}
	}
}

func TestAuthenticateAsksTheStoreOnlyForTokenShapedBearers(t *testing.T) {
	tokens := &fakeTokens{}
	a := identity.NewAuthenticator(tokens, "")
	for _, bearer := range []string{"", "x", "Bearer kfr_abc", identity.TokenPrefix + strings.Repeat("*", 43)} {
		if _, err := a.Authenticate(context.Background(), bearer); !errors.Is(err, identity.ErrUnauthenticated) {
			t.Errorf("Authenticate(%q) = %v, want ErrUnauthenticated", bearer, err)
		}
	}
	if tokens.lookups != 0 {
		t.Errorf("%d lookups for malformed bearers, want 0", tokens.lookups)
	}
}

func TestAuthenticateWithoutAPITokenRefusesTheEmptyToken(t *testing.T) {
	a := identity.NewAuthenticator(nil, "")
	tok, _ := identity.NewToken()
	for _, bearer := range []string{"", " ", tok} {
		if _, err := a.Authenticate(context.Background(), bearer); !errors.Is(err, identity.ErrUnauthenticated) {
			t.Errorf("Authenticate(%q) without an API token or tokens = %v, want ErrUnauthenticated", bearer, err)
		}
	}
}

func TestAuthenticateStoreFailureIsNotUnauthenticated(t *testing.T) {
	down := errors.New("connection refused")
	a := identity.NewAuthenticator(&fakeTokens{err: down}, "api")
	tok, _ := identity.NewToken()
	_, err := a.Authenticate(context.Background(), tok)
	if !errors.Is(err, down) || errors.Is(err, identity.ErrUnauthenticated) {
		t.Errorf("Authenticate with the store down = %v, want the store's error (503), not 401", err)
	}
	if p, err := a.Authenticate(context.Background(), "api"); err != nil || p.Role != identity.Admin {
		t.Errorf("the API token with the store down = %+v, %v; want the admin", p, err)
	}
}

func TestAuthenticateRefusesAnInvalidStoredPrincipal(t *testing.T) {
	tok, hash := identity.NewToken()
	a := identity.NewAuthenticator(&fakeTokens{byHash: map[string]identity.Principal{string(hash): {Name: "eve", Role: "root"}}}, "")
	if p, err := a.Authenticate(context.Background(), tok); err == nil {
		t.Errorf("Authenticate with a stored role %q = %+v, want an error", "root", p)
	}
}

func TestRolePermissions(t *testing.T) {
	for _, c := range []struct {
		role                                identity.Role
		read, decide, personalData, redrive bool
	}{
		{identity.Viewer, true, false, false, false},
		{identity.Reviewer, true, true, true, false},
		{identity.Admin, true, true, true, true},
		{"root", false, false, false, false},
	} {
		if got := [4]bool{c.role.CanRead(), c.role.CanDecide(), c.role.CanViewPersonalData(), c.role.CanRedrive()}; got !=
			[4]bool{c.read, c.decide, c.personalData, c.redrive} {
			t.Errorf("%s: read, decide, personal data, redrive = %v", c.role, got)
		}
	}
	for _, s := range []string{"viewer", "reviewer", "admin"} {
		if r, err := identity.ParseRole(s); err != nil || string(r) != s {
			t.Errorf("ParseRole(%q) = %q, %v", s, r, err)
		}
	}
	for _, s := range []string{"", "Admin", "root", "reviewer "} {
		if _, err := identity.ParseRole(s); err == nil {
			t.Errorf("ParseRole(%q) accepted", s)
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"alice", "jane.doe@example.com", "Zoë", "o'brien", "a", "b-2_x+y", strings.Repeat("a", 100)} {
		if err := identity.CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "42", "1alice", "jane doe", "alice\n", "alice\u202e", "a\x00", "api-token", "API-Token",
		"-x", strings.Repeat("a", 101), "alice\tbob", "<script>"} {
		if err := identity.CheckName(bad); err == nil {
			t.Errorf("CheckName(%q) accepted", bad)
		}
	}
}
