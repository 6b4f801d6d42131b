package operator

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kycflow/store"
)

// QueueItem is one case a compliance officer must act on.
type QueueItem struct {
	Kind       string     `json:"kind"` // "kyc" (a verification) or "kyb" (a company)
	ID         string     `json:"id"`   // scanRef or company ID
	WorkflowID string     `json:"workflowId"`
	ClientID   string     `json:"clientId"`
	Stage      string     `json:"stage"` // awaiting_compliance or aml_alert
	Status     string     `json:"status"`
	Due        *time.Time `json:"due"`    // when the review escalates; null for an AML alert
	Reason     string     `json:"reason"` // why it waits, one line
	UpdatedAt  time.Time  `json:"updatedAt"`
	Path       string     `json:"path"` // the case in this API
}

// Queue is a page of the compliance queue.
type Queue struct {
	Items      []QueueItem `json:"items"`
	NextCursor *string     `json:"nextCursor"`
}

var queueFilters = map[string]check{"kind": oneOf(store.KindKYC, store.KindKYB), "stage": oneOf(store.QueueStages...),
	"clientId": identifier, "limit": pageLimit, "cursor": cursorOf(ParseQueueCursor)}

// queue is GET /v1/queue: every KYC and KYB case waiting for a compliance
// officer, the most urgent first: dated cases by due time (overdue ones
// first), then undated ones (AML alerts) by when they last changed.
func (a *API) queue(c *gin.Context) {
	q, err := readQuery(c, queueFilters)
	if err != nil {
		a.refuse(c, err)
		return
	}
	f := store.QueueFilter{Kind: q["kind"], Stage: q["stage"], ClientID: q["clientId"], Limit: q.limit()}
	if s := q["cursor"]; s != "" {
		after, _ := ParseQueueCursor(s)
		f.After = &after
	}
	items, next, err := a.store.Queue(c.Request.Context(), f)
	if err != nil {
		a.unavailable(c, err)
		return
	}
	out := Queue{Items: make([]QueueItem, len(items))}
	for i, it := range items {
		out.Items[i] = queueItem(it)
	}
	if next != nil {
		s := QueueCursor(*next)
		out.NextCursor = &s
	}
	c.JSON(http.StatusOK, out)
}

func queueItem(it store.QueueItem) QueueItem {
	out := QueueItem{Kind: it.Kind, ID: it.Subject, WorkflowID: it.WorkflowID, ClientID: it.ClientID, Stage: it.Stage,
		Status: it.Status, Reason: it.Reason, UpdatedAt: it.UpdatedAt.UTC(), Path: "/v1/verifications/" + url.PathEscape(it.Subject)}
	if it.Kind == store.KindKYB {
		out.Path = "/v1/companies/" + url.PathEscape(it.Subject)
	}
	if it.DueAt.Valid {
		due := it.DueAt.Time.UTC()
		out.Due = &due
	}
	return out
}

// QueueCursor encodes a queue position: "d" (dated) or "u" (undated), the
// time in Unix nanoseconds, the kind and the row id, base64url-encoded.
func QueueCursor(c store.QueueCursor) string {
	dated := "d"
	if c.Undated {
		dated = "u"
	}
	raw := dated + "." + strconv.FormatInt(c.At.UnixNano(), 10) + "." + c.Kind + "." + strconv.FormatInt(c.ID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

var errCursor = errors.New("malformed cursor")

// ParseQueueCursor reads a position QueueCursor encoded.
func ParseQueueCursor(s string) (store.QueueCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	parts := strings.Split(string(raw), ".")
	if err != nil || len(parts) != 4 || (parts[0] != "d" && parts[0] != "u") || (parts[2] != store.KindKYC && parts[2] != store.KindKYB) {
		return store.QueueCursor{}, errCursor
	}
	at, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil || id < 1 {
		return store.QueueCursor{}, errCursor
	}
	return store.QueueCursor{Undated: parts[0] == "u", At: time.Unix(0, at).UTC(), Kind: parts[2], ID: id}, nil
}
