package cost

import (
	"fmt"
	"io"
	"strings"

	"kycflow/bench"
)

// report prints the samples and the visibility measurements as tables,
// or as JSON when o.JSON; over are the budget's complaints.
func report(out io.Writer, o Options, samples []Sample, vis []Visibility, over []string) error {
	window := fmt.Sprintf("late-event window %s: decided lifecycles are measured closed, as they close after production's 7 days", o.LateEventWindow)
	if o.LateEventWindow >= o.Timeout {
		window = fmt.Sprintf("late-event window %s: decided lifecycles are measured open, before they close", o.LateEventWindow)
	}
	if o.JSON {
		return bench.WriteJSON(out, map[string]any{"temporalStore": o.TemporalStore(), "lateEventWindowNs": o.LateEventWindow,
			"verificationsPerScenario": o.Count, "rules": RulesURL, "results": samples, "overBudget": over, "visibility": vis})
	}
	fmt.Fprintf(out, "cost: %d verification(s) per scenario, one at a time, through a real serve and worker (a Signal-With-Start per webhook, "+
		"reviews through the operator API); Temporal: %s\n%s\nbillable actions by Temporal Cloud's rules: %s\n\n", o.Count, o.TemporalStore(), window, RulesURL)
	fmt.Fprintf(out, "%-19s %-26s %6s %7s %4s %4s %3s %6s %8s %7s %7s %7s %7s\n",
		"scenario", "end", "events", "bytes", "wft", "act", "la", "timers", "upserts", "markers", "signals", "updates", "actions")
	for _, s := range samples {
		upserts := fmt.Sprint(s.Upserts)
		if s.VersionUpserts > 0 {
			upserts = fmt.Sprintf("%d+%dv", s.Upserts-s.VersionUpserts, s.VersionUpserts)
		}
		fmt.Fprintf(out, "%-19s %-26s %6d %7d %4d %4d %3d %6d %8s %7d %7d %7d %7d\n", s.Scenario, s.End, s.Events, s.Bytes, s.WorkflowTasks,
			s.Activities+s.ActivityRetries, s.LocalActivities, s.Timers, upserts, s.VersionMarkers+s.SideEffects, s.Signals, s.Updates, s.Actions.Total)
	}
	notes := []string{
		"events and bytes: every run of every workflow the verification started; act: activities scheduled, and retries; la: local activities;",
		"upserts: search-attribute upserts, +Nv of TemporalChangeVersion alone (the Go SDK's, with each version marker: not billable);",
		"markers: version and side-effect markers; actions: starts (a Signal-With-Start is billed once, as its signal), signals, updates,",
		"activity starts and retries, one per workflow task that records markers, timers, upserts; queries and heartbeats are not in history.",
	}
	for _, s := range samples {
		if s.Events != s.EventsUnbatched {
			notes = append(notes, fmt.Sprintf("%s: %d of its completions joined a workflow task already scheduled: %d events unbatched (the budget's count)",
				s.Scenario, s.Joined, s.EventsUnbatched))
		}
		if s.Verifications > 1 && (s.MinEvents != s.Events || s.MinActions != s.Actions.Total) {
			notes = append(notes, fmt.Sprintf("%s varied over %d verifications: events %d–%d, actions %d–%d",
				s.Scenario, s.Verifications, s.MinEvents, s.MaxEvents, s.MinActions, s.Actions.Total))
		}
	}
	if len(over) > 0 {
		notes = append(notes, "over budget (bench/cost/budget.json): "+strings.Join(over, "; "))
	}
	if _, err := fmt.Fprintf(out, "\n%s\n", strings.Join(notes, "\n")); err != nil || len(vis) == 0 {
		return err
	}
	return reportVisibility(out, o, vis)
}

// reportVisibility prints the visibility measurements, per verification.
func reportVisibility(out io.Writer, o Options, vis []Visibility) error {
	fmt.Fprintf(out, "\nTemporal's visibility store on PostgreSQL, executions_visibility (heap, TOAST and its %d indexes; autovacuum %s): "+
		"%d verification(s) per scenario, %d at a time, each webhook by webhook as above, from the table compacted by VACUUM FULL\n\n",
		vis[0].Indexes, vis[0].Autovacuum, o.Visibility, min(o.Concurrency, o.Visibility))
	fmt.Fprintf(out, "%-19s %6s %9s %8s %8s %8s %9s %8s %8s %8s %8s %7s\n", "scenario", "verif", "workflows", "written", "vacuumed",
		"indexes", "compacted", "writes", "inserts", "updates", "hot", "seconds")
	for _, v := range vis {
		p := v.PerVerification
		fmt.Fprintf(out, "%-19s %6d %9.2f %8.0f %8.0f %8.0f %9.0f %8.2f %8d %8d %8d %7.0f\n", v.Scenario, v.Verifications, p.Workflows,
			p.Written, p.Vacuumed, float64(v.IndexesVacuumed)/float64(v.Verifications), p.Compacted, p.Writes,
			v.Inserts, v.Updates, v.HOTUpdates, v.Seconds)
	}
	_, err := fmt.Fprintln(out, `
per verification: workflows (rows added); bytes of growth of pg_total_relation_size('executions_visibility'): written, as the
verifications left it (before any VACUUM), vacuumed, after a VACUUM (files do not shrink: dead row versions become reusable
space, GIN pending lists are merged), indexes, their share of vacuumed, compacted, after a VACUUM FULL (the live rows alone);
writes: row inserts and updates (pg_stat_user_tables); inserts, updates, hot: totals over the scenario, hot being updates
that added no index entry.`)
	return err
}
