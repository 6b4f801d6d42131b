package lifecycle

import (
	mrand "math/rand/v2"
	"time"

	"kycflow/simulate"
)

// Step is one event of the stream: the first or second event of a
// verification.
type Step struct {
	Verification int
	Second       bool
}

// Stream is the order events go out in: the first events of all m
// verifications in turn, the second of verification i after the first of
// i+m/2. Reviews trail automatic checks, interleaved with other people's.
func Stream(m int) []Step {
	lag := m / 2
	out := make([]Step, 0, 2*m)
	for i := range m {
		out = append(out, Step{Verification: i})
		if j := i - lag; j >= 0 {
			out = append(out, Step{Verification: j, Second: true})
		}
	}
	for j := max(0, m-lag); j < m; j++ {
		out = append(out, Step{Verification: j, Second: true})
	}
	return out
}

// ReviewPairs renders n review-approved verifications: each one's
// automatic SUSPECTED (final:false) and manual APPROVED (final:true)
// webhook, and its scanRef.
func ReviewPairs(r *mrand.Rand, n int) (autos, finals [][]byte, scanRefs []string, err error) {
	autos, finals, scanRefs = make([][]byte, n), make([][]byte, n), make([]string, n)
	for i := range n {
		s, err := simulate.Build("review-approved", r, time.Now())
		if err != nil {
			return nil, nil, nil, err
		}
		autos[i], finals[i], scanRefs[i] = s.Webhooks[0].Body, s.Webhooks[1].Body, s.Subject
	}
	return autos, finals, scanRefs, nil
}
