// Package testtemporal starts a real, in-process Temporal server for tests
// (go.temporal.io/server/temporaltest) with kycflow's search attributes
// registered. It lives apart from testenv so that only the tests that need
// Temporal link the server.
package testtemporal

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/server/temporaltest"

	"kycflow/worker"
)

// Server is a running test server.
type Server struct {
	*temporaltest.TestServer
}

// New starts a server that stops when the test ends.
func New(t *testing.T) *Server {
	t.Helper()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := worker.Setup(ctx, ts.GetDefaultClient(), ts.GetDefaultNamespace()); err != nil {
		t.Fatalf("register search attributes: %v", err)
	}
	return &Server{ts}
}
