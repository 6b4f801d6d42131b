package idenfy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// duplicateKey returns the first key that appears twice in one JSON object
// of body ("" when none does). Parsers disagree on which of two equal keys
// wins (Go's takes the last, others the first), so a body with one is
// ambiguous and is quarantined rather than routed on a guess. body must
// already be valid JSON.
func duplicateKey(body []byte) (string, error) {
	type frame struct {
		object, wantKey bool
		keys            map[string]bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if top != nil && top.object {
					top.wantKey = true // this container is a member's value
				}
				stack = append(stack, &frame{object: d == '{', wantKey: true, keys: map[string]bool{}})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if top == nil || !top.object {
			continue
		}
		if top.wantKey {
			k, _ := tok.(string)
			if top.keys[k] {
				return k, nil
			}
			top.keys[k], top.wantKey = true, false
			continue
		}
		top.wantKey = true
	}
}
