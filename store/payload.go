package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PayloadKeys encrypt raw webhook bodies at rest with AES-256-GCM. New
// bodies are sealed with the active (first) key; any listed key opens the
// bodies it sealed, so a key is rotated by putting the new one first and
// keeping the old one until its rows are purged.
type PayloadKeys struct {
	active string
	aeads  map[string]cipher.AEAD
}

// ErrPayloadKey means a stored body was sealed with a key that is not
// configured.
var ErrPayloadKey = errors.New("payload key not configured")

// ParsePayloadKeys reads "id:base64key[,id:base64key…]" (32-byte keys,
// standard base64); the first is the active one. Empty means no
// encryption (nil keys).
func ParsePayloadKeys(spec string) (*PayloadKeys, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	k := &PayloadKeys{aeads: map[string]cipher.AEAD{}}
	for _, part := range strings.Split(spec, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || id == "" || len(id) > 32 {
			return nil, fmt.Errorf("payload key %q: want id:base64key with an id of at most 32 characters", redact(part))
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("payload key %q: want 32 bytes in standard base64", id)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("payload key id %q appears twice", id)
		}
		k.aeads[id] = aead
		if k.active == "" {
			k.active = id
		}
	}
	return k, nil
}

func redact(s string) string {
	if id, _, ok := strings.Cut(strings.TrimSpace(s), ":"); ok {
		return id + ":…"
	}
	return "…"
}

// seal encrypts body with the active key, bound to aad (the row's dedup
// key, so a sealed body cannot be moved to another row): nonce ‖ ciphertext.
func (k *PayloadKeys) seal(body, aad []byte) (keyID string, sealed []byte, err error) {
	aead := k.aeads[k.active]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, err
	}
	return k.active, aead.Seal(nonce, nonce, body, aad), nil
}

// open decrypts a body sealed with keyID.
func (k *PayloadKeys) open(keyID string, sealed, aad []byte) ([]byte, error) {
	var aead cipher.AEAD
	if k != nil {
		aead = k.aeads[keyID]
	}
	if aead == nil {
		return nil, fmt.Errorf("body sealed with key %q: %w", keyID, ErrPayloadKey)
	}
	if len(sealed) < aead.NonceSize() {
		return nil, fmt.Errorf("body sealed with key %q is too short", keyID)
	}
	body, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], aad)
	if err != nil {
		return nil, fmt.Errorf("body sealed with key %q does not open: %w", keyID, err)
	}
	return body, nil
}

// reveal decrypts a row's body in place; a body that cannot be opened is
// left out (nil) and the reason kept in SealErr.
func (d *DB) reveal(e *InboxEvent) {
	if e.BodyKeyID == "" {
		return
	}
	body, err := d.payload.open(e.BodyKeyID, e.Body, e.DedupKey)
	e.Body, e.SealErr = body, err
}

// Purge removes the raw bodies and headers of inbox events received before
// cutoff once they are delivered or quarantined (never a pending one): the
// retention period of personal data. The rows, their routing keys and the
// lifecycles' timelines stay. It returns how many were purged.
func (d *DB) Purge(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := d.db.ExecContext(ctx, d.db.Rebind(`UPDATE inbox SET body = ?, headers = '{}', body_key_id = '', purged_at = ?
WHERE received_at < ? AND status <> 'pending' AND purged_at IS NULL`), []byte{}, d.now(), cutoff.UTC())
	if err != nil {
		return 0, fmt.Errorf("purge inbox payloads: %w", err)
	}
	return res.RowsAffected()
}

// WithPayloadKeys returns the database, on the same connections, with other
// payload keys.
func (d *DB) WithPayloadKeys(k *PayloadKeys) *DB {
	c := *d
	c.payload = k
	return &c
}
