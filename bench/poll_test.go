package bench

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	calls := 0
	err := Poll(context.Background(), "third call", time.Millisecond, time.Minute, func() (bool, error) {
		calls++
		return calls == 3, nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("Poll = %v after %d calls, want nil after 3", err, calls)
	}

	busy := errors.New("still busy")
	err = Poll(context.Background(), "never", time.Millisecond, 20*time.Millisecond, func() (bool, error) { return false, busy })
	if !errors.Is(err, busy) || !strings.Contains(err.Error(), "never: not within 20ms") {
		t.Fatalf("Poll past its time = %v, want the check's last error, named", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = Poll(ctx, "cancelled", time.Hour, time.Hour, func() (bool, error) { return false, nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Poll with a cancelled context = %v, want context.Canceled", err)
	}
}
