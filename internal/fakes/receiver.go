// Package fakes holds test-only stand-ins for the systems kycflow talks to:
// a downstream receiver that verifies Standard Webhooks signatures, and
// iDenfy's status API.
package fakes

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"kycflow/outbound"
)

// Message is one delivery the receiver accepted.
type Message struct {
	ID   string
	Body map[string]any
}

// Receiver is a downstream onboarding or notification endpoint. It answers
// each attempt from Script (then 200), verifies every signature, and
// applies a message id once: repeats are acknowledged but not applied
// again, as a correct receiver does.
type Receiver struct {
	URL    string
	secret outbound.Secret

	mu        sync.Mutex
	script    []int
	attempts  map[string]int
	effective []Message
	badSigs   int
	hold      chan struct{} // when set, an attempt is applied, then waits
	held      chan struct{}
}

// NewReceiver starts a receiver that checks signatures with secret.
func NewReceiver(t testing.TB, secret outbound.Secret) *Receiver {
	r := &Receiver{secret: secret, attempts: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Script sets the statuses of the next attempts (e.g. 503, 503).
func (r *Receiver) Script(statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.script = statuses
}

// Hold makes the next attempt apply its message and then hang until the
// returned release is called; held is closed when it is hanging.
func (r *Receiver) Hold() (held <-chan struct{}, release func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hold, r.held = make(chan struct{}), make(chan struct{})
	h := r.hold
	return r.held, func() { close(h) }
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get("webhook-id")
	ts, _ := strconv.ParseInt(req.Header.Get("webhook-timestamp"), 10, 64)
	r.mu.Lock()
	if outbound.Verify(r.secret, id, ts, body, req.Header.Get("webhook-signature")) != nil {
		r.badSigs++
		r.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.attempts[id]++
	status := http.StatusOK
	if len(r.script) > 0 {
		status, r.script = r.script[0], r.script[1:]
	}
	if status/100 == 2 && r.applied(id) == 0 {
		var m map[string]any
		json.Unmarshal(body, &m)
		r.effective = append(r.effective, Message{ID: id, Body: m})
	}
	hold, held := r.hold, r.held
	r.hold = nil
	r.mu.Unlock()
	if hold != nil {
		close(held)
		<-hold
	}
	w.WriteHeader(status)
}

// applied counts effective messages with id (0 or 1); caller holds mu.
func (r *Receiver) applied(id string) int {
	for _, m := range r.effective {
		if m.ID == id {
			return 1
		}
	}
	return 0
}

// Effective returns the messages applied, one per id.
func (r *Receiver) Effective() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.effective...)
}

// Attempts returns how many deliveries of id arrived.
func (r *Receiver) Attempts(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts[id]
}

// BadSignatures counts deliveries whose signature did not verify.
func (r *Receiver) BadSignatures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.badSigs
}
