package outbound_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"kycflow/outbound"
)

func TestPostClassifiesAnswers(t *testing.T) {
	secret, _ := outbound.ParseSecret("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=")
	for _, tt := range []struct {
		status        int
		ok, permanent bool
	}{
		{200, true, false}, {204, true, false}, {302, false, true}, {307, false, true}, {400, false, true}, {404, false, true},
		{408, false, false}, {409, false, false}, {425, false, false}, {429, false, false}, {500, false, false}, {503, false, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			ts, _ := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
			if err := outbound.Verify(secret, r.Header.Get("webhook-id"), ts, body, r.Header.Get("webhook-signature")); err != nil {
				t.Errorf("receiver: %v", err)
			}
			if tt.status/100 == 3 {
				w.Header().Set("Location", "/elsewhere")
			}
			if r.Method != http.MethodPost || r.URL.Path == "/elsewhere" {
				t.Errorf("%d: receiver got %s %s; redirects must not be followed", tt.status, r.Method, r.URL.Path)
			}
			w.WriteHeader(tt.status)
		}))
		s := &outbound.Sender{Secrets: []outbound.Secret{secret}, Now: func() time.Time { return time.Unix(1700000000, 0) }}
		code, err := s.Post(context.Background(), srv.URL, "kyc-s1-1", []byte(`{"decision":"approved"}`))
		srv.Close()
		if code != tt.status || (err == nil) != tt.ok || outbound.IsPermanent(err) != tt.permanent {
			t.Errorf("%d: Post() = %d, %v; want ok %v permanent %v", tt.status, code, err, tt.ok, tt.permanent)
		}
	}
}

// A failed post names the host, never the URL's path or query: they may
// carry a token, and the error lands in Temporal history.
func TestPostErrorsHideTheURLsSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	target := srv.URL + "/hooks/tok-path-secret?token=tok-query-secret"
	srv.Close() // connection refused
	_, err := (&outbound.Sender{}).Post(context.Background(), target, "kyc-s1-1", []byte(`{}`))
	if err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("error = %v; want the host without the path or query", err)
	}
}
