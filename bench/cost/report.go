package cost

import (
	"fmt"
	"io"
	"strings"

	"kycflow/bench"
)

// report prints the samples as a table, or as JSON when o.JSON; over are
// the budget's complaints.
func report(out io.Writer, o Options, samples []Sample, over []string) error {
	window := fmt.Sprintf("late-event window %s: decided lifecycles are measured closed, as they close after production's 7 days", o.LateEventWindow)
	if o.LateEventWindow >= o.Timeout {
		window = fmt.Sprintf("late-event window %s: decided lifecycles are measured open, before they close", o.LateEventWindow)
	}
	if o.JSON {
		return bench.WriteJSON(out, map[string]any{"temporalStore": o.TemporalStore(), "lateEventWindowNs": o.LateEventWindow,
			"verificationsPerScenario": o.Count, "rules": RulesURL, "results": samples, "overBudget": over})
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
	_, err := fmt.Fprintf(out, "\n%s\n", strings.Join(notes, "\n"))
	return err
}
