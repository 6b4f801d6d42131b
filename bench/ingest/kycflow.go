package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"time"

	"kycflow/bench"
	"kycflow/service"
)

// driveKycflow sends the load to a real serve on the scratch database,
// relaying to Temporal unless o.Relay is off. With the relay on, it waits
// until everything was delivered, charges the CPU used until then, and
// returns how long after the first webhook that was.
func driveKycflow(ctx context.Context, o Options, env bench.Env, db *sql.DB, l load, log *slog.Logger) (bench.Result, time.Duration, error) {
	cfg, err := service.LoadConfig(append(env.Environ("bench"), fmt.Sprint("KYCFLOW_INGEST_BATCH=", o.Batch)))
	if err != nil {
		return bench.Result{}, 0, err
	}
	cfg.PauseRelay = !o.Relay
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return bench.Result{}, 0, err
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- service.Serve(sctx, cfg, log, ln) }()
	defer func() { stop(); <-done }()
	base := "http://" + ln.Addr().String()
	if err := bench.WaitHealthy(ctx, base); err != nil {
		return bench.Result{}, 0, err
	}
	stopProfile, err := bench.StartCPUProfile(o.CPUProfile)
	if err != nil {
		return bench.Result{}, 0, err
	}
	defer stopProfile()
	start, cpu := time.Now(), bench.SampleCPU()
	acks := l.post(ctx, "kycflow", base)
	var delivered time.Duration // first webhook sent → the relay's last delivery
	if o.Relay {
		if delivered, err = drained(ctx, db, start); err != nil {
			return bench.Result{}, 0, err
		}
		acks = cpu.Charge(acks) // until the relay has delivered: its work and Temporal's too
	}
	return acks, delivered, nil
}

// drained waits until serve's relay has delivered every stored webhook to
// Temporal and returns how long after start that was.
func drained(ctx context.Context, db *sql.DB, start time.Time) (time.Duration, error) {
	err := bench.Poll(ctx, "the relay delivering every stored webhook to Temporal", 20*time.Millisecond, 10*time.Minute, func() (bool, error) {
		var pending int
		err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox WHERE status = 'pending'`).Scan(&pending)
		return err == nil && pending == 0, err
	})
	return time.Since(start), err
}
