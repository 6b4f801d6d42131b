package outbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// PermanentError is a refusal that retrying cannot change: a 4xx other
// than 408, 409, 425 and 429.
type PermanentError struct{ Status int }

func (e *PermanentError) Error() string {
	if e.Status/100 == 3 {
		return fmt.Sprintf("receiver redirected the message (%d %s); configure the URL it redirects to", e.Status, http.StatusText(e.Status))
	}
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
//
// Redirects are not followed: a 302 would turn the POST into a GET and
// drop the signed body. Errors never include the URL, whose path or query
// may carry a token: they end up in Temporal history.
func (s *Sender) Post(ctx context.Context, target, id string, body []byte) (int, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ts := now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
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
	c := http.Client{Timeout: 10 * time.Second}
	if s.HTTP != nil {
		c = *s.HTTP
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, fmt.Errorf("post message %s to %s: %w", id, req.URL.Host, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch code := resp.StatusCode; {
	case code/100 == 2:
		return code, nil
	case code/100 == 3, code/100 == 4 && code != 408 && code != 409 && code != 425 && code != 429:
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
