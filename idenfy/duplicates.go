package idenfy

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// duplicateKey returns the first key that appears twice in one JSON object
// of body, and whether there is one (the key may be ""). Parsers disagree
// on which of two equal keys wins (Go's takes the last, others the first),
// and Go matches struct fields case-insensitively, so keys are compared
// case-folded: a body with such a pair is ambiguous and is quarantined
// rather than routed on a guess. body must already be valid JSON; the scan
// allocates little: the first keys of an object are compared where they
// lie in the body.
func duplicateKey(body []byte) (key string, found bool) {
	return scanKeys(body, nil)
}

// scanKeys is duplicateKey that also hands each member of the top-level
// object to member (when not nil), in order: its quoted key and its raw
// value, which may carry white space around it.
func scanKeys(body []byte, member func(quotedKey, value []byte)) (key string, found bool) {
	sp, depth := stacks.Get().(*[]keySet), 0
	defer func() { release(sp, depth) }()
	var (
		stack      = (*sp)[:0]
		expectKey  bool
		topKey     []byte // the top-level member being read
		valueStart = -1   // where its value starts, once its colon is read
	)
	endMember := func(i int) {
		if len(stack) == 1 && valueStart >= 0 {
			if member != nil {
				member(topKey, body[valueStart:i])
			}
			valueStart = -1
		}
	}
	for i := 0; i < len(body); {
		switch body[i] {
		case '{', '[':
			stack = push(stack, body[i] == '{')
			*sp, depth = stack, max(depth, len(stack))
			expectKey = body[i] == '{'
			i++
		case '}', ']':
			endMember(i)
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			expectKey = false
			i++
		case ',':
			endMember(i)
			expectKey = len(stack) > 0 && stack[len(stack)-1].object
			i++
		case ':':
			if len(stack) == 1 {
				valueStart = i + 1
			}
			i++
		case '"':
			j := stringEnd(body, i)
			if expectKey && len(stack) > 0 {
				if stack[len(stack)-1].add(body[i:j]) {
					return keyText(body[i:j]), true
				}
				if len(stack) == 1 {
					topKey = body[i:j]
				}
				expectKey = false
			}
			i = j
		default: // white space, numbers, literals
			i++
		}
	}
	return "", false
}

// stacks keeps scanKeys' stacks, with the key lists and tables of their
// objects, from one body to the next.
var stacks = sync.Pool{New: func() any { return new([]keySet) }}

// release returns a stack whose first depth entries a scan used to the
// pool, without the keys they point to in its body; a stack grown by an
// unusually deep or wide body is left to the garbage collector instead, so
// that one such body does not make every later scan pay for its size.
func release(sp *[]keySet, depth int) {
	if depth > pooledDepth {
		return
	}
	keep := true
	for _, k := range (*sp)[:depth] {
		clear(k.quoted[:cap(k.quoted)])
		keep = keep && cap(k.quoted) <= pooledKeys
	}
	if keep {
		stacks.Put(sp)
	}
}

// pooledDepth and pooledKeys bound the stacks kept for reuse: far more
// than an iDenfy body needs (a dozen levels, under 40 keys an object).
const (
	pooledDepth = 64
	pooledKeys  = 512
)

// smallObject is how many keys an object's set compares one by one before
// it indexes them by hash (a hostile body with many keys must not cost
// quadratic time).
const smallObject = 32

// keySet holds the keys seen in one JSON object (object false: an array).
// Past smallObject keys they are indexed by the hash of their folded text
// in an open-addressing table; its memory, like the key list's, is reused
// by the next object the stack opens at the same depth.
type keySet struct {
	object bool
	quoted [][]byte // the keys, quoted, as they appear in the body
	hashes []uint64 // keyHash of each key of quoted, once indexed
	table  []int32  // 1 + an index into quoted, 0 when free; a power of two long
}

