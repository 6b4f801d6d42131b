//go:build !nodev

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	temporallog "go.temporal.io/server/common/log"
	"google.golang.org/protobuf/types/known/durationpb"

	"kycflow/devserver"
	"kycflow/worker"
)

// startBenchTemporal starts a Temporal server with kycflow's search
// attributes and a client of it (logging to log). Its data is in SQLite in
// a scratch file as kycflow dev keeps it, in memory (--temporal-memory), or
// in scratch PostgreSQL databases (--temporal-postgres); stop stops both
// and removes the data.
func startBenchTemporal(ctx context.Context, log *slog.Logger, o benchOptions) (tsrv *devserver.Temporal, tc client.Client, stop func(), err error) {
	ports, err := devserver.FreePorts("127.0.0.1", 1)
	if err != nil {
		return nil, nil, nil, err
	}
	opts := devserver.TemporalOptions{IP: "127.0.0.1", Port: ports[0], Namespace: "default", Logger: temporallog.NewNoopLogger()}
	var cleanup func()
	switch {
	case o.temporalPostgres > 0:
		opts.Postgres, opts.PostgresShards = o.adminURL, int32(o.temporalPostgres)
		opts.PostgresDatabase = "kycflow_bench_temporal_" + strconv.FormatInt(time.Now().UnixNano(), 36)
		cleanup = func() { devserver.DropPostgres(o.adminURL, opts.PostgresDatabase) }
	case !o.temporalMemory:
		dir, err := os.MkdirTemp("", "kycflow-bench-temporal-")
		if err != nil {
			return nil, nil, nil, err
		}
		opts.File = filepath.Join(dir, "temporal.db")
		cleanup = func() { os.RemoveAll(dir) }
	default:
		cleanup = func() {}
	}
	if tsrv, err = devserver.StartTemporal(opts); err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	tc, err = client.Dial(client.Options{HostPort: tsrv.Address(), Logger: worker.Logger(log)})
	if err == nil && opts.Postgres != "" {
		err = registerNamespace(ctx, tc, opts.Namespace)
	}
	if err != nil {
		if tc != nil {
			tc.Close()
		}
		tsrv.Stop()
		cleanup()
		return nil, nil, nil, err
	}
	return tsrv, tc, func() { tc.Close(); tsrv.Stop(); cleanup() }, nil
}

// registerNamespace registers namespace with kycflow's search attributes on
// a new server, waiting up to a minute for its frontend to serve.
func registerNamespace(ctx context.Context, tc client.Client, namespace string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := tc.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace: namespace, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)})
		var exists *serviceerror.NamespaceAlreadyExists
		if err == nil || errors.As(err, &exists) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("register namespace %s: %w", namespace, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for {
		_, err := worker.Setup(ctx, tc, namespace)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}
