package webhook_test

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"kycflow/idenfy"
	"kycflow/simulate"
	"kycflow/webhook"
)

// BenchmarkIngest is the handler's cost per webhook without the database:
// routing, body read, signature, classification and the acknowledgement,
// on the body kycflow bench sends (an inbox that keeps nothing).
func BenchmarkIngest(b *testing.B) {
	s, err := simulate.Build("approved", rand.New(rand.NewPCG(42, 42)), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	body := s.Webhooks[0].Body
	e := newEnv(b, webhook.Options{})
	e.inbox.discard = true
	r := req{body: body, sig: sign(body), eventType: idenfy.EventIdentification}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if w := e.do(r); w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
