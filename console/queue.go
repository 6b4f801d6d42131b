package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"

	"kycflow/operator"
	"kycflow/store"
)

// queuePage is the default page size of the queue.
const queuePage = 50

// queueView is a page of the compliance queue with its filters.
type queueView struct {
	Items                 []queueRow
	Stage, Kind, ClientID string
	Stages, Kinds         []string
	// Next is the URL of the next page ("" on the last); Filtered and
	// Paged say whether a link back to the first page helps.
	Next            string
	Paged, Filtered bool
	Error           string
}

// queueRow is one case in the queue, with its page.
type queueRow struct {
	store.QueueItem
	Path    string
	Overdue bool
}

// queue is GET /console (and /console/queue): store.Queue, one indexed
// query per page, filtered by stage, kind and client ID, paged by the
// operator API's cursor.
func (c *Console) queue(w http.ResponseWriter, r *http.Request, s store.Session) {
	v := &queueView{Stages: store.QueueStages, Kinds: []string{store.KindKYC, store.KindKYB}}
	f, err := queueFilter(r.URL.Query(), v)
	if err != nil {
		v.Error = err.Error()
		c.render(w, r, http.StatusBadRequest, "queue", &s, v)
		return
	}
	items, next, err := c.store.Queue(r.Context(), f)
	if err != nil {
		c.unavailable(w, r, &s, err)
		return
	}
	now := c.o.Now()
	for _, it := range items {
		row := queueRow{QueueItem: it, Path: Path + "/cases/" + it.Kind + "/" + url.PathEscape(it.Subject)}
		row.Overdue = it.DueAt.Valid && it.DueAt.Time.Before(now)
		v.Items = append(v.Items, row)
	}
	if next != nil {
		q := url.Values{}
		for k, val := range map[string]string{"stage": v.Stage, "kind": v.Kind, "clientId": v.ClientID} {
			if val != "" {
				q.Set(k, val)
			}
		}
		if f.Limit != queuePage {
			q.Set("limit", strconv.Itoa(f.Limit))
		}
		q.Set("cursor", operator.QueueCursor(*next))
		v.Next = Path + "/queue?" + q.Encode()
	}
	c.render(w, r, http.StatusOK, "queue", &s, v)
}

// queueFilter reads the queue's query string into a filter (and v's
// fields, to show them back), refusing what the queue does not take.
func queueFilter(q url.Values, v *queueView) (store.QueueFilter, error) {
	f := store.QueueFilter{Limit: queuePage}
	for name := range q {
		if !slices.Contains([]string{"stage", "kind", "clientId", "limit", "cursor"}, name) {
			return f, fmt.Errorf("unknown filter %q", name)
		}
	}
	v.Stage, v.Kind, v.ClientID = q.Get("stage"), q.Get("kind"), q.Get("clientId")
	v.Filtered = v.Stage != "" || v.Kind != "" || v.ClientID != ""
	if v.Stage != "" && !slices.Contains(store.QueueStages, v.Stage) {
		return f, fmt.Errorf("stage must be awaiting_compliance or aml_alert")
	}
	if v.Kind != "" && v.Kind != store.KindKYC && v.Kind != store.KindKYB {
		return f, fmt.Errorf("kind must be kyc or kyb")
	}
	if len(v.ClientID) > 200 || !utf8.ValidString(v.ClientID) || !printable(v.ClientID) {
		return f, fmt.Errorf("the client ID must be printable text of at most 200 bytes")
	}
	f.Stage, f.Kind, f.ClientID = v.Stage, v.Kind, v.ClientID
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return f, fmt.Errorf("limit must be from 1 to 500")
		}
		f.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		after, err := operator.ParseQueueCursor(s)
		if err != nil {
			return f, fmt.Errorf("invalid page cursor: start from the first page")
		}
		f.After, v.Paged = &after, true
	}
	return f, nil
}

func printable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
