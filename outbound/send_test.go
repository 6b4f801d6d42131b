package outbound_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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
		{200, true, false}, {204, true, false}, {400, false, true}, {404, false, true},
		{408, false, false}, {409, false, false}, {425, false, false}, {429, false, false}, {500, false, false}, {503, false, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			ts, _ := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
			if err := outbound.Verify(secret, r.Header.Get("webhook-id"), ts, body, r.Header.Get("webhook-signature")); err != nil {
				t.Errorf("receiver: %v", err)
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
