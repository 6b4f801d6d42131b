package devserver

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// A file-backed server must run its SQLite database in WAL mode: with the
// default rollback journal every Temporal commit is an fsync, and the dev
// server manages a few verifications a second.
func TestFileBackedTemporalUsesWAL(t *testing.T) {
	ports, err := FreePorts("127.0.0.1", 1)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "temporal.db")
	srv, err := StartTemporal(TemporalOptions{File: file, IP: "127.0.0.1", Port: ports[0], Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Fatalf("journal_mode = %q, want wal", mode)
	}
}
