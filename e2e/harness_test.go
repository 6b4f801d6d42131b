package e2e

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"kycflow/activities"
	"kycflow/devserver"
	"kycflow/internal/fakes"
	"kycflow/internal/testenv"
	"kycflow/internal/testtemporal"
	"kycflow/outbound"
	"kycflow/service"
	"kycflow/simulate"
	"kycflow/store"
	"kycflow/worker"
)

// The harness: the processes a suite runs, each stopped when its test ends.
//
//	startServe           serve, in-process, on a loopback port
//	startSystem          serve + worker against real PostgreSQL and a real Temporal
//	startConsoleSystem   startSystem, with serve's console signing in local reviewers
//	startWorkerOnly      a worker, and no serve
//	startKillableWorker  a bare SDK worker a test can stop abruptly
//	newDownstream        fake onboarding and notification receivers
//	startDev             `kycflow dev`, in-process, on free ports
//	productionBinary     the production binary (-tags nodev), built once per run

const (
	testKey  = "e2e-signing-key"      // signs every webhook the suites send
	apiToken = "lifecycle-test-token" // opens the operator API
)

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

// productionBinary builds the production kycflow binary (-tags nodev)
// once per test run.
func productionBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "kycflow-bin-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "kycflow")
		built.out, built.err = exec.Command("go", "build", "-tags", "nodev", "-o", built.bin, "../cmd/kycflow").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// runBinary runs the production binary with args and exactly environ
