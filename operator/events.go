package operator

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kycflow/store"
)

// Event is a stored webhook delivery as the API lists it: routing keys and
// processing state, never the body, the headers or personal data.
type Event struct {
	ID               int64     `json:"id"`
	Route            string    `json:"route"`
	EventType        string    `json:"eventType"`
	Kind             string    `json:"kind"`
	Subject          string    `json:"subject"` // the routing ID: scanRef, company ID, ...
	ReceivedAt       time.Time `json:"receivedAt"`
	Status           string    `json:"status"`
	QuarantineReason string    `json:"quarantineReason"`
	Attempts         int       `json:"attempts"`
	LastError        string    `json:"lastError"`
}

// EventList is a page of inbox events.
type EventList struct {
	Items      []Event `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

var inboxStatuses = []string{string(store.StatusQuarantined), string(store.StatusPending), string(store.StatusDispatched)}

var eventFilters = map[string]check{"status": oneOf(inboxStatuses...), "limit": pageLimit, "cursor": cursorOf(ParseInboxCursor)}

// events is GET /v1/events?status=: the inbox's events of one status,
// newest first. The status is required: the list reads the inbox's
// (status, received_at) index, never the whole inbox.
func (a *API) events(c *gin.Context) {
	q, err := readQuery(c, eventFilters)
	if err != nil {
		a.refuse(c, err)
		return
	}
	if q["status"] == "" {
		a.refuse(c, invalid(`status is required: one of "%s"`, strings.Join(inboxStatuses, `", "`)))
		return
	}
	f := store.InboxFilter{Status: store.InboxStatus(q["status"]), Limit: q.limit()}
	if s := q["cursor"]; s != "" {
		after, _ := ParseInboxCursor(s)
		f.After = &after
	}
	events, next, err := a.store.ListInbox(c.Request.Context(), f)
	if err != nil {
		a.unavailable(c, err)
		return
	}
	out := EventList{Items: make([]Event, len(events))}
	for i, e := range events {
		out.Items[i] = Event{ID: e.ID, Route: e.Route, EventType: e.EventType, Kind: e.Kind, Subject: e.Subject,
			ReceivedAt: e.ReceivedAt.UTC(), Status: string(e.Status), QuarantineReason: e.QuarantineReason, Attempts: e.Attempts,
			LastError: e.LastError}
	}
	if next != nil {
		s := InboxCursor(*next)
		out.NextCursor = &s
	}
	c.JSON(http.StatusOK, out)
}

// InboxCursor encodes a position in the event list: the receipt time in
// Unix nanoseconds and the id, base64url-encoded.
func InboxCursor(c store.InboxCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.ReceivedAt.UnixNano(), 10) + "." + strconv.FormatInt(c.ID, 10)))
}

// ParseInboxCursor reads a position InboxCursor encoded.
func ParseInboxCursor(s string) (store.InboxCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	at, id, ok := strings.Cut(string(raw), ".")
	if err != nil || !ok {
		return store.InboxCursor{}, errCursor
	}
	nanos, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n < 1 {
		return store.InboxCursor{}, errCursor
	}
	return store.InboxCursor{ReceivedAt: time.Unix(0, nanos).UTC(), ID: n}, nil
}
