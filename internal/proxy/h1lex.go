package proxy

// Byte classes of HTTP/1 syntax, as net/http's (golang.org/x/net's
// httpguts, which the standard library vendors).

// isTokenByte reports whether b may appear in a token (RFC 9110 tchar).
func isTokenByte(b byte) bool { return tokenBytes[b] }

// validFieldName reports whether name is a non-empty token.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !tokenBytes[name[i]] {
			return false
		}
	}
	return true
}

// validFieldValue reports whether v has no control characters other
// than tab.
func validFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < ' ' && b != '\t' || b == 0x7f {
			return false
		}
	}
	return true
}

// validHost reports whether a Host value has only the bytes of a
// uri-host and port (net/http's lenient check).
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		if !hostBytes[h[i]] {
			return false
		}
	}
	return true
}

// valuesHaveToken reports whether one of the comma-separated lists in
// values holds tok (case-insensitively).
func valuesHaveToken(values []string, tok string) bool {
	for _, v := range values {
		if hasToken(v, tok) {
			return true
		}
	}
	return false
}

var tokenBytes, hostBytes = func() (tok, host [256]bool) {
	for b := '0'; b <= '9'; b++ {
		tok[b], host[b] = true, true
	}
	for b := 'a'; b <= 'z'; b++ {
		tok[b], host[b] = true, true
		tok[b-'a'+'A'], host[b-'a'+'A'] = true, true
	}
	for _, b := range "!#$%&'*+-.^_`|~" {
		tok[b] = true
	}
	for _, b := range "!$%&'()*+,-.:;=[]_~" {
		host[b] = true
	}
	return tok, host
}()
