package cost

import (
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"

	"kycflow/simulate"
	"kycflow/workflows"
)

// Scenario is one measured verification: a simulate scenario and, for
// one that ends waiting for a person, the decision a reviewer then takes
// through the operator API.
type Scenario struct {
	Name   string // the simulate scenario, "+" the review decision if any
	Base   string // the simulate scenario
	Review string // "": no review
	// WantStage and WantDecision are where the review leaves the
	// lifecycle (the simulate scenario's own outcome without a review).
	WantStage, WantDecision string
}

// reviewed are the reviewers' decisions measured on the scenarios that end
// waiting for a person.
var reviewed = []Scenario{
	{Base: "suspected", Review: workflows.ReviewApprove, WantStage: "decided", WantDecision: "approved"},
	{Base: "suspected", Review: workflows.ReviewReject, WantStage: "decided", WantDecision: "rejected"},
	{Base: "aml-alert", Review: workflows.ReviewClear, WantStage: "monitoring", WantDecision: "approved"},
	{Base: "aml-alert", Review: workflows.ReviewConfirm, WantStage: "decided", WantDecision: "rejected"},
	{Base: "kyb-review", Review: workflows.ReviewApprove, WantStage: "decided", WantDecision: "approved"},
}

// Scenarios lists what bench cost measures by default: every simulate
// scenario, each one that ends waiting for a person followed by its
// reviewed variants.
func Scenarios() []Scenario {
	var out []Scenario
	for _, name := range simulate.Names {
		out = append(out, Scenario{Name: name, Base: name})
		for _, r := range reviewed {
			if r.Base == name {
				r.Name = name + "+" + r.Review
				out = append(out, r)
			}
		}
	}
	return out
}

// Names are the names of Scenarios.
func Names() []string {
	var names []string
	for _, s := range Scenarios() {
		names = append(names, s.Name)
	}
	return names
}

// Select returns the scenarios named, in the order given; none: all.
func Select(names []string) ([]Scenario, error) {
	all := Scenarios()
	if len(names) == 0 {
		return all, nil
	}
	var out []Scenario
	for _, n := range names {
		i := slices.IndexFunc(all, func(s Scenario) bool { return s.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown scenario %q (known: %s)", n, strings.Join(Names(), ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

// build renders the scenario's webhooks with new IDs; the outcome it
// expects is the simulate scenario's, before any review.
func (sc Scenario) build(r *mrand.Rand) (simulate.Scenario, error) {
	s, err := simulate.Build(sc.Base, r, time.Now())
	s.Name = sc.Name
	return s, err
}

// reviewed is s as the review leaves it.
func (sc Scenario) reviewed(s simulate.Scenario) simulate.Scenario {
	s.WantStage, s.WantDecision = sc.WantStage, sc.WantDecision
	return s
}
