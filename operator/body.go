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

// badRequest is a refused request: its status and a message for the
// caller that names what is wrong.
type badRequest struct {
	status int
	msg    string
}

func (e *badRequest) Error() string { return e.msg }

func invalid(format string, args ...any) *badRequest {
	return &badRequest{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// refuse answers a badRequest (any other error is the API's own failure).
func (a *API) refuse(c *gin.Context, err error) {
	var bad *badRequest
	if errors.As(err, &bad) {
		c.JSON(bad.status, gin.H{"error": bad.msg})
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
		return &badRequest{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("body larger than %d bytes", maxBody)}
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
