package e2e

import (
	"context"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kycflow/simulate"
	"kycflow/workflows"
)

func TestDevRunsEverySimulateScenario(t *testing.T) {
	d := startDev(t, t.TempDir())
	c := d.client()
	ctx := context.Background()
	r := mrand.New(mrand.NewPCG(1, 2))
	ids := map[string][]string{} // workflow type → workflow IDs
	for _, name := range simulate.Names {
		s, err := simulate.Build(name, r, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Play(ctx, s, 30*time.Second); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.WantStage == "" {
			continue
		}
		if s.Company {
			ids[workflows.CompanyWorkflow] = append(ids[workflows.CompanyWorkflow], workflows.CompanyID(s.Subject))
		} else {
			ids[workflows.VerificationWorkflow] = append(ids[workflows.VerificationWorkflow], workflows.ID(s.Subject))
		}
		st, err := c.Await(ctx, s, 30*time.Second)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		t.Logf("%-16s → %s/%s", name, st.Stage, st.Decision)
		entries := map[string]int{}
		for _, e := range st.Timeline {
			entries[e.Type]++
		}
		if (name == "late" && entries["stale"] != 1) || (name == "duplicates" && entries["decided"] != 1) {
			t.Errorf("%s timeline = %v", name, entries)
		}
	}
	rep := simulate.Load(ctx, c, 20, 4, 3, nil)
	if rep.Accepted != 40 || rep.Failed != 0 {
		t.Errorf("load = %+v, want 40 accepted", rep)
	}

	// The Web UI answers, and its API lists the lifecycles.
	resp, err := http.Get(d.ep.UI + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("Web UI root = %d, want 200", resp.StatusCode)
	}
	for typ, want := range ids {
		waitFor(t, 20*time.Second, func() bool {
			resp, err := http.Get(d.ep.UI + "/api/v1/namespaces/default/workflows?query=" + url.QueryEscape("WorkflowType=\""+typ+"\""))
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			for _, id := range want {
				if !strings.Contains(string(body), id) {
					return false
				}
			}
			return resp.StatusCode == http.StatusOK
		})
	}
}

func TestDevRestartKeepsStateAndWaitingLifecyclesContinue(t *testing.T) {
	dir := t.TempDir()
	d := startDev(t, dir)
	r := mrand.New(mrand.NewPCG(5, 6))
	s, err := simulate.Build("review-approved", r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	done, err := simulate.Build("approved", r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first := *d.client()
	if _, err := first.Run(ctx, done); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Await(ctx, done, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	// Only the preliminary result before the restart: the lifecycle waits.
	if _, err := first.Send(ctx, s.Webhooks[0]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool {
		st, ok, _ := first.Verification(ctx, s.Subject)
		return ok && st.Stage == "auto_checked"
	})
	d.stop()

	again := startDev(t, dir)
	c := again.client()
	if again.ep.Key != d.ep.Key || again.ep.Token != d.ep.Token {
		t.Error("the dev signing key or API token changed across a restart")
	}
	if st, ok, err := c.Verification(ctx, done.Subject); err != nil || !ok || st.Decision != "approved" {
		t.Errorf("after restart %s = %+v %v %v, want the stored approved verification", done.Subject, st, ok, err)
	}
	if _, err := c.Send(ctx, s.Webhooks[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Await(ctx, s, 30*time.Second); err != nil {
		t.Errorf("waiting lifecycle after restart: %v", err)
	}
}
