package cost

import (
	"context"
	"database/sql"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"time"

	"kycflow/bench"
	"kycflow/simulate"
)

// Visibility is what the verifications of one scenario wrote to the
// Temporal server's visibility store on PostgreSQL: the growth of
// pg_total_relation_size('executions_visibility') (heap, TOAST and every
// index) from a compacted table, and its row writes.
type Visibility struct {
	Scenario      string `json:"scenario"`
	Verifications int    `json:"verifications"`
	Indexes       int    `json:"indexes"`    // on executions_visibility
	Autovacuum    string `json:"autovacuum"` // the server's setting: on, off
	RowsBefore    int64  `json:"rowsBefore"` // rows of earlier scenarios
	Rows          int64  `json:"rows"`       // rows added: the workflows
	// Written is the growth as the verifications left it, with whatever
	// autovacuum did meanwhile; Vacuumed after a VACUUM (dead row versions
	// reusable, GIN pending lists merged: files do not shrink); Compacted
	// after a VACUUM FULL: the live rows alone, in freshly built indexes.
	Written   int64 `json:"bytesWritten"`
	Vacuumed  int64 `json:"bytesVacuumed"`
	Compacted int64 `json:"bytesCompacted"`
	// IndexesVacuumed is the indexes' share of Vacuumed.
	IndexesVacuumed int64 `json:"indexBytesVacuumed"`
	// Inserts, Updates and HOTUpdates are the deltas of pg_stat_user_tables'
	// n_tup_ins, n_tup_upd and n_tup_hot_upd: a HOT update adds no index
	// entries.
	Inserts         int64   `json:"inserts"`
	Updates         int64   `json:"updates"`
	HOTUpdates      int64   `json:"hotUpdates"`
	Seconds         float64 `json:"seconds"`
	PerVerification struct {
		Written   float64 `json:"bytesWritten"`
		Vacuumed  float64 `json:"bytesVacuumed"`
		Compacted float64 `json:"bytesCompacted"`
		Workflows float64 `json:"workflows"` // rows added
		Writes    float64 `json:"rowWrites"` // inserts and updates
	} `json:"perVerification"`
}

// tableState is what visibility reads of executions_visibility.
type tableState struct {
	size, indexes, rows          int64
	inserts, updates, hotUpdates int64
}

