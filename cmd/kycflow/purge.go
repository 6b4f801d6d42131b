package main

import (
	"errors"
	"fmt"
	"io"
	"kycflow/service"
	"time"

	"github.com/spf13/cobra"
)

func newPurgeCmd(environ []string, stderr io.Writer) *cobra.Command {
	var olderThan time.Duration
	cmd := &cobra.Command{
		Use:   "purge --older-than DURATION",
		Short: "Remove stored webhook payloads past the retention period",
		Long: `purge removes the raw bodies and headers of inbox events received more than
--older-than ago (e.g. 2160h for 90 days) that were delivered or quarantined. Pending events are
never purged. The inbox rows (IDs, routing keys, timestamps), the verification projections and
their timelines stay: the evidence trail outlives the personal data. A purged event can no longer
be redriven. Run it from cron or a scheduled job; it is idempotent.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if olderThan <= 0 {
				return errors.New("--older-than is required and must be positive (e.g. --older-than 2160h)")
			}
			cfg, log, err := setup(environ, stderr)
			if err != nil {
				return err
			}
			db, err := service.OpenStore(cmd.Context(), cfg, log, false)
			if err != nil {
				return err
			}
			defer db.Close()
			cutoff := time.Now().Add(-olderThan).UTC()
			n, err := db.Purge(cmd.Context(), cutoff)
			if err != nil {
				return err
			}
			log.Info("purged inbox payloads", "count", n, "received_before", cutoff)
			fmt.Fprintf(cmd.OutOrStdout(), "purged %d payload(s) received before %s\n", n, cutoff.Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().DurationVar(&olderThan, "older-than", 0, "retention period: purge payloads received before now minus this (e.g. 2160h)")
	return cmd
}
