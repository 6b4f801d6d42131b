package operator

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"kycflow/workflows"
)

// check validates one query parameter's (non-empty) value; its error says
// what the parameter takes.
type check func(name, value string) error

// query is a validated query string.
type query map[string]string

// readQuery validates the request's query string against the parameters
// a route takes: a parameter it does not take, one given twice, or a
// value its check refuses is a 400 naming the parameter and what it takes.
// An empty value is the same as leaving the parameter out.
func readQuery(c *gin.Context, takes map[string]check) (query, error) {
	names := make([]string, 0, len(takes))
	for name := range takes {
		names = append(names, name)
	}
	slices.Sort(names)
	// URL.Query drops the pairs it cannot parse (`?stage=%ZZ`, a `;`), which
	// would answer an unfiltered list: parse strictly instead.
	all, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		return nil, invalid("malformed query string: %v", err)
	}
	q := query{}
	for name, values := range all {
		chk, ok := takes[name]
		switch {
		case !ok:
			return nil, invalid("unknown query parameter %q: this route takes %s", name, strings.Join(names, ", "))
		case len(values) > 1:
			return nil, invalid("query parameter %q may be given once", name)
		case values[0] == "":
			continue
		}
		if err := chk(name, values[0]); err != nil {
			return nil, err
		}
		q[name] = values[0]
	}
	return q, nil
}

// limit is the page size: the limit parameter (checked by pageLimit), or 50.
func (q query) limit() int {
	if n, err := strconv.Atoi(q["limit"]); err == nil {
		return n
	}
	return 50
}

// Vocabularies of the list filters.
var (
	stages = []string{string(workflows.StageAwaitingResult), string(workflows.StageAutoChecked), string(workflows.StageInReview),
		string(workflows.StageDeciding), string(workflows.StageAwaitingCompliance), string(workflows.StageDecided),
		string(workflows.StageMonitoring), string(workflows.StageAMLAlert), string(workflows.StageClosed)}
	decisions = []string{string(workflows.DecisionApproved), string(workflows.DecisionRejected),
		string(workflows.DecisionResubmissionRequested)}
	// iDenfy's statuses are an open set: any upper-case token.
	statusPattern = regexp.MustCompile(`^[A-Z_-]{1,64}$`)
)

// oneOf takes exactly one of values.
func oneOf(values ...string) check {
	return func(name, v string) error {
		if !slices.Contains(values, v) {
			return invalid("%s must be one of %s, not %q", name, `"`+strings.Join(values, `", "`)+`"`, v)
		}
		return nil
	}
}

// status takes an iDenfy status: [A-Z_-]{1,64}.
func status(name, v string) error {
	if !statusPattern.MatchString(v) {
		return invalid("%s must be an iDenfy status ([A-Z_-]{1,64}), not %q", name, v)
	}
	return nil
}

// maxIdentifier bounds an identifier filter (clientId).
const maxIdentifier = 200

// identifier takes an opaque ID: printable UTF-8 of at most 200 bytes.
func identifier(name, v string) error {
	if len(v) > maxIdentifier || !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool {
		return r == utf8.RuneError || !unicode.IsPrint(r)
	}) {
		return invalid("%s must be printable UTF-8 of at most %d bytes", name, maxIdentifier)
	}
	return nil
}

// pageLimit takes a page size from 1 to 500.
func pageLimit(name, v string) error {
	if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 500 || strconv.Itoa(n) != v {
		return invalid("%s must be an integer from 1 to 500", name)
	}
	return nil
}

// cursorOf takes a cursor parse accepts.
func cursorOf[T any](parse func(string) (T, error)) check {
	return func(name, v string) error {
		if _, err := parse(v); err != nil {
			return invalid("invalid %s: pass the nextCursor of the previous page", name)
		}
		return nil
	}
}

// parseID is the cursor of the verification and company lists: the last
// row id of the previous page.
func parseID(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || strconv.FormatInt(n, 10) != s {
		return 0, fmt.Errorf("cursor %q is not a row id", s)
	}
	return n, nil
}

// idCursor is the nextCursor of next (nil for the last page).
func idCursor(next int64) *string {
	if next == 0 {
		return nil
	}
	s := strconv.FormatInt(next, 10)
	return &s
}
