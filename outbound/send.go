package outbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// PermanentError is a refusal that retrying cannot change: a 4xx other
// than 408, 409, 425 and 429.
type PermanentError struct{ Status int }

func (e *PermanentError) Error() string {
	return fmt.Sprintf("receiver refused the message with %d %s", e.Status, http.StatusText(e.Status))
}

// Sender posts signed messages.
type Sender struct {
	Secrets []Secret
	HTTP    *http.Client
	Now     func() time.Time
}

// Post sends body to url as message id. The id must be the same on every
// attempt of one message, so the receiver can drop repeats; the timestamp
// is the attempt's. It returns the HTTP status; the error is nil for a 2xx,
// a *PermanentError for a final refusal, and anything else is worth a retry.
func (s *Sender) Post(ctx context.Context, url, id string, body []byte) (int, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ts := now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, &PermanentError{Status: 0}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kycflow")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	if len(s.Secrets) > 0 {
		req.Header.Set("webhook-signature", Signature(s.Secrets, id, ts, body))
	}
	c := s.HTTP
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post message %s: %w", id, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch code := resp.StatusCode; {
	case code/100 == 2:
		return code, nil
	case code/100 == 4 && code != 408 && code != 409 && code != 425 && code != 429:
		return code, &PermanentError{Status: code}
	default:
		return code, fmt.Errorf("post message %s: receiver answered %d", id, code)
	}
}

// IsPermanent reports whether err is a final refusal.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
