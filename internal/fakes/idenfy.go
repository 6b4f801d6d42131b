package fakes

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"kycflow/idenfy"
)

// IDenfy is iDenfy's status API (POST /api/v2/status, HTTP Basic auth).
type IDenfy struct {
	URL, Key, Secret string

	mu       sync.Mutex
	statuses map[string]idenfy.StatusResult
	calls    map[string]int
}

// NewIDenfy starts the fake with credentials key and secret.
func NewIDenfy(t testing.TB, key, secret string) *IDenfy {
	f := &IDenfy{Key: key, Secret: secret, statuses: map[string]idenfy.StatusResult{}, calls: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Set makes the fake answer r for its scanRef.
func (f *IDenfy) Set(r idenfy.StatusResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses[r.ScanRef] = r
}

// Calls counts status requests for scanRef.
func (f *IDenfy) Calls(scanRef string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[scanRef]
}

func (f *IDenfy) serve(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if r.Method != http.MethodPost || r.URL.Path != "/api/v2/status" || !ok || user != f.Key || pass != f.Secret {
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"message": "Unauthorized", "identifier": "UNAUTHORIZED"})
		return
	}
	var req struct {
		ScanRef string `json:"scanRef"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	f.calls[req.ScanRef]++
	st, found := f.statuses[req.ScanRef]
	f.mu.Unlock()
	if !found {
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"message": "Not found", "identifier": "NOT_FOUND"})
		return
	}
	json.NewEncoder(w).Encode(st)
}
