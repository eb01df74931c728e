package router

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"strings"
)

// Kong's error texts for route paths and hosts (kong/db/schema/typedefs.lua
// router_path and hosts, kong/db/schema/init.lua), byte for byte.
const (
	msgLengthMin        = "length must be at least 1"
	msgEmptySegments    = "must not have empty segments"
	msgPathStart        = "should start with: / (fixed path) or ~/ (regex path)"
	msgManyWildcards    = "invalid wildcard: must have at most one wildcard"
	msgWildcardPosition = "invalid wildcard: must be placed at leftmost or rightmost label"
	msgInvalidPort      = "invalid port number"
	msgExpressionFailed = "Router Expression failed validation: "
)

// ValidatePath checks one element of a route's paths, with Kong's messages
// and in Kong's order: not empty; no "//"; starts with "/" or "~/"; every
// "%" starts a %XX triplet; a prefix path is already normalized; a regex
// path compiles.
//
// Kong checks a regex twice: the field is dry-run with PCRE ("invalid
// regex: '<re>' (PCRE returned: ...)"), then the traditional_compatible
// entity check compiles the route for atc-router's Rust engine ("Router
// Expression failed validation: ..."). Without PCRE at hand, ValidatePath
// reports the mistakes PCRE refuses as well (unbalanced parentheses or
// brackets, bad ranges, quantifiers with nothing to repeat), in PCRE2's
// words; what only PCRE knows (look-around, back-references) passes here
// and fails in ValidateRoute, as it does in Kong.
func ValidatePath(p string) error {
	switch {
	case p == "":
		return errors.New(msgLengthMin)
	case strings.Contains(p, "//"):
		return errors.New(msgEmptySegments)
	case !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "~/"):
		return errors.New(msgPathStart)
	}
	if bad := badPercent(p); bad != "" {
		return fmt.Errorf("invalid url-encoded value: '%s'", bad)
	}
	if !isRegexPath(p) {
		if n := NormalizePath(p); n != p {
			return fmt.Errorf("non-normalized path, consider use '%s' instead", n)
		}
		return nil
	}
	_, err := compilePathRegex(p)
	var se *syntax.Error
	if errors.As(err, &se) {
		if what, ok := pcreWording[se.Code]; ok {
			re := p[1:]
			return fmt.Errorf("invalid regex: '%s' (PCRE returned: pcre2_compile() failed: %s in \"%s\")", re, what, re)
		}
	}
	return nil
}

// badPercent returns what Kong quotes for the first "%" that does not start
// a %XX triplet: after every triplet is blanked out as "___", the "%" and up
// to two bytes after it. "" when every "%" is fine.
func badPercent(p string) string {
	if strings.IndexByte(p, '%') < 0 {
		return ""
	}
	raw := []byte(p)
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] != '%' {
			continue
		}
		_, ok1 := unhex(raw[i+1])
		_, ok2 := unhex(raw[i+2])
		if ok1 && ok2 {
			raw[i], raw[i+1], raw[i+2] = '_', '_', '_'
			i += 2
		}
	}
	i := strings.IndexByte(string(raw), '%')
	if i < 0 {
		return ""
	}
	return string(raw[i:min(i+3, len(raw))])
}

// pcreWording maps the regexp syntax errors PCRE raises too to PCRE2's
// words for them.
var pcreWording = map[syntax.ErrorCode]string{
	syntax.ErrMissingParen:          "missing closing parenthesis",
	syntax.ErrUnexpectedParen:       "unmatched closing parenthesis",
	syntax.ErrMissingBracket:        "missing terminating ] for character class",
	syntax.ErrInvalidCharRange:      "range out of order in character class",
	syntax.ErrMissingRepeatArgument: "quantifier does not follow a repeatable item",
	syntax.ErrTrailingBackslash:     `\ at end of pattern`,
}

// ValidateRoute is the route check of Kong's traditional_compatible flavor:
// the route must compile for the router. Regex paths and "~*" header values
// compile for the engine that runs them, values are valid UTF-8 and every
// header has a value. It complements the field checks (ValidatePath,
// ValidateHost); the id is not checked here.
func ValidateRoute(rt *Route) error {
	if _, err := compileRoute(rt, uuid{}, nil); err != nil {
		return fmt.Errorf("%s%w", msgExpressionFailed, err)
	}
	return nil
}

