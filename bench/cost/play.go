package cost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"kycflow/bench"
	"kycflow/simulate"
	"kycflow/workflows"
)

// Result is what one verification of a scenario cost.
type Result struct {
	Scenario  string   `json:"scenario"`
	Subject   string   `json:"subject"` // scanRef, or company id
	End       string   `json:"end"`     // "closed", or "open: <stage>"
	Workflows []string `json:"workflowIds"`
	Counts
}

// measure plays one verification of sc through the rig, webhook by
// webhook (and the review), each applied and idle before the next, as
// iDenfy's results and a reviewer's decision come minutes apart; then it
// reads what every workflow the verification started wrote.
func (r *rig) measure(ctx context.Context, sc Scenario, rnd *mrand.Rand) (Result, error) {
	s, err := sc.build(rnd)
	if err != nil {
		return Result{}, err
	}
	since := time.Now().UTC()
	subject := workflows.ID(s.Subject)
	if s.Company {
		subject = workflows.CompanyID(s.Subject)
	}
	for _, w := range slices.Concat(s.Webhooks, s.Later) {
		if err := r.send(ctx, w); err != nil {
			return Result{}, err
		}
		if err := r.settle(ctx, since, subject); err != nil {
			return Result{}, err
		}
	}
	if sc.Review != "" {
		if err := r.reached(ctx, s); err != nil {
			return Result{}, err
		}
		if err := r.review(ctx, s, sc.Review); err != nil {
			return Result{}, err
		}
		s = sc.reviewed(s)
		if err := r.settle(ctx, since, subject); err != nil {
			return Result{}, err
		}
	}
	if err := r.reached(ctx, s); err != nil {
		return Result{}, err
	}
	end, err := r.finish(ctx, since, subject)
	if err != nil {
		return Result{}, err
	}
	ids, err := r.workflows(ctx, since, subject)
	if err != nil {
		return Result{}, err
	}
	c, err := readCounts(ctx, r.env.Client, ids)
	return Result{Scenario: sc.Name, Subject: s.Subject, End: end, Workflows: ids, Counts: c}, err
}

// send sends one webhook through serve; anything but a 2xx is an error.
func (r *rig) send(ctx context.Context, w simulate.Webhook) error {
	a, err := r.api.Send(ctx, w)
	if err == nil && a.Code/100 != 2 {
		err = fmt.Errorf("answered %d %s", a.Code, a.Error)
	}
	if err != nil {
		return fmt.Errorf("%s webhook: %w", w.EventType, err)
	}
	return nil
}

// workflows are the verification's workflows: subject and any other
// started since; with no subject, every workflow started since.
func (r *rig) workflows(ctx context.Context, since time.Time, subject string) ([]string, error) {
	ids, err := started(ctx, r.env.Client, since.Format(time.RFC3339Nano))
	if err != nil || subject == "" {
		return ids, err
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return id == subject })
	return append([]string{subject}, ids...), nil
}

// settle waits until every stored webhook is delivered and the
// verification's workflows (with no subject: every workflow started since)
// have had nothing pending (no activity, no workflow task) and the same
// history lengths for o.Settle.
func (r *rig) settle(ctx context.Context, since time.Time, subject string) error {
	var (
		last   map[string]int64
		stable time.Time
	)
	what, every := "lifecycle "+subject+" idle", 50*time.Millisecond
	if subject == "" { // a wave: describe its workflows less often
		what, every = "the wave's lifecycles idle", 250*time.Millisecond
	}
	return bench.Poll(ctx, what, every, r.o.Timeout, func() (bool, error) {
		n, err := r.pending(ctx)
		if err != nil || n > 0 {
			last = nil
			return false, err
		}
		lengths, idle, err := r.snapshot(ctx, since, subject)
		if err != nil || !idle || !maps.Equal(lengths, last) {
			last, stable = lengths, time.Now()
			return false, err
		}
		return time.Since(stable) >= r.o.Settle, nil
	})
}

// snapshot returns the history length of each of the verification's
// workflows, and whether none has an activity or workflow task pending.
func (r *rig) snapshot(ctx context.Context, since time.Time, subject string) (map[string]int64, bool, error) {
	ids, err := r.workflows(ctx, since, subject)
	if err != nil {
		return nil, false, err
	}
	lengths, idle := map[string]int64{}, true
	for _, id := range ids {
		d, err := r.env.Client.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			return nil, false, fmt.Errorf("describe %s: %w", id, err)
		}
		lengths[id] = d.GetWorkflowExecutionInfo().GetHistoryLength()
		idle = idle && len(d.GetPendingActivities()) == 0 && d.GetPendingWorkflowTask() == nil
	}
	return lengths, idle, nil
}

// finish waits for the decided workflows of the verification to close,
// when the late-event window is shorter than o.Timeout, and returns how the
// subject's lifecycle ended: "closed", or "open: <stage>".
func (r *rig) finish(ctx context.Context, since time.Time, subject string) (string, error) {
	ids, err := r.workflows(ctx, since, subject)
	if err != nil {
		return "", err
	}
	end := ""
	for _, id := range ids {
		var d *workflowservice.DescribeWorkflowExecutionResponse
		err := bench.Poll(ctx, id+" closing after the late-event window", 100*time.Millisecond, r.o.Timeout, func() (bool, error) {
			var err error
			d, err = r.env.Client.DescribeWorkflowExecution(ctx, id, "")
			if err != nil {
				return false, err
			}
			closes := stage(d) == string(workflows.StageDecided) && r.o.LateEventWindow < r.o.Timeout
			return !closes || d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
		})
		if err != nil {
			return "", err
		}
		if id != subject {
			continue
		}
		switch status := d.GetWorkflowExecutionInfo().GetStatus(); status {
		case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
			end = "closed"
		case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
			end = "open: " + stage(d)
		default:
			return "", fmt.Errorf("%s ended %s", id, status)
		}
	}
	return end, nil
}

// stage is the lifecycle stage a workflow shows the Web UI.
func stage(d *workflowservice.DescribeWorkflowExecutionResponse) string {
	fields := d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	for _, key := range []string{workflows.AttrStage.GetName(), workflows.AttrKybStage.GetName()} {
		var s string
		if p, ok := fields[key]; ok && converter.GetDefaultDataConverter().FromPayload(p, &s) == nil {
			return s
		}
	}
	return ""
}

// reached checks, through the operator API, that the lifecycle is where
// the scenario leads: a decided one may have closed already.
func (r *rig) reached(ctx context.Context, s simulate.Scenario) error {
	var last simulate.State
	return bench.Poll(ctx, fmt.Sprintf("%s reaching %s/%s", s.Name, s.WantStage, s.WantDecision), 50*time.Millisecond, r.o.Timeout, func() (bool, error) {
		st, ok, err := r.api.Lifecycle(ctx, s)
		if err != nil || !ok {
			return false, err
		}
		last = st
		closed := s.WantStage == string(workflows.StageDecided) && st.Stage == string(workflows.StageClosed) && st.Decision == s.WantDecision
		if s.Reached(st) || closed {
			return true, nil
		}
		return false, fmt.Errorf("at %s/%s", last.Stage, last.Decision)
	})
}

// review posts a reviewer's decision through the operator API, as the
// console does.
func (r *rig) review(ctx context.Context, s simulate.Scenario, decision string) error {
	body, _ := json.Marshal(map[string]string{"decision": decision, "reason": "bench cost: a reviewer's decision"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.api.BaseURL+s.APIPath()+"/review", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.api.APIToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.api.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("review %s: %w", decision, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("review %s answered %d %s", decision, resp.StatusCode, answer)
	}
	return nil
}
