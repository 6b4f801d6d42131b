package operator

import (
	"context"
	"log/slog"
	"time"

	"kycflow/store"
)

// CaseStore is the part of the database that acting on a case needs.
type CaseStore interface {
	Verification(ctx context.Context, scanRef string) (store.Verification, error)
	Timeline(ctx context.Context, scanRef string) ([]store.TimelineEvent, error)
	PersonalDataViews(ctx context.Context, scanRef string) ([]store.PersonalDataView, error)
	CasePayloads(ctx context.Context, scanRef string, after int64, limit int) ([]store.InboxEvent, int64, error)
	RecordPersonalDataView(ctx context.Context, v store.PersonalDataView) (store.PersonalDataView, error)
	InboxEvent(ctx context.Context, id int64) (store.InboxEvent, error)
	Requeue(ctx context.Context, id int64, r store.Routing) error
}

// Cases is what the operator API and the compliance console both do to a
// case: send a review through the lifecycle's Update, reveal its personal
// data (recording the look first), redrive an inbox event, and read its
// evidence trail. Each caller checks the principal's role before; Cases
// answers in Go values, the callers in JSON or HTML.
type Cases struct {
	Store    CaseStore
	Temporal Temporal
	// Log receives IDs and types only; nil discards.
	Log *slog.Logger
	// Requeued is called after a redrive made an event pending (the
	// relay's wake-up); nil does nothing.
	Requeued func()
	// ReviewTimeout bounds how long a review waits for the lifecycle to
	// take it (no worker running, Temporal slow); default
	// DefaultReviewTimeout.
	ReviewTimeout time.Duration
}

// DefaultReviewTimeout is how long a review waits for its lifecycle by
// default: under the HTTP server's 20 s write timeout, so the 504 that
// says "not taken" still reaches the caller instead of a cut connection.
const DefaultReviewTimeout = 15 * time.Second

func (cs *Cases) log() *slog.Logger {
	if cs.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return cs.Log
}

func (cs *Cases) reviewTimeout() time.Duration {
	if cs.ReviewTimeout <= 0 {
		return DefaultReviewTimeout
	}
	return cs.ReviewTimeout
}

// VerificationTimeline is a verification's evidence trail with the
// recorded looks at its personal data merged in time order
// (personal_data_viewed, seq 0).
func (cs *Cases) VerificationTimeline(ctx context.Context, scanRef string) ([]Timeline, error) {
	events, err := cs.Store.Timeline(ctx, scanRef)
	if err != nil {
		return nil, err
	}
	views, err := cs.Store.PersonalDataViews(ctx, scanRef)
	if err != nil {
		return nil, err
	}
	return withViews(timelineView(events), views), nil
}

// TimelineView shows stored timeline entries in the API's shape.
func TimelineView(events []store.TimelineEvent) []Timeline { return timelineView(events) }
