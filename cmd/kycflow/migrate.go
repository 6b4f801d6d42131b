package main

import (
	"fmt"
	"io"
	"kycflow/service"

	"github.com/spf13/cobra"
)

func newMigrateCmd(environ []string, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations",
		Long: `migrate applies every pending migration to the configured database: PostgreSQL when
KYCFLOW_DATABASE_URL is set, else the embedded SQLite file in KYCFLOW_DATA_DIR.
It is idempotent and safe to run from several replicas at once (PostgreSQL advisory lock).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := setup(environ, stderr)
			if err != nil {
				return err
			}
			db, err := service.OpenStore(cmd.Context(), cfg, log, true)
			if err != nil {
				return err
			}
			defer db.Close()
			cur, _, err := db.SchemaVersion(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "database (%s) is at schema version %d\n", db.Dialect(), cur)
			return nil
		},
	}
}
