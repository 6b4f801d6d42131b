package service

import (
	"testing"

	"kycflow/httpserver"
	"kycflow/operator"
)

// A review that the lifecycle does not take answers 504 when its wait
// ends: that wait must end before the server's write timeout cuts the
// connection (it was 30 s against 20 s).
func TestReviewWaitEndsBeforeTheWriteTimeout(t *testing.T) {
	if operator.DefaultReviewTimeout >= httpserver.WriteTimeout || consoleReviewTimeout >= httpserver.WriteTimeout {
		t.Errorf("review waits %v (API) and %v (console), the server's write timeout is %v: the 504 would never arrive",
			operator.DefaultReviewTimeout, consoleReviewTimeout, httpserver.WriteTimeout)
	}
}
