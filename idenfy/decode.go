package idenfy

import (
	"encoding/json"
	"reflect"
	"strings"
)

// kycWire decodes an identification body once for both classification and
// its summary: the routing keys (all of them, so that a field of the wrong
// type fails it exactly as it fails routing) and summaryWire.
type kycWire struct {
	routingKeys
	summaryWire
}

// decode reads the routing fields of body and finds a key that appears
// twice in one object (dup, dupKey). On the KYC path it reads the summary
// in the same pass; summarized then says the body also decodes as a
// Summary. When that single pass fails, routing is decoded alone, so the
// caller reports the same error, in the same order, as with two passes.
//
// A body is valid JSON and an object nearly always: then one scan finds
// duplicates and cuts out the top-level members decoding reads, and only
// those are decoded (as a small object of the same members in the same
// order, so that types, nulls, case-insensitive names and the first error
// are exactly those of decoding the whole body). Anything else, and a body
// with a duplicate key, is decoded whole, for the decoder's own error.
func decode(kind Kind, body []byte) (r routing, summarized bool, dupKey string, dup bool, err error) {
	in, whole := body, true
	if validJSON(body) && firstByte(body) == '{' {
		whole = false
		in = make([]byte, 0, 512)
		in = append(in, '{')
		dupKey, dup = scanKeys(body, func(quoted, value []byte) {
			if name, ok := decodedName(quoted); ok {
				if len(in) > 1 {
					in = append(in, ',')
				}
				in = append(append(append(append(in, '"'), name...), '"', ':'), value...)
			}
		})
		in = append(in, '}')
		if dup { // the scan stopped there; the decoder's error, if any, comes first
			in = body
		}
	}
	if kind != KindKYB && kind != KindAML {
		var w kycWire
		if err = json.Unmarshal(in, &w); err == nil {
			r, summarized = routing{routingKeys: w.routingKeys}, true
		}
	}
	if !summarized {
		err = json.Unmarshal(in, &r)
	}
	if err == nil && whole {
		dupKey, dup = duplicateKey(body)
	}
	return r, summarized, dupKey, dup, err
}

// decodedNames maps the folded JSON name of every top-level field that
// decode reads to the name itself.
var decodedNames = func() map[string]string {
	names := map[string]string{}
	var add func(t reflect.Type)
	add = func(t reflect.Type) {
		for f := range t.Fields() {
			if f.Anonymous {
				add(f.Type)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			names[fold(name)] = name
		}
	}
	add(reflect.TypeFor[kycWire]())
	add(reflect.TypeFor[routing]())
	return names
}()

// decodedName is the field name a quoted top-level key decodes into, if
// decode reads it; keys match as Go's decoder matches them, case-folded.
func decodedName(quoted []byte) (string, bool) {
	var buf [64]byte
	if folded, ok := foldPlain(buf[:], quoted); ok {
		name, ok := decodedNames[string(folded)] // no allocation
		return name, ok
	}
	name, ok := decodedNames[keyText(quoted)]
	return name, ok
}

func firstByte(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			return c
		}
	}
	return 0
}
