// Package devsecret keeps the signing key, API token and console reviewers'
// passwords `kycflow dev` invents when none are configured, in files of the data directory, so
// restarts and `kycflow simulate` agree. It stands apart from devserver
// because simulate reads them in the production build too, which must not
// link the Temporal server.
package devsecret

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Files in the data directory that hold the secrets.
const (
	KeyFile   = "dev-signing-key"
	TokenFile = "dev-api-token"
)

// Reviewers are the local reviewers `kycflow dev` signs in to the console
// with; PasswordFile holds each one's password.
var Reviewers = []string{"alice", "bob"}

// PasswordFile is the file in the data directory that holds the dev
// reviewer name's console password.
func PasswordFile(name string) string { return "dev-password-" + name }

// Ensure returns the secret stored in dir/name, creating a random one
// (readable by the owner only) the first time.
func Ensure(dir, name string) (string, error) {
	path := filepath.Join(dir, name)
	if b, err := os.ReadFile(path); err == nil {
		if s := strings.TrimSpace(string(b)); s != "" {
			return s, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("create data dir: %w", err)
	}
	b := make([]byte, 16)
	rand.Read(b)
	s := "dev-" + hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return s, nil
}

// Read returns the secret in dir/name, or "" if there is none.
func Read(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
