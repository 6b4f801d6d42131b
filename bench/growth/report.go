package growth

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"kycflow/bench"
)

func report(out io.Writer, o Options, ls []Level) error {
	if o.JSON {
		return bench.WriteJSON(out, map[string]any{"levels": ls, "burst": o.Burst, "count": o.Count, "concurrency": o.Concurrency,
			"workerCache": o.WorkerCache, "temporalStore": o.TemporalStore()})
	}
	fmt.Fprintf(out, "growth: at each level an ingest burst of %d webhooks and %d automatic + manual pairs, concurrency %d, worker sticky cache %s; Temporal: %s\n\n",
		o.Burst, o.Count, o.Concurrency, cacheName(o.WorkerCache), o.TemporalStore())
	fmt.Fprintf(out, "%9s %9s %9s %9s %11s %11s %9s %7s %10s %9s %9s %9s %9s %9s %9s %9s %9s %8s\n", "level", "open", "ingest/s", "ack p99", "onboard p99",
		"lifecycle/s", "ceiling/s", "ratio", "worker RSS", "serve RSS", "serve CPU", "worker CPU", "temporal", "postgres", "ceil. T", "ceil. PG", "DB B/v", "fill/s")
	for _, l := range ls {
		fmt.Fprintf(out, "%9d %9d %9.0f %9s %11s %11.1f %9.1f %6.2fx %8.0fMB %7.0fMB %7.2fms %7.2fms %7.2fms %7.2fms %7.2fms %7.2fms %9d %8.1f\n", l.Level, l.OpenWorkflows,
			l.Ingest.PerSec, bench.Millis(l.Ingest.P99), bench.Millis(l.Onboarded.P99), l.Lifecycle.PerSec, l.Ceiling.PerSec, ceilingRatio(l),
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
func ceilingRatio(l Level) float64 { return bench.Ratio(l.Lifecycle.PerSec, l.Ceiling.PerSec) }

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
