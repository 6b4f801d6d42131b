package operator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kycflow/idenfy"
	"kycflow/identity"
	"kycflow/store"
)

// EntryPersonalDataViewed is the timeline entry of a recorded look at a
// case's personal data. It comes from personal_data_views, not from the
// lifecycle, so it has no sequence number (seq 0).
const EntryPersonalDataViewed = "personal_data_viewed"

// PersonalData is a page of a verification's stored payloads with their
// personal fields, oldest first.
type PersonalData struct {
	ScanRef    string            `json:"scanRef"`
	WorkflowID string            `json:"workflowId"`
	Items      []PersonalPayload `json:"items"`
	NextCursor *string           `json:"nextCursor"`
}

// PersonalPayload is one stored webhook of the case with its personal
// fields, or Unavailable saying why it shows none.
type PersonalPayload struct {
	InboxID    int64     `json:"inboxId"`
	Kind       string    `json:"kind"` // kyc or aml
	EventType  string    `json:"eventType"`
	ReceivedAt time.Time `json:"receivedAt"`
	Purged     bool      `json:"purged"`
	// Unavailable is why the payload shows no personal data: "purged"
	// (retention), "sealed" (its payload key is not configured),
	// "unreadable" (not the JSON its kind has); empty when shown.
	Unavailable string `json:"unavailable,omitempty"`
	// Person is a KYC identification's data object: names, date of birth,
	// document number, type and issuing country, nationality, addresses…
	Person *idenfy.PersonData `json:"person,omitempty"`
	// Subject is the person an AML monitoring webhook is about.
	Subject *MonitoredSubject `json:"subject,omitempty"`
	// Hits are the screening results with their matches: an AML
	// webhook's results, a KYC identification's AML and LID checks.
	Hits []idenfy.CheckResult `json:"hits,omitempty"`
	// AMLCheck is an AML webhook's detailed check (adverse media, matches).
	AMLCheck *idenfy.AMLCheck `json:"amlCheck,omitempty"`
}

// MonitoredSubject is the person of an AML monitoring webhook.
type MonitoredSubject struct {
	Name        *string `json:"name"`
	Surname     *string `json:"surname"`
	DOB         *string `json:"dob"`
	Nationality *string `json:"nationality"`
}

var personalDataFilters = map[string]check{"limit": pageLimit, "cursor": cursorOf(parseID)}

// personalData is GET /v1/verifications/{scanRef}/personal-data: the
// decrypted personal fields of the webhooks routed to the case (see
// Cases.PersonalData: the view is recorded before anything is answered).
func (a *API) personalData(c *gin.Context) {
	q, err := readQuery(c, personalDataFilters)
	if err != nil {
		a.refuse(c, err)
		return
	}
	after, _ := parseID(q["cursor"])
	out, err := a.cases.PersonalData(c.Request.Context(), principal(c), c.Param("scanRef"), after, q.limit())
	if err != nil {
		a.refuse(c, err) // a failure to record the view is a 503 showing nothing
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

// PersonalData reveals to p the personal fields of the webhooks stored for
// scanRef: a page of at most limit (1–500, default 50) after the inbox id
// after. The look is recorded first (who, role, which inbox events, when);
// if it cannot be, PersonalData fails and shows nothing. A role that may
// not see personal data is a 403 Refusal, an unknown scanRef a 404 one;
// any other error is a failure. Only IDs are logged.
func (cs *Cases) PersonalData(ctx context.Context, p identity.Principal, scanRef string, after int64, limit int) (PersonalData, error) {
	if !p.Role.CanViewPersonalData() {
		return PersonalData{}, &Refusal{Status: http.StatusForbidden, Msg: "role " + string(p.Role) + " may not view personal data"}
	}
	v, err := cs.Store.Verification(ctx, scanRef)
	if errors.Is(err, store.ErrNotFound) {
		return PersonalData{}, &Refusal{Status: http.StatusNotFound, Msg: "unknown scanRef"}
	}
	if err != nil {
		return PersonalData{}, err
	}
	events, next, err := cs.Store.CasePayloads(ctx, scanRef, after, limit)
	if err != nil {
		return PersonalData{}, err
	}
	out := PersonalData{ScanRef: scanRef, WorkflowID: v.WorkflowID, Items: make([]PersonalPayload, len(events)), NextCursor: idCursor(next)}
	shown := []int64{}
	for i, e := range events {
		out.Items[i] = personalPayload(e)
		if out.Items[i].Unavailable == "" {
			shown = append(shown, e.ID)
		}
	}
	if _, err := cs.Store.RecordPersonalDataView(ctx, store.PersonalDataView{WorkflowID: v.WorkflowID, ScanRef: scanRef,
		Reviewer: p.Name, Role: p.Role, InboxIDs: shown}); err != nil {
		return PersonalData{}, fmt.Errorf("record the personal data view of %s: %w", scanRef, err) // fail closed
	}
	cs.log().Info("personal data viewed", "workflow_id", v.WorkflowID, "scan_ref", scanRef, "reviewer", p.Name, "role", p.Role, "inbox_ids", shown)
	return out, nil
}

// personalPayload reads the personal fields of a stored webhook.
func personalPayload(e store.InboxEvent) PersonalPayload {
	out := PersonalPayload{InboxID: e.ID, Kind: e.Kind, EventType: e.EventType, ReceivedAt: e.ReceivedAt.UTC(), Purged: e.PurgedAt.Valid}
	switch {
	case e.PurgedAt.Valid:
		out.Unavailable = "purged"
		return out
	case e.SealErr != nil:
		out.Unavailable = "sealed"
		return out
	}
	switch idenfy.Kind(e.Kind) {
	case idenfy.KindKYC:
		id, err := idenfy.ParseIdentification(e.Body)
		if err != nil {
			out.Unavailable = "unreadable"
			return out
		}
		out.Person = id.Data
		out.Hits = append(append(out.Hits, id.AML...), id.LID...)
	case idenfy.KindAML:
		m, err := idenfy.ParseMonitoring(e.Body)
		if err != nil {
			out.Unavailable = "unreadable"
			return out
		}
		out.Subject = &MonitoredSubject{Name: m.Name, Surname: m.Surname, DOB: m.DOB, Nationality: m.Nationality}
		out.Hits, out.AMLCheck = m.Results, m.AMLCheck
	default:
		out.Unavailable = "unreadable"
	}
	return out
}

// withViews merges the recorded looks at the case's personal data into its
// timeline in time order; the lifecycle's entries keep their order.
func withViews(timeline []Timeline, views []store.PersonalDataView) []Timeline {
	out := make([]Timeline, 0, len(timeline)+len(views))
	i := 0
	for _, v := range views {
		for i < len(timeline) && !timeline[i].At.After(v.At) {
			out = append(out, timeline[i])
			i++
		}
		out = append(out, Timeline{Seq: 0, Type: EntryPersonalDataViewed, At: v.At.UTC(), Detail: viewDetail(v)})
	}
	return append(out, timeline[i:]...)
}

// viewDetail is the timeline line of a look at personal data.
func viewDetail(v store.PersonalDataView) string {
	if len(v.InboxIDs) == 0 {
		return fmt.Sprintf("%s (%s) viewed the personal data: no stored payload to show", v.Reviewer, v.Role)
	}
	ids := make([]string, len(v.InboxIDs))
	for i, id := range v.InboxIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	return fmt.Sprintf("%s (%s) viewed the personal data of inbox events %s", v.Reviewer, v.Role, strings.Join(ids, ", "))
}
