package kycflow_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// rule is one of the inward dependency rules in README.md's "Layout".
type rule struct {
	name string
	// applies reports whether the rule constrains a package of ours.
	applies func(pkg string) bool
	// forbidden reports whether the package may not depend on dep.
	forbidden func(dep string) bool
	// direct limits the rule to the package's own imports.
	direct bool
}

var layoutRules = []rule{
	{
		name:      "idenfy imports nothing of ours",
		applies:   is("kycflow/idenfy"),
		forbidden: under("kycflow"),
	},
	{
		name:      "identity imports nothing of ours",
		applies:   is("kycflow/identity"),
		forbidden: under("kycflow"),
	},
	{
		name:    "identity imports only the standard library and the OIDC client libraries",
		applies: is("kycflow/identity"),
		forbidden: func(dep string) bool {
			return !stdlib(dep) && !oneOf(under("github.com/coreos/go-oidc/v3"), under("golang.org/x/oauth2"))(dep)
		},
		direct: true,
	},
	{
		name:      "workflows reaches no store, webhook, operator or relay",
		applies:   is("kycflow/workflows"),
		forbidden: oneOf(under("kycflow/store"), under("kycflow/webhook"), under("kycflow/operator"), under("kycflow/relay")),
	},
	{
		// The Temporal SDK (and idenfy's REST client) bring net/http in
		// transitively; workflow code itself must not use it.
		name:      "workflows does not import net/http itself",
		applies:   is("kycflow/workflows"),
		forbidden: is("net/http"),
		direct:    true,
	},
	{
		name:      "webhook reaches no activities",
		applies:   is("kycflow/webhook"),
		forbidden: under("kycflow/activities"),
	},
	{
		// The production binary (-tags nodev) leaves the dev server out as
		// well: cmd/kycflow's TestProductionBuildLeavesOutTheDevServer.
		name: "only cmd, devserver, bench and test harnesses link the Temporal server",
		applies: func(pkg string) bool {
			return under("kycflow")(pkg) && !oneOf(under("kycflow/cmd"), is("kycflow/devserver"), under("kycflow/bench"),
				is("kycflow/internal/testtemporal"), under("kycflow/e2e"))(pkg)
		},
		forbidden: under("go.temporal.io/server"),
	},
}

// TestDependenciesPointInward checks layoutRules against the import graph
// of every package in the module (non-test imports), from one go list.
func TestDependenciesPointInward(t *testing.T) {
	imports, ours := importGraph(t)
	if !slices.Contains(ours, "kycflow/workflows") || !slices.Contains(imports["kycflow/workflows"], "go.temporal.io/sdk/workflow") {
		t.Fatalf("go list output does not look like kycflow's packages: %v", ours)
	}
	for _, r := range layoutRules {
		for _, pkg := range ours {
			if !r.applies(pkg) {
				continue
			}
			if path := findPath(imports, pkg, r.forbidden, r.direct); path != nil {
				t.Errorf("%s breaks %q: imports %s", pkg, r.name, strings.Join(path[1:], " → "))
			}
		}
	}
}

// importGraph returns every package's imports, and the module's own
// packages, from go list -deps -json.
func importGraph(t *testing.T) (map[string][]string, []string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-deps", "-json=ImportPath,Imports,Error,DepsErrors", "kycflow/...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	type listErr struct{ Err string }
	imports := map[string][]string{}
	var ours []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
			Error      *listErr
			DepsErrors []*listErr
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		// An import go list cannot resolve would hide edges: fail rather
		// than pass on a partial graph.
		if p.Error != nil {
			t.Errorf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		for _, e := range p.DepsErrors {
			t.Errorf("go list %s: %s", p.ImportPath, e.Err)
		}
		imports[p.ImportPath] = p.Imports
		if under("kycflow")(p.ImportPath) {
			ours = append(ours, p.ImportPath)
		}
	}
	return imports, ours
}

// findPath returns the shortest import chain from pkg to a forbidden
// package (pkg first), or nil if there is none.
func findPath(imports map[string][]string, pkg string, forbidden func(string) bool, direct bool) []string {
	if direct {
		for _, imp := range imports[pkg] {
			if forbidden(imp) {
				return []string{pkg, imp}
			}
		}
		return nil
	}
	from := map[string]string{pkg: ""}
	queue := []string{pkg}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, imp := range imports[cur] {
			if _, ok := from[imp]; ok {
				continue
			}
			from[imp] = cur
			if forbidden(imp) {
				path := []string{imp}
				for p := cur; p != ""; p = from[p] {
					path = append(path, p)
				}
				slices.Reverse(path)
				return path
			}
			queue = append(queue, imp)
		}
	}
	return nil
}

// stdlib reports whether path is a standard library package: its first
// element has no dot, and it is not ours.
func stdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && first != "kycflow"
}

func is(path string) func(string) bool {
	return func(p string) bool { return p == path }
}

// under matches path and the packages below it.
func under(path string) func(string) bool {
	return func(p string) bool { return p == path || strings.HasPrefix(p, path+"/") }
}

func oneOf(fs ...func(string) bool) func(string) bool {
	return func(p string) bool {
		return slices.ContainsFunc(fs, func(f func(string) bool) bool { return f(p) })
	}
}
