//go:build !nodev

package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"kycflow/bench"
	"kycflow/devserver"
	"kycflow/idenfy"
)

// report is what one bench part prints: a table of its results, notes
// under it and the ratios between results, or all of it as JSON.
type report struct {
	title  string         // the lines above the table
	unit   string         // heading of the rate column: req/s, verif/s
	rows   []bench.Result // the table, and JSON's results unless results is set
	notes  []string       // lines under the table
	ratios []ratio        // printed in this order
	fields map[string]any // JSON only: settings and extras
	// results replaces rows in the JSON output when it carries more.
	results any
}

// ratio is the rate of one result over another's.
type ratio struct {
	of, to string
	digits int // decimals when printed
}

func (r ratio) key() string { return r.of + "/" + r.to }

func (rep report) print(out io.Writer, jsonOut bool) error {
	by := map[string]bench.Result{}
	for _, r := range rep.rows {
		by[r.Name] = r
	}
	values := map[string]float64{}
	for _, r := range rep.ratios {
		values[r.key()] = bench.Ratio(by[r.of].PerSec, by[r.to].PerSec)
	}
	if jsonOut {
		doc := maps.Clone(rep.fields)
		if doc == nil {
			doc = map[string]any{}
		}
		doc["results"], doc["ratios"] = rep.rows, values
		if rep.results != nil {
			doc["results"] = rep.results
		}
		return writeJSON(out, doc)
	}
	fmt.Fprintf(out, "%s\n\n", rep.title)
	cpu := slices.ContainsFunc(rep.rows, func(r bench.Result) bool { return r.ProcessCPU > 0 })
	fmt.Fprintf(out, "%-10s %10s %9s %9s %9s %9s %7s", "target", rep.unit, "p50", "p95", "p99", "max", "errors")
	if cpu {
		fmt.Fprintf(out, " %12s %12s", "cpu/op here", "cpu/op pg")
	}
	fmt.Fprintln(out)
	for _, r := range rep.rows {
		fmt.Fprintf(out, "%-10s %10.0f %9s %9s %9s %9s %7d", r.Name, r.PerSec, ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max), r.Errors)
		if cpu {
			fmt.Fprintf(out, " %12s %12s", us(r.ProcessCPU), us(r.PostgresCPU))
		}
		fmt.Fprintln(out)
	}
	if len(rep.notes) > 0 {
		fmt.Fprintf(out, "\n%s\n", strings.Join(rep.notes, "\n"))
	}
	var parts []string
	for _, r := range rep.ratios {
		parts = append(parts, fmt.Sprintf("%s / %s %.*f×", r.of, r.to, r.digits, values[r.key()]))
	}
	if len(parts) > 0 {
		fmt.Fprintf(out, "\n%s\n", strings.Join(parts, "   "))
	}
	return nil
}

func writeJSON(out io.Writer, doc any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func us(d time.Duration) string { return fmt.Sprintf("%dµs", d.Microseconds()) }

// benchEnv is what every benchmark runs on: a scratch PostgreSQL database
// and an embedded Temporal server with a client.
type benchEnv struct {
	dbURL string
	tsrv  *devserver.Temporal
	tc    client.Client
	stop  func()
}

// environ is the configuration of a kycflow serve or worker on this
// environment, on its own task queue.
func (e benchEnv) environ(taskQueue string) []string {
	return []string{"KYCFLOW_DATABASE_URL=" + e.dbURL, "KYCFLOW_IDENFY_KEYS=" + benchKey, "TEMPORAL_ADDRESS=" + e.tsrv.Address(),
		"KYCFLOW_TASK_QUEUE=" + taskQueue, "KYCFLOW_LOG_LEVEL=warn"}
}

func startBenchEnv(ctx context.Context, o benchOptions, log *slog.Logger) (benchEnv, error) {
	gin.SetMode(gin.ReleaseMode)
	warnAutovacuumOff(ctx, o.adminURL, log)
	dbURL, drop, err := scratchDatabase(ctx, o.adminURL, "kycflow_bench_")
	if err != nil {
		return benchEnv{}, err
	}
	tsrv, tc, stopTemporal, err := startBenchTemporal(ctx, log, o)
	if err != nil {
		drop()
		return benchEnv{}, err
	}
	return benchEnv{dbURL: dbURL, tsrv: tsrv, tc: tc, stop: func() { stopTemporal(); drop() }}, nil
}

// warnAutovacuumOff warns when the PostgreSQL server runs without
// autovacuum, as CI machines may: dead row versions then pile up (every
// webhook leaves two in the inbox), and every query over pending rows,
// kycflow's and Temporal's, costs more as the run goes on. Production
// PostgreSQL runs it; figures from such a server overstate growth.
func warnAutovacuumOff(ctx context.Context, adminURL string, log *slog.Logger) {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return
	}
	defer db.Close()
	var on string
	if db.QueryRowContext(ctx, "SHOW autovacuum").Scan(&on) == nil && on != "on" {
		log.Warn("PostgreSQL runs without autovacuum: dead rows pile up and database costs grow with the run; " +
			"turn it on (ALTER SYSTEM SET autovacuum = on; SELECT pg_reload_conf()) for production-like figures")
	}
}

