package ldapauth

import (
	"strings"

	"github.com/silverback-gw/silverback/internal/ngx"
)

// credentials reads "<header_type> base64(user:password)" from a header
// value as Kong does: the header type matched case-insensitively after
// optional white space, then white space, then the base64 text (nginx's
// decoder), whose first ':' ends the user name; the password must not be
// empty.
func (h *handler) credentials(value string) (user, password string, ok bool) {
	rest := strings.TrimLeft(value, pcreSpace)
	if !hasLowerPrefix(rest, h.scheme) {
		return "", "", false
	}
	rest = rest[len(h.scheme):]
	encoded := strings.TrimLeft(rest, pcreSpace)
	if len(encoded) == len(rest) {
		return "", "", false
	}
	decoded, err := ngx.DecodeBase64(encoded)
	if err != nil {
		return "", "", false
	}
	return splitUserPassword(string(decoded))
}

// pcreSpace is what \s matches in Kong's regular expression.
const pcreSpace = " \t\n\v\f\r"

// splitUserPassword is Kong's match of "^(.*?):(.+)$": the user name up
// to the first ':', a non-empty password, no line break but one ending
// the text (which is not part of the password).
func splitUserPassword(s string) (user, password string, ok bool) {
	s = strings.TrimSuffix(s, "\n")
	i := strings.IndexByte(s, ':')
	if i < 0 || i == len(s)-1 || strings.Contains(s, "\n") {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// asciiLower lower-cases ASCII letters only, as Lua's string.lower does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// hasLowerPrefix reports whether s starts with prefix, a lower-case
// string, ignoring the case of s's ASCII letters.
func hasLowerPrefix(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := range len(prefix) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
