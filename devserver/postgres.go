package devserver

import (
	"fmt"
	"net"
	"net/url"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	pgschema "go.temporal.io/server/schema/postgresql/v12"
	toolschema "go.temporal.io/server/tools/common/schema"
	toolsql "go.temporal.io/server/tools/sql"
)

// Postgres places the server's data in PostgreSQL, as a production
// Temporal keeps it.
type Postgres struct {
	// History and Visibility are postgres:// URLs of two empty databases;
	// StartTemporal loads Temporal's current schemas into them.
	History, Visibility string
	// Shards is the number of history shards (at least 1).
	Shards int32
}

// Connections per Temporal service (frontend, history, matching and
// worker each open their own pools): 4 × (8 + 4) stays well inside
// PostgreSQL's default max_connections of 100 beside kycflow's own pools.
const (
	pgHistoryConns    = 8
	pgVisibilityConns = 4
)

// stores returns the persistence settings of p's databases, with
// Temporal's schemas set up in them.
func (p Postgres) stores(logger log.Logger) (history, visibility config.SQL, err error) {
	if history, err = pgStore(p.History, pgHistoryConns); err != nil {
		return history, visibility, err
	}
	if visibility, err = pgStore(p.Visibility, pgVisibilityConns); err != nil {
		return history, visibility, err
	}
	if err := setupPostgresSchema(&history, "postgresql/v12/temporal", pgschema.Version, logger); err != nil {
		return history, visibility, err
	}
	err = setupPostgresSchema(&visibility, "postgresql/v12/visibility", pgschema.VisibilityVersion, logger)
	return history, visibility, err
}

// pgStore reads a postgres://user[:password]@host[:port]/database[?params]
// URL into Temporal's SQL settings; its query parameters (sslmode, …) are
// passed on as connection attributes.
func pgStore(raw string, conns int) (config.SQL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || len(u.Path) < 2 {
		// The URL may hold a password: it is not repeated.
		return config.SQL{}, fmt.Errorf("temporal postgres database: want postgres://user[:password]@host[:port]/database")
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	password, _ := u.User.Password()
	attrs := map[string]string{}
	for k, v := range u.Query() {
		attrs[k] = v[0]
	}
	return config.SQL{
		PluginName: postgresql.PluginName, DatabaseName: u.Path[1:], User: u.User.Username(), Password: password,
		ConnectAddr: net.JoinHostPort(u.Hostname(), port), ConnectProtocol: "tcp", ConnectAttributes: attrs,
		MaxConns: conns, MaxIdleConns: conns,
	}, nil
}

// setupPostgresSchema loads one of Temporal's schemas, as embedded in the
// server module, into an empty database and records its version, as
// temporal-sql-tool setup-schema does.
func setupPostgresSchema(cfg *config.SQL, schema, version string, logger log.Logger) error {
	conn, err := toolsql.NewConnection(cfg, logger)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", cfg.DatabaseName, err)
	}
	defer conn.Close()
	task := toolschema.NewSetupSchemaTask(conn, &toolschema.SetupConfig{SchemaName: schema, InitialVersion: version}, logger)
	if err := task.Run(); err != nil {
		return fmt.Errorf("temporal schema %s in %s: %w", schema, cfg.DatabaseName, err)
	}
	return nil
}
