package idenfy

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// duplicateKey returns the first key that appears twice in one JSON object
// of body ("" when none does). Parsers disagree on which of two equal keys
// wins (Go's takes the last, others the first), and Go matches struct
// fields case-insensitively, so keys are compared case-folded: a body with
// such a pair is ambiguous and is quarantined rather than routed on a guess.
// body must already be valid JSON (Classify unmarshals it first); the scan
// allocates only a key set per object.
func duplicateKey(body []byte) (string, error) {
	type frame struct {
		object bool
		keys   map[string]struct{}
	}
	var stack []frame
	expectKey := false
	for i := 0; i < len(body); {
		switch body[i] {
		case '{':
			stack = append(stack, frame{object: true})
			expectKey = true
			i++
		case '[':
			stack = append(stack, frame{})
			expectKey = false
			i++
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			expectKey = false
			i++
		case ',':
			expectKey = len(stack) > 0 && stack[len(stack)-1].object
			i++
		case '"':
			j := stringEnd(body, i)
			if expectKey && len(stack) > 0 {
				key := keyText(body[i:j])
				top := &stack[len(stack)-1]
				if top.keys == nil {
					top.keys = map[string]struct{}{}
				}
				if _, dup := top.keys[key]; dup {
					return key, nil
				}
				top.keys[key] = struct{}{}
				expectKey = false
			}
			i = j
		default: // ':', whitespace, numbers, literals
			i++
		}
	}
	return "", nil
}

// stringEnd returns the index just past the JSON string starting at i.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// keyText is a quoted key's text, unescaped and case-folded.
func keyText(quoted []byte) string {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return fold(string(quoted[1 : len(quoted)-1]))
	}
	var s string
	json.Unmarshal(quoted, &s)
	return fold(s)
}

// fold maps s so that fold(a) == fold(b) exactly when bytes.EqualFold(a,
// b), the match Go's decoder uses for field names: beyond ASCII case,
// "ſcanRef" and "scanRef" (and the Kelvin sign and "k") name one field.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Map(foldRune, s)
		}
	}
	return strings.ToLower(s)
}

// foldRune is the lower case of the least rune of r's case-folding orbit,
// which for an ASCII letter is its lower case.
func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return unicode.ToLower(least)
}
