// Package bench measures kycflow against the ceilings of the machine it
// runs on: the same closed-loop driver runs every part of a benchmark, so
// the ratios between them hold even where absolute numbers drift.
//
// The parts of `kycflow bench` are its sub-packages ingest, lifecycle and
// growth; this package holds what they share: the driver, polling, process
// accounting, the scratch environment (a PostgreSQL database and a
// Temporal server) and the report.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Result is one measured part.
type Result struct {
	Name    string        `json:"name"`
	Ops     int           `json:"ops"`
	Errors  int           `json:"errors"`
	Elapsed time.Duration `json:"elapsedNs"`
	PerSec  float64       `json:"perSecond"`
	P50     time.Duration `json:"p50Ns"`
	P95     time.Duration `json:"p95Ns"`
	P99     time.Duration `json:"p99Ns"`
	Max     time.Duration `json:"maxNs"`
	// CPU per operation, when measured: this process (the senders and
	// whatever it hosts) and the PostgreSQL server.
	ProcessCPU  time.Duration `json:"processCpuNsPerOp,omitempty"`
	PostgresCPU time.Duration `json:"postgresCpuNsPerOp,omitempty"`
}

// Drive runs op n times from concurrency workers (closed loop: each sends
// its next operation when the last one answered) and measures each, and the
// CPU this process and PostgreSQL used per operation meanwhile.
func Drive(ctx context.Context, name string, n, concurrency int, op func(ctx context.Context, i int) error) Result {
	var (
		cpu    = SampleCPU()
		next   atomic.Int64
		errs   atomic.Int64
		mu     sync.Mutex
		lat    = make([]time.Duration, 0, n)
		wg     sync.WaitGroup
		start  = time.Now()
		worker = func() {
			local := make([]time.Duration, 0, n/max(concurrency, 1)+1)
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					break
				}
				t := time.Now()
				if err := op(ctx, i); err != nil {
					errs.Add(1)
				}
				local = append(local, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}
	)
	for range max(concurrency, 1) {
		wg.Go(worker)
	}
	wg.Wait()
	return cpu.Charge(Summarize(name, lat, int(errs.Load()), time.Since(start)))
}

// Summarize is the Result of len(lat) operations that took lat (sorted in
// place) and finished within elapsed.
func Summarize(name string, lat []time.Duration, errors int, elapsed time.Duration) Result {
	r := Result{Name: name, Ops: len(lat), Errors: errors, Elapsed: elapsed}
	if elapsed > 0 {
		r.PerSec = float64(r.Ops) / elapsed.Seconds()
	}
	slices.Sort(lat)
	if k := len(lat); k > 0 {
		q := func(p float64) time.Duration { return lat[min(k-1, int(p*float64(k)))] }
		r.P50, r.P95, r.P99, r.Max = q(0.50), q(0.95), q(0.99), lat[k-1]
	}
	return r
}

// Post is an op that POSTs bodies[i] to url with the headers of i; any
// answer but 2xx is an error.
func Post(client *http.Client, url string, bodies [][]byte, headers func(i int) http.Header) func(context.Context, int) error {
	return func(ctx context.Context, i int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(bodies[i]))
		if err != nil {
			return err
		}
		for k, v := range headers(i) {
			req.Header[k] = v
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("answered %d", resp.StatusCode)
		}
		return nil
	}
}

// Client is a keep-alive HTTP client for concurrency workers.
func Client(concurrency int) *http.Client {
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		MaxIdleConns: concurrency * 2, MaxIdleConnsPerHost: concurrency * 2, IdleConnTimeout: time.Minute}}
}

// Ratio is a/b, 0 when b is 0.
func Ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
