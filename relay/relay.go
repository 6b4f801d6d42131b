// Package relay delivers pending inbox events to their Temporal lifecycles.
// It runs inside `kycflow serve`: woken right after a webhook commits and on
// a periodic sweep, it leases pending rows, sends each with
// SignalWithStartWorkflow and marks it dispatched only after Temporal
// accepted it. Failures back off exponentially and are retried forever, so
// delivery is at-least-once; the workflow deduplicates by inbox id.
package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"

	"kycflow/store"
)

// Inbox is the part of the store the relay uses.
type Inbox interface {
	ClaimPending(ctx context.Context, kinds []string, limit int, lease time.Duration) ([]store.InboxEvent, error)
	MarkDispatched(ctx context.Context, ids ...int64) error
	RetryLater(ctx context.Context, id int64, next time.Time, reason string) error
	Quarantine(ctx context.Context, id int64, reason string) error
	OldestPending(ctx context.Context, kinds []string) (time.Time, bool, error)
	PendingCounts(ctx context.Context) (map[string]int, error)
}

// Signaler is the part of the Temporal client the relay uses.
type Signaler interface {
	SignalWithStartWorkflow(ctx context.Context, workflowID string, signalName string, signalArg any,
		options client.StartWorkflowOptions, workflow any, workflowArgs ...any) (client.WorkflowRun, error)
}

// Options configure the relay.
type Options struct {
	Router      Router
	Batch       int           // rows leased per claim (default 100)
	Concurrency int           // parallel subjects per batch (default 16)
	Sweep       time.Duration // periodic sweep (default 1 s)
	Lease       time.Duration // how long a claimed row is reserved (default 1 min)
	CallTimeout time.Duration // one SignalWithStart call (default 10 s)
	MinBackoff  time.Duration // first retry delay (default 1 s)
	MaxBackoff  time.Duration // retry delay cap (default 5 min)
	Log         *slog.Logger
	Metrics     *Metrics
	Now         func() time.Time
}

// Relay moves inbox events into Temporal.
type Relay struct {
	inbox    Inbox
	temporal Signaler
	opts     Options
	wake     chan struct{}
}

// New returns a relay; call Run.
func New(inbox Inbox, temporal Signaler, opts Options) *Relay {
	if opts.Batch <= 0 {
		opts.Batch = 100
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 16
	}
	if opts.Sweep <= 0 {
		opts.Sweep = time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = time.Minute
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 10 * time.Second
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Minute
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Relay{inbox: inbox, temporal: temporal, opts: opts, wake: make(chan struct{}, 1)}
}

// Notify wakes the relay: a new event has committed. It never blocks.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) error {
	tick := time.NewTicker(r.opts.Sweep)
	defer tick.Stop()
	var observed time.Time
	for {
		r.relayDue(ctx)
		// The lag and pending gauges cost two queries over the pending rows:
		// at most once a sweep, not on every wake-up (one per commit under load).
		if now := r.opts.Now(); r.opts.Metrics != nil && now.Sub(observed) >= r.opts.Sweep {
			r.observeLag(ctx)
			observed = now
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
		case <-tick.C:
		}
	}
}

// relayDue dispatches due rows until none is left.
func (r *Relay) relayDue(ctx context.Context) {
	for ctx.Err() == nil {
		rows, err := r.inbox.ClaimPending(ctx, r.opts.Router.Kinds(), r.opts.Batch, r.opts.Lease)
		if err != nil {
			r.opts.Log.Warn("relay cannot claim inbox events", "error", err)
			return
		}
		r.dispatchAll(ctx, rows)
		if len(rows) < r.opts.Batch {
			return
		}
	}
}

