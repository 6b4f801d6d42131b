//go:build nodev

package main

// Production builds (go build -tags nodev) leave out `kycflow dev` and with
// it the Temporal server and Web UI code.
