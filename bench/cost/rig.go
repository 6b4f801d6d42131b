package cost

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"kycflow/bench"
	"kycflow/service"
	"kycflow/simulate"
	"kycflow/store"
)

// onboardingLatency is how long the onboarding endpoint takes to answer,
// as a downstream service does: the notification (no sink configured)
// finishes first, in a workflow task of its own.
const onboardingLatency = 50 * time.Millisecond

// rig is a real serve and worker, in this process, on a bench environment:
// what the scenarios run through.
type rig struct {
	env   bench.Env
	api   *simulate.Client
	store *store.DB
	o     Options
	stop  func()
}

// startRig starts serve and the worker on env with production settings,
// but the late-event window of o, an operator API token and an onboarding
// endpoint that accepts every call after onboardingLatency.
func startRig(ctx context.Context, o Options, env bench.Env, log *slog.Logger) (*rig, error) {
	token, secret := make([]byte, 16), make([]byte, 32)
	rand.Read(token)
	rand.Read(secret)
	receiver, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(onboardingLatency)
		w.WriteHeader(http.StatusOK)
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(receiver)
	cfg, err := service.LoadConfig(append(env.Environ("bench-cost"),
		"KYCFLOW_API_TOKEN="+hex.EncodeToString(token),
		"KYCFLOW_LATE_EVENT_WINDOW="+o.LateEventWindow.String(),
		"KYCFLOW_ONBOARDING_URL=http://"+receiver.Addr().String()+"/onboarding",
		"KYCFLOW_ONBOARDING_KEYS=whsec_"+base64.StdEncoding.EncodeToString(secret)))
	if err != nil {
		srv.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	r := &rig{env: env, o: o, api: &simulate.Client{BaseURL: "http://" + ln.Addr().String(), Key: []byte(bench.Key), APIToken: cfg.APIToken,
		HTTP: bench.Client(2)}}
	r.stop = func() {
		cancel()
		wg.Wait()
		srv.Close()
		if r.store != nil {
			r.store.Close()
		}
	}
	wg.Go(func() { logStop(log, "serve", service.Serve(sctx, cfg, log, ln)) })
	if err := bench.WaitHealthy(ctx, r.api.BaseURL); err != nil {
		r.stop()
		return nil, err
	}
	wg.Go(func() { logStop(log, "worker", service.Worker(sctx, cfg, log)) })
	if r.store, err = store.Open(ctx, store.Options{URL: env.DatabaseURL, MaxOpenConns: 2}); err != nil {
		r.stop()
		return nil, err
	}
	return r, nil
}

func logStop(log *slog.Logger, what string, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error(what+" stopped", "error", err)
	}
}

// pending is the number of stored webhooks the relay has not delivered
// yet; a quarantined webhook is an error: the scenario did not run as
// written.
func (r *rig) pending(ctx context.Context) (int, error) {
	counts, err := r.store.InboxCounts(ctx)
	if err != nil {
		return 0, err
	}
	if n := counts[store.StatusQuarantined]; n > 0 {
		return 0, fmt.Errorf("%d webhook(s) quarantined", n)
	}
	return counts[store.StatusPending], nil
}
