package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// TokenPrefix starts every reviewer token, so a leaked one is recognisable
// (secret scanners, logs) and told apart from KYCFLOW_API_TOKEN.
const TokenPrefix = "kfr_"

// tokenBytes is a token's entropy: 256 bits.
const tokenBytes = 32

// tokenLen is the length of a token: the prefix and 32 bytes in unpadded
// base64url.
var tokenLen = len(TokenPrefix) + base64.RawURLEncoding.EncodedLen(tokenBytes)

// NewToken returns a new random reviewer token and the hash to store. The
// token itself is shown once and never stored.
func NewToken() (token string, hash []byte) {
	b := make([]byte, tokenBytes)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token: its SHA-256. A token carries 256
// random bits, so a fast hash is right (there is nothing to guess), and a
// lookup by hash is one indexed query.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// looksLikeToken reports whether s has a reviewer token's shape; anything
// else is refused without a database lookup.
func looksLikeToken(s string) bool {
	if len(s) != tokenLen || !strings.HasPrefix(s, TokenPrefix) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s[len(TokenPrefix):])
	return err == nil
}
