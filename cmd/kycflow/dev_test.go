//go:build !nodev

package main

import (
	"slices"
	"strings"
	"testing"

	"kycflow/devserver"
	"kycflow/service"
)

// The banner says where state lives: with --ephemeral Temporal's is in
// memory and gone at exit, while kycflow's own store stays where it is.
func TestDevBannerSaysWhereStateLives(t *testing.T) {
	ep := devserver.Endpoints{API: "http://localhost:8080", UI: "http://localhost:8233", Temporal: "127.0.0.1:7233", Key: "k", Token: "t"}
	for _, c := range []struct {
		name      string
		ephemeral bool
		dbURL     string
		want      []string
	}{
		{"persistent", false, "", []string{"Temporal's state (temporal.db) is kept in kycflow-data",
			"kycflow's own store (kycflow.db) and the dev key and token stay in kycflow-data"}},
		{"ephemeral", true, "", []string{"Temporal runs in memory (--ephemeral)", "lost at exit",
			"kycflow's own store (kycflow.db) and the dev key and token stay in kycflow-data"}},
		{"ephemeral on PostgreSQL", true, "postgres://db/kycflow", []string{"lost at exit", "kycflow's own store stays in its PostgreSQL database"}},
	} {
		var buf strings.Builder
		printBanner(&buf, ep, service.Config{DataDir: "kycflow-data", DatabaseURL: c.dbURL, TemporalNamespace: "default", TaskQueue: "kycflow"}, c.ephemeral)
		for _, want := range c.want {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("%s: banner lacks %q:\n%s", c.name, want, buf.String())
			}
		}
		if c.ephemeral && strings.Contains(buf.String(), "state is kept") {
			t.Errorf("%s: banner says state is kept:\n%s", c.name, buf.String())
		}
	}
}

// The banner names the console and the dev reviewers' passwords, so a
// newcomer can sign in (twice, for four-eyes) without reading code.
func TestDevBannerNamesTheConsoleReviewers(t *testing.T) {
	ep := devserver.Endpoints{API: "http://localhost:8080", UI: "http://localhost:8233", Temporal: "127.0.0.1:7233", Key: "k", Token: "t",
		Console: "http://localhost:8080/console", Reviewers: []devserver.Reviewer{{Name: "alice", Password: "dev-aaa"}, {Name: "bob", Password: "dev-bbb"}}}
	var buf strings.Builder
	printBanner(&buf, ep, service.Config{DataDir: "kycflow-data", TemporalNamespace: "default", TaskQueue: "kycflow"}, false)
	for _, want := range []string{"Compliance console  http://localhost:8080/console", "alice  password dev-aaa", "bob    password dev-bbb"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, buf.String())
		}
	}
	if n := strings.Count(buf.String(), "\n"); n > 40 {
		t.Errorf("banner is %d lines", n)
	}
}

// dev turns four-eyes on and logs text unless the environment says
// otherwise, and the banner says four-eyes is on.
func TestDevDefaults(t *testing.T) {
	got := devEnviron([]string{"KYCFLOW_FOUR_EYES=false"})
	if !slices.Contains(got, "KYCFLOW_LOG_FORMAT=text") || slices.Contains(got, "KYCFLOW_FOUR_EYES=true") {
		t.Errorf("devEnviron kept = %v, want text logs and the user's four-eyes", got)
	}
	if got := devEnviron(nil); !slices.Contains(got, "KYCFLOW_FOUR_EYES=true") {
		t.Errorf("devEnviron(nil) = %v, want four-eyes on", got)
	}
	ep := devserver.Endpoints{Console: "http://localhost:8080/console", Reviewers: []devserver.Reviewer{{Name: "alice", Password: "a"}}}
	var buf strings.Builder
	printBanner(&buf, ep, service.Config{FourEyes: true}, false)
	if !strings.Contains(buf.String(), "four-eyes on") {
		t.Errorf("banner does not say four-eyes is on:\n%s", buf.String())
	}
}
