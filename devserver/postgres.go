package devserver

import (
	"database/sql"
	"fmt"
	"net"
	"net/url"

	_ "github.com/lib/pq" // the driver that creates and drops the databases

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	pgschema "go.temporal.io/server/schema/postgresql/v12"
	toolschema "go.temporal.io/server/tools/common/schema"
	toolsql "go.temporal.io/server/tools/sql"
)

// Temporal's two PostgreSQL schemas, as embedded in the server module.
const (
	pgHistorySchema    = "postgresql/v12/temporal"
	pgVisibilitySchema = "postgresql/v12/visibility"
)

// postgresStores creates the databases db and db+"_visibility" on the
// PostgreSQL server at admin (a postgres:// URL of a role allowed to create
// databases) with Temporal's current schemas, and returns the persistence
// settings that use them. Both databases must not exist yet.
func postgresStores(admin, db string, logger log.Logger) (history, visibility config.SQL, err error) {
	u, err := url.Parse(admin)
	if err != nil || u.Host == "" {
		return history, visibility, fmt.Errorf("temporal postgres URL %q: want postgres://user[:password]@host:port/database", admin)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "5432"
	}
	password, _ := u.User.Password()
	store := func(name string) config.SQL {
		return config.SQL{
			PluginName: postgresql.PluginName, DatabaseName: name, User: u.User.Username(), Password: password,
			ConnectAddr: net.JoinHostPort(host, port), ConnectProtocol: "tcp",
			MaxConns: 20, MaxIdleConns: 20,
		}
	}
	history, visibility = store(db), store(db+"_visibility")
	conn, err := sql.Open("postgres", admin)
	if err != nil {
		return history, visibility, err
	}
	defer conn.Close()
	for _, s := range []struct {
		cfg             config.SQL
		schema, version string
	}{{history, pgHistorySchema, pgschema.Version}, {visibility, pgVisibilitySchema, pgschema.VisibilityVersion}} {
		if _, err := conn.Exec(`CREATE DATABASE "` + s.cfg.DatabaseName + `"`); err != nil {
			return history, visibility, fmt.Errorf("create database %s: %w", s.cfg.DatabaseName, err)
		}
		if err := setupPostgresSchema(&s.cfg, s.schema, s.version, logger); err != nil {
			return history, visibility, err
		}
	}
	return history, visibility, nil
}

// setupPostgresSchema loads one of Temporal's schemas into an empty
// database and records its version, as temporal-sql-tool setup-schema does.
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

// DropPostgres drops the databases a server with Options.Postgres used.
func DropPostgres(admin, db string) error {
	conn, err := sql.Open("postgres", admin)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, name := range []string{db, db + "_visibility"} {
		if _, err := conn.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
	}
	return nil
}
