package idenfy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"kycflow/idenfy"
)

type vector struct {
	Name      string   `json:"name"`
	Keys      []string `json:"keys"`
	Body      string   `json:"body"`
	BodyFile  string   `json:"bodyFile"`
	Signature string   `json:"signature"`
	Valid     bool     `json:"valid"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	raw, err := os.ReadFile("testdata/signatures.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	for i := range vs {
		if vs[i].BodyFile != "" {
			b, err := os.ReadFile(filepath.Join("testdata", vs[i].BodyFile))
			if err != nil {
				t.Fatal(err)
			}
			vs[i].Body = string(b)
		}
	}
	return vs
}

func keyBytes(keys []string) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = []byte(k)
	}
	return out
}

func TestVerify(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			if got := idenfy.Verify([]byte(v.Body), v.Signature, keyBytes(v.Keys)); got != v.Valid {
				t.Errorf("Verify() = %v, want %v", got, v.Valid)
			}
		})
	}
}

func TestSignMatchesVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		if !v.Valid || len(v.Keys) != 1 || v.Signature != lower(v.Signature) {
			continue
		}
		if got := idenfy.Sign([]byte(v.Body), []byte(v.Keys[0])); got != v.Signature {
			t.Errorf("%s: Sign() = %s, want %s", v.Name, got, v.Signature)
		}
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte("hello"), "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b", []byte("key"))
	f.Add([]byte(""), "", []byte(""))
	f.Add([]byte(`{"scanRef":"x"}`), "zz", []byte("k"))
	f.Fuzz(func(t *testing.T, body []byte, sig string, key []byte) {
		keys := [][]byte{key}
		ok := idenfy.Verify(body, sig, keys)
		if ok && len(key) == 0 {
			t.Fatal("Verify accepted an empty key")
		}
		if len(key) > 0 && !idenfy.Verify(body, idenfy.Sign(body, key), keys) {
			t.Fatal("Verify rejected its own Sign output")
		}
		if ok && lower(sig) != idenfy.Sign(body, key) {
			t.Fatal("Verify accepted a signature Sign would not produce")
		}
	})
}
