package hmacauth

import (
	"regexp"
	"slices"
	"strings"
)

// params are the fields of an hmac Authorization header.
type params struct {
	username, algorithm, signature string
	// headers are the names of the signed headers, in signing order.
	headers []string
}

// hmacFields is Kong's pattern: unanchored, "hmac" or "Hmac", the four
// fields in this order with quoted, greedy values (PCRE's \s includes \v).
var hmacFields = regexp.MustCompile(`[\t\n\v\f\r ]*[Hh]mac[\t\n\v\f\r ]*username="(.+)",` +
	`[\t\n\v\f\r ]*algorithm="(.+)",[\t\n\v\f\r ]*headers="(.+)",[\t\n\v\f\r ]*signature="(.+)"`)

// parseParams parses an Authorization header value; false when it has no
// hmac fields.
func parseParams(value string) (params, bool) {
	m := hmacFields.FindStringSubmatch(value)
	if m == nil {
		return params{}, false
	}
	return params{username: m[1], algorithm: m[2], headers: splitHeaders(m[3]), signature: m[4]}, true
}

// splitHeaders splits the headers field at each space as Kong's
// pl.stringx.split(s, " "): empty names between consecutive spaces are
// kept, and a single space gives one empty name.
func splitHeaders(s string) []string {
	if s == " " {
		return []string{""}
	}
	return strings.Split(s, " ")
}

// problem returns why Kong refuses the parameters before looking up the
// credential (it logs it at debug level), "" when they are acceptable:
// every enforced header signed, the algorithm allowed.
func (p params) problem(c *Config) string {
	for _, h := range c.EnforceHeaders {
		if !slices.Contains(p.headers, h) {
			return "enforced header not used for signature creation"
		}
	}
	if !slices.Contains(c.Algorithms, p.algorithm) {
		return "algorithm " + p.algorithm + " not supported"
	}
	return ""
}
