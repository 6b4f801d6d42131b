package operator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kycflow/idenfy"
	"kycflow/store"
)

// redrive makes a stored inbox event pending again, so the relay delivers
// it into its lifecycle once more (the lifecycle deduplicates by inbox id).
// A quarantined event is classified again first: 409 if it still cannot be
// routed. It takes no body (empty or {}); anything else is refused.
func (a *API) redrive(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		c.JSON(http.StatusBadRequest, gin.H{"error": "invalid event id"})
		return
	}
	if err := readBody(c, &struct{}{}, true); err != nil { // takes no body: empty or {}
		a.refuse(c, err)
		return
	}
	if err := a.cases.Redrive(ctx, id); err != nil {
		a.refuse(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "requeued", "id": id})
}

// Redrive makes the stored inbox event id pending again, classifying it
// again first, and wakes the relay. An unknown event is a 404 Refusal; one
// whose payload was purged or cannot be opened, or that still cannot be
// routed, a 409 one; any other error is a failure.
func (cs *Cases) Redrive(ctx context.Context, id int64) error {
	e, err := cs.Store.InboxEvent(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return &Refusal{Status: http.StatusNotFound, Msg: "unknown event"}
	}
	if err != nil {
		return err
	}
	switch {
	case e.PurgedAt.Valid:
		return &Refusal{Status: http.StatusConflict, Msg: "the payload was purged (retention) on " + e.PurgedAt.Time.UTC().Format(time.RFC3339) + "; nothing to redrive"}
	case e.SealErr != nil:
		return &Refusal{Status: http.StatusConflict, Msg: "the payload cannot be opened: " + e.SealErr.Error() + " (configure KYCFLOW_PAYLOAD_KEYS)"}
	}
	headers, _ := e.Headers()
	class, err := idenfy.Classify(idenfy.Kind(e.Route), headers[idenfy.EventTypeHeader], e.Body)
	if err != nil {
		return &Refusal{Status: http.StatusConflict, Msg: "event cannot be routed: " + err.Error()}
	}
	err = cs.Store.Requeue(ctx, id, store.Routing{Kind: string(class.Kind), EventType: class.EventType, SubjectType: class.SubjectType,
		Subject: class.Subject, ScanRefs: class.ScanRefs, CompanyID: class.CompanyID, ClientID: class.ClientID, ExternalRef: class.ExternalRef})
	if err != nil {
		return fmt.Errorf("requeue inbox event %d: %w", id, err)
	}
	cs.log().Info("inbox event redriven", "inbox_id", id, "subject", class.Subject)
	if cs.Requeued != nil {
		cs.Requeued()
	}
	return nil
}
