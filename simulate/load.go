package simulate

import (
	"context"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"time"
)

// LoadReport summarises a load run.
type LoadReport struct {
	Verifications, Sent, Accepted, Duplicates, Failed int
	Elapsed                                           time.Duration
	P50, P95, P99, Max                                time.Duration
	Subjects                                          []string
}

// Load sends count review-approved verifications (two webhooks each) with
// concurrency senders; progress is called after each webhook.
func Load(ctx context.Context, c *Client, count, concurrency int, seed uint64, progress func()) LoadReport {
	r := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	now := time.Now()
	scenarios := make([]Scenario, count)
	rep := LoadReport{Verifications: count}
	for i := range scenarios {
		scenarios[i], _ = Build("review-approved", r, now) // a known name cannot fail
		rep.Subjects = append(rep.Subjects, scenarios[i].Subject)
	}
	jobs := make(chan Scenario)
	var (
		mu        sync.Mutex
		latencies []time.Duration
		wg        sync.WaitGroup
	)
	start := time.Now()
	for range max(concurrency, 1) {
		wg.Go(func() {
			for s := range jobs {
				for _, w := range s.Webhooks {
					a, err := c.Send(ctx, w)
					mu.Lock()
					rep.Sent++
					switch {
					case err != nil || a.Code/100 != 2:
						rep.Failed++
					case a.Status == "duplicate":
						rep.Duplicates++
					default:
						rep.Accepted++
					}
					if err == nil {
						latencies = append(latencies, a.Latency)
					}
					mu.Unlock()
					if progress != nil {
						progress()
					}
				}
			}
		})
	}
	for _, s := range scenarios {
		select {
		case jobs <- s:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	rep.Elapsed = time.Since(start)
	slices.Sort(latencies)
	if n := len(latencies); n > 0 {
		q := func(p float64) time.Duration { return latencies[min(n-1, int(p*float64(n)))] }
		rep.P50, rep.P95, rep.P99, rep.Max = q(0.50), q(0.95), q(0.99), latencies[n-1]
	}
	return rep
}
