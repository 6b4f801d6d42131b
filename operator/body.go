package operator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// maxBody bounds an operator request body.
const maxBody = 64 << 10

// Refusal is a refused request or action: the HTTP status that answers it
// and a message for the caller that names what is wrong. It never holds
// personal data or another error's text.
type Refusal struct {
	Status int
	Msg    string
}

func (e *Refusal) Error() string { return e.Msg }

func invalid(format string, args ...any) *Refusal {
	return &Refusal{Status: http.StatusBadRequest, Msg: fmt.Sprintf(format, args...)}
}

// refuse answers a Refusal (any other error is the API's own failure).
func (a *API) refuse(c *gin.Context, err error) {
	var bad *Refusal
	if errors.As(err, &bad) {
		c.JSON(bad.Status, gin.H{"error": bad.Msg})
		return
	}
	a.unavailable(c, err)
}

// readBody reads the request body and decodes it strictly into v (see
// decodeStrict). An empty body is refused unless emptyOK.
func readBody(c *gin.Context, v any, emptyOK bool, keys ...string) error {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return &Refusal{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("body larger than %d bytes", maxBody)}
	case err != nil:
		return invalid("body could not be read")
	case emptyOK && len(bytes.TrimSpace(raw)) == 0:
		return nil
	}
	return decodeStrict(raw, v, keys...)
}

// decodeStrict decodes raw, which must be exactly one JSON object whose
// keys are among keys, into v. encoding/json alone matches keys
// case-insensitively, lets the last of duplicate keys win and ignores
// unknown ones, so `{"decision":"approve","Decision":"reject"}` would
// reject; here a key that is not exactly one of keys, or that repeats
// another in any spelling, is refused naming it, before anything is
// decoded.
func decodeStrict(raw []byte, v any, keys ...string) error {
	shape := "body must be one JSON object"
	if len(keys) > 0 {
		shape += ` with the keys "` + strings.Join(keys, `", "`) + `"`
	} else {
		shape += " without keys ({}), or empty"
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return invalid("%s", shape)
	}
	var seen []string
	for dec.More() {
		tok, err := dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			return invalid("%s (invalid JSON at byte %d)", shape, dec.InputOffset())
		}
		for _, k := range seen {
			if strings.EqualFold(k, key) {
				return invalid("duplicate key %q: each key may appear once, in any spelling", key)
			}
		}
		if !slices.Contains(keys, key) {
			return invalid("unknown key %q: %s", key, shape)
		}
		seen = append(seen, key)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return invalid("invalid value of %q (invalid JSON at byte %d)", key, dec.InputOffset())
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return invalid("%s (invalid JSON at byte %d)", shape, dec.InputOffset())
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalid("%s, and nothing after it", shape)
	}
	// The keys are now exact and unique, so encoding/json's matching
	// cannot pick another field than the one named.
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(raw, v); errors.As(err, &typeErr) {
		return invalid("%q must be a JSON %s", typeErr.Field, jsonKind(typeErr.Type))
	} else if err != nil {
		return invalid("%s", shape)
	}
	return nil
}

// jsonKind names the JSON type that decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16,
		reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}
