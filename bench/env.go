package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/gin-gonic/gin"
	_ "github.com/lib/pq" // the "postgres" driver of the scratch databases
	"go.temporal.io/sdk/client"

	"kycflow/devserver"
	"kycflow/service"
)

// Env is what every bench part runs on: a scratch PostgreSQL database and
// an embedded Temporal server with a client.
type Env struct {
	DatabaseURL string
	Temporal    *devserver.Temporal
	Client      client.Client
	// TemporalVisibilityURL is the Temporal server's visibility database
	// with --temporal-postgres, and empty without.
	TemporalVisibilityURL string
	stop                  func()
}

// StartEnv creates the scratch database on o.AdminURL and starts the
// Temporal server o asks for. Stop removes both.
func StartEnv(ctx context.Context, o Options, log *slog.Logger) (Env, error) {
	gin.SetMode(gin.ReleaseMode)
	warnAutovacuumOff(ctx, o.AdminURL, log)
	dbURL, drop, err := ScratchDatabase(ctx, o.AdminURL, "kycflow_bench_")
	if err != nil {
		return Env{}, err
	}
	tsrv, tc, visibility, stopTemporal, err := startTemporal(ctx, log, o)
	if err != nil {
		drop()
		return Env{}, err
	}
	return Env{DatabaseURL: dbURL, Temporal: tsrv, Client: tc, TemporalVisibilityURL: visibility,
		stop: func() { stopTemporal(); drop() }}, nil
}

// Stop stops the Temporal server and drops the scratch databases.
func (e Env) Stop() { e.stop() }

// Environ is the configuration of a kycflow serve or worker on this
// environment, on its own task queue.
func (e Env) Environ(taskQueue string) []string {
	return []string{"KYCFLOW_DATABASE_URL=" + e.DatabaseURL, "KYCFLOW_IDENFY_KEYS=" + Key, "TEMPORAL_ADDRESS=" + e.Temporal.Address(),
		"KYCFLOW_TASK_QUEUE=" + taskQueue, "KYCFLOW_LOG_LEVEL=warn"}
}

// warnAutovacuumOff warns when the PostgreSQL server runs without
// autovacuum, as CI machines may: dead row versions then pile up (every
// webhook leaves two in the inbox), and every query over pending rows,
// kycflow's and Temporal's, costs more as the run goes on. Production
// PostgreSQL runs it; figures from such a server overstate growth.
func warnAutovacuumOff(ctx context.Context, adminURL string, log *slog.Logger) {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return
	}
	defer db.Close()
	var on string
	if db.QueryRowContext(ctx, "SHOW autovacuum").Scan(&on) == nil && on != "on" {
		log.Warn("PostgreSQL runs without autovacuum: dead rows pile up and database costs grow with the run; " +
			"turn it on (ALTER SYSTEM SET autovacuum = on; SELECT pg_reload_conf()) for production-like figures")
	}
}

// ScratchDatabase creates a fresh database named prefix and a random
// suffix on the server of adminURL and returns its URL and a func that
// drops it.
func ScratchDatabase(ctx context.Context, adminURL, prefix string) (string, func(), error) {
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create scratch database on %s: %w", service.RedactURL(adminURL), err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}, nil
}
