package idenfy_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"kycflow/idenfy"
)

func TestClientStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.Method != http.MethodPost || r.URL.Path != "/api/v2/status" || !ok || user != "key" || pass != "secret":
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"message":"bad","identifier":"UNAUTHORIZED"}`)
		case string(body) == `{"scanRef":"busy"}`:
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			io.WriteString(w, `{"status":"APPROVED","autoDocument":"DOC_VALIDATED","autoFace":"FACE_MATCH","manualDocument":"DOC_VALIDATED",
				"manualFace":"FACE_MATCH","fraudTags":[],"mismatchTags":[],"scanRef":"s1","clientId":"c1"}`)
		}
	}))
	defer srv.Close()
	c := &idenfy.Client{BaseURL: srv.URL, APIKey: "key", APISecret: "secret"}
	got, err := c.Status(context.Background(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Final() || got.Summary().Overall != idenfy.OverallApproved || got.Summary().ManualFace != "FACE_MATCH" {
		t.Errorf("Status() = %+v", got)
	}
	_, err = c.Status(context.Background(), "busy")
	var apiErr *idenfy.APIError
	if !errors.As(err, &apiErr) || !apiErr.Retryable() {
		t.Errorf("429 = %v, want a retryable APIError", err)
	}
	bad := &idenfy.Client{BaseURL: srv.URL, APIKey: "key", APISecret: "wrong"}
	if _, err := bad.Status(context.Background(), "s1"); !errors.As(err, &apiErr) || apiErr.Retryable() || apiErr.Identifier != "UNAUTHORIZED" {
		t.Errorf("401 = %v, want a permanent APIError", err)
	}
	if _, err := (&idenfy.Client{}).Status(context.Background(), "s1"); !errors.Is(err, idenfy.ErrNotConfigured) {
		t.Errorf("unconfigured = %v", err)
	}
}

func TestStatusFinal(t *testing.T) {
	manual := "DOC_VALIDATED"
	for _, tt := range []struct {
		r    idenfy.StatusResult
		want bool
	}{
		{idenfy.StatusResult{Status: "SUSPECTED"}, false}, // only the automatic result so far
		{idenfy.StatusResult{Status: "SUSPECTED", ManualDocument: &manual}, true},
		{idenfy.StatusResult{Status: "REVIEWING"}, false},
		{idenfy.StatusResult{Status: "EXPIRED"}, true},
		{idenfy.StatusResult{Status: "ACTIVE"}, false},
	} {
		if got := tt.r.Final(); got != tt.want {
			t.Errorf("%+v Final() = %v, want %v", tt.r.Status, got, tt.want)
		}
	}
}
