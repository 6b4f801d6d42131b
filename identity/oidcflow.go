package identity

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// stateCookie holds a sign-in in progress between Begin and Finish.
const stateCookie = "kycflow_oidc"

// flow is what Begin keeps for Finish. The browser holds it, so it is
// authenticated (HMAC-SHA256) and carries its own expiry: a cookie cannot
// be forged, altered or replayed past Expires.
type flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Expires  int64  `json:"e"`
}

// seal returns the cookie value: base64url(JSON) "." base64url(MAC).
func (f flow) seal(key []byte) string {
	body, _ := json.Marshal(f) // strings and an int: never fails
	payload := base64.RawURLEncoding.EncodeToString(body)
	return payload + "." + base64.RawURLEncoding.EncodeToString(flowMAC(key, payload))
}

// openFlow checks a cookie value's MAC and expiry and returns its flow.
func openFlow(key []byte, value string, now time.Time) (flow, error) {
	payload, sig, ok := strings.Cut(value, ".")
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(mac, flowMAC(key, payload)) {
		return flow{}, errors.New("sign-in cookie is not authentic")
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return flow{}, errors.New("sign-in cookie is malformed")
	}
	var f flow
	if err := json.Unmarshal(body, &f); err != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return flow{}, errors.New("sign-in cookie is malformed")
	}
	if !now.Before(time.Unix(f.Expires, 0)) {
		return flow{}, errors.New("sign-in cookie has expired")
	}
	return f, nil
}

// flowMAC binds the payload to the cookie's name, so no other value made
// with the same key passes for it.
func flowMAC(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(stateCookie + "=" + payload))
	return m.Sum(nil)
}

// deriveKey gives each use of the cookie key its own key, so the console
// may use the same secret for its sessions without a value of one kind
// ever passing for the other.
func deriveKey(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// randomString is 256 random bits in base64url.
func randomString() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}
