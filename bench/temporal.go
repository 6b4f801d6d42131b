package bench

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	temporallog "go.temporal.io/server/common/log"
	"google.golang.org/protobuf/types/known/durationpb"

	"kycflow/devserver"
	"kycflow/worker"
	"kycflow/workflows"
)

// startTemporal starts a Temporal server with kycflow's search attributes
// and a client of it (logging to log). Its data is in SQLite in a scratch
// file as kycflow dev keeps it, in memory (--temporal-memory), or in two
// scratch PostgreSQL databases (--temporal-postgres), visibility the URL
// of the second; stop stops both and removes the data.
func startTemporal(ctx context.Context, log *slog.Logger, o Options) (tsrv *devserver.Temporal, tc client.Client, visibility string, stop func(), err error) {
	if o.TemporalPostgres < 0 || (o.TemporalPostgres > 0 && o.TemporalMemory) {
		return nil, nil, "", nil, errors.New("--temporal-postgres takes a positive number of shards, and not with --temporal-memory")
	}
	ports, err := devserver.FreePorts("127.0.0.1", 1)
	if err != nil {
		return nil, nil, "", nil, err
	}
	opts := devserver.TemporalOptions{IP: "127.0.0.1", Port: ports[0], Namespace: "default", Logger: temporallog.NewNoopLogger(),
		HistoryCache: o.TemporalCache}
	var cleanups []func()
	cleanup := func() {
		for _, f := range slices.Backward(cleanups) {
			f()
		}
	}
	switch {
	case o.TemporalPostgres > 0:
		opts.Postgres = &devserver.Postgres{Shards: int32(o.TemporalPostgres)}
		for _, db := range []*string{&opts.Postgres.History, &opts.Postgres.Visibility} {
			url, drop, err := ScratchDatabase(ctx, o.AdminURL, "kycflow_bench_temporal_")
			if err != nil {
				cleanup()
				return nil, nil, "", nil, err
			}
			*db, cleanups = url, append(cleanups, drop)
		}
	case !o.TemporalMemory:
		dir, err := os.MkdirTemp("", "kycflow-bench-temporal-")
		if err != nil {
			return nil, nil, "", nil, err
		}
		opts.File = filepath.Join(dir, "temporal.db")
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	}
	if tsrv, err = devserver.StartTemporal(opts); err != nil {
		cleanup()
		return nil, nil, "", nil, err
	}
	tc, err = client.Dial(client.Options{HostPort: tsrv.Address(), Logger: worker.Logger(log)})
	if err == nil && opts.Postgres != nil {
		err = registerNamespace(ctx, tc, opts.Namespace)
	}
	if err != nil {
		if tc != nil {
			tc.Close()
		}
		tsrv.Stop()
		cleanup()
		return nil, nil, "", nil, err
	}
	if opts.Postgres != nil {
		visibility = opts.Postgres.Visibility
	}
	return tsrv, tc, visibility, func() { tc.Close(); tsrv.Stop(); cleanup() }, nil
}

// registerNamespace registers namespace with kycflow's search attributes on
// a new server and waits, up to a minute, until its services know both:
// each service refreshes its namespace cache on its own, every 2 s.
func registerNamespace(ctx context.Context, tc client.Client, namespace string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var preds []string
	for name := range workflows.SearchAttributes() { // all keywords
		preds = append(preds, name+" = ''")
	}
	query := strings.Join(preds, " OR ")
	steps := []func() error{
		func() error {
			_, err := tc.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
				Namespace: namespace, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)})
			if _, exists := errors.AsType[*serviceerror.NamespaceAlreadyExists](err); exists {
				return nil
			}
			return err
		},
		func() error { _, err := worker.Setup(ctx, tc, namespace); return err },
		func() error {
			_, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace, Query: query})
			return err
		},
	}
	for _, step := range steps {
		if err := Poll(ctx, "register namespace "+namespace+" on the bench's Temporal server", 200*time.Millisecond, time.Minute, func() (bool, error) {
			err := step()
			return err == nil, err
		}); err != nil {
			return err
		}
	}
	// The frontend knows the attributes now; the history service may be
	// one refresh behind.
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(3 * time.Second):
		return nil
	}
}