// (nothing inherited) in an empty directory, and returns what it printed.
func runBinary(t *testing.T, environ []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(productionBinary(t), args...)
	cmd.Env = append([]string{}, environ...)
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// freeAddr returns a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// server is a real `kycflow serve` on a loopback port.
type server struct {
	url  string
	done chan error
}

func startServe(t *testing.T, environ ...string) *server {
	t.Helper()
	return startServeConfigured(t, nil, environ...)
}

// startServeConfigured is startServe, with configure (when not nil)
// setting what the environment cannot (env:"-" fields) before serve starts.
func startServeConfigured(t *testing.T, configure func(*service.Config), environ ...string) *server {
	t.Helper()
	// Unless the test names a Temporal, the relay points at a closed port:
	// a dev server on 7233 must never receive test events.
	environ = append([]string{"KYCFLOW_IDENFY_KEYS=" + testKey, "KYCFLOW_DATA_DIR=" + t.TempDir(),
		"TEMPORAL_ADDRESS=" + freeAddr(t)}, environ...)
	cfg, err := service.LoadConfig(environ)
	if err != nil {
		t.Fatal(err)
	}
	if configure != nil {
		configure(&cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{url: "http://" + ln.Addr().String(), done: make(chan error, 1)}
	go func() { s.done <- service.Serve(ctx, cfg, testLogger(t), ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-s.done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	})
	waitFor(t, 10*time.Second, func() bool {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	return s
}

// system is serve + worker against real PostgreSQL and a real Temporal.
type system struct {
	*server  // nil for startWorkerOnly
	temporal *testtemporal.Server
	db       *store.DB      // the test database, opened without payload keys
	cfg      service.Config // the worker's configuration
}

// startSystem runs serve (reaching Temporal at serveTemporal, which may be
// a proxy) and a worker (reaching it directly).
func startSystem(t *testing.T, ts *testtemporal.Server, serveTemporal string, environ ...string) *system {
	t.Helper()
	return startSystemWith(t, ts, serveTemporal, true, environ...)
}

// startSystemWith is startSystem, with the worker left out when the test
// runs its own (startKillableWorker).
func startSystemWith(t *testing.T, ts *testtemporal.Server, serveTemporal string, withWorker bool, environ ...string) *system {
	t.Helper()
	return launchSystem(t, ts, serveTemporal, withWorker, nil, environ)
}

// startConsoleSystem is startSystem, with serve's configuration passed
// through configure first (consoleReviewers signs local reviewers in).
func startConsoleSystem(t *testing.T, ts *testtemporal.Server, configure func(*service.Config), environ ...string) *system {
	t.Helper()
	return launchSystem(t, ts, ts.GetFrontendHostPort(), true, configure, environ)
}

// launchSystem starts serve (configured by configure, when not nil) and,
// if withWorker, a worker, on a fresh test database.
func launchSystem(t *testing.T, ts *testtemporal.Server, serveTemporal string, withWorker bool, configure func(*service.Config), environ []string) *system {
	t.Helper()
	dbURL := testenv.PostgresURL(t)
	env := systemEnv(ts, dbURL, environ)
	s := startServeConfigured(t, configure, append(slices.Clone(env), "TEMPORAL_ADDRESS="+serveTemporal)...)
	sys := newSystem(t, ts, env, withWorker)
	sys.server = s
	return sys
}

// startWorkerOnly runs a worker in-process, and no serve.
func startWorkerOnly(t *testing.T, ts *testtemporal.Server) *system {
	t.Helper()
	return newSystem(t, ts, systemEnv(ts, testenv.PostgresURL(t), nil), true)
}

// systemEnv is the environment serve and the worker share. Lifecycle tests
// end at the decision; monitoring tests switch it on.
func systemEnv(ts *testtemporal.Server, dbURL string, environ []string) []string {
	return append([]string{"KYCFLOW_DATABASE_URL=" + dbURL, "TEMPORAL_NAMESPACE=" + ts.GetDefaultNamespace(), "KYCFLOW_API_TOKEN=" + apiToken,
		"KYCFLOW_AML_MONITORING=false"}, environ...)
}

// newSystem loads the worker's configuration from env, runs a worker if
// asked, and opens the test database.
func newSystem(t *testing.T, ts *testtemporal.Server, env []string, withWorker bool) *system {
	t.Helper()
	cfg, err := service.LoadConfig(append(slices.Clone(env), "TEMPORAL_ADDRESS="+ts.GetFrontendHostPort(), "KYCFLOW_IDENFY_KEYS="+testKey))
	if err != nil {
		t.Fatal(err)
	}
	if withWorker {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- service.Worker(ctx, cfg, testLogger(t)) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("worker returned %v", err)
			}
		})
	}
	db, err := store.Open(context.Background(), store.Options{URL: cfg.DatabaseURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &system{temporal: ts, db: db, cfg: cfg}
}

// startKillableWorker runs the lifecycles on task queue kill-test in a bare
// SDK worker; Stop kills it abruptly (running activities are cancelled
// mid-call).
func startKillableWorker(t *testing.T, ts *testtemporal.Server, cfg service.Config, db *store.DB) sdkworker.Worker {
	t.Helper()
	w := sdkworker.New(ts.GetDefaultClient(), "kill-test", sdkworker.Options{})
	worker.Register(w, &activities.Lifecycle{Store: db}, cfg.Effects())
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return w
}

const whsec = "whsec_a3ljZmxvdy10ZXN0LXNpZ25pbmctc2VjcmV0"

// downstream is a fake onboarding endpoint and a fake notification sink.
type downstream struct {
	onboarding, notifications *fakes.Receiver
}

// newDownstream starts both receivers and returns the environment that
// points the worker at them.
func newDownstream(t *testing.T) (*downstream, []string) {
	t.Helper()
	secret, err := outbound.ParseSecret(whsec)
	if err != nil {
		t.Fatal(err)
	}
	d := &downstream{onboarding: fakes.NewReceiver(t, secret), notifications: fakes.NewReceiver(t, secret)}
	return d, []string{"KYCFLOW_ONBOARDING_URL=" + d.onboarding.URL, "KYCFLOW_ONBOARDING_KEYS=" + whsec,
		"KYCFLOW_NOTIFY_URLS=" + d.notifications.URL}
}

// events lists the notifications' event types, in the order received.
func (d *downstream) events() []string {
	var out []string
	for _, m := range d.notifications.Effective() {
		out = append(out, fmt.Sprint(m.Body["event"]))
	}
	return out
}

// devInstance is `kycflow dev` running in-process on free ports.
type devInstance struct {
	ep     devserver.Endpoints
	cancel context.CancelFunc
	done   chan error
}

func startDev(t *testing.T, dataDir string) *devInstance {
	t.Helper()
	ports, err := devserver.FreePorts("127.0.0.1", 2)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := service.LoadConfig([]string{"KYCFLOW_DATA_DIR=" + dataDir, "KYCFLOW_LISTEN_ADDR=127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan devserver.Endpoints, 1)
	ctx, cancel := context.WithCancel(context.Background())
	d := &devInstance{cancel: cancel, done: make(chan error, 1)}
	o := devserver.Options{IP: "127.0.0.1", TemporalPort: ports[0], UIPort: ports[1], Ready: func(ep devserver.Endpoints) { ready <- ep }}
	go func() { d.done <- devserver.Run(ctx, cfg, o, slog.New(slog.DiscardHandler)) }()
	select {
	case d.ep = <-ready:
	case err := <-d.done:
		t.Fatalf("dev stopped before it was ready: %v", err)
	case <-time.After(90 * time.Second):
		t.Fatal("dev did not come up within 90s")
	}
	t.Cleanup(d.stop)
	return d
}

func (d *devInstance) stop() {
	if d.cancel == nil {
		return
	}
	d.cancel()
	<-d.done
	d.cancel = nil
}

func (d *devInstance) client() *simulate.Client {
	return &simulate.Client{BaseURL: d.ep.API, Key: []byte(d.ep.Key), APIToken: d.ep.Token}
}

// logSink collects every log line of a test's serve and worker, so a test
// can check that no personal data is ever logged.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

var testLogs sync.Map // *testing.T → *logSink

// testLogger logs at debug level into the test's log sink.
func testLogger(t *testing.T) *slog.Logger {
	sink, _ := testLogs.LoadOrStore(t, &logSink{})
	return slog.New(slog.NewJSONHandler(sink.(*logSink), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// logsOf returns everything the test's serve and worker logged.
func logsOf(t *testing.T) string {
	sink, _ := testLogs.LoadOrStore(t, &logSink{})
	return sink.(*logSink).String()
}