// visibility measures o.Visibility verifications of each scenario in
// turn, o.Concurrency at a time, against the Temporal server's visibility
// database: from a compacted table (VACUUM FULL), so that no space an
// earlier scenario freed is reused, to the end of its last write.
func (r *rig) visibility(ctx context.Context, scenarios []Scenario) ([]Visibility, error) {
	db, err := sql.Open("postgres", r.env.TemporalVisibilityURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var indexes int
	var autovacuum string
	err = db.QueryRowContext(ctx, "SELECT count(*), current_setting('autovacuum') FROM pg_indexes WHERE tablename = 'executions_visibility'").
		Scan(&indexes, &autovacuum)
	if err != nil {
		return nil, fmt.Errorf("visibility database: %w", err)
	}
	if _, err := r.quiet(ctx, db); err != nil {
		return nil, err
	}
	base, err := vacuum(ctx, db, "VACUUM FULL")
	if err != nil {
		return nil, err
	}
	var out []Visibility
	for _, sc := range scenarios {
		v := Visibility{Scenario: sc.Name, Verifications: r.o.Visibility, Indexes: indexes, Autovacuum: autovacuum}
		if base, err = r.visibilityOf(ctx, db, sc, base, &v); err != nil {
			return nil, fmt.Errorf("%s visibility: %w", sc.Name, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// visibilityOf measures sc into v from base, the compacted table, and
// returns the table compacted again.
func (r *rig) visibilityOf(ctx context.Context, db *sql.DB, sc Scenario, base tableState, v *Visibility) (tableState, error) {
	start := time.Now()
	// Other people each time than measure's, as production's rows differ.
	rnd := mrand.New(mrand.NewPCG(seed(sc.Base), 2))
	for done := 0; done < r.o.Visibility; done += r.o.Concurrency {
		if err := r.wave(ctx, sc, min(r.o.Concurrency, r.o.Visibility-done), rnd); err != nil {
			return base, err
		}
	}
	written, err := r.quiet(ctx, db)
	if err != nil {
		return base, err
	}
	v.Seconds = time.Since(start).Seconds()
	vacuumed, err := vacuum(ctx, db, "VACUUM")
	if err != nil {
		return base, err
	}
	compacted, err := vacuum(ctx, db, "VACUUM FULL")
	if err != nil {
		return base, err
	}
	v.RowsBefore, v.Rows = base.rows, written.rows-base.rows
	v.Written, v.Vacuumed, v.Compacted = written.size-base.size, vacuumed.size-base.size, compacted.size-base.size
	v.IndexesVacuumed = vacuumed.indexes - base.indexes
	v.Inserts, v.Updates, v.HOTUpdates = written.inserts-base.inserts, written.updates-base.updates, written.hotUpdates-base.hotUpdates
	n := float64(v.Verifications)
	p := &v.PerVerification
	p.Written, p.Vacuumed, p.Compacted = float64(v.Written)/n, float64(v.Vacuumed)/n, float64(v.Compacted)/n
	p.Workflows, p.Writes = float64(v.Rows)/n, float64(v.Inserts+v.Updates)/n
	return compacted, nil
}

// wave plays n verifications of sc at once, each webhook by webhook (and
// the review) as measure does: the next step of every verification goes
// once all of them are idle.
func (r *rig) wave(ctx context.Context, sc Scenario, n int, rnd *mrand.Rand) error {
	since := time.Now().UTC()
	all := make([]simulate.Scenario, n)
	for i := range all {
		var err error
		if all[i], err = sc.build(rnd); err != nil {
			return err
		}
	}
	for step := 0; ; step++ {
		sent := false
		for _, s := range all {
			if hooks := slices.Concat(s.Webhooks, s.Later); step < len(hooks) {
				if err := r.send(ctx, hooks[step]); err != nil {
					return err
				}
				sent = true
			}
		}
		if !sent {
			break
		}
		if err := r.settle(ctx, since, ""); err != nil {
			return err
		}
	}
	if sc.Review != "" {
		for i, s := range all {
			if err := r.reached(ctx, s); err != nil {
				return err
			}
			if err := r.review(ctx, s, sc.Review); err != nil {
				return err
			}
			all[i] = sc.reviewed(s)
		}
		if err := r.settle(ctx, since, ""); err != nil {
			return err
		}
	}
	for _, s := range all {
		if err := r.reached(ctx, s); err != nil {
			return err
		}
	}
	_, err := r.finish(ctx, since, "")
	return err
}

// vacuum runs command (VACUUM, VACUUM FULL) on executions_visibility and
// returns the table's state after it.
func vacuum(ctx context.Context, db *sql.DB, command string) (tableState, error) {
	if _, err := db.ExecContext(ctx, command+" executions_visibility"); err != nil {
		return tableState{}, fmt.Errorf("%s: %w", command, err)
	}
	return readTable(ctx, db)
}

// statsDelay is how long the table's state must stay unchanged for its
// visibility writes to be counted: a PostgreSQL connection that went idle
// within a second of publishing its counts publishes the rest 10 s later
// (PGSTAT_IDLE_INTERVAL).
const statsDelay = 12 * time.Second

// quiet waits until the visibility writes are done, the Temporal server's
// visibility tasks running after the workflows' own, and counted: the
// table's rows, size and write counts unchanged for statsDelay.
func (r *rig) quiet(ctx context.Context, db *sql.DB) (tableState, error) {
	var (
		last   tableState
		stable time.Time
	)
	err := bench.Poll(ctx, "visibility writes done", 500*time.Millisecond, r.o.Timeout+statsDelay, func() (bool, error) {
		now, err := readTable(ctx, db)
		if err != nil || now != last {
			last, stable = now, time.Now()
			return false, err
		}
		return time.Since(stable) >= statsDelay, nil
	})
	return last, err
}

func readTable(ctx context.Context, db *sql.DB) (tableState, error) {
	var t tableState
	err := db.QueryRowContext(ctx, `SELECT pg_total_relation_size(relid), pg_indexes_size(relid),
		(SELECT count(*) FROM executions_visibility), n_tup_ins, n_tup_upd, n_tup_hot_upd
		FROM pg_stat_user_tables WHERE relname = 'executions_visibility'`).Scan(
		&t.size, &t.indexes, &t.rows, &t.inserts, &t.updates, &t.hotUpdates)
	if err != nil {
		return t, fmt.Errorf("read executions_visibility: %w", err)
	}
	return t, nil
}
