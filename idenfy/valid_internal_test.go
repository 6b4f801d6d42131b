package idenfy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validCases are bodies on both sides of every rule validJSON checks.
var validCases = []string{
	``, ` `, `{}`, `[]`, ` { } `, `[ ]`, `{"a":1}`, `{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`,
	`[1,2]`, `[1,]`, `[,1]`, `[1 2]`, `{"a":[1,{"b":[]}]}`, `{"a":[1,{"b":[}]}`, `{"a":1]`, `[1}`, `{"a":1}}`, `[[]`, `{"a":1} x`,
	`"x"`, `"x`, `"\"\\\/\b\f\n\r\t"`, `"\x"`, `"\u00e9"`, `"\u00g9"`, `"\u00e"`, `"\u`, "\"a\x01\"", "\"\xff\xfe\"", "\"é\"",
	`0`, `-0`, `01`, `-`, `-a`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`, `-1.5e10`, `1.5.5`, `12a`, `+1`,
	`true`, `false`, `null`, `tru`, `nul`, `truex`, `True`, `[true,false,null]`, "\t\r\n{\"a\"\n:\n1}\n", "{\"a\":1}\x00",
	strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting),
	strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1),
	strings.Repeat(`{"a":`, maxNesting) + "1" + strings.Repeat("}", maxNesting),
	strings.Repeat(`{"a":`, maxNesting+1) + "1" + strings.Repeat("}", maxNesting+1),
}

func TestValidJSONAgreesWithEncodingJSON(t *testing.T) {
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	cases := append([]string(nil), validCases...)
	for _, name := range fixtures {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, string(b), string(b[:len(b)/2]))
	}
	for _, c := range cases {
		if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("validJSON(%.60q) = %v, json.Valid %v", c, got, want)
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, c := range validCases {
		if len(c) < 1000 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, want := validJSON(body), json.Valid(body); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid %v", body, got, want)
		}
	})
}

func BenchmarkValidJSON(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "kyc_manual_approved.json"))
	if err != nil {
		b.Fatal(err)
	}
	for name, valid := range map[string]func([]byte) bool{"validJSON": validJSON, "json.Valid": json.Valid} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if !valid(body) {
					b.Fatal("invalid")
				}
			}
		})
	}
}
