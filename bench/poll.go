package bench

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Poll calls check every interval until it reports done, ctx ends or within
// has passed. It returns nil once check is done, or an error naming what
// was awaited with check's last error.
func Poll(ctx context.Context, what string, interval, within time.Duration, check func() (bool, error)) error {
	deadline := time.Now().Add(within)
	for {
		done, err := check()
		if done {
			return nil
		}
		if !time.Now().Before(deadline) {
			return pollError(what, within, err)
		}
		t := time.NewTimer(min(interval, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			if err != nil && !errors.Is(err, ctx.Err()) {
				return fmt.Errorf("%s: %w (last: %w)", what, ctx.Err(), err)
			}
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
}

func pollError(what string, within time.Duration, err error) error {
	if err != nil {
		return fmt.Errorf("%s: not within %s: %w", what, within, err)
	}
	return fmt.Errorf("%s: not within %s", what, within)
}
