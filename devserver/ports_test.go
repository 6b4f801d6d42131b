package devserver

import (
	"net"
	"strconv"
	"testing"
)

// Ports come from below the ephemeral range, so no outgoing connection can
// take one between FreePorts and the listen that uses it.
func TestFreePortsAvoidTheEphemeralRange(t *testing.T) {
	ports, err := FreePorts("127.0.0.1", 8)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if seen[p] {
			t.Errorf("port %d returned twice", p)
		}
		seen[p] = true
		if low := ephemeralLow(); low > minPort && (p < minPort || p >= low) {
			t.Errorf("port %d is outside [%d, %d)", p, minPort, low)
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Errorf("port %d is not free: %v", p, err)
			continue
		}
		ln.Close()
	}
}
