package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kycflow/store"
)

// delivery is one webhook as iDenfy would send it.
type delivery struct {
	route string
	body  []byte
}

// tally counts what a sender saw.
type tally struct {
	sent, acked, retried atomic.Int64
	mu                   sync.Mutex
	codes                map[int]int
	maxLatency           time.Duration
	ackedBodies          [][]byte
}

func (t *tally) saw(code int, latency time.Duration, body []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.codes == nil {
		t.codes = map[int]int{}
	}
	t.codes[code]++
	t.maxLatency = max(t.maxLatency, latency)
	if code/100 == 2 {
		t.ackedBodies = append(t.ackedBodies, body)
	}
}

// sender delivers webhooks at a concurrency, signed with the test key. With
// retry it behaves like iDenfy with retries on: a 5xx or a broken
// connection is sent again (after Retry-After, capped for test speed)
// until acknowledged or the deadline passes.
type sender struct {
	url         string // base URL; may change (a restarted serve)
	concurrency int
	retry       bool
	deadline    time.Duration
	urlMu       sync.Mutex
}

func (s *sender) base() string {
	s.urlMu.Lock()
	defer s.urlMu.Unlock()
	return s.url
}

func (s *sender) send(t *testing.T, ds []delivery, tl *tally) {
	t.Helper()
	client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: s.concurrency}}
	work := make(chan delivery)
	var wg sync.WaitGroup
	for range s.concurrency {
		wg.Go(func() {
			for d := range work {
				s.one(client, d, tl)
			}
		})
	}
	for _, d := range ds {
		work <- d
	}
	close(work)
	wg.Wait()
}

func (s *sender) one(client *http.Client, d delivery, tl *tally) {
	stop := time.Now().Add(max(s.deadline, time.Second))
	for {
		tl.sent.Add(1)
		req, _ := http.NewRequest(http.MethodPost, s.base()+"/webhooks/idenfy/"+d.route, bytes.NewReader(d.body))
		req.Header.Set("Idenfy-Signature", signed(d.body))
		start := time.Now()
		resp, err := client.Do(req)
		code, wait := 0, 200*time.Millisecond
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			code = resp.StatusCode
			if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
				wait = min(time.Duration(ra)*time.Second, 500*time.Millisecond)
			}
		}
		tl.saw(code, time.Since(start), d.body)
		if code/100 == 2 {
			tl.acked.Add(1)
			return
		}
		if !s.retry || (code != 0 && code < 500) || time.Now().After(stop) {
			return
		}
		tl.retried.Add(1)
		time.Sleep(wait)
	}
}

// figures is one fault test's result line. The lines are also appended to
// $KYCFLOW_FIGURES, which scripts/test prints after the run.
type figures struct {
	test                                                           string
	sent, acknowledged, stored, dispatched, decided, lost, doubled int
	note                                                           string
}

func (f figures) report(t *testing.T) {
	t.Helper()
	line := fmt.Sprintf("| %s | %d | %d | %d | %d | %d | %d | %d | %s |", f.test, f.sent, f.acknowledged, f.stored, f.dispatched, f.decided, f.lost, f.doubled, f.note)
	t.Log(line)
	if path := os.Getenv("KYCFLOW_FIGURES"); path != "" {
		if fh, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(fh, line)
			fh.Close()
		}
	}
	if f.lost != 0 || f.doubled != 0 {
		t.Errorf("%s: %d lost, %d acted on twice", f.test, f.lost, f.doubled)
	}
}

// inboxTotals returns the stored rows and the dispatched ones.
func inboxTotals(t *testing.T, db *store.DB) (stored, dispatched int) {
	t.Helper()
	counts, err := db.InboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for st, n := range counts {
		stored += n
		if st == store.StatusDispatched {
			dispatched += n
		}
	}
	return stored, dispatched
}
