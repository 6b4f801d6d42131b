package e2e

import (
	"context"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kycflow/simulate"
)

// chromium finds Debian's headless browser; CI installs it (.ci/run).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is required in CI (.ci/run installs Debian's chromium package)")
	}
	t.Skip("chromium not installed (apt-get install chromium)")
	return ""
}

// TestWebUIListsASimulatedVerification renders the Temporal Web UI's
// workflow list in a real headless browser and looks for the lifecycle.
func TestWebUIListsASimulatedVerification(t *testing.T) {
	browser := chromium(t)
	d := startDev(t, t.TempDir())
	s, err := simulate.Build("review-approved", mrand.New(mrand.NewPCG(9, 9)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := d.client()
	if _, err := c.Run(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Await(context.Background(), s, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	page := d.ep.UI + "/namespaces/default/workflows"
	render := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=15000", "--window-size=1500,1000"}
		out, err := exec.CommandContext(ctx, browser, append(append(base, args...), page)...).Output()
		if err != nil {
			t.Fatalf("chromium %v: %v", args, err)
		}
		return out
	}
	want := "kyc-" + s.Subject
	var dom string
	for attempt := 0; attempt < 3 && !strings.Contains(dom, want); attempt++ {
		dom = string(render("--dump-dom")) // visibility may lag a moment behind the API
	}
	if !strings.Contains(dom, want) {
		t.Fatalf("the Web UI's workflow list (%d bytes of DOM) does not show %s", len(dom), want)
	}
	shot := filepath.Join(t.TempDir(), "workflows.png")
	render("--screenshot=" + shot)
	if info, err := os.Stat(shot); err != nil || info.Size() < 10_000 {
		t.Errorf("screenshot %s: %v (size %d)", shot, err, sizeOf(info))
	}
}

func sizeOf(info os.FileInfo) int64 {
	if info == nil {
		return 0
	}
	return info.Size()
}
