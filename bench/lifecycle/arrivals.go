package lifecycle

import (
	"context"
	"fmt"
	"sync"
	"time"

	"kycflow/bench"
)

// Result is one measured target: rate and latency to completion, and how
// many completions (onboarding calls) arrived, repeats included.
type Result struct {
	bench.Result
	Calls      int `json:"calls"`
	Duplicates int `json:"duplicates"`
}

// Arrivals times the verifications of one target: when the second event
// of each was acknowledged, and when it first completed.
type Arrivals struct {
	mu                  sync.Mutex
	index               map[string]int // scanRef or workflow ID → verification
	start               time.Time      // the first event sent
	acked, reached      []time.Time
	calls, dups, errors int
	pending             int
	done                chan struct{}
}

// NewArrivals times the verifications keys (scanRefs or workflow IDs), in
// this order.
func NewArrivals(keys []string) *Arrivals {
	a := &Arrivals{index: make(map[string]int, len(keys)), acked: make([]time.Time, len(keys)), reached: make([]time.Time, len(keys)),
		pending: len(keys), done: make(chan struct{})}
	for i, k := range keys {
		a.index[k] = i
	}
	return a
}

// Drive sends the stream from o.Concurrency senders, o.Rate verifications
// a second when set: first(i) and second(i) send verification i's events;
// second's return starts its latency.
func (a *Arrivals) Drive(ctx context.Context, name string, o Options, stream []Step, first, second func(context.Context, int) error) bench.Result {
	a.start = time.Now()
	return bench.Drive(ctx, name, len(stream), o.Concurrency, func(ctx context.Context, k int) error {
		if o.Rate > 0 {
			due := a.start.Add(time.Duration(float64(k) / (2 * o.Rate) * float64(time.Second)))
			select {
			case <-time.After(time.Until(due)):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		s := stream[k]
		if !s.Second {
			return first(ctx, s.Verification)
		}
		err := second(ctx, s.Verification)
		a.mu.Lock()
		a.acked[s.Verification] = time.Now()
		a.mu.Unlock()
		return err
	})
}

// Reach records a completion of the verification of key; a completion
// for an unknown key is an error.
func (a *Arrivals) Reach(key string) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	i, ok := a.index[key]
	switch {
	case !ok:
		a.errors++
	case !a.reached[i].IsZero():
		a.dups++
	default:
		a.reached[i] = now
		if a.pending--; a.pending == 0 {
			close(a.done)
		}
	}
}

// Fail counts an error: a completion that was wrong.
func (a *Arrivals) Fail() {
	a.mu.Lock()
	a.errors++
	a.mu.Unlock()
}

// Wait returns when every verification has completed, or with an error at
// the timeout or when a process reports on exited.
func (a *Arrivals) Wait(ctx context.Context, timeout time.Duration, exited <-chan error) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-a.done:
		return nil
	case err := <-exited:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		a.mu.Lock()
		defer a.mu.Unlock()
		return fmt.Errorf("%d of %d verifications completed within %s", len(a.reached)-a.pending, len(a.reached), timeout)
	}
}

// Charge is Result with the CPU used since cpu spread over the
// verifications.
func (a *Arrivals) Charge(cpu bench.CPU, name string, sendErrors int) Result {
	r := a.Result(name, sendErrors)
	r.Result = cpu.Charge(r.Result)
	return r
}

// Result measures the target once every verification has completed.
func (a *Arrivals) Result(name string, sendErrors int) Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	lat := make([]time.Duration, len(a.reached))
	end := a.start
	for i, at := range a.reached {
		lat[i] = max(at.Sub(a.acked[i]), 0) // a completion may beat its sender's clock read by microseconds
		if at.After(end) {
			end = at
		}
	}
	return Result{Result: bench.Summarize(name, lat, a.errors+sendErrors, end.Sub(a.start)), Calls: a.calls, Duplicates: a.dups}
}
