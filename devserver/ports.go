package devserver

import (
	"errors"
	"fmt"
	"net"
)

// FreePorts returns n distinct ports that are free on ip right now.
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
	for range n {
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
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
