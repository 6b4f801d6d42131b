package cost_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"kycflow/bench/cost"
)

// The visibility measurement reads Temporal's PostgreSQL visibility
// table: asked for on SQLite, or with no verification at a time, bench
// cost refuses before it starts anything.
func TestVisibilityNeedsTemporalOnPostgres(t *testing.T) {
	for name, set := range map[string]func(*cost.Options){
		"sqlite":         func(o *cost.Options) {},
		"no concurrency": func(o *cost.Options) { o.TemporalPostgres, o.Concurrency = 1, 0 },
	} {
		o := cost.Defaults()
		o.AdminURL = "postgres://nobody@127.0.0.1:1/none?sslmode=disable" // never reached
		o.Visibility = 200
		set(&o)
		_, _, err := cost.Measure(t.Context(), o, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err == nil || !strings.Contains(err.Error(), "--temporal-postgres") {
			t.Errorf("%s: Measure() error = %v, want one naming --temporal-postgres", name, err)
		}
	}
}
