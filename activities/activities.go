// Package activities holds the side effects of kycflow's workflows. Each
// activity is idempotent: Temporal may run it more than once.
package activities

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"kycflow/store"
	"kycflow/workflows"
)

// Store is the part of the database the activities use.
type Store interface {
	SaveVerification(ctx context.Context, v store.Verification, events []store.TimelineEvent) error
	Verification(ctx context.Context, scanRef string) (store.Verification, error)
	SaveCompany(ctx context.Context, c store.Company, events []store.TimelineEvent) error
	FillTimeline(ctx context.Context, e store.TimelineEvent) (store.TimelineEvent, error)
	Company(ctx context.Context, companyID string) (store.Company, error)
}

// Lifecycle holds the verification lifecycle's activities and their dependencies.
type Lifecycle struct {
	Store   Store
	Metrics *Metrics // optional
}

// ErrCorruptState is the application error type for a stored state that
// cannot be decoded; retrying cannot help.
const ErrCorruptState = "CorruptStoredState"

// RecordState writes the projection and appends the timeline entries. It is
// idempotent by workflow ID and sequence number.
func (a *Lifecycle) RecordState(ctx context.Context, r workflows.Record) error {
	state, err := json.Marshal(stored{State: r.State, Run: r.RunID, Prior: r.Prior})
	if err != nil {
		return temporal.NewNonRetryableApplicationError("encode state", ErrCorruptState, err)
	}
	s := r.State
	events := make([]store.TimelineEvent, 0, len(r.Entries)+len(r.Fill))
	for _, e := range r.Entries {
		events = append(events, timelineEvent(r.WorkflowID, s.ScanRef, e))
	}
	for _, e := range r.Fill {
		te := timelineEvent(r.WorkflowID, s.ScanRef, e)
		te.Fill = true
		events = append(events, te)
	}
	counted := func(err error) error { // once: a retried or repeated record stores nothing new
		for _, e := range events {
			if err == nil && e.Inserted && e.Type == workflows.EntryDecided {
				a.Metrics.decided(cmpOr(s.Kind, "kyc"), string(s.Decision))
			}
		}
		return err
	}
	due, reason, _ := s.Waiting() // the compliance queue's columns
	dueAt := sql.NullTime{Time: due, Valid: !due.IsZero()}
	if s.Kind == workflows.KindCompany {
		return counted(a.Store.SaveCompany(ctx, store.Company{
			CompanyID: s.CompanyID, WorkflowID: r.WorkflowID, ClientID: s.ClientID, ExternalRef: s.ExternalRef,
			Stage: string(s.Stage), Status: s.Status, Final: s.Final, Decision: string(s.Decision), DecisionSeq: s.DecisionSeq,
			Stuck: s.Stuck, Seq: s.Seq, State: string(state), DueAt: dueAt, Reason: reason,
		}, events))
	}
	v := store.Verification{
		ScanRef: s.ScanRef, WorkflowID: r.WorkflowID, ClientID: s.ClientID, ExternalRef: s.ExternalRef, CompanyID: s.CompanyID,
		Stage: string(s.Stage), Status: s.Status, Final: s.Final, Decision: string(s.Decision), DecisionSeq: s.DecisionSeq,
		Stuck: s.Stuck, Seq: s.Seq, State: string(state), DueAt: dueAt, Reason: reason,
	}
	return counted(a.Store.SaveVerification(ctx, v, events))
}

// LoadVerification returns the stored state of scanRef's lifecycle, or nil
// when there is none.
func (a *Lifecycle) LoadVerification(ctx context.Context, scanRef string) (*workflows.State, error) {
	v, err := a.Store.Verification(ctx, scanRef)
	return decodeState(ctx, scanRef, v.State, err)
}

// LoadCompany returns the stored state of a company's lifecycle, or nil
// when there is none.
func (a *Lifecycle) LoadCompany(ctx context.Context, companyID string) (*workflows.State, error) {
	c, err := a.Store.Company(ctx, companyID)
	return decodeState(ctx, companyID, c.State, err)
}

// stored is a lifecycle's state as the store keeps it. A lean run's first
// record, written by a local activity, adds the run's ID and the state the
// run loaded (workflows.recordLocally).
type stored struct {
	workflows.State
	Run   string           `json:"run,omitempty"`
	Prior *workflows.State `json:"prior,omitempty"`
}

// decodeState decodes a stored state for the run loading it. A state its
// own run stored is what a failed attempt of the run's first workflow task
// wrote before it was retried: the run gets what it loaded then.
func decodeState(ctx context.Context, subject, state string, err error) (*workflows.State, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s stored
	if err := json.Unmarshal([]byte(state), &s); err != nil {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("decode stored state of %s", subject), ErrCorruptState, err)
	}
	if s.Run != "" && s.Run == activity.GetInfo(ctx).WorkflowExecution.RunID {
		return s.Prior, nil
	}
	return &s.State, nil
}

func timelineEvent(workflowID, scanRef string, e workflows.Entry) store.TimelineEvent {
	return store.TimelineEvent{WorkflowID: workflowID, Seq: e.Seq, ScanRef: scanRef, Type: e.Type, At: e.At,
		InboxID: sql.NullInt64{Int64: e.InboxID, Valid: e.InboxID != 0}, Detail: e.Detail}
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
