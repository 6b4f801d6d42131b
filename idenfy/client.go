package idenfy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// DefaultBaseURL is iDenfy's API (sandbox and production alike; the key
// decides).
const DefaultBaseURL = "https://ivs.idenfy.com"

// Client calls iDenfy's REST API with HTTP Basic auth (API key, secret).
// iDenfy forbids polling: call it for an overdue verification only.
type Client struct {
	BaseURL   string
	APIKey    string
	APISecret string
	HTTP      *http.Client
}

// StatusResult is the answer of POST /api/v2/status: the verification's
// current statuses, without personal data.
type StatusResult struct {
	Status         Overall  `json:"status"`
	AutoDocument   *string  `json:"autoDocument"`
	AutoFace       *string  `json:"autoFace"`
	ManualDocument *string  `json:"manualDocument"`
	ManualFace     *string  `json:"manualFace"`
	FraudTags      []string `json:"fraudTags"`
	MismatchTags   []string `json:"mismatchTags"`
	ScanRef        string   `json:"scanRef"`
	ClientID       string   `json:"clientId"`
}

// Final reports whether the status is a definitive result: a manual
// review has happened, or the session expired.
func (r StatusResult) Final() bool {
	switch r.Status {
	case OverallExpired, OverallExpiredDeleted:
		return true
	case OverallApproved, OverallDenied, OverallSuspected:
		return deref(r.ManualDocument) != "" || deref(r.ManualFace) != ""
	}
	return false
}

// Summary converts the status into the non-personal Summary a lifecycle
// applies, as if it had arrived by webhook.
func (r StatusResult) Summary() Summary {
	return Summary{Final: r.Final(), Overall: r.Status, AutoDocument: deref(r.AutoDocument), AutoFace: deref(r.AutoFace),
		ManualDocument: deref(r.ManualDocument), ManualFace: deref(r.ManualFace), FraudTags: r.FraudTags, MismatchTags: r.MismatchTags}
}

// APIError is a non-2xx answer from iDenfy.
type APIError struct {
	Status     int
	Identifier string // iDenfy's error identifier, e.g. PARTNER_ERROR
}

func (e *APIError) Error() string {
	return fmt.Sprintf("iDenfy answered %d %s", e.Status, e.Identifier)
}

// Retryable reports whether trying again later may help (429, 5xx).
func (e *APIError) Retryable() bool { return e.Status == http.StatusTooManyRequests || e.Status >= 500 }

// ErrNotConfigured means no API key and secret are configured.
var ErrNotConfigured = errors.New("iDenfy API key and secret are not configured")

// Status fetches the current status of scanRef.
func (c *Client) Status(ctx context.Context, scanRef string) (StatusResult, error) {
	if c.APIKey == "" || c.APISecret == "" {
		return StatusResult{}, ErrNotConfigured
	}
	body, _ := json.Marshal(map[string]string{"scanRef": scanRef})
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/api/v2/status", bytes.NewReader(body))
	if err != nil {
		return StatusResult{}, fmt.Errorf("iDenfy status request: %w", err)
	}
	req.SetBasicAuth(c.APIKey, c.APISecret)
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return StatusResult{}, fmt.Errorf("iDenfy status of %s: %w", scanRef, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return StatusResult{}, fmt.Errorf("iDenfy status of %s: %w", scanRef, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Identifier string `json:"identifier"`
		}
		json.Unmarshal(raw, &e)
		return StatusResult{}, &APIError{Status: resp.StatusCode, Identifier: e.Identifier}
	}
	var r StatusResult
	if err := json.Unmarshal(raw, &r); err != nil {
		return StatusResult{}, fmt.Errorf("iDenfy status of %s: %w: %v", scanRef, ErrInvalidJSON, jsonErrorKind(err))
	}
	return r, nil
}