// dispatchAll sends a batch: one goroutine per subject, in order of
// arrival within a subject (ids of one group commit follow its lock order,
// not arrival), at most Concurrency subjects at once.
func (r *Relay) dispatchAll(ctx context.Context, rows []store.InboxEvent) {
	var order []string
	bySubject := map[string][]store.InboxEvent{}
	for _, row := range rows {
		if _, ok := bySubject[row.Subject]; !ok {
			order = append(order, row.Subject)
		}
		bySubject[row.Subject] = append(bySubject[row.Subject], row)
	}
	for _, rows := range bySubject {
		slices.SortStableFunc(rows, func(a, b store.InboxEvent) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
	}
	// Once a call fails, Temporal is likely away: the rest of the batch is
	// rescheduled without waiting out a call timeout per row (which would
	// also outlast the lease), and a subject's later rows never overtake an
	// earlier one that failed.
	var (
		failing    atomic.Bool
		mu         sync.Mutex
		dispatched []int64
		wg         sync.WaitGroup
		sem        = make(chan struct{}, r.opts.Concurrency)
	)
	for _, subject := range order {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			for _, row := range bySubject[subject] {
				if failing.Load() {
					r.retry(context.WithoutCancel(ctx), row, errBatchAborted)
					continue
				}
				ok, delivered := r.dispatch(ctx, row)
				if !ok {
					failing.Store(true)
				}
				if delivered {
					mu.Lock()
					dispatched = append(dispatched, row.ID)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	// One statement for the batch. If it fails, Temporal has the events:
	// the leases run out and duplicate signals follow, which the
	// lifecycles deduplicate by inbox id.
	if err := r.inbox.MarkDispatched(context.WithoutCancel(ctx), dispatched...); err != nil {
		r.opts.Log.Warn("mark inbox events dispatched", "count", len(dispatched), "error", err)
	}
}

var errBatchAborted = errors.New("not attempted: an earlier call in the batch failed")

// maxNotYet bounds the retries of an event that cannot be routed yet; then
// it is quarantined for an operator (who can redrive it).
const maxNotYet = 15

// dispatch delivers one row; ok is false when Temporal refused or was
// unreachable, delivered true when Temporal accepted every delivery (the
// caller marks it dispatched).
func (r *Relay) dispatch(ctx context.Context, row store.InboxEvent) (ok, delivered bool) {
	// Bookkeeping outlives a shutdown that begins mid-call.
	book := context.WithoutCancel(ctx)
	if row.SealErr != nil { // a configuration problem: keep it pending until the key is back
		r.opts.Log.Error("inbox event payload cannot be opened; will retry", "inbox_id", row.ID, "error", row.SealErr)
		r.later(book, row, row.SealErr)
		return true, false
	}
	deliveries, err := r.opts.Router.Route(ctx, row)
	if errors.Is(err, ErrNotYet) && row.Attempts < maxNotYet {
		r.opts.Log.Info("inbox event not routable yet; will retry", "inbox_id", row.ID, "attempt", row.Attempts, "reason", err)
		r.later(book, row, err)
		return true, false // not a Temporal failure: the batch goes on
	}
	if err != nil {
		r.opts.Log.Error("inbox event cannot be relayed; quarantined", "inbox_id", row.ID, "error", err)
		r.opts.Metrics.outcome(row.Kind, "quarantined")
		if err := r.inbox.Quarantine(book, row.ID, "relay: "+err.Error()); err != nil {
			r.opts.Log.Warn("quarantine inbox event", "inbox_id", row.ID, "error", err)
		}
		return true, false
	}
	for _, d := range deliveries {
		cctx, cancel := context.WithTimeout(ctx, r.opts.CallTimeout)
		_, err := r.temporal.SignalWithStartWorkflow(cctx, d.Options.ID, d.Signal, d.Arg, d.Options, d.Workflow, d.Input)
		cancel()
		if err != nil {
			r.retry(book, row, err)
			return false, false
		}
	}
	r.opts.Metrics.outcome(row.Kind, "dispatched")
	return true, true
}

func (r *Relay) retry(ctx context.Context, row store.InboxEvent, cause error) {
	r.opts.Log.Warn("relay to Temporal failed; will retry", "inbox_id", row.ID, "attempt", row.Attempts, "error", cause)
	r.later(ctx, row, cause)
}

// later reschedules a row with backoff.
func (r *Relay) later(ctx context.Context, row store.InboxEvent, cause error) {
	delay := r.backoff(row.Attempts)
	r.opts.Metrics.outcome(row.Kind, "retry")
	reason := fmt.Sprintf("attempt %d: %v", row.Attempts, cause)
	if len(reason) > 500 {
		reason = reason[:500]
	}
	if err := r.inbox.RetryLater(ctx, row.ID, r.opts.Now().Add(delay), reason); err != nil {
		r.opts.Log.Warn("reschedule inbox event", "inbox_id", row.ID, "error", err)
	}
}

// backoff doubles from MinBackoff per attempt up to MaxBackoff, with ±20 %
// jitter so that a recovering Temporal is not hit by every row at once.
func (r *Relay) backoff(attempt int) time.Duration {
	d := r.opts.MinBackoff
	for i := 1; i < attempt && d < r.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, r.opts.MaxBackoff)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func (r *Relay) observeLag(ctx context.Context) {
	at, ok, err := r.inbox.OldestPending(ctx, r.opts.Router.Kinds())
	if err != nil {
		return
	}
	lag := time.Duration(0)
	if ok {
		lag = max(r.opts.Now().Sub(at), 0)
	}
	r.opts.Metrics.lag(lag)
	if counts, err := r.inbox.PendingCounts(ctx); err == nil {
		r.opts.Metrics.pending(counts)
	}
}
