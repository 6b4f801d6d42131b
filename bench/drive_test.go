package bench_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"kycflow/bench"
)

func TestDriveCountsAndMeasures(t *testing.T) {
	r := bench.Drive(context.Background(), "sleep", 40, 4, func(_ context.Context, i int) error {
		time.Sleep(time.Millisecond)
		if i%10 == 0 {
			return errors.New("boom")
		}
		return nil
	})
	if r.Ops != 40 || r.Errors != 4 || r.P50 < time.Millisecond || r.Max < r.P99 || r.P99 < r.P50 || r.PerSec <= 0 {
		t.Errorf("result = %+v", r)
	}
}
