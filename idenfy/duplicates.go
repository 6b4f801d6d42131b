package idenfy

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// duplicateKey returns the first key that appears twice in one JSON object
// of body, and whether there is one (the key may be ""). Parsers disagree
// on which of two equal keys wins (Go's takes the last, others the first),
// and Go matches struct fields case-insensitively, so keys are compared
// case-folded: a body with such a pair is ambiguous and is quarantined
// rather than routed on a guess. body must already be valid JSON (Classify
// unmarshals it first); the scan allocates little: the first keys of an
// object are compared where they lie in the body.
func duplicateKey(body []byte) (key string, found bool) {
	var stack []keySet
	expectKey := false
	for i := 0; i < len(body); {
		switch body[i] {
		case '{':
			stack = append(stack, keySet{object: true})
			expectKey = true
			i++
		case '[':
			stack = append(stack, keySet{})
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
				if stack[len(stack)-1].add(body[i:j]) {
					return keyText(body[i:j]), true
				}
				expectKey = false
			}
			i = j
		default: // ':', whitespace, numbers, literals
			i++
		}
	}
	return "", false
}

// smallObject is how many keys an object's set compares one by one before
// it switches to a map of folded keys (typical iDenfy objects have fewer;
// a hostile body with many keys must not cost quadratic time).
const smallObject = 32

// keySet holds the keys seen in one JSON object (object false: an array).
type keySet struct {
	object bool
	quoted [][]byte            // the first keys, quoted, as they appear in the body
	folded map[string]struct{} // all keys, folded, once there are more
}

// add records a quoted key and reports whether the object already has it,
// under the matching Go's decoder uses for field names.
func (k *keySet) add(quoted []byte) bool {
	if k.folded == nil && len(k.quoted) < smallObject && bytes.IndexByte(quoted, '\\') < 0 {
		for _, q := range k.quoted {
			if bytes.EqualFold(q, quoted) {
				return true
			}
		}
		k.quoted = append(k.quoted, quoted)
		return false
	}
	if k.folded == nil {
		k.folded = make(map[string]struct{}, 2*smallObject)
		for _, q := range k.quoted {
			k.folded[keyText(q)] = struct{}{}
		}
	}
	key := keyText(quoted)
	if _, dup := k.folded[key]; dup {
		return true
	}
	k.folded[key] = struct{}{}
	return false
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
