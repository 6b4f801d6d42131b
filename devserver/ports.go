package devserver

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// FreePorts returns n distinct ports that are free on ip right now. They
// are picked below the kernel's ephemeral range where it can: a port from
// that range, once released, can be taken again by any outgoing
// connection's local end before the caller listens on it (the Web UI
// server then exits the whole process).
func FreePorts(ip string, n int) ([]int, error) {
	var (
		ports []int
		lns   []net.Listener
	)
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	take := func(port int) error {
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if err != nil {
			return err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
		return nil
	}
	if low := ephemeralLow(); low > minPort {
		for tries := 0; len(ports) < n && tries < 50*n; tries++ {
			take(minPort + rand.IntN(low-minPort))
		}
	}
	for len(ports) < n {
		if err := take(0); err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
	}
	return ports, nil
}

// minPort is the lowest port FreePorts picks.
const minPort = 20000

// ephemeralLow is the start of the kernel's ephemeral port range (Linux;
// 32768 when it cannot be read).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return 32768
	}
	low, err := strconv.Atoi(fields[0])
	if err != nil {
		return 32768
	}
	return low
}

// CheckFree fails with one clear message naming every address already in
// use. The Web UI server exits the whole process when its port is taken,
// so dev checks before it starts anything.
func CheckFree(addrs map[string]string) error {
	var errs []error
	for what, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s address %s is not available (is another kycflow dev or Temporal running?): %w", what, addr, err))
			continue
		}
		ln.Close()
	}
	return errors.Join(errs...)
}
