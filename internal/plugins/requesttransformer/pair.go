package requesttransformer

import "strings"

// splitPair splits an entry as Kong's "^([^:]+):*(.-)$" does: the name
// up to the first colon, the value after the colons that follow it. An
// entry starting with a colon has no name (ok false).
func splitPair(s string) (name, value string, ok bool) {
	i := strings.IndexByte(s, ':')
	switch {
	case i == 0 || s == "":
		return "", "", false
	case i < 0:
		return s, "", true
	}
	return s[:i], strings.TrimLeft(s[i:], ":"), true
}
