package idenfy

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
)

// SignatureHeader is the header in which iDenfy sends the body signature.
const SignatureHeader = "Idenfy-Signature"

// EventTypeHeader is the header in which iDenfy names the event type.
const EventTypeHeader = "Idenfy-Event-Type"

// Sign returns the Idenfy-Signature value for body: the lowercase hex
// HMAC-SHA256 of the raw body bytes under key.
func Sign(body, key []byte) string {
	return hex.EncodeToString(mac(body, key))
}

// Verify reports whether signature is a valid Idenfy-Signature of body under
// any of keys. The signature must be exactly 64 hex digits (either case);
// the comparison runs in constant time and every key is tried, so timing does
// not reveal which key matched or how much of the value was right.
func Verify(body []byte, signature string, keys [][]byte) bool {
	if len(signature) != hex.EncodedLen(sha256.Size) {
		return false
	}
	var got [sha256.Size]byte
	if _, err := hex.Decode(got[:], []byte(signature)); err != nil {
		return false
	}
	ok := 0
	for _, key := range keys {
		if len(key) == 0 {
			continue
		}
		ok |= subtle.ConstantTimeCompare(got[:], mac(body, key))
	}
	return ok == 1
}

func mac(body, key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)
}
