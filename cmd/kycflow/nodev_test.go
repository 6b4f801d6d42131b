package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The production build must not link the Temporal server or the Web UI.
func TestProductionBuildLeavesOutTheDevServer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-tags", "nodev", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := string(out)
	for _, banned := range []string{"go.temporal.io/server/", "github.com/temporalio/ui-server", "kycflow/devserver"} {
		if strings.Contains(deps, banned) {
			t.Errorf("the nodev build links %s", banned)
		}
	}
	if !strings.Contains(deps, "go.temporal.io/sdk/client") {
		t.Error("go list output does not look like kycflow's dependencies")
	}
	full, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil || !strings.Contains(string(full), "kycflow/devserver") {
		t.Errorf("the default build should include the dev server: %v", err)
	}
}
