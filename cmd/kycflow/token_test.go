package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"kycflow/identity"
	"kycflow/internal/testenv"
	"kycflow/store"
)

// runKycflow runs kycflow with args in environ and returns its standard
// output.
func runKycflow(t *testing.T, environ []string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd(environ, &errOut)
	cmd.SetOut(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestTokenCommands(t *testing.T) {
	for name, database := range map[string]func(t *testing.T) ([]string, store.Options){
		"sqlite": func(t *testing.T) ([]string, store.Options) {
			dir := t.TempDir()
			return []string{"KYCFLOW_DATA_DIR=" + dir}, store.Options{Dir: dir}
		},
		"postgres": func(t *testing.T) ([]string, store.Options) {
			url := testenv.PostgresURL(t)
			return []string{"KYCFLOW_DATABASE_URL=" + url}, store.Options{URL: url}
		},
	} {
		t.Run(name, func(t *testing.T) {
			environ, opts := database(t)
			run := func(args ...string) string {
				t.Helper()
				out, err := runKycflow(t, environ, args...)
				if err != nil {
					t.Fatalf("kycflow %s: %v", strings.Join(args, " "), err)
				}
				return out
			}
			lastLine := func(out string) string {
				lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
				return lines[len(lines)-1]
			}
			alice := lastLine(run("token", "create", "--reviewer", "alice", "--role", "reviewer"))
			aliceAdmin := lastLine(run("token", "create", "--reviewer", "alice", "--role", "admin"))
			bob := lastLine(run("token", "create", "--reviewer", "bob@example.com", "--role", "viewer"))
			for _, tok := range []string{alice, aliceAdmin, bob} {
				if !strings.HasPrefix(tok, identity.TokenPrefix) || strings.ContainsAny(tok, " \t") {
					t.Fatalf("token create's last line = %q, want the token alone", tok)
				}
			}
			for _, args := range [][]string{
				{"token", "create", "--reviewer", "carol", "--role", "root"},
				{"token", "create", "--reviewer", "api-token", "--role", "admin"},
				{"token", "create", "--reviewer", "carol dee", "--role", "viewer"},
				{"token", "create", "--role", "viewer"},
				{"token", "revoke", "99"},
				{"token", "revoke", "nobody"},
			} {
				if out, err := runKycflow(t, environ, args...); err == nil {
					t.Errorf("kycflow %s succeeded: %q", strings.Join(args, " "), out)
				}
			}

			db, err := store.Open(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			auth := identity.NewAuthenticator(db, "")
			authenticates := func(tok string, want identity.Principal) {
				t.Helper()
				got, err := auth.Authenticate(context.Background(), tok)
				if want == (identity.Principal{}) {
					if !errors.Is(err, identity.ErrUnauthenticated) {
						t.Errorf("Authenticate = %+v, %v; want the token refused", got, err)
					}
				} else if err != nil || got != want {
					t.Errorf("Authenticate = %+v, %v; want %+v", got, err, want)
				}
			}
			authenticates(alice, identity.Principal{Name: "alice", Role: identity.Reviewer})
			authenticates(aliceAdmin, identity.Principal{Name: "alice", Role: identity.Admin})
			authenticates(bob, identity.Principal{Name: "bob@example.com", Role: identity.Viewer})

			list := run("token", "list")
			lines := strings.Split(strings.TrimRight(list, "\n"), "\n")
			if len(lines) != 3 {
				t.Fatalf("token list = %q, want one line per token", list)
			}
			for i, want := range [][3]string{{"1", "alice", "reviewer"}, {"2", "alice", "admin"}, {"3", "bob@example.com", "viewer"}} {
				f := strings.Fields(lines[i])
				if len(f) != 5 || f[0] != want[0] || f[1] != want[1] || f[2] != want[2] || !strings.HasSuffix(f[3], "Z") || f[4] != "-" {
					t.Errorf("token list line %d = %q, want id %s, %s, %s, created, -", i, lines[i], want[0], want[1], want[2])
				}
			}
			if strings.Contains(list, alice) || strings.Contains(list, bob) {
				t.Errorf("token list shows a token: %q", list)
			}

			run("token", "revoke", "1")
			authenticates(alice, identity.Principal{})
			authenticates(aliceAdmin, identity.Principal{Name: "alice", Role: identity.Admin})
			session := []byte("alice's console session id hash")
			if _, err := db.CreateSession(context.Background(), session, identity.Principal{Name: "alice", Role: identity.Reviewer}, "csrf", time.Hour); err != nil {
				t.Fatal(err)
			}
			if out := run("token", "revoke", "alice"); !strings.Contains(out, "revoked 1 token(s) of alice; ended 1 console session(s)") {
				t.Errorf("token revoke alice printed %q", out)
			}
			if _, err := db.Session(context.Background(), session); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("alice's console session after revoke alice = %v, want ended", err)
			}
			authenticates(aliceAdmin, identity.Principal{})
			authenticates(bob, identity.Principal{Name: "bob@example.com", Role: identity.Viewer})
			if _, err := runKycflow(t, environ, "token", "revoke", "alice"); err == nil {
				t.Error("revoking a reviewer without active tokens succeeded")
			}
			lines = strings.Split(strings.TrimRight(run("token", "list"), "\n"), "\n")
			for i, revoked := range []bool{true, true, false} {
				f := strings.Fields(lines[i])
				if (f[4] != "-") != revoked || revoked && !strings.HasSuffix(f[4], "Z") {
					t.Errorf("after revocations, line %d = %q (revoked %v)", i, lines[i], revoked)
				}
			}
		})
	}
}
