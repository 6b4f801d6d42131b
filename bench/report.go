package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Report is what one bench part prints: a table of its results, notes
// under it and the ratios between results, or all of it as JSON.
type Report struct {
	Title  string         // the lines above the table
	Unit   string         // heading of the rate column: req/s, verif/s
	Rows   []Result       // the table, and JSON's results unless Results is set
	Notes  []string       // lines under the table
	Ratios []Versus       // printed in this order
	Fields map[string]any // JSON only: settings and extras
	// Results replaces Rows in the JSON output when it carries more.
	Results any
}

// Versus is the rate of one result over another's.
type Versus struct {
	Of, To string
	Digits int // decimals when printed
}

func (v Versus) key() string { return v.Of + "/" + v.To }

// Print writes the report to out as a table, or as JSON when asJSON.
func (rep Report) Print(out io.Writer, asJSON bool) error {
	by := map[string]Result{}
	for _, r := range rep.Rows {
		by[r.Name] = r
	}
	values := map[string]float64{}
	for _, v := range rep.Ratios {
		values[v.key()] = Ratio(by[v.Of].PerSec, by[v.To].PerSec)
	}
	if asJSON {
		doc := maps.Clone(rep.Fields)
		if doc == nil {
			doc = map[string]any{}
		}
		doc["results"], doc["ratios"] = rep.Rows, values
		if rep.Results != nil {
			doc["results"] = rep.Results
		}
		return WriteJSON(out, doc)
	}
	fmt.Fprintf(out, "%s\n\n", rep.Title)
	cpu := slices.ContainsFunc(rep.Rows, func(r Result) bool { return r.ProcessCPU > 0 })
	fmt.Fprintf(out, "%-10s %10s %9s %9s %9s %9s %7s", "target", rep.Unit, "p50", "p95", "p99", "max", "errors")
	if cpu {
		fmt.Fprintf(out, " %12s %12s", "cpu/op here", "cpu/op pg")
	}
	fmt.Fprintln(out)
	for _, r := range rep.Rows {
		fmt.Fprintf(out, "%-10s %10.0f %9s %9s %9s %9s %7d", r.Name, r.PerSec, Millis(r.P50), Millis(r.P95), Millis(r.P99), Millis(r.Max), r.Errors)
		if cpu {
			fmt.Fprintf(out, " %12s %12s", micros(r.ProcessCPU), micros(r.PostgresCPU))
		}
		fmt.Fprintln(out)
	}
	if len(rep.Notes) > 0 {
		fmt.Fprintf(out, "\n%s\n", strings.Join(rep.Notes, "\n"))
	}
	var parts []string
	for _, v := range rep.Ratios {
		parts = append(parts, fmt.Sprintf("%s / %s %.*f×", v.Of, v.To, v.Digits, values[v.key()]))
	}
	if len(parts) > 0 {
		fmt.Fprintf(out, "\n%s\n", strings.Join(parts, "   "))
	}
	return nil
}

// WriteJSON writes doc to out as indented JSON.
func WriteJSON(out io.Writer, doc any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// Millis formats d in milliseconds, to a tenth.
func Millis(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func micros(d time.Duration) string { return fmt.Sprintf("%dµs", d.Microseconds()) }
