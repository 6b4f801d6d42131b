package relay_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"kycflow/internal/testenv"
	"kycflow/relay"
	"kycflow/store"
	"kycflow/workflows"
)

// fakeTemporal records SignalWithStart calls and fails while down is set.
type fakeTemporal struct {
	mu        sync.Mutex
	down      bool
	attempted int
	calls     []workflows.Event
	ids       []string
	input     []workflows.Input
}

func (f *fakeTemporal) SignalWithStartWorkflow(_ context.Context, id, signal string, arg any,
	opts client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempted++
	if f.down {
		return nil, errors.New("connection refused")
	}
	if signal != workflows.SignalEvent || wf != workflows.VerificationWorkflow || opts.ID != id || opts.TaskQueue != "tq" {
		return nil, errors.New("unexpected call")
	}
	f.calls = append(f.calls, arg.(workflows.Event))
	f.ids = append(f.ids, id)
	f.input = append(f.input, args[0].(workflows.Input))
	return nil, nil
}

func (f *fakeTemporal) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func insert(t *testing.T, db *store.DB, body, subject string) int64 {
	t.Helper()
	s, err := db.InsertInbox(context.Background(), store.NewInboxEvent{Route: "kyc", Body: []byte(body), Status: store.StatusPending,
		Kind: "kyc", EventType: "IDENTIFICATION_MANUAL_FINISHED", SubjectType: "scanRef", Subject: subject, ClientID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func start(t *testing.T, db *store.DB, tmp *fakeTemporal) *relay.Relay {
	t.Helper()
	r := relay.New(db, tmp, relay.Options{
		Router: relay.Router{TaskQueue: "tq", Policy: workflows.Policy{Suspected: "approve"}},
		Sweep:  20 * time.Millisecond, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func counts(t *testing.T, db *store.DB) map[store.InboxStatus]int {
	t.Helper()
	c, err := db.InboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRelayDeliversAndMarksDispatched(t *testing.T) {
	db := testenv.SQLite(t)
	tmp := &fakeTemporal{}
	id := insert(t, db, `{"final":true,"status":{"overall":"APPROVED","manualFace":"FACE_MATCH"},"scanRef":"s1",
		"data":{"docFirstName":"JONAS"},"fileUrls":{"FACE":"https://secret.example/face.png"}}`, "s1")
	start(t, db, tmp)
	waitFor(t, "dispatch", func() bool { return counts(t, db)[store.StatusDispatched] == 1 })
	e := tmp.calls[0]
	if e.InboxID != id || e.ScanRef != "s1" || !e.Final || e.Overall != "APPROVED" || e.ManualFace != "FACE_MATCH" || e.ClientID != "c1" {
		t.Errorf("signalled event = %+v", e)
	}
	if tmp.ids[0] != "kyc-s1" || tmp.input[0].Policy.Suspected != "approve" {
		t.Errorf("workflow id %q input %+v", tmp.ids[0], tmp.input[0])
	}
}

func TestRelayRetriesWhileTemporalIsDown(t *testing.T) {
	db := testenv.SQLite(t)
	tmp := &fakeTemporal{down: true}
	for _, s := range []string{"a", "b", "c"} {
		insert(t, db, `{"final":false,"scanRef":"`+s+`"}`, s)
	}
	start(t, db, tmp)
	waitFor(t, "several failed attempts", func() bool {
		e, err := db.InboxEvent(context.Background(), 1)
		return err == nil && e.Attempts >= 3 && e.LastError != ""
	})
	if c := counts(t, db); c[store.StatusPending] != 3 {
		t.Fatalf("counts while down = %v, want all pending", c)
	}
	tmp.mu.Lock()
	tmp.down = false
	tmp.mu.Unlock()
	waitFor(t, "recovery", func() bool { return counts(t, db)[store.StatusDispatched] == 3 })
}

func TestRelayQuarantinesUndeliverable(t *testing.T) {
	db := testenv.SQLite(t)
	tmp := &fakeTemporal{}
	insert(t, db, `{"scanRef":"s","final":"not a bool"}`, "s")
	start(t, db, tmp)
	waitFor(t, "quarantine", func() bool { return counts(t, db)[store.StatusQuarantined] == 1 })
	if tmp.count() != 0 {
		t.Error("an undeliverable event was signalled")
	}
}

func TestNotifyWakesTheRelay(t *testing.T) {
	db := testenv.SQLite(t)
	tmp := &fakeTemporal{}
	r := relay.New(db, tmp, relay.Options{Router: relay.Router{TaskQueue: "tq"}, Sweep: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	insert(t, db, `{"final":true,"scanRef":"first"}`, "first")
	go r.Run(ctx)
	waitFor(t, "the start-up sweep", func() bool { return tmp.count() == 1 })
	// The next sweep is an hour away: only Notify can deliver this one.
	insert(t, db, `{"final":true,"scanRef":"n"}`, "n")
	r.Notify()
	waitFor(t, "notified dispatch", func() bool { return tmp.count() == 2 })
}

func TestRelayStopsCallingADeadTemporalWithinABatch(t *testing.T) {
	db := testenv.SQLite(t)
	tmp := &fakeTemporal{down: true}
	for _, s := range []string{"a", "a", "b", "c", "d"} {
		insert(t, db, `{"final":false,"scanRef":"`+s+`","n":"`+strconv.Itoa(int(time.Now().UnixNano()))+`"}`, s)
	}
	r := relay.New(db, tmp, relay.Options{Router: relay.Router{TaskQueue: "tq"}, Concurrency: 1, Sweep: time.Hour, MinBackoff: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx)
	waitFor(t, "every row rescheduled", func() bool {
		for id := int64(1); id <= 5; id++ {
			e, err := db.InboxEvent(context.Background(), id)
			if err != nil || e.LastError == "" {
				return false
			}
		}
		return true
	})
	tmp.mu.Lock()
	defer tmp.mu.Unlock()
	if tmp.attempted != 1 {
		t.Errorf("calls to an unreachable Temporal in one batch = %d, want 1", tmp.attempted)
	}
}

// Within a subject the relay delivers in order of arrival, which in one
// group commit is not the order of ids (those follow its lock order).
func TestRelayDeliversASubjectInOrderOfArrival(t *testing.T) {
	db := testenv.SQLite(t)
	arrival := time.Now().Add(-time.Minute)
	at := []time.Time{arrival.Add(2 * time.Second), arrival, arrival.Add(time.Second)}
	var ids []int64
	for i, when := range at {
		db.Now = func() time.Time { return when }
		ids = append(ids, insert(t, db, `{"n":`+strconv.Itoa(i)+`}`, "scan-order"))
	}
	db.Now = time.Now
	tmp := &fakeTemporal{}
	start(t, db, tmp)
	waitFor(t, "three deliveries", func() bool { return tmp.count() == 3 })
	tmp.mu.Lock()
	defer tmp.mu.Unlock()
	var got []int64
	for _, e := range tmp.calls {
		got = append(got, e.InboxID)
	}
	if want := []int64{ids[1], ids[2], ids[0]}; !slices.Equal(got, want) {
		t.Errorf("delivered inbox ids %v, want %v (order of arrival)", got, want)
	}
}

// countingInbox counts the relay's lag queries.
type countingInbox struct {
	*store.DB
	mu      sync.Mutex
	oldest  int
	pending int
}

func (c *countingInbox) OldestPending(ctx context.Context, kinds []string) (time.Time, bool, error) {
	c.mu.Lock()
	c.oldest++
	c.mu.Unlock()
	return c.DB.OldestPending(ctx, kinds)
}

func (c *countingInbox) PendingCounts(ctx context.Context) (map[string]int, error) {
	c.mu.Lock()
	c.pending++
	c.mu.Unlock()
	return c.DB.PendingCounts(ctx)
}

// Under load the relay wakes once per commit; the lag gauges' queries run
// at most once a sweep, not on every wake-up.
func TestLagIsObservedOncePerSweepNotPerWakeUp(t *testing.T) {
	db := &countingInbox{DB: testenv.SQLite(t)}
	tmp := &fakeTemporal{}
	r := relay.New(db, tmp, relay.Options{Router: relay.Router{TaskQueue: "tq"}, Sweep: time.Hour,
		Metrics: relay.NewMetrics(prometheus.NewRegistry())})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx)
	for i := range 20 {
		id := "w" + strconv.Itoa(i)
		insert(t, db.DB, `{"final":true,"scanRef":"`+id+`"}`, id)
		r.Notify()
		waitFor(t, "notified dispatch", func() bool { return tmp.count() == i+1 })
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.oldest != 1 || db.pending != 1 {
		t.Errorf("lag queries over 20 wake-ups within one sweep: %d oldest, %d counts; want 1 each", db.oldest, db.pending)
	}
}
