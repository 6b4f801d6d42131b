package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"kycflow/store"
)

func TestAReviewerCannotReachTheAdminPages(t *testing.T) {
	r := newRig(t)
	for _, name := range []string{"alice", "vera"} {
		b := r.signIn(name)
		if w := b.do(http.MethodGet, "/console/admin/events", nil); w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), `id="quarantined"`) {
			t.Errorf("%s: admin page = %d", name, w.Code)
		}
		if w := b.post("/console/admin/events/"+itoa(r.seed.quarantined)+"/redrive", nil); w.Code != http.StatusForbidden {
			t.Errorf("%s: redrive = %d, want 403", name, w.Code)
		}
		if body := b.do(http.MethodGet, "/console/queue", nil).Body.String(); strings.Contains(body, `id="nav-admin"`) {
			t.Errorf("%s sees the admin link", name)
		}
	}
	if e, err := r.db.InboxEvent(context.Background(), r.seed.quarantined); err != nil || e.Status != store.StatusQuarantined {
		t.Errorf("event after refused redrives = %s, %v", e.Status, err)
	}
}

func TestAnAdminRedrivesAQuarantinedEvent(t *testing.T) {
	r := newRig(t)
	requeued := 0
	r.cases.Requeued = func() { requeued++ }
	b := r.signIn("ada")
	body := b.do(http.MethodGet, "/console/queue", nil).Body.String()
	if !strings.Contains(body, `id="nav-admin"`) {
		t.Error("an admin has no link to the admin page")
	}
	w := b.do(http.MethodGet, "/console/admin/events", nil)
	for _, id := range []int64{r.seed.quarantined, r.seed.unroutable} {
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `<button id="redrive-`+itoa(id)+`"`) {
			t.Errorf("admin page (%d) lacks event %d's redrive button", w.Code, id)
		}
	}
	w = b.post("/console/admin/events/"+itoa(r.seed.quarantined)+"/redrive", nil)
	if w.Code != http.StatusAccepted || !strings.Contains(w.Body.String(), `id="redrive-result" class="result ok" data-outcome="requeued"`) {
		t.Errorf("redrive = %d %s", w.Code, w.Body)
	}
	if e, err := r.db.InboxEvent(context.Background(), r.seed.quarantined); err != nil || e.Status != store.StatusPending || e.Subject != "s9" || requeued != 1 {
		t.Errorf("redriven event = %s %q, %v, relay woken %d times; want pending for s9, woken once", e.Status, e.Subject, err, requeued)
	}
	w = b.post("/console/admin/events/"+itoa(r.seed.unroutable)+"/redrive", nil)
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), `data-outcome="refused"`) || !strings.Contains(w.Body.String(), "cannot be routed") {
		t.Errorf("redrive of an unroutable event = %d %s", w.Code, w.Body)
	}
	if w := b.post("/console/admin/events/999/redrive", nil); w.Code != http.StatusNotFound {
		t.Errorf("redrive of an unknown event = %d", w.Code)
	}
}
