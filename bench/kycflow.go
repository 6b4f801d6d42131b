package bench

import (
	"context"
	"net/http"
	"time"

	"kycflow/idenfy"
)

// Key is the iDenfy signing key the bench's kycflow is configured with and
// its webhooks are signed with.
const Key = "bench-signing-key"

// SignedBy returns the headers of bodies[i] as iDenfy sends them, signed
// with key.
func SignedBy(key string, bodies [][]byte) func(i int) http.Header {
	return func(i int) http.Header {
		return http.Header{idenfy.SignatureHeader: {idenfy.Sign(bodies[i], []byte(key))}, "Content-Type": {"application/json"}}
	}
}

// WaitHealthy polls the serve at base until its /healthz answers, for up
// to 30 s.
func WaitHealthy(ctx context.Context, base string) error {
	return Poll(ctx, "serve at "+base+" coming up", 50*time.Millisecond, 30*time.Second, func() (bool, error) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil, err
	})
}
