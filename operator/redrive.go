package operator

import (
	"errors"
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
	e, err := a.store.InboxEvent(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		c.JSON(http.StatusNotFound, gin.H{"error": "unknown event"})
		return
	}
	if err != nil {
		a.unavailable(c, err)
		return
	}
	switch {
	case e.PurgedAt.Valid:
		c.JSON(http.StatusConflict, gin.H{"error": "the payload was purged (retention) on " + e.PurgedAt.Time.UTC().Format(time.RFC3339) + "; nothing to redrive"})
		return
	case e.SealErr != nil:
		c.JSON(http.StatusConflict, gin.H{"error": "the payload cannot be opened: " + e.SealErr.Error() + " (configure KYCFLOW_PAYLOAD_KEYS)"})
		return
	}
	headers, _ := e.Headers()
	class, err := idenfy.Classify(idenfy.Kind(e.Route), headers[idenfy.EventTypeHeader], e.Body)
	if err != nil {
		c.JSON(http.StatusConflict, gin.H{"error": "event cannot be routed: " + err.Error()})
		return
	}
	err = a.store.Requeue(ctx, id, store.Routing{Kind: string(class.Kind), EventType: class.EventType, SubjectType: class.SubjectType,
		Subject: class.Subject, ScanRefs: class.ScanRefs, CompanyID: class.CompanyID, ClientID: class.ClientID, ExternalRef: class.ExternalRef})
	if err != nil {
		a.unavailable(c, err)
		return
	}
	a.log.Info("inbox event redriven", "inbox_id", id, "subject", class.Subject)
	a.requeued()
	c.JSON(http.StatusAccepted, gin.H{"status": "requeued", "id": id})
}
