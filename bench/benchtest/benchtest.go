// Package benchtest runs a bench part from its package's smoke test, as
// `kycflow bench … --json --admin-url <test server>` would.
package benchtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"kycflow/bench"
	"kycflow/internal/testenv"
)

// Setup points o at the test PostgreSQL server and asks for JSON. It
// skips the test with -short (a bench starts a Temporal server) and, as
// testenv does, without PostgreSQL locally; in CI it fails instead.
func Setup(t *testing.T, o *bench.Options) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a Temporal server")
	}
	o.AdminURL = testenv.PostgresURL(t)
	o.JSON = true
}

// Run runs part, which writes its report to out and its log (warnings,
// as the command's) and progress to stderr, and decodes the report into
// rep. A part that fails fails the test, with what it wrote to stderr.
func Run(t *testing.T, rep any, part func(ctx context.Context, out, stderr io.Writer, log *slog.Logger) error) {
	t.Helper()
	var out, errOut bytes.Buffer
	log := slog.New(slog.NewTextHandler(&errOut, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := part(t.Context(), &out, &errOut, log); err != nil {
		t.Fatalf("bench: %v\n%s", err, errOut.String())
	}
	if err := json.Unmarshal(out.Bytes(), rep); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	t.Logf("%s", out.String())
}

// Report is the part of a bench's JSON report the smoke tests read.
type Report struct {
	Results []struct {
		Name       string  `json:"name"`
		Ops        int     `json:"ops"`
		Errors     int     `json:"errors"`
		PerSec     float64 `json:"perSecond"`
		Calls      int     `json:"calls"`
		Duplicates int     `json:"duplicates"`
		ProcessCPU int64   `json:"processCpuNsPerOp"`
	} `json:"results"`
	Ratios        map[string]float64 `json:"ratios"`
	Activities    int                `json:"activitiesPerVerification"`
	TemporalStore string             `json:"temporalStore"`
}
