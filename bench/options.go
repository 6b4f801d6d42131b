package bench

import "fmt"

// Options are the settings every bench part has.
type Options struct {
	Count       int    // the part's unit of work: webhooks, verifications or pairs
	Concurrency int    // concurrent senders
	AdminURL    string // the PostgreSQL server scratch databases are created on
	JSON        bool   // print JSON instead of a table
	CPUProfile  string // file to write a CPU profile of the measured part to ("": none)
	// TemporalMemory keeps the Temporal server's SQLite database in memory,
	// not in a file.
	TemporalMemory bool
	// TemporalPostgres > 0 keeps the Temporal server's data in PostgreSQL,
	// with this many history shards.
	TemporalPostgres int
	// TemporalCache > 0 is the Temporal history service's workflow cache
	// (entries).
	TemporalCache int
}

// Defaults are the settings of `kycflow bench` when no flag is given, with
// count units of work.
func Defaults(count int) Options {
	return Options{Count: count, Concurrency: 16, AdminURL: "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"}
}

// TemporalStore names where the bench's Temporal server keeps its data.
func (o Options) TemporalStore() string {
	store := "sqlite file (as kycflow dev)"
	switch {
	case o.TemporalPostgres > 0:
		store = fmt.Sprintf("postgres, %d history shards", o.TemporalPostgres)
	case o.TemporalMemory:
		store = "sqlite in memory"
	}
	if o.TemporalCache > 0 {
		store += fmt.Sprintf(", history cache %d", o.TemporalCache)
	}
	return store
}
