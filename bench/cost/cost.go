// Package cost measures what one verification costs in Temporal: `kycflow
// bench cost`. Each simulate scenario runs through a real serve and worker
// on an embedded Temporal server; the full histories of the workflows it
// started are then read and counted, events, bytes, commands and the
// billable actions of Temporal Cloud's published rules (RulesURL). A test
// holds the counts to the checked-in budget (budget.json). With Temporal
// on PostgreSQL it can also measure what verifications write to the
// server's visibility table (Visibility).
package cost

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"time"

	"kycflow/bench"
)

// Options are the settings of bench cost.
type Options struct {
	bench.Options // Count: verifications per scenario
	// Scenarios are the names to measure (Names); none: all.
	Scenarios []string
	// LateEventWindow is kycflow's KYCFLOW_LATE_EVENT_WINDOW. Shorter than
	// Timeout, decided lifecycles are measured once closed, as they close
	// in production after the (7-day) window; longer, they are measured
	// open in `decided`.
	LateEventWindow time.Duration
	// Settle is how long a lifecycle must stay idle, its history length
	// unchanged, before the next webhook or the count.
	Settle time.Duration
	// Timeout bounds each wait: a webhook applied, a lifecycle closing.
	Timeout time.Duration
	// Visibility > 0, with Temporal on PostgreSQL, measures what this many
	// more verifications of each scenario write to Temporal's visibility
	// store, Concurrency at a time.
	Visibility int
}

// Defaults are the settings of `kycflow bench cost` when no flag is given.
func Defaults() Options {
	return Options{Options: bench.Defaults(1), LateEventWindow: time.Second, Settle: time.Second, Timeout: time.Minute}
}

// Run measures o.Count verifications of each scenario and prints the
// report to out.
func Run(ctx context.Context, o Options, out io.Writer, log *slog.Logger) error {
	results, vis, err := Measure(ctx, o, log)
	if err != nil {
		return err
	}
	budget, err := LoadBudget()
	if err != nil {
		return err
	}
	return report(out, o, results, vis, budget.Over(results))
}

// Measure runs o.Count verifications of each scenario, one at a time, and
// returns, per scenario, the one that cost the most history events
// (unbatched, then in history) and actions, with the range of all of them;
// then, with o.Visibility, what each scenario writes to Temporal's
// visibility store.
func Measure(ctx context.Context, o Options, log *slog.Logger) ([]Sample, []Visibility, error) {
	if o.Count < 1 || o.Settle <= 0 || o.Timeout <= 0 || o.LateEventWindow <= 0 || o.Visibility < 0 {
		return nil, nil, errors.New("--count, --settle, --timeout and --late-event-window must be positive, --visibility not negative")
	}
	if o.Visibility > 0 && (o.TemporalPostgres < 1 || o.Concurrency < 1) {
		return nil, nil, errors.New("--visibility measures Temporal's PostgreSQL visibility store: it needs --temporal-postgres and --concurrency of 1 or more")
	}
	scenarios, err := Select(o.Scenarios)
	if err != nil {
		return nil, nil, err
	}
	env, err := bench.StartEnv(ctx, o.Options, log)
	if err != nil {
		return nil, nil, err
	}
	defer env.Stop()
	r, err := startRig(ctx, o, env, log)
	if err != nil {
		return nil, nil, err
	}
	defer r.stop()
	var out []Sample
	for _, sc := range scenarios {
		var s Sample
		for range o.Count {
			// The same people and shuffles each time, whatever else runs.
			res, err := r.measure(ctx, sc, mrand.New(mrand.NewPCG(seed(sc.Base), 1)))
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", sc.Name, err)
			}
			s.add(res)
		}
		out = append(out, s)
	}
	if o.Visibility == 0 {
		return out, nil, nil
	}
	vis, err := r.visibility(ctx, scenarios)
	return out, vis, err
}

// Sample is the costliest verification of a scenario and the range of
// all that were measured.
type Sample struct {
	Result
	Verifications int `json:"verifications"`
	MinEvents     int `json:"minHistoryEvents"`
	MaxEvents     int `json:"maxHistoryEvents"`
	MinActions    int `json:"minBillableActions"`
}

func (s *Sample) add(r Result) {
	more := func(a, b Counts) bool {
		return a.EventsUnbatched > b.EventsUnbatched || (a.EventsUnbatched == b.EventsUnbatched && (a.Events > b.Events ||
			(a.Events == b.Events && a.Actions.Total > b.Actions.Total)))
	}
	if s.Verifications == 0 || more(r.Counts, s.Counts) {
		s.Result = r
	}
	if s.Verifications == 0 {
		s.MinEvents, s.MinActions = r.Events, r.Actions.Total
	}
	s.Verifications++
	s.MinEvents, s.MaxEvents, s.MinActions = min(s.MinEvents, r.Events), max(s.MaxEvents, r.Events), min(s.MinActions, r.Actions.Total)
}

func seed(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}
