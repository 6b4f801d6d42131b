package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"kycflow/internal/testenv"
	"kycflow/internal/testtemporal"
	"kycflow/store"
)

// The worker is killed 5 times while 500 verifications are decided and
// onboarded: exactly one effective onboarding call per decision (the
// webhook-id is stable across attempts and workers), no lifecycle stuck.
// Every other verification gets iDenfy's preliminary result first, whose
// record is its run's first, made by a local activity: kills land between
// that write and the end of its workflow task too.
func TestFaultWorkerKilledRepeatedly(t *testing.T) {
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	sys := startSystemWith(t, ts, ts.GetFrontendHostPort(), false, append(env, "KYCFLOW_TASK_QUEUE=kill-test")...)
	w := startKillableWorker(t, ts, sys.cfg, sys.db)
	const n = 500
	var ds []delivery
	var refs []string
	for i := range n {
		ref := fmt.Sprintf("wkill-%03d", i)
		refs = append(refs, ref)
		if i%2 == 1 {
			ds = append(ds, delivery{"kyc", kycBody(t, "kyc_auto_suspected.json", ref, 1)})
		}
		ds = append(ds, delivery{"kyc", kycBody(t, "kyc_manual_approved.json", ref, 2)})
	}
	var tl tally
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		(&sender{url: sys.url, concurrency: 8}).send(t, ds, &tl)
	}()
	kills := 0
	for kills < 5 {
		time.Sleep(1500 * time.Millisecond)
		w.Stop() // abrupt: running activities are cancelled mid-call
		kills++
		w = startKillableWorker(t, ts, sys.cfg, sys.db)
	}
	<-sent
	waitDecided(t, sys, refs, 5*time.Minute, approved)
	waitFor(t, 3*time.Minute, func() bool { return len(down.onboarding.Effective()) >= n })
	attempts := 0
	perRef := map[string]int{}
	for _, m := range down.onboarding.Effective() {
		perRef[fmt.Sprint(m.Body["scanRef"])]++
		attempts += down.onboarding.Attempts(m.ID)
	}
	stored, dispatched := inboxTotals(t, sys.db)
	decided, doubled := outcome(t, sys, refs, approved)
	for _, c := range perRef {
		if c != 1 {
			doubled++
		}
	}
	figures{test: "worker killed 5 times, 500 verifications (250 with a preliminary result)", sent: len(ds), acknowledged: int(tl.acked.Load()), stored: stored, dispatched: dispatched,
		decided: decided, lost: n - decided + n - len(perRef), doubled: doubled,
		note: fmt.Sprintf("%d kills; %d onboarding attempts for %d effective calls", kills, attempts, len(perRef))}.report(t)
}

// PostgreSQL becomes unreachable during a load: serve answers 503 with
// Retry-After at once (never a 4xx, never a hang past iDenfy's 10 s), keeps
// no partial rows, and recovers without a restart; the sender's retries
// then complete the set, each webhook stored exactly once.
func TestFaultPostgresDown(t *testing.T) {
	proxied, proxy := testenv.ProxyURL(t, testenv.PostgresURL(t))
	srv := startServe(t, "KYCFLOW_DATABASE_URL="+proxied)
	const n = 400
	var ds []delivery
	for i := range n {
		ds = append(ds, delivery{"kyc", kycBody(t, "kyc_manual_approved.json", fmt.Sprintf("pgdown-%03d", i), 1)})
	}
	var tl tally
	var outage atomic.Bool
	go func() {
		for tl.acked.Load() < n/4 {
			time.Sleep(5 * time.Millisecond)
		}
		proxy.Stop()
		outage.Store(true)
		time.Sleep(3 * time.Second)
		proxy.Start()
	}()
	(&sender{url: srv.url, concurrency: 8, retry: true, deadline: time.Minute}).send(t, ds, &tl)
	if !outage.Load() {
		t.Fatal("the outage never happened")
	}
	db, err := store.Open(context.Background(), store.Options{URL: proxied})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored, _ := inboxTotals(t, db)
	for code := range tl.codes {
		if code/100 == 4 || code == 0 {
			t.Errorf("answered %d during the outage (codes %v): only 200 and 503 are allowed", code, tl.codes)
		}
	}
	if tl.maxLatency > 10*time.Second {
		t.Errorf("slowest answer %v: past iDenfy's 10 s budget", tl.maxLatency)
	}
	for id := int64(1); id <= int64(stored); id++ { // no partial rows: every stored body is one that was sent, whole
		e, err := db.InboxEvent(context.Background(), id)
		if err == nil && !containsBody(ds, e.Body) {
			t.Errorf("inbox row %d holds a body that was never sent", id)
		}
	}
	figures{test: "PostgreSQL down 3 s during 400 webhooks", sent: int(tl.sent.Load()), acknowledged: int(tl.acked.Load()), stored: stored,
		lost: n - stored, doubled: stored - n,
		note: fmt.Sprintf("%d answered 503 then retried; slowest answer %v", tl.codes[503], tl.maxLatency.Round(time.Millisecond))}.report(t)
}

