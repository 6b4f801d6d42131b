package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kycflow/console"
	"kycflow/identity"
	"kycflow/service"
)

// The console's side of the harness: local reviewers for serve, and a
// headless Chromium, driven from Go through chromedp, that signs in, opens
// cases from the queue, decides and takes screenshots.

// consolePassword is every local reviewer's password in these tests.
const consolePassword = "console-e2e-password"

// consoleReviewers makes serve sign in alice and bob (reviewers) and vic
// (a viewer) with consolePassword, on plain HTTP: startConsoleSystem's
// configure.
func consoleReviewers(t *testing.T) func(*service.Config) {
	t.Helper()
	var local []console.LocalReviewer
	for _, r := range []struct {
		name string
		role identity.Role
	}{{"alice", identity.Reviewer}, {"bob", identity.Reviewer}, {"vic", identity.Viewer}} {
		lr, err := console.NewLocalReviewer(r.name, r.role, consolePassword)
		if err != nil {
			t.Fatal(err)
		}
		local = append(local, lr)
	}
	return func(cfg *service.Config) { cfg.ConsoleReviewers, cfg.ConsoleInsecureCookies = local, true }
}

// browserStep bounds each browser step: every wait polls the page until
// its element appears, or fails the test at this deadline.
const browserStep = 20 * time.Second

// browser is one headless Chromium tab on serve's console.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string // serve's URL: set it before signing in
}

// newBrowser starts headless Chromium (skipped locally without it, a
// failure in CI: see chromium) with a fresh profile, closed when the test
// ends.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromium(t)
	profile := t.TempDir() // removed after the browser has exited: cleanups run last-in, first-out
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 900))
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser, on a context without a deadline:
	// a deadline there would stop the whole browser.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx}
}

// do runs steps in the tab within browserStep.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

// text is the visible text of the first element sel matches.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// attr is attribute name of the first element sel matches.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	r, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		b.t.Fatalf("browser: %s of %s: %v", name, sel, err)
	}
	return r.Value
}

// count is how many elements match sel on the page as it is now.
func (b *browser) count(sel string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(sel), chromedp.AtLeast(0)))
	if err != nil {
		b.t.Fatalf("browser: count %s: %v", sel, err)
	}
	return len(nodes)
}

// signIn signs name in through the sign-in form and lands on the queue.
func (b *browser) signIn(name string) {
	b.t.Helper()
	b.do("sign in as "+name,
		chromedp.Navigate(b.base+"/console/login"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), consolePassword),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#queue")))
	if got := b.attr("#signed-in-as", "data-reviewer"); got != name {
		b.t.Fatalf("signed in as %q, want %s", got, name)
	}
}

// signOut signs out with the header's button and lands on the sign-in page.
func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#login-form")))
}

// queueRow is the selector of the queue's row for a verification.
func queueRow(scanRef string) string {
	return fmt.Sprintf(`tr.case[data-kind="kyc"][data-id=%q]`, scanRef)
}

// openCase opens the queue, finds the verification's row and follows its
// link to the case page.
func (b *browser) openCase(scanRef string) {
	b.t.Helper()
	row := queueRow(scanRef)
	b.do("open "+scanRef+" from the queue",
		chromedp.Navigate(b.base+"/console/queue"),
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+" a.case-link")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#case[data-id=%q]`, scanRef))))
}

// decide sends the case page's decide form with decision and reason, and
// returns the result's outcome (data-outcome) and text.
func (b *browser) decide(decision, reason string) (outcome, text string) {
	b.t.Helper()
	b.do(decision,
		chromedp.SendKeys(chromedp.CSS("textarea[name=reason]"), reason),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("button[name=decision][value=%q]", decision))),
		chromedp.WaitVisible(chromedp.CSS("#decision-result")))
	return b.attr("#decision-result", "data-outcome"), b.text("#decision-result")
}

// screenshot writes the whole page as name.png: into docs/screenshots when
// KYCFLOW_SCREENSHOTS is set (the README shows them), into the test's
// temporary directory otherwise.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := b.t.TempDir()
	if os.Getenv("KYCFLOW_SCREENSHOTS") != "" {
		dir = filepath.Join("..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(b.ctx, browserStep)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		b.t.Fatalf("browser: screenshot %s: %v", name, err)
	}
	if len(png) < 10_000 {
		b.t.Errorf("screenshot %s is %d bytes: a blank page?", name, len(png))
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// onboarded lists the effective onboarding calls for scanRef, as
// "decision by reviewer", in the order received.
func (d *downstream) onboarded(scanRef string) []string {
	var out []string
	for _, m := range d.onboarding.Effective() {
		if m.Body["scanRef"] == scanRef {
			out = append(out, fmt.Sprintf("%v by %v", m.Body["decision"], m.Body["reviewer"]))
		}
	}
	return out
}
