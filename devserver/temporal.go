package devserver

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"

	"kycflow/workflows"
)

// TemporalOptions configure the embedded Temporal server.
type TemporalOptions struct {
	// File is the SQLite database file; empty means in memory (ephemeral).
	File string
	// IP and Port of the frontend (gRPC). The other services take free
	// ports on the same IP.
	IP   string
	Port int
	// Namespace is registered (with kycflow's search attributes) when it
	// does not exist yet. With Postgres the caller registers it once the
	// server is up.
	Namespace string
	Logger    log.Logger
	// Postgres, when set, replaces SQLite: the data is kept in PostgreSQL,
	// as a production Temporal keeps it.
	Postgres *Postgres
	// HistoryCache bounds the workflows whose state the history service
	// keeps in memory (0: Temporal's default, 128,000 for up to an hour).
	HistoryCache int
}

// Temporal is a running embedded server.
type Temporal struct {
	server  temporal.Server
	address string
}

// Address is the frontend's host:port.
func (t *Temporal) Address() string { return t.address }

// Stop stops the server.
func (t *Temporal) Stop() error { return t.server.Stop() }

// StartTemporal starts a single-process Temporal server: frontend, history,
// matching and worker services; SQLite persistence and visibility with one
// history shard, or PostgreSQL's with o.Postgres.Shards.
func StartTemporal(o TemporalOptions) (*Temporal, error) {
	if o.Logger == nil {
		o.Logger = log.NewNoopLogger()
	}
	if o.Postgres != nil {
		history, visibility, err := o.Postgres.stores(o.Logger)
		if err != nil {
			return nil, err
		}
		return startServer(o, persistence(&history, &visibility, max(o.Postgres.Shards, 1)))
	}
	store := config.SQL{PluginName: sqliteplugin.PluginName, ConnectAttributes: map[string]string{}}
	if o.File == "" {
		store.DatabaseName = "kycflow-dev-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		store.ConnectAttributes["mode"], store.ConnectAttributes["cache"] = "memory", "shared"
	} else {
		store.DatabaseName = o.File
		store.ConnectAttributes["mode"] = "rwc"
		// A file-backed Temporal is slow with the default rollback journal
		// and synchronous=full (an fsync per commit); normal with WAL loses
		// nothing on a process crash. The plugin passes attributes that are
		// not URI parameters as pragmas, by their plain names.
		store.ConnectAttributes["journal_mode"], store.ConnectAttributes["synchronous"] = "wal", "normal"
		if err := setupSchemaOnce(&store, o.File); err != nil {
			return nil, err
		}
		if err := forgetMembers(o.File); err != nil {
			return nil, err
		}
	}
	ns, err := sqlite.NewNamespaceConfig("active", o.Namespace, false, workflows.SearchAttributes())
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", o.Namespace, err)
	}
	if err := sqlite.CreateNamespaces(&store, ns); err != nil {
		return nil, fmt.Errorf("register namespace %s: %w", o.Namespace, err)
	}
	return startServer(o, persistence(&store, &store, 1))
}

// persistence keeps history and visibility in the stores given.
func persistence(history, visibility *config.SQL, shards int32) config.Persistence {
	if history == visibility {
		return config.Persistence{DefaultStore: history.PluginName, VisibilityStore: history.PluginName, NumHistoryShards: shards,
			DataStores: map[string]config.DataStore{history.PluginName: {SQL: history}}}
	}
	return config.Persistence{DefaultStore: "history", VisibilityStore: "visibility", NumHistoryShards: shards,
		DataStores: map[string]config.DataStore{"history": {SQL: history}, "visibility": {SQL: visibility}}}
}

func startServer(o TemporalOptions, p config.Persistence) (*Temporal, error) {
	cfg, err := serverConfig(o, p)
	if err != nil {
		return nil, err
	}
	opts := []temporal.ServerOption{
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(o.Logger),
	}
	if o.HistoryCache > 0 {
		opts = append(opts, temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): o.HistoryCache,
		}))
	}
	srv, err := temporal.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("create Temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start Temporal server: %w", err)
	}
	return &Temporal{server: srv, address: net.JoinHostPort(o.IP, strconv.Itoa(o.Port))}, nil
}

func setupSchemaOnce(store *config.SQL, file string) error {
	if _, err := os.Stat(file); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("temporal database %s: %w", file, err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	if err := sqlite.SetupSchema(store); err != nil {
		os.Remove(file) // a half-made schema must not look "already set up" next time
		return fmt.Errorf("create Temporal schema in %s: %w", file, err)
	}
	return nil
}

// forgetMembers deletes the cluster membership rows a previous run left
// behind. The services take new ports on every start; without this the
// restarted server waits about a minute for its old, dead self to time out
// of the ring before it makes progress. A dev server is always alone.
func forgetMembers(file string) error {
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		return fmt.Errorf("open %s: %w", file, err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM cluster_membership`); err != nil {
		return fmt.Errorf("reset Temporal cluster membership in %s: %w", file, err)
	}
	return nil
}

func serverConfig(o TemporalOptions, p config.Persistence) (*config.Config, error) {
	ports, err := FreePorts(o.IP, 8)
	if err != nil {
		return nil, err
	}
	service := func(grpc, membership int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: grpc, MembershipPort: membership, BindOnIP: o.IP}}
	}
	frontend := net.JoinHostPort(o.IP, strconv.Itoa(o.Port))
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: o.IP},
			Metrics: &metrics.Config{Prometheus: &metrics.PrometheusConfig{
				ListenAddress: net.JoinHostPort(o.IP, strconv.Itoa(ports[7])), HandlerPath: "/metrics",
			}},
		},
		Persistence: p,
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace: false, FailoverVersionIncrement: 10,
			MasterClusterName: "active", CurrentClusterName: "active",
			ClusterInformation: map[string]cluster.ClusterInformation{
				"active": {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			"frontend": service(o.Port, ports[0]),
			"history":  service(ports[1], ports[2]),
			"matching": service(ports[3], ports[4]),
			"worker":   service(ports[5], ports[6]),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		PublicClient: config.PublicClient{HostPort: frontend},
	}, nil
}
