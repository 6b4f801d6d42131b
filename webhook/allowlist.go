package webhook

import (
	"fmt"
	"net/netip"
	"strings"
)

// Allowlist modes.
const (
	ModeEnforce = "enforce" // refuse requests from other addresses with 403
	ModeReport  = "report"  // accept them, but log and count them
)

// Allowlist is the set of source networks webhooks may come from.
type Allowlist struct {
	prefixes []netip.Prefix
	enforce  bool
}

// ParseAllowlist parses CIDRs (or single addresses) and a mode. No entries
// means no allowlist: it returns nil, which allows everything.
func ParseAllowlist(entries []string, mode string) (*Allowlist, error) {
	var errs []string
	a := &Allowlist{}
	switch mode {
	case "", ModeEnforce:
		a.enforce = true
	case ModeReport:
	default:
		errs = append(errs, fmt.Sprintf("allowlist mode %q is neither %q nor %q", mode, ModeEnforce, ModeReport))
	}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		p, err := parsePrefix(e)
		if err != nil {
			errs = append(errs, fmt.Sprintf("allowlist entry %q is not a CIDR or IP address", e))
			continue
		}
		a.prefixes = append(a.prefixes, p)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	if len(a.prefixes) == 0 {
		return nil, nil
	}
	return a, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(addr, addr.BitLen()), nil
}

// Allows reports whether ip is inside the allowlist. A nil allowlist allows
// every address; an unparseable address is never allowed.
func (a *Allowlist) Allows(ip string) bool {
	if a == nil {
		return true
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range a.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Enforced reports whether a refused address gets 403 (true) or is only
// reported (false).
func (a *Allowlist) Enforced() bool { return a != nil && a.enforce }
