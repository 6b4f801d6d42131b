package main

import (
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"kycflow/devsecret"
	"kycflow/service"
	"kycflow/simulate"
)

type simulateFlags struct {
	url, key, token   string
	wait              time.Duration
	count, concurrent int
}

func newSimulateCmd(environ []string, stderr io.Writer) *cobra.Command {
	f := simulateFlags{url: "http://localhost:8080", wait: 30 * time.Second, count: 100, concurrent: 8}
	var names strings.Builder
	for _, n := range simulate.Names {
		fmt.Fprintf(&names, "  %-16s %s\n", n, simulate.Describe[n])
	}
	cmd := &cobra.Command{
		Use:   "simulate SCENARIO|all|load",
		Short: "Send realistic, signed iDenfy webhook sequences to a running kycflow",
		Long: `simulate sends iDenfy webhooks with the real field names and shapes (and generated,
obviously fake personal data), signed with the signing key, to a running kycflow, then follows
the lifecycle through the operator API until it reaches the expected state.

Scenarios:
` + names.String() + `  all              every scenario above
  load             --count N review-approved verifications at --concurrency C, with a progress bar

The key and API token default to KYCFLOW_IDENFY_KYC_KEYS / KYCFLOW_IDENFY_KEYS and
KYCFLOW_API_TOKEN, else to the ones "kycflow dev" keeps in KYCFLOW_DATA_DIR.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := service.LoadConfig(environ)
			if err != nil {
				return err
			}
			c, err := f.client(cfg)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch args[0] {
			case "load":
				return runLoad(cmd.Context(), c, f, out, stderr)
			case "all":
				return runScenarios(cmd.Context(), c, simulate.Names, f.wait, out)
			default:
				return runScenarios(cmd.Context(), c, args, f.wait, out)
			}
		},
	}
	cmd.Flags().StringVar(&f.url, "url", f.url, "kycflow base URL")
	cmd.Flags().StringVar(&f.key, "key", "", "signing key (default: from the environment or the dev data directory)")
	cmd.Flags().StringVar(&f.token, "api-token", "", "operator API token for following the lifecycle (default: environment or dev data directory)")
	cmd.Flags().DurationVar(&f.wait, "wait", f.wait, "how long to follow each lifecycle; 0 only sends")
	cmd.Flags().IntVar(&f.count, "count", f.count, "load: number of verifications")
	cmd.Flags().IntVar(&f.concurrent, "concurrency", f.concurrent, "load: concurrent senders")
	return cmd
}

func (f simulateFlags) client(cfg service.Config) (*simulate.Client, error) {
	key := f.key
	for _, keys := range [][]string{cfg.KYCKeys, cfg.DefaultKeys} {
		if key == "" && len(keys) > 0 {
			key = keys[0]
		}
	}
	if key == "" {
		key = devsecret.Read(cfg.DataDir, devsecret.KeyFile)
	}
	if key == "" {
		return nil, fmt.Errorf("no signing key: pass --key, set KYCFLOW_IDENFY_KEYS, or run from the directory where `kycflow dev` runs")
	}
	token := f.token
	if token == "" {
		token = cfg.APIToken
	}
	if token == "" {
		token = devsecret.Read(cfg.DataDir, devsecret.TokenFile)
	}
	return &simulate.Client{BaseURL: f.url, Key: []byte(key), APIToken: token,
		HTTP: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}, nil
}

func runScenarios(ctx context.Context, c *simulate.Client, names []string, wait time.Duration, out io.Writer) error {
	r := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7))
	failed := 0
	for _, name := range names {
		s, err := simulate.Build(name, r, time.Now())
		if err != nil {
			return err
		}
		acks, err := c.Play(ctx, s, max(wait, 30*time.Second))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(out, "%-16s %s  sent %d webhook(s): %s\n", name, s.Subject, len(acks), ackSummary(acks))
		if s.WantStage == "" || wait == 0 || c.APIToken == "" {
			continue
		}
		st, err := c.Await(ctx, s, wait)
		if err != nil {
			failed++
			fmt.Fprintf(out, "  ✗ %v\n", err)
			continue
		}
		fmt.Fprintf(out, "  ✓ %s/%s  (timeline: %d entries)  GET %s\n", st.Stage, orDash(st.Decision), len(st.Timeline), s.APIPath())
	}
	if failed > 0 {
		return fmt.Errorf("%d scenario(s) did not reach their expected state", failed)
	}
	return nil
}

func ackSummary(acks []simulate.Ack) string {
	counts := map[string]int{}
	for _, a := range acks {
		counts[fmt.Sprintf("%d %s", a.Code, a.Status)]++
	}
	var parts []string
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%d×%s", n, k))
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runLoad(ctx context.Context, c *simulate.Client, f simulateFlags, out, stderr io.Writer) error {
	bar := progressbar.NewOptions(2*f.count, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("webhooks"),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionThrottle(100*time.Millisecond))
	rep := simulate.Load(ctx, c, f.count, f.concurrent, uint64(time.Now().UnixNano()), func() { bar.Add(1) })
	bar.Finish()
	fmt.Fprintf(out, "\nsent %d webhooks for %d verifications in %v (%.0f req/s): %d accepted, %d duplicate, %d failed\n",
		rep.Sent, rep.Verifications, rep.Elapsed.Round(time.Millisecond), float64(rep.Sent)/rep.Elapsed.Seconds(), rep.Accepted, rep.Duplicates, rep.Failed)
	fmt.Fprintf(out, "ack latency p50 %v  p95 %v  p99 %v  max %v\n", rep.P50, rep.P95, rep.P99, rep.Max)
	if rep.Failed > 0 {
		return fmt.Errorf("%d webhooks failed", rep.Failed)
	}
	return nil
}
