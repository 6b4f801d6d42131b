package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"kycflow/idenfy"
)

// Client sends webhooks to kycflow and reads lifecycles from its operator API.
type Client struct {
	BaseURL  string // e.g. http://localhost:8080
	Key      []byte // signing key
	APIToken string // operator API token; empty skips waiting for outcomes
	HTTP     *http.Client
}

// Ack is kycflow's answer to one webhook.
type Ack struct {
	Code    int
	Status  string `json:"status"`
	ID      int64  `json:"id"`
	Error   string `json:"error"`
	Latency time.Duration
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// Send delivers one signed webhook.
func (c *Client) Send(ctx context.Context, w Webhook) (Ack, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.BaseURL, "/")+"/webhooks/idenfy/"+string(w.Route), bytes.NewReader(w.Body))
	if err != nil {
		return Ack{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(idenfy.SignatureHeader, idenfy.Sign(w.Body, c.Key))
	if w.EventType != "" {
		req.Header.Set(idenfy.EventTypeHeader, w.EventType)
	}
	start := time.Now()
	resp, err := c.http().Do(req)
	if err != nil {
		return Ack{}, fmt.Errorf("post %s webhook: %w", w.Route, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := Ack{Code: resp.StatusCode, Latency: time.Since(start)}
	json.Unmarshal(raw, &a)
	return a, nil
}

// Run sends a scenario's webhooks in order and fails on any answer that is
// not a 2xx.
func (c *Client) Run(ctx context.Context, s Scenario) ([]Ack, error) {
	var acks []Ack
	for _, w := range s.Webhooks {
		a, err := c.Send(ctx, w)
		if err != nil {
			return acks, err
		}
		if a.Code/100 != 2 {
			return acks, fmt.Errorf("%s webhook answered %d %s", w.EventType, a.Code, a.Error)
		}
		acks = append(acks, a)
	}
	return acks, nil
}

// Play sends a scenario: its webhooks, then — once the lifecycle is
// approved and monitored — its later webhooks.
func (c *Client) Play(ctx context.Context, s Scenario, timeout time.Duration) ([]Ack, error) {
	acks, err := c.Run(ctx, s)
	if err != nil || len(s.Later) == 0 {
		return acks, err
	}
	first := s
	first.WantStage, first.WantDecision, first.Later = "monitoring", "approved", nil
	if _, err := c.Await(ctx, first, timeout); err != nil {
		return acks, fmt.Errorf("before the monitoring webhooks: %w (is KYCFLOW_AML_MONITORING on?)", err)
	}
	more, err := c.Run(ctx, Scenario{Webhooks: s.Later})
	return append(acks, more...), err
}

// State is the part of a lifecycle the simulator checks.
type State struct {
	ScanRef  string `json:"scanRef"`
	Stage    string `json:"stage"`
	Status   string `json:"status"`
	Decision string `json:"decision"`
	Timeline []struct {
		Type string `json:"type"`
	} `json:"timeline"`
}

// Verification reads a lifecycle; ok is false while kycflow has none yet.
func (c *Client) Verification(ctx context.Context, scanRef string) (State, bool, error) {
	return c.get(ctx, "/v1/verifications/"+scanRef)
}

// Lifecycle reads the lifecycle of a scenario: a verification, or a
// company for KYB scenarios.
func (c *Client) Lifecycle(ctx context.Context, s Scenario) (State, bool, error) {
	return c.get(ctx, s.APIPath())
}

// APIPath is where the operator API shows the scenario's lifecycle.
func (s Scenario) APIPath() string {
	if s.Company {
		return "/v1/companies/" + s.Subject
	}
	return "/v1/verifications/" + s.Subject
}

func (c *Client) get(ctx context.Context, path string) (State, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.BaseURL, "/")+path, nil)
	if err != nil {
		return State{}, false, err
	}
	req.Header.Set("Authorization", "Bearer "+c.APIToken)
	resp, err := c.http().Do(req)
	if err != nil {
		return State{}, false, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		var s State
		return s, true, json.NewDecoder(resp.Body).Decode(&s)
	case http.StatusNotFound:
		return State{}, false, nil
	default:
		return State{}, false, fmt.Errorf("GET %s answered %d", path, resp.StatusCode)
	}
}

// Await polls until the scenario's lifecycle reaches its expected stage and
// decision, and returns the last state seen.
func (c *Client) Await(ctx context.Context, s Scenario, timeout time.Duration) (State, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last State
	for {
		st, ok, err := c.Lifecycle(ctx, s)
		if err != nil && ctx.Err() == nil {
			return last, err
		}
		if ok {
			last = st
			if s.Reached(st) && settled(s, st) {
				return st, nil
			}
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("%s did not reach %s/%s within %v (last: %s/%s)", s.Subject, s.WantStage, s.WantDecision, timeout, last.Stage, last.Decision)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// settled reports whether every webhook the scenario sent is on the
// timeline, so late and duplicate deliveries are part of the verdict.
func settled(s Scenario, st State) bool {
	received := 0
	for _, e := range st.Timeline {
		if e.Type == "received" {
			received++
		}
	}
	distinct := map[string]bool{}
	for _, w := range append(append([]Webhook(nil), s.Webhooks...), s.Later...) {
		distinct[string(w.Body)] = true
	}
	return received >= len(distinct)
}

// Reached reports whether st is the scenario's expected outcome. An
// approved verification is "decided" or, with AML monitoring on (the
// default), "monitoring".
func (s Scenario) Reached(st State) bool {
	if st.Decision != s.WantDecision {
		return false
	}
	if st.Stage == s.WantStage {
		return true
	}
	return s.WantStage == "decided" && s.WantDecision == "approved" && st.Stage == "monitoring"
}
