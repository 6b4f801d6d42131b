package e2e

import (
	"kycflow/service"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type composeService struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	Command     []string          `yaml:"command"`
	Restart     string            `yaml:"restart"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
}

func loadCompose(t *testing.T) map[string]composeService {
	t.Helper()
	raw, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]composeService `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("parse docker-compose.yml: %v", err)
	}
	return f.Services
}

// configVars lists every environment variable service.Config reads.
func configVars() map[string]bool {
	out := map[string]bool{}
	typ := reflect.TypeFor[service.Config]()
	for i := range typ.NumField() {
		if name, _, _ := strings.Cut(typ.Field(i).Tag.Get("env"), ","); name != "" {
			out[name] = true
		}
	}
	return out
}

var interpolation = regexp.MustCompile(`\$\{([A-Z_]+)(:[?-])?([^}]*)\}`)

// resolve substitutes ${VAR:?msg} with a test value and ${VAR:-default}
// with its default, as docker compose would with VAR set or unset.
func resolve(v string) string {
	return interpolation.ReplaceAllStringFunc(v, func(m string) string {
		g := interpolation.FindStringSubmatch(m)
		if g[2] == ":-" {
			return g[3]
		}
		return "test-value-for-" + g[1]
	})
}

func containerPort(t *testing.T, mapping string) string {
	t.Helper()
	parts := strings.Split(mapping, ":")
	return parts[len(parts)-1]
}

// binaryCommands lists the production binary's commands as its --help
// prints them, leaving out cobra's own help and completion.
func binaryCommands(t *testing.T) map[string]bool {
	t.Helper()
	out, errOut, err := runBinary(t, nil, "--help")
	if err != nil {
		t.Fatalf("kycflow --help: %v\n%s", err, errOut)
	}
	_, list, ok := strings.Cut(out, "\nAvailable Commands:\n")
	if !ok {
		t.Fatalf("kycflow --help lists no commands:\n%s", out)
	}
	list, _, _ = strings.Cut(list, "\n\n")
	commands := map[string]bool{}
	for line := range strings.Lines(list) {
		if f := strings.Fields(line); len(f) > 0 && f[0] != "help" && f[0] != "completion" {
			commands[f[0]] = true
		}
	}
	return commands
}

func TestComposeMatchesTheBinary(t *testing.T) {
	svcs := loadCompose(t)
	for _, want := range []string{"postgres", "temporal", "temporal-ui", "kycflow-migrate", "kycflow-setup", "kycflow-serve", "kycflow-worker"} {
		if _, ok := svcs[want]; !ok {
			t.Errorf("docker-compose.yml has no %s service", want)
		}
	}
	commands := binaryCommands(t)
	known := configVars()
	pg := svcs["postgres"].Environment
	for name, s := range svcs {
		for dep, d := range s.DependsOn {
			target, ok := svcs[dep]
			switch {
			case !ok:
				t.Errorf("%s depends on unknown service %s", name, dep)
			case !slices.Contains([]string{"service_started", "service_healthy", "service_completed_successfully"}, d.Condition):
				t.Errorf("%s: unknown depends_on condition %q", name, d.Condition)
			case d.Condition == "service_healthy" && target.Healthcheck == nil:
				t.Errorf("%s waits for %s to be healthy, but it has no healthcheck", name, dep)
			case d.Condition == "service_completed_successfully" && target.Restart != "no":
				t.Errorf("%s waits for %s to complete, but it restarts", name, dep)
			}
		}
		if s.Build == nil {
			continue
		}
		// A kycflow service: real subcommand, only variables the binary reads, values it accepts.
		if len(s.Command) == 0 || !commands[s.Command[0]] {
			t.Errorf("%s runs %v, which is not a kycflow command", name, s.Command)
		}
		var environ []string
		for k, v := range s.Environment {
			if !known[k] {
				t.Errorf("%s sets %s, which kycflow does not read", name, k)
			}
			environ = append(environ, k+"="+resolve(v))
		}
		cfg, err := service.LoadConfig(environ)
		if err != nil {
			t.Errorf("%s: its environment is not a valid configuration: %v", name, err)
			continue
		}
		db, err := url.Parse(cfg.DatabaseURL)
		if err != nil || db.Hostname() != "postgres" || db.Port() != "5432" || db.User.Username() != pg["POSTGRES_USER"] ||
			strings.TrimPrefix(db.Path, "/") != pg["POSTGRES_DB"] {
			t.Errorf("%s: KYCFLOW_DATABASE_URL %q does not match the postgres service", name, cfg.DatabaseURL)
		}
		if pw, _ := db.User.Password(); pw != pg["POSTGRES_PASSWORD"] {
			t.Errorf("%s: database password does not match the postgres service", name)
		}
		host, port, _ := net.SplitHostPort(cfg.TemporalAddress)
		if _, ok := svcs[host]; !ok || !slices.ContainsFunc(svcs[host].Ports, func(p string) bool { return containerPort(t, p) == port }) {
			t.Errorf("%s: TEMPORAL_ADDRESS %s is not a published port of a compose service", name, cfg.TemporalAddress)
		}
	}

	serve := svcs["kycflow-serve"]
	cfg, err := service.LoadConfig([]string{"KYCFLOW_LISTEN_ADDR=" + serve.Environment["KYCFLOW_LISTEN_ADDR"]})
	if err != nil {
		t.Fatal(err)
	}
	_, listenPort, _ := net.SplitHostPort(cfg.ListenAddr)
	if len(serve.Ports) != 1 || containerPort(t, serve.Ports[0]) != listenPort {
		t.Errorf("kycflow-serve publishes %v, but listens on %s", serve.Ports, cfg.ListenAddr)
	}
	if serve.Healthcheck == nil || !slices.Contains(serve.Healthcheck.Test, "probe") ||
		!slices.Contains(serve.Healthcheck.Test, "http://localhost:"+listenPort+"/readyz") {
		t.Errorf("kycflow-serve healthcheck %v does not probe its own /readyz", serve.Healthcheck)
	}
	if ui := svcs["temporal-ui"]; ui.Environment["TEMPORAL_ADDRESS"] != svcs["kycflow-worker"].Environment["TEMPORAL_ADDRESS"] {
		t.Errorf("the Web UI and the worker point at different Temporal servers")
	}

	dockerfile, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(dockerfile), "-tags nodev") || !strings.Contains(string(dockerfile), "/usr/local/bin/kycflow") {
		t.Error("the Dockerfile must build with -tags nodev into /usr/local/bin/kycflow (the healthcheck's path)")
	}
}
