package workflows

import (
	"net/url"
	"strings"
)

// CasePath is the lifecycle's page in the compliance console, relative to
// the console's base URL.
func (s *State) CasePath() string {
	if s.Kind == KindCompany {
		return "/cases/kyb/" + url.PathEscape(s.CompanyID)
	}
	return "/cases/kyc/" + url.PathEscape(s.ScanRef)
}

// consoleLink is what the Web UI's current details add while a person must
// act on the case: a link to its console page (nothing without a console
// URL, or when nobody needs to act).
func consoleLink(base string, s *State) string {
	if _, _, waiting := s.Waiting(); !waiting || base == "" {
		return ""
	}
	return " Decide in the console: " + strings.TrimSuffix(base, "/") + s.CasePath()
}
