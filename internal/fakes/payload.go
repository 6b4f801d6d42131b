package fakes

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Payload is the idenfy/testdata fixture name, decoded, changed by edit and
// encoded again: a realistic iDenfy body for a test's own IDs.
func Payload(t testing.TB, name string, edit func(map[string]any)) []byte {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "..", "idenfy", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
