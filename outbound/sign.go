// Package outbound delivers kycflow's own signed webhooks (downstream
// onboarding calls and notifications) per the Standard Webhooks scheme:
// headers webhook-id, webhook-timestamp and webhook-signature
// ("v1,<base64 HMAC-SHA256 of id.timestamp.body>"), secrets in the
// "whsec_<base64>" form, several at once for rotation.
package outbound

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Secret is one signing key.
type Secret []byte

// ParseSecret decodes a "whsec_<base64>" secret (the prefix is optional).
func ParseSecret(s string) (Secret, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "whsec_"))
	if err != nil || len(b) == 0 {
		return nil, errors.New("signing secret must be whsec_ followed by base64")
	}
	return b, nil
}

// Signature returns the webhook-signature header value for one message:
// one "v1,<base64>" entry per secret, space-separated, so a receiver that
// knows any of them (during rotation) accepts it.
func Signature(secrets []Secret, id string, timestamp int64, body []byte) string {
	var parts []string
	for _, s := range secrets {
		parts = append(parts, "v1,"+base64.StdEncoding.EncodeToString(mac(s, id, timestamp, body)))
	}
	return strings.Join(parts, " ")
}

// Verify checks a webhook-signature header against secret, as a receiver
// does. It is here for receivers written in Go and for tests.
func Verify(secret Secret, id string, timestamp int64, body []byte, header string) error {
	want := mac(secret, id, timestamp, body)
	for _, sig := range strings.Fields(header) {
		version, value, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(value)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("no valid v1 signature for message %s", id)
}

func mac(secret Secret, id string, timestamp int64, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	m.Write(body)
	return m.Sum(nil)
}
