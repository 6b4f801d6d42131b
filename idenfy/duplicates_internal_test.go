package idenfy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hasDuplicateKey is the slow, obvious answer: walk the tokens and keep a
// list of keys per open object, compared pair by pair with bytes.EqualFold.
func hasDuplicateKey(body []byte) bool {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	type frame struct {
		object bool
		keys   []string
		key    bool // the next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return false
		}
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{object: true, key: true})
			case '[':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.object && top.key {
				for _, k := range top.keys { // the decoder's own rule, pair by pair
					if bytes.EqualFold([]byte(k), []byte(t)) {
						return true
					}
				}
				top.keys = append(top.keys, t)
				top.key = false
				continue
			}
			if top != nil && top.object {
				top.key = true
			}
		default:
			if top != nil && top.object {
				top.key = true
			}
		}
	}
}

// The one-pass scanner finds a duplicate exactly when the obvious walk does.
func FuzzDuplicateKey(f *testing.F) {
	for _, s := range []string{`{"a":1,"A":2}`, `{"a":{"b":1},"b":2}`, `[{"x":1},{"x":2}]`, `{"scanRef":"a","ſcanRef":"b"}`,
		`{"k":1,"\u212a":2}`, `{"a":"\"a\"","b":["a","a"]}`, `{"sc\u0061n":1,"SCAN":2}`, `{"\u0130":1,"i":2}`, `{"İ":1,"I":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		k, got := duplicateKey(body)
		if want := hasDuplicateKey(body); got != want {
			t.Fatalf("duplicateKey(%q) = %q, the token walk says duplicate %v", body, k, want)
		}
	})
}

func BenchmarkDuplicateKey(b *testing.B) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "kyc_manual_approved.json"))
	if err != nil {
		b.Fatal(err)
	}
	// An object of 40 keys, as many as a full iDenfy data object has.
	var wide strings.Builder
	wide.WriteString("{")
	for i := range 40 {
		fmt.Fprintf(&wide, `%q:"value %d",`, fmt.Sprintf("someFieldName%02d", i), i)
	}
	wide.WriteString(`"last":0}`)
	for name, body := range map[string][]byte{"fixture": fixture, "40keys": []byte(wide.String())} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, dup := duplicateKey(body); dup {
					b.Fatal("duplicate")
				}
			}
		})
	}
}

// Two different keys whose hashes collide must neither hide a later
// duplicate nor count as one.
func TestWideObjectSurvivesAHashCollision(t *testing.T) {
	var s keySet
	for i := range smallObject + 1 {
		if s.add([]byte(fmt.Sprintf(`"k%d"`, i))) {
			t.Fatalf("k%d reported as a duplicate", i)
		}
	}
	// As if "k0" hashed like "x": same hash, same slot, different keys.
	s.hashes[0] = keyHash([]byte(`"x"`))
	s.rehash(len(s.table))
	if s.add([]byte(`"x"`)) {
		t.Fatal(`"x" collided with "k0" and was reported as a duplicate`)
	}
	if !s.add([]byte(`"X"`)) {
		t.Fatal(`"X" after "x" was not reported as a duplicate`)
	}
	if !s.add([]byte(`"k1"`)) || !s.add([]byte(`"k\u0031"`)) {
		t.Fatal(`"k1" or "k\u0031" (k1 escaped) was not reported as a duplicate`)
	}
}

// An object far wider than the first table (which grows, and is reused by
// the next object at the same depth) still finds a duplicate at its end.
func TestVeryWideObjects(t *testing.T) {
	object := func(n int, last string) []byte {
		var b strings.Builder
		b.WriteString("[{")
		for i := range n {
			fmt.Fprintf(&b, `"key%d":%d,`, i, i)
		}
		b.WriteString(`"` + last + `":0},{"KEY1":1,"key1":2}]`)
		return []byte(b.String())
	}
	for _, c := range []struct {
		body []byte
		want string
	}{
		{object(1000, "last"), "key1"},
		{object(1000, "KEY999"), "key999"},
		{object(70, `Key\u0036\u0039`), "key69"}, // escaped in the body
	} {
		if k, dup := duplicateKey(c.body); !dup || k != c.want {
			t.Errorf("duplicateKey(%.40s…) = %q, %v; want %q", c.body, k, dup, c.want)
		}
	}
}

// A very wide body's stack is not kept for the next scan (found by review:
// each later scan paid to clear its key list, ~2,500× slower).
func TestWideStackIsNotPooled(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 4 * pooledKeys {
		fmt.Fprintf(&b, `"k%d":0,`, i)
	}
	b.WriteString(`"end":0}`)
	if _, dup := duplicateKey([]byte(b.String())); dup {
		t.Fatal("no duplicate expected")
	}
	sp := stacks.Get().(*[]keySet)
	defer stacks.Put(sp)
	for _, k := range (*sp)[:cap(*sp)] {
		if cap(k.quoted) > pooledKeys {
			t.Fatalf("the pool kept a stack with a key list of %d", cap(k.quoted))
		}
	}
}