// add records a quoted key and reports whether the object already has it,
// under the matching Go's decoder uses for field names.
func (k *keySet) add(quoted []byte) bool {
	if len(k.hashes) == 0 && len(k.quoted) < smallObject && bytes.IndexByte(quoted, '\\') < 0 {
		for _, q := range k.quoted { // none escaped either
			if bytes.EqualFold(q, quoted) {
				return true
			}
		}
		k.quoted = append(k.quoted, quoted)
		return false
	}
	if len(k.hashes) == 0 {
		for _, q := range k.quoted {
			k.hashes = append(k.hashes, keyHash(q))
		}
		k.rehash(4 * smallObject)
	}
	h := keyHash(quoted)
	mask := uint64(len(k.table) - 1)
	slot := h & mask
	for ; k.table[slot] != 0; slot = (slot + 1) & mask {
		// Two different keys may share a hash (the seed is random, so a
		// body cannot aim for it): only the keys themselves decide.
		if i := k.table[slot] - 1; k.hashes[i] == h && sameKey(k.quoted[i], quoted) {
			return true
		}
	}
	k.quoted, k.hashes = append(k.quoted, quoted), append(k.hashes, h)
	k.table[slot] = int32(len(k.quoted))
	if 2*len(k.quoted) > len(k.table) {
		k.rehash(2 * len(k.table))
	}
	return false
}

// rehash indexes every key in a table of size slots.
func (k *keySet) rehash(size int) {
	if cap(k.table) >= size {
		k.table = k.table[:size]
		clear(k.table)
	} else {
		k.table = make([]int32, size)
	}
	mask := uint64(size - 1)
	for i, h := range k.hashes {
		slot := h & mask
		for k.table[slot] != 0 {
			slot = (slot + 1) & mask
		}
		k.table[slot] = int32(i + 1)
	}
}

// sameKey reports whether two quoted keys name one field.
func sameKey(a, b []byte) bool {
	if bytes.IndexByte(a, '\\') < 0 && bytes.IndexByte(b, '\\') < 0 {
		return bytes.EqualFold(a, b)
	}
	return keyText(a) == keyText(b)
}

var keySeed = maphash.MakeSeed()

// keyHash hashes a quoted key's folded text; a short ASCII key without
// escapes (nearly every key) is folded on the stack.
func keyHash(quoted []byte) uint64 {
	var buf [64]byte
	if folded, ok := foldPlain(buf[:], quoted); ok {
		return maphash.Bytes(keySeed, folded)
	}
	return maphash.String(keySeed, keyText(quoted))
}

// foldPlain folds a quoted key into dst, as keyText would, when it is
// ASCII without escapes and fits; ok is false otherwise (use keyText).
func foldPlain(dst, quoted []byte) (folded []byte, ok bool) {
	inner := quoted[1 : len(quoted)-1]
	if len(inner) > len(dst) {
		return nil, false
	}
	folded = dst[:len(inner)]
	for i, c := range inner {
		if c >= utf8.RuneSelf || c == '\\' {
			return nil, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		folded[i] = c
	}
	return folded, true
}

// push opens an object or array, reusing the key list a closed one left
// in the stack's spare capacity.
func push(stack []keySet, object bool) []keySet {
	if len(stack) < cap(stack) {
		stack = stack[:len(stack)+1]
		top := &stack[len(stack)-1]
		*top = keySet{object: object, quoted: top.quoted[:0], hashes: top.hashes[:0], table: top.table}
		return stack
	}
	return append(stack, keySet{object: object})
}

// stringEnd returns the index just past the JSON string starting at i: the
// next quote not escaped by an odd run of backslashes before it.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); {
		q := bytes.IndexByte(b[j:], '"')
		if q < 0 {
			break
		}
		j += q
		escapes := 0
		for k := j - 1; k > i && b[k] == '\\'; k-- {
			escapes++
		}
		if escapes%2 == 0 {
			return j + 1
		}
		j++
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

// foldRune is the least rune of r's case-folding orbit, as Go's decoder
// folds field names, lower-cased when that is ASCII (so that an ASCII key
// folds to its lower case, as keyHash folds it). Lower-casing beyond ASCII
// would merge orbits: "İ" (alone in its orbit) would become "i".
func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	if least < utf8.RuneSelf {
		return unicode.ToLower(least)
	}
	return least
}
