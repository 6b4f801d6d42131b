package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"kycflow/identity"
	"kycflow/service"
	"kycflow/store"
	"strconv"
	"time"

	"github.com/spf13/cobra"
)

func newTokenCmd(environ []string, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke reviewers' operator API tokens",
		Long: `token manages the bearer tokens of the operator API (/v1), one per reviewer and role:

  viewer    reads cases, the queue and inbox events
  reviewer  also decides compliance reviews and AML alerts, and reads a case's personal data
  admin     also redrives inbox events

A review is recorded under the name of the token that sent it. Only a token's SHA-256 is
stored; the token is printed once, by create. A revoked token is refused (401) from the next
request on; serve needs no restart. KYCFLOW_API_TOKEN, when set, stays valid as the admin
"api-token".

The commands use the database serve uses (KYCFLOW_DATABASE_URL, or the embedded SQLite file in
KYCFLOW_DATA_DIR) and apply pending migrations first unless KYCFLOW_MIGRATE_ON_START=false.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newTokenCreateCmd(environ, stderr), newTokenListCmd(environ, stderr), newTokenRevokeCmd(environ, stderr))
	return cmd
}

func newTokenCreateCmd(environ []string, stderr io.Writer) *cobra.Command {
	var name, role string
	cmd := &cobra.Command{
		Use:   "create --reviewer NAME --role viewer|reviewer|admin",
		Short: "Create a token; it is printed alone on the last line, once",
		Long: `create stores a new token for the reviewer NAME with the role and prints it alone on the
last line of standard output. It is shown only this once: hand it to the reviewer through a
secret manager. NAME starts with a letter and holds letters, digits and . _ - @ + ' (an e-mail
address will do), at most 100 bytes; "api-token" is reserved. A reviewer may hold several
tokens (rotation: create the new one, then revoke the old one by its id).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := identity.CheckName(name); err != nil {
				return fmt.Errorf("--reviewer: %w", err)
			}
			r, err := identity.ParseRole(role)
			if err != nil {
				return fmt.Errorf("--role: %w", err)
			}
			return withStore(cmd.Context(), environ, stderr, func(ctx context.Context, db *store.DB) error {
				secret, hash := identity.NewToken()
				t, err := db.CreateToken(ctx, hash, identity.Principal{Name: name, Role: r})
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				fmt.Fprintf(out, "token %d for %s (%s) created; it is shown only now:\n", t.ID, t.Reviewer, t.Role)
				fmt.Fprintln(out, secret)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&name, "reviewer", "", "the reviewer's name, recorded with every review the token sends (required)")
	cmd.Flags().StringVar(&role, "role", "", "viewer, reviewer or admin (required)")
	return cmd
}

func newTokenListCmd(environ []string, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every token: id, reviewer, role, created, revoked",
		Long: `list prints one line per token, oldest first, its fields separated by tabs: id, reviewer,
role, when it was created and when it was revoked ("-" while active), times in RFC 3339 UTC.
The tokens themselves are never shown: only their hashes are stored.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withStore(cmd.Context(), environ, stderr, func(ctx context.Context, db *store.DB) error {
				tokens, err := db.Tokens(ctx)
				if err != nil {
					return err
				}
				for _, t := range tokens {
					revoked := "-"
					if t.RevokedAt.Valid {
						revoked = t.RevokedAt.Time.UTC().Format(time.RFC3339)
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Reviewer, t.Role, t.CreatedAt.UTC().Format(time.RFC3339), revoked)
				}
				return nil
			})
		},
	}
}

func newTokenRevokeCmd(environ []string, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID|NAME",
		Short: "Revoke a token by its id, or every active token of a reviewer",
		Long: `revoke ID revokes the token with that id (see token list); revoke NAME revokes every
active token of the reviewer NAME and ends their console sessions (offboarding). Requests with a
revoked token are refused (401) from then on, and the console asks them to sign in again. It fails
when nothing matches: an unknown id, or a reviewer without an active token or session.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withStore(cmd.Context(), environ, stderr, func(ctx context.Context, db *store.DB) error {
				out := cmd.OutOrStdout()
				if id, err := strconv.ParseInt(args[0], 10, 64); err == nil {
					t, err := db.RevokeToken(ctx, id)
					if errors.Is(err, store.ErrNotFound) {
						return fmt.Errorf("no token has the id %d (see kycflow token list)", id)
					} else if err != nil {
						return err
					}
					fmt.Fprintf(out, "token %d of %s (%s) is revoked since %s\n", t.ID, t.Reviewer, t.Role, t.RevokedAt.Time.UTC().Format(time.RFC3339))
					return nil
				}
				n, err := db.RevokeReviewer(ctx, args[0])
				if err != nil {
					return err
				}
				sessions, err := db.DeleteSessionsOf(ctx, args[0])
				if err != nil {
					return err
				}
				if n == 0 && sessions == 0 {
					return fmt.Errorf("reviewer %q has no active token or console session (see kycflow token list)", args[0])
				}
				fmt.Fprintf(out, "revoked %d token(s) of %s; ended %d console session(s)\n", n, args[0], sessions)
				return nil
			})
		},
	}
}

// withStore runs fn on the configured database, migrated unless
// KYCFLOW_MIGRATE_ON_START=false (as serve does).
func withStore(ctx context.Context, environ []string, stderr io.Writer, fn func(context.Context, *store.DB) error) error {
	cfg, log, err := setup(environ, stderr)
	if err != nil {
		return err
	}
	db, err := service.OpenStore(ctx, cfg, log, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(ctx, db)
}
