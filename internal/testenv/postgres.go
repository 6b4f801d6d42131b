// Package testenv gives tests real infrastructure: a fresh PostgreSQL
// database per test, cloned from a migrated template, and an embedded SQLite
// store in a temporary directory.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq" // registers "postgres"

	"kycflow/store"
)

// DatabaseURLEnv names the PostgreSQL server tests use.
const DatabaseURLEnv = "KYCFLOW_TEST_DATABASE_URL"

// template is the migrated database each test's database is cloned from,
// named by the schema it holds.
var template = "kycflow_test_template_" + store.SchemaDigest()

// lockKey serialises template creation and cloning across test processes.
const lockKey = 7_311_420_001

var templateOnce sync.Once
var templateErr error

// PostgresURL returns the URL of a new, migrated, empty PostgreSQL database
// that is dropped when the test ends. Without KYCFLOW_TEST_DATABASE_URL or a
// reachable server the test is skipped, except in CI (CI=true), where it
// fails: a missing database must never turn CI green.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(DatabaseURLEnv)
	if base == "" {
		unavailable(t, DatabaseURLEnv+" is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := sql.Open("postgres", base)
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		unavailable(t, "PostgreSQL at "+DatabaseURLEnv+" is not reachable: "+err.Error())
	}
	defer admin.Close()
	admin.SetMaxOpenConns(1) // the advisory lock lives on one session

	templateOnce.Do(func() { templateErr = ensureTemplate(ctx, admin, base) })
	if templateErr != nil {
		t.Fatalf("prepare template database: %v", templateErr)
	}
	name := "kycflow_test_" + randomHex(6)
	if err := clone(ctx, admin, name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		drop, err := sql.Open("postgres", base)
		if err != nil {
			return
		}
		defer drop.Close()
		if _, err := drop.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(t, base, name)
}

// Postgres opens a new test database (see PostgresURL).
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return open(t, store.Options{URL: PostgresURL(t)})
}

// SQLite opens a new embedded store in a temporary directory, migrated.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db := open(t, store.Options{Dir: t.TempDir()})
	if err := db.Migrate(context.Background(), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	return db
}

// Stores returns one migrated store per dialect, for contract tests.
func Stores(t testing.TB) map[string]func(testing.TB) *store.DB {
	return map[string]func(testing.TB) *store.DB{
		store.Postgres: Postgres,
		store.SQLite:   SQLite,
	}
}

func open(t testing.TB, opts store.Options) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL is required in CI: %s", why)
	}
	t.Skipf("skipping PostgreSQL test: %s", why)
}

func ensureTemplate(ctx context.Context, admin *sql.DB, base string) error {
	return locked(ctx, admin, func(conn *sql.Conn) error {
		var exists bool
		if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, template).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+template); err != nil {
				return err
			}
		}
		db, err := store.Open(ctx, store.Options{URL: withDatabase(nil, base, template), MaxOpenConns: 1})
		if err != nil {
			return err
		}
		defer db.Close()
		return db.Migrate(ctx, slog.New(slog.DiscardHandler))
	})
}

func clone(ctx context.Context, admin *sql.DB, name string) error {
	return locked(ctx, admin, func(conn *sql.Conn) error {
		var err error
		for attempt := 0; attempt < 50; attempt++ {
			// The template's last session may linger for a moment after close.
			if _, err = conn.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+template); err == nil ||
				!strings.Contains(err.Error(), "being accessed by other users") {
				return err
			}
			time.Sleep(100 * time.Millisecond)
		}
		return err
	})
}

func locked(ctx context.Context, admin *sql.DB, fn func(*sql.Conn) error) error {
	conn, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, lockKey)
	return fn(conn)
}

func withDatabase(t testing.TB, base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		if t != nil {
			t.Fatalf("parse %s: %v", DatabaseURLEnv, err)
		}
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
