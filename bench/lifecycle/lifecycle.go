// Package lifecycle measures whole verification lifecycles, from the first
// webhook to the onboarding call, against trivial workflows on the same
// Temporal server: `kycflow bench lifecycle`. Its stream, timing and
// ceiling serve bench growth as well.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"kycflow/bench"
)

// Options are the settings of bench lifecycle.
type Options struct {
	bench.Options
	// Rate is the verifications offered per second (0: as fast as the
	// senders go).
	Rate float64
	// Timeout is how long a target may take, after its last event is sent,
	// to complete every verification.
	Timeout time.Duration
}

// Defaults are the settings of `kycflow bench lifecycle` when no flag is
// given.
func Defaults() Options { return Options{Options: bench.Defaults(500), Timeout: 10 * time.Minute} }

// Run runs o.Count verifications through kycflow and then through the
// ceiling, and prints the report to out.
func Run(ctx context.Context, o Options, out io.Writer, log *slog.Logger) error {
	if o.Count < 1 || o.Concurrency < 1 {
		return errors.New("--count and --concurrency must be positive")
	}
	env, err := bench.StartEnv(ctx, o.Options, log)
	if err != nil {
		return err
	}
	defer env.Stop()
	stream := Stream(o.Count)
	kyc, shape, err := runKycflow(ctx, o, stream, env, log)
	if err != nil {
		return err
	}
	ceiling, err := Ceiling(ctx, o, stream, env.Client, shape.Shape, "ceiling-")
	if err != nil {
		return err
	}
	return report(out, o, kyc, ceiling, shape)
}

func report(out io.Writer, o Options, kyc, ceiling Result, shape SampledShape) error {
	offered := "as fast as the senders go"
	if o.Rate > 0 {
		offered = fmt.Sprintf("%g verifications/s offered", o.Rate)
	}
	return bench.Report{
		Title: fmt.Sprintf("lifecycle: %d verifications per target (automatic SUSPECTED, manual APPROVED %d verifications later), concurrency %d, %s\n"+
			"rate: completed per second, first event sent → last completion; latency: second event acknowledged → completion\n"+
			"completion: kycflow's onboarding call; ceiling's no-op activity in its place; Temporal: %s", o.Count, o.Count/2, o.Concurrency, offered, o.TemporalStore()),
		Unit: "verif/s",
		Rows: []bench.Result{kyc.Result, ceiling.Result},
		Notes: []string{
			fmt.Sprintf("onboarding calls %d (repeats %d); ceiling completions %d (repeats %d)", kyc.Calls, kyc.Duplicates, ceiling.Calls, ceiling.Duplicates),
			"activities per verification: " + shape.String(),
		},
		Ratios: []bench.Versus{{Of: "kycflow", To: "ceiling", Digits: 2}},
		Fields: map[string]any{"count": o.Count, "concurrency": o.Concurrency, "lag": o.Count / 2, "offeredPerSecond": o.Rate, "temporalStore": o.TemporalStore(),
			"activitiesPerVerification": shape.Activities, "lifecycle": shape},
		Results: []Result{kyc, ceiling},
	}.Print(out, o.JSON)
}