// ValidateHost checks one element of a route's hosts, with Kong's messages
// and in Kong's order: not empty; at most one "*"; a "*" only as the whole
// leftmost or rightmost label; then, with the "*" read as "abc", a host
// name, IPv4 or IPv6 address with an optional port (kong/tools/ip.lua
// normalize_ip).
func ValidateHost(h string) error {
	switch n := strings.Count(h, "*"); {
	case h == "":
		return errors.New(msgLengthMin)
	case n > 1:
		return errors.New(msgManyWildcards)
	case n == 1 && !strings.HasPrefix(h, "*.") && !strings.HasSuffix(h, ".*"):
		return errors.New(msgWildcardPosition)
	}
	return validateHostPort(strings.Replace(h, "*", "abc", 1))
}

// validateHostPort follows kong/tools/ip.lua: the kind of address is guessed
// by exclusion (several colons: IPv6; only digits, dots and one colon:
// IPv4; else a name), then checked as that kind.
func validateHostPort(h string) error {
	colons := strings.Count(h, ":")
	switch {
	case colons > 1:
		return validateIPv6(h)
	case isIPv4Like(strings.ReplaceAll(h, ":", "")):
		return validateIPv4(h)
	}
	return validateHostname(h)
}

func isIPv4Like(s string) bool {
	return s != "" && strings.Trim(s, "0123456789.") == ""
}

func validateIPv4(h string) error {
	invalid := fmt.Errorf("invalid ipv4 address: %s", h)
	addr, port, hasPort := strings.Cut(h, ":")
	octets := strings.Split(addr, ".")
	if len(octets) != 4 || hasPort && (port == "" || !allDigits(port)) {
		return invalid
	}
	for _, o := range octets {
		if len(o) == 0 || len(o) > 3 || !allDigits(o) || atoiSmall(o) > 255 {
			return invalid
		}
	}
	if hasPort && !portInRange(port) {
		return errors.New(msgInvalidPort)
	}
	return nil
}

func validateIPv6(h string) error {
	check, port := h, ""
	if strings.HasPrefix(h, "[") {
		if end := balancedEnd(h); end > 0 {
			check, port = h[1:end], h[end+1:]
		}
	}
	if port != "" {
		digits, ok := strings.CutPrefix(port, ":")
		if !ok || !allDigits(digits) {
			return errors.New("invalid ipv6 address")
		}
		if !portInRange(digits) {
			return errors.New(msgInvalidPort)
		}
	}
	if strings.HasPrefix(check, ":") {
		check = "0" + check
	}
	if strings.HasSuffix(check, ":") {
		check += "0"
	}
	if strings.Contains(check, "::") {
		fill := ":" + strings.Repeat("0:", max(0, 8-strings.Count(check, ":")))
		check = strings.Replace(check, "::", fill, 1)
	}
	groups := strings.Split(check, ":")
	if len(groups) != 8 {
		return fmt.Errorf("invalid ipv6 address: %s", h)
	}
	for _, g := range groups {
		if len(g) == 0 || len(g) > 4 || strings.Trim(g, "0123456789abcdefABCDEF") != "" {
			return fmt.Errorf("invalid ipv6 address: %s", h)
		}
	}
	return nil
}

// balancedEnd returns the index of the "]" closing the "[" at h[0] (Lua's
// %b[]), or -1.
func balancedEnd(h string) int {
	depth := 0
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func validateHostname(h string) error {
	name := h
	if i := strings.LastIndexByte(h, ':'); i >= 0 && i+1 < len(h) && allDigits(h[i+1:]) {
		if !portInRange(h[i+1:]) {
			return errors.New(msgInvalidPort)
		}
		name = h[:i]
	}
	invalid := fmt.Errorf("invalid hostname: %s", h)
	if name == "" || strings.Trim(name, hostnameChars) != "" {
		return invalid
	}
	if name == "." {
		return nil // penlight's split gives {""} here: one, last, segment
	}
	labels := strings.Split(name, ".")
	for i, l := range labels {
		if strings.HasSuffix(l, "-") || l == "" && i != len(labels)-1 {
			return invalid
		}
	}
	return nil
}

const hostnameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._"

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// portInRange reports whether a string of digits is at most 65535.
func portInRange(digits string) bool {
	digits = strings.TrimLeft(digits, "0")
	return len(digits) < 5 || len(digits) == 5 && digits <= "65535"
}

// atoiSmall converts at most 3 digits.
func atoiSmall(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
