package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed budget.json
var budgetJSON []byte

// Limit is the most one verification of a scenario may cost: its history
// events counted unbatched (Counts.EventsUnbatched, which timing does not
// change) and its billable actions.
type Limit struct {
	Events  int `json:"historyEvents"`
	Actions int `json:"billableActions"`
}

// Budget holds each scenario's limit, by scenario name.
type Budget map[string]Limit

// LoadBudget returns the checked-in budget, budget.json: today's measured
// counts. Lower it when a change cuts them; raise it only on purpose.
func LoadBudget() (Budget, error) {
	var b Budget
	if err := json.Unmarshal(budgetJSON, &b); err != nil {
		return nil, fmt.Errorf("budget.json: %w", err)
	}
	return b, nil
}

// Over lists every count over its limit ("approved: history events 45 >
// budget 41") and every scenario without one.
func (b Budget) Over(samples []Sample) []string {
	return b.compare(samples, func(got, limit int) bool { return got > limit }, "%s: %s %d > budget %d")
}

// Slack lists every count under its limit: the budget should come down
// to it, so that the gain is kept.
func (b Budget) Slack(samples []Sample) []string {
	return b.compare(samples, func(got, limit int) bool { return got < limit }, "%s: %s %d < budget %d")
}

func (b Budget) compare(samples []Sample, differs func(got, limit int) bool, format string) []string {
	var out []string
	for _, s := range samples {
		limit, ok := b[s.Scenario]
		if !ok {
			out = append(out, s.Scenario+": no budget in bench/cost/budget.json")
			continue
		}
		if differs(s.EventsUnbatched, limit.Events) {
			line := fmt.Sprintf(format, s.Scenario, "history events", s.EventsUnbatched, limit.Events)
			if s.Events != s.EventsUnbatched {
				line += fmt.Sprintf(" (unbatched: %d in history, %d completions joined another's workflow task)", s.Events, s.Joined)
			}
			out = append(out, line)
		}
		if differs(s.Actions.Total, limit.Actions) {
			out = append(out, fmt.Sprintf(format, s.Scenario, "billable actions", s.Actions.Total, limit.Actions))
		}
	}
	return out
}