// startCPUProfile profiles this process into path (nothing when path is
// empty) until stop.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// signedBy returns the headers of bodies[i] as iDenfy sends them, signed
// with key.
func signedBy(key string, bodies [][]byte) func(i int) http.Header {
	return func(i int) http.Header {
		return http.Header{idenfy.SignatureHeader: {idenfy.Sign(bodies[i], []byte(key))}, "Content-Type": {"application/json"}}
	}
}

func reportGrowth(out io.Writer, o benchOptions, g growthOptions, ls []growthLevel) error {
	if o.jsonOut {
		return writeJSON(out, map[string]any{"levels": ls, "burst": g.burst, "count": o.count, "concurrency": o.concurrency,
			"workerCache": g.workerCache, "temporalStore": o.temporalStore()})
	}
	fmt.Fprintf(out, "growth: at each level an ingest burst of %d webhooks and %d automatic + manual pairs, concurrency %d, worker sticky cache %s; Temporal: %s\n\n",
		g.burst, o.count, o.concurrency, cacheName(g.workerCache), o.temporalStore())
	fmt.Fprintf(out, "%9s %9s %9s %9s %11s %11s %9s %7s %10s %9s %9s %9s %9s %9s %9s %9s %9s %8s\n", "level", "open", "ingest/s", "ack p99", "onboard p99",
		"lifecycle/s", "ceiling/s", "ratio", "worker RSS", "serve RSS", "serve CPU", "worker CPU", "temporal", "postgres", "ceil. T", "ceil. PG", "DB B/v", "fill/s")
	for _, l := range ls {
		fmt.Fprintf(out, "%9d %9d %9.0f %9s %11s %11.1f %9.1f %6.2fx %8.0fMB %7.0fMB %7.2fms %7.2fms %7.2fms %7.2fms %7.2fms %7.2fms %9d %8.1f\n", l.Level, l.OpenWorkflows,
			l.Ingest.PerSec, ms(l.Ingest.P99), ms(l.Onboarded.P99), l.Lifecycle.PerSec, l.Ceiling.PerSec, ceilingRatio(l),
			mb(l.WorkerRSS), mb(l.ServeRSS), l.ServeCPU, l.WorkerCPU, l.BenchCPU, l.PostgresCPU, msOf(l.Ceiling.ProcessCPU), msOf(l.Ceiling.PostgresCPU),
			l.BytesPerVerif, l.FillVerifsPerSec)
	}
	fmt.Fprintf(out, "\nlevel: verifications open before measuring; open: workflows running after (each level adds its burst and pairs)\n"+
		"ack p99: the burst's acknowledgements; onboard p99: acknowledgement → onboarding call; lifecycle/s: pairs onboarded per second\n"+
		"ceiling/s: as many trivial workflows, shaped like the level's lifecycles (bench lifecycle's ceiling), on the same server right after; ratio: lifecycle/s over ceiling/s\n"+
		"CPU: per verification over the burst and pairs (first event → last onboarding call), by process (temporal: the bench process, mostly the Temporal server;\n"+
		"postgres: every PostgreSQL process, kycflow's database and, with --temporal-postgres, Temporal's); ceil. T / PG: the bench process and PostgreSQL per trivial workflow\n"+
		"DB B/v: database growth since the previous level per verification added; fill/s: verifications onboarded per second while filling\n")
	first, last := ls[0], ls[len(ls)-1]
	fmt.Fprintf(out, "\nfrom %d to %d verifications: ack p99 %s, lifecycle rate %s (ceiling %s, ratio %s), worker RSS %s, CPU per verification: serve %s, worker %s, temporal %s; DB bytes per verification %s\n",
		first.Level, last.Level, change(float64(first.Ingest.P99), float64(last.Ingest.P99)),
		change(first.Lifecycle.PerSec, last.Lifecycle.PerSec), change(first.Ceiling.PerSec, last.Ceiling.PerSec),
		change(ceilingRatio(first), ceilingRatio(last)), change(float64(first.WorkerRSS), float64(last.WorkerRSS)),
		change(first.ServeCPU, last.ServeCPU), change(first.WorkerCPU, last.WorkerCPU), change(first.BenchCPU, last.BenchCPU),
		change(float64(first.BytesPerVerif), float64(last.BytesPerVerif)))
	return nil
}

// ceilingRatio is a level's lifecycle rate over its ceiling's.
func ceilingRatio(l growthLevel) float64 {
	if l.Ceiling.PerSec == 0 {
		return 0
	}
	return l.Lifecycle.PerSec / l.Ceiling.PerSec
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func cacheName(n int) string {
	if n == 0 {
		return "10000 (SDK default)"
	}
	return strconv.Itoa(n)
}

// change is b relative to a, as a signed percentage.
func change(a, b float64) string {
	if a == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%+.0f%%", (b/a-1)*100)
}