func containsBody(ds []delivery, b []byte) bool {
	for _, d := range ds {
		if string(d.body) == string(b) {
			return true
		}
	}
	return false
}

// serve is SIGKILLed mid-load and started again: no acknowledged webhook
// is missing from the inbox, and every pending one is dispatched and
// decided (the sender retries what got no answer, as iDenfy does).
func TestFaultServeKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := productionBinary(t)
	ts := testtemporal.New(t)
	sys := startWorkerOnly(t, ts)
	addr := freeAddr(t)
	logs := filepath.Join(t.TempDir(), "serve.log")
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "KYCFLOW_LISTEN_ADDR="+addr, "KYCFLOW_DATABASE_URL="+sys.cfg.DatabaseURL,
			"TEMPORAL_ADDRESS="+ts.GetFrontendHostPort(), "TEMPORAL_NAMESPACE="+ts.GetDefaultNamespace(),
			"KYCFLOW_IDENFY_KEYS="+testKey, "KYCFLOW_API_TOKEN="+apiToken, "KYCFLOW_AML_MONITORING=false")
		f, err := os.OpenFile(logs, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); f.Close() })
		waitFor(t, 30*time.Second, func() bool {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.Close()
			}
			return err == nil
		})
		return cmd
	}
	proc := start()
	const n = 600
	var ds []delivery
	var refs []string
	for i := range n {
		ref := fmt.Sprintf("skill-%03d", i)
		refs = append(refs, ref)
		ds = append(ds, delivery{"kyc", kycBody(t, "kyc_auto_suspected.json", ref, 1)}, delivery{"kyc", kycBody(t, "kyc_manual_approved.json", ref, 2)})
	}
	var tl tally
	var ackedBeforeKill int64
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		for tl.acked.Load() < int64(len(ds))/3 {
			time.Sleep(2 * time.Millisecond)
		}
		proc.Process.Kill() // SIGKILL: no graceful anything
		proc.Wait()
		ackedBeforeKill = tl.acked.Load()
		start()
	}()
	(&sender{url: "http://" + addr, concurrency: 16, retry: true, deadline: 2 * time.Minute}).send(t, ds, &tl)
	<-killed
	stored, _ := inboxTotals(t, sys.db)
	if stored != len(ds) || int(tl.acked.Load()) != len(ds) {
		logTail(t, logs)
		t.Fatalf("stored %d, acknowledged %d of %d", stored, tl.acked.Load(), len(ds))
	}
	waitDecided(t, sys, refs, 5*time.Minute, approved)
	waitFor(t, 60*time.Second, func() bool { _, d := inboxTotals(t, sys.db); return d == len(ds) })
	_, dispatched := inboxTotals(t, sys.db)
	decided, doubled := outcome(t, sys, refs, approved)
	figures{test: "serve SIGKILLed mid-load, 1,200 webhooks", sent: int(tl.sent.Load()), acknowledged: int(tl.acked.Load()), stored: stored,
		dispatched: dispatched, decided: decided, lost: len(ds) - stored + len(ds) - dispatched, doubled: doubled,
		note: fmt.Sprintf("killed after %d acknowledgements; %d sends retried", ackedBeforeKill, tl.retried.Load())}.report(t)
}

func logTail(t *testing.T, path string) {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	t.Logf("serve log tail:\n%s", b)
}
