// Package e2e holds the end-to-end suites: lifecycle, decisions,
// monitoring, KYB, retention, telemetry, dev and Web UI, the fault suite
// and the bad-input suite. Each runs real serve and worker processes (in
// this test process, or the production binary) against a real Temporal
// server (internal/testtemporal) and a real PostgreSQL database
// (internal/testenv), over real HTTP. harness_test.go starts them;
// harness_api_test.go talks to them. The package has no code of its own
// outside its tests.
package e2e
