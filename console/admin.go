package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"kycflow/operator"
	"kycflow/store"
)

// eventsView is a page of the quarantined inbox events.
type eventsView struct {
	Items  []store.InboxSummary
	Next   string
	Paged  bool
	Error  string
	Result *result
}

// events is GET /console/admin/events (admin): the quarantined inbox
// events, newest first, each with a Redrive button.
func (c *Console) events(w http.ResponseWriter, r *http.Request, s store.Session) {
	c.showEvents(w, r, s, http.StatusOK, nil)
}

// showEvents renders the quarantined events (the page of the query's
// cursor) with res, what a redrive just did.
func (c *Console) showEvents(w http.ResponseWriter, r *http.Request, s store.Session, code int, res *result) {
	v := &eventsView{Result: res}
	f := store.InboxFilter{Status: store.StatusQuarantined, Limit: queuePage}
	if cur := r.URL.Query().Get("cursor"); cur != "" {
		after, err := operator.ParseInboxCursor(cur)
		if err != nil {
			v.Error = "invalid page cursor: start from the first page"
			c.render(w, r, http.StatusBadRequest, "events", &s, v)
			return
		}
		f.After, v.Paged = &after, true
	}
	items, next, err := c.store.ListInbox(r.Context(), f)
	if err != nil {
		c.unavailable(w, r, &s, err)
		return
	}
	v.Items = items
	if next != nil {
		v.Next = Path + "/admin/events?" + url.Values{"cursor": {operator.InboxCursor(*next)}}.Encode()
	}
	c.render(w, r, code, "events", &s, v)
}

// redrive is POST /console/admin/events/{id}/redrive (admin), through the
// operator API's redrive: 202 with the event requeued, 404 or 409 with why
// not, shown above the list.
func (c *Console) redrive(w http.ResponseWriter, r *http.Request, s store.Session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		c.showEvents(w, r, s, http.StatusBadRequest, &result{Outcome: "refused", Text: "Invalid event id."})
		return
	}
	err = c.cases.Redrive(r.Context(), id)
	var refusal *operator.Refusal
	switch {
	case errors.As(err, &refusal):
		c.showEvents(w, r, s, refusal.Status, &result{Outcome: "refused", Text: "Event " + strconv.FormatInt(id, 10) + " was not redriven: " + refusal.Msg})
	case err != nil:
		c.unavailable(w, r, &s, err)
	default:
		c.log.Info("console: inbox event redriven", "inbox_id", id, "reviewer", s.Reviewer)
		c.showEvents(w, r, s, http.StatusAccepted, &result{Outcome: "requeued", OK: true,
			Text: "Event " + strconv.FormatInt(id, 10) + " is pending again; the relay delivers it to its lifecycle."})
	}
}
