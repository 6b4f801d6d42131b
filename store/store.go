// Package store is kycflow's database: sqlx over PostgreSQL (lib/pq) for
// production and an embedded pure-Go SQLite file as the zero-setup default.
// Both dialects run the same queries, written with ? placeholders and rebound
// per dialect, and the same contract tests.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // registers "postgres"
	_ "modernc.org/sqlite" // registers "sqlite"
)

// Dialects.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// SQLiteFile is the name of the embedded database file inside the data dir.
const SQLiteFile = "kycflow.db"

// Options say which database to open.
type Options struct {
	// URL is a postgres:// (or postgresql://) URL. Empty selects the
	// embedded SQLite file in Dir.
	URL string
	// Dir is the data directory of the embedded SQLite database.
	Dir string
	// MaxOpenConns bounds the PostgreSQL pool (default 20).
	MaxOpenConns int
	// PayloadKeys, when set, encrypt raw webhook bodies at rest.
	PayloadKeys *PayloadKeys
	// NoPrepare sends every inbox statement unprepared, for a connection
	// pooler that does not keep prepared statements (see preparedInserts).
	NoPrepare bool
	// InboxBatch is the most concurrent deliveries InsertInbox writes in
	// one statement and commit (0: DefaultInboxBatch; 1: one commit per
	// delivery).
	InboxBatch int
}

// DB is an open kycflow database.
type DB struct {
	db      *sqlx.DB
	dialect string
	payload *PayloadKeys
	group   *groupCommit // nil: one commit per delivery
	// prepared holds the group statements prepared on PostgreSQL.
	prepared *preparedInserts
	// resendHook, in tests, is called before recordResends writes; an
	// error fails it.
	resendHook func(keys int) error
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// Open opens the database that opts names and checks that it answers.
// It does not migrate: call Migrate.
func Open(ctx context.Context, opts Options) (*DB, error) {
	var (
		db  *sqlx.DB
		err error
	)
	switch {
	case opts.URL == "":
		db, err = openSQLite(opts.Dir)
	case strings.HasPrefix(opts.URL, "postgres://"), strings.HasPrefix(opts.URL, "postgresql://"):
		db, err = openPostgres(opts)
	default:
		return nil, errors.New("open database: KYCFLOW_DATABASE_URL must start with postgres:// or postgresql://")
	}
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s database: %w", db.DriverName(), err)
	}
	d := &DB{db: db, dialect: db.DriverName(), payload: opts.PayloadKeys, Now: time.Now}
	d.prepared = &preparedInserts{}
	d.prepared.off.Store(opts.NoPrepare)
	batch := opts.InboxBatch
	if batch == 0 {
		batch = DefaultInboxBatch
	}
	if batch > 1 {
		d.group = startGroupCommit(d, batch)
	}
	return d, nil
}

func openPostgres(opts Options) (*sqlx.DB, error) {
	db, err := sqlx.Open(Postgres, PostgresDSN(opts.URL))
	if err != nil {
		return nil, fmt.Errorf("open postgres database: %w", err)
	}
	n := opts.MaxOpenConns
	if n <= 0 {
		n = 20
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(30 * time.Minute)
	return db, nil
}

// PostgresDSN is the connection string kycflow opens url with: lib/pq's
// binary_parameters mode unless url sets it. Each statement with arguments
// then takes one round trip instead of two (no separate describe), and
// bytes go as they are instead of hex-encoded at twice their size, which
// matters for webhook bodies. Only bytea columns receive []byte arguments.
func PostgresDSN(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL // lib/pq reports the error
	}
	q := u.Query()
	if q.Has("binary_parameters") {
		return rawURL
	}
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	return u.String()
}

func openSQLite(dir string) (*sqlx.DB, error) {
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	// WAL with synchronous=FULL: an acknowledged webhook survives a power
	// loss, not only a crash. One connection: SQLite has one writer anyway,
	// and a single connection can never see "database is locked".
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + filepath.Join(dir, SQLiteFile) + "?" + q.Encode()
	db, err := sqlx.Open(SQLite, dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite database: %w", err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// Dialect returns Postgres or SQLite.
func (d *DB) Dialect() string { return d.dialect }

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close closes the database.
func (d *DB) Close() error {
	if d.group != nil {
		d.group.close()
	}
	d.closePrepared()
	return d.db.Close()
}

func (d *DB) now() time.Time { return d.Now().UTC() }
