//go:build !nodev

package main

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"time"

	"kycflow/bench"
	"kycflow/simulate"
)

// streamStep is one event of the stream: the first or second event of
// verification i.
type streamStep struct {
	i      int
	second bool
}

// lifecycleStream is the order events go out in: the first events of all
// verifications in turn, the second of verification i after the first of
// i+m/2. Reviews trail automatic checks, interleaved with other people's.
func lifecycleStream(m int) []streamStep {
	lag := m / 2
	out := make([]streamStep, 0, 2*m)
	for i := range m {
		out = append(out, streamStep{i: i})
		if j := i - lag; j >= 0 {
			out = append(out, streamStep{i: j, second: true})
		}
	}
	for j := max(0, m-lag); j < m; j++ {
		out = append(out, streamStep{i: j, second: true})
	}
	return out
}

// arrivals times the verifications of one target: when the second event of
// each was acknowledged, and when it first completed.
type arrivals struct {
	mu                  sync.Mutex
	index               map[string]int // scanRef or workflow ID → verification
	start               time.Time      // the first event sent
	acked, reached      []time.Time
	calls, dups, errors int
	pending             int
	done                chan struct{}
}

func newArrivals(keys []string) *arrivals {
	a := &arrivals{index: make(map[string]int, len(keys)), acked: make([]time.Time, len(keys)), reached: make([]time.Time, len(keys)),
		pending: len(keys), done: make(chan struct{})}
	for i, k := range keys {
		a.index[k] = i
	}
	return a
}

// drive sends the stream from o.concurrency senders, o.rate verifications
// a second when set: first(i) and second(i) send verification i's events;
// second's return starts its latency.
func (a *arrivals) drive(ctx context.Context, name string, o benchOptions, stream []streamStep, first, second func(context.Context, int) error) bench.Result {
	a.start = time.Now()
	return bench.Drive(ctx, name, len(stream), o.concurrency, func(ctx context.Context, k int) error {
		if o.rate > 0 {
			due := a.start.Add(time.Duration(float64(k) / (2 * o.rate) * float64(time.Second)))
			select {
			case <-time.After(time.Until(due)):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		s := stream[k]
		if !s.second {
			return first(ctx, s.i)
		}
		err := second(ctx, s.i)
		a.mu.Lock()
		a.acked[s.i] = time.Now()
		a.mu.Unlock()
		return err
	})
}

// reach records a completion of the verification of key; a completion
// for an unknown key is an error.
func (a *arrivals) reach(key string) {
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

func (a *arrivals) fail() {
	a.mu.Lock()
	a.errors++
	a.mu.Unlock()
}

// wait returns when every verification has completed, or with an error at
// the timeout or when a process reports on exited.
func (a *arrivals) wait(ctx context.Context, timeout time.Duration, exited <-chan error) error {
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

// result measures the target once every verification has completed.
// charge is result with the CPU used since cpu spread over the
// verifications.
func (a *arrivals) charge(cpu bench.CPU, name string, sendErrors int) lifecycleRun {
	r := a.result(name, sendErrors)
	r.Result = cpu.Charge(r.Result)
	return r
}

func (a *arrivals) result(name string, sendErrors int) lifecycleRun {
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
	return lifecycleRun{Result: bench.Summarize(name, lat, a.errors+sendErrors, end.Sub(a.start)), Calls: a.calls, Duplicates: a.dups}
}

// reviewPairs renders n review-approved verifications: each one's
// automatic SUSPECTED (final:false) and manual APPROVED (final:true)
// webhook, and its scanRef.
func reviewPairs(r *mrand.Rand, n int) (autos, finals [][]byte, scanRefs []string, err error) {
	autos, finals, scanRefs = make([][]byte, n), make([][]byte, n), make([]string, n)
	for i := range n {
		s, err := simulate.Build("review-approved", r, time.Now())
		if err != nil {
			return nil, nil, nil, err
		}
		autos[i], finals[i], scanRefs[i] = s.Webhooks[0].Body, s.Webhooks[1].Body, s.Subject
	}
	return autos, finals, scanRefs, nil
}
