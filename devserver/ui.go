package devserver

import (
	"fmt"
	"net"
	"strconv"

	"github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

// UI is the running Temporal Web UI.
type UI struct {
	srv *server.Server
	url string
}

// URL is where the UI answers.
func (u *UI) URL() string { return u.url }

// Stop stops the UI server.
func (u *UI) Stop() { u.srv.Stop() }

// StartUI serves the Temporal Web UI (assets embedded in the module) on
// ip:port for the Temporal frontend at temporalAddress. Check the port with
// CheckFree first: the UI server exits the process when it cannot listen.
func StartUI(ip string, port int, temporalAddress, namespace string) (*UI, error) {
	cfg := &uiconfig.Config{
		Host: ip, Port: port, TemporalGRPCAddress: temporalAddress, EnableUI: true,
		DefaultNamespace: namespace, HideLogs: true, DisableNewsFetch: true,
		CORS: uiconfig.CORS{CookieInsecure: true},
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("web UI config: %w", err)
	}
	srv := server.NewServer(server_options.WithConfigProvider(cfg))
	go srv.Start()
	return &UI{srv: srv, url: "http://" + net.JoinHostPort(ip, strconv.Itoa(port))}, nil
}
