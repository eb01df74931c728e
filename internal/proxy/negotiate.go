package proxy

import "strings"

// negotiateFormat picks the error format for an Accept-style header value,
// as kong/tools/http.lua get_response_type does: among the comma-separated
// media ranges the one with the highest q wins (the first on ties, never
// one with q=0), and no usable range means JSON.
func negotiateFormat(accept string) errorFormat {
	format, best := formatJSON, 0.0
	for accept != "" {
		var item string
		item, accept, _ = strings.Cut(accept, ",")
		mediaType, q, ok := parseMediaRange(strings.TrimSpace(item))
		if ok && q > best {
			best, format = q, mediaTypeFormat(mediaType)
		}
	}
	return format
}

// mediaTypeFormat maps a media type to a format as Kong's get_mime_type
// does: exact, case-sensitive names, "type/*" by its type, anything else
// JSON.
func mediaTypeFormat(mediaType string) errorFormat {
	typ, sub, _ := strings.Cut(mediaType, "/")
	if sub == "*" {
		if typ == "text" {
			return formatPlain
		}
		return formatJSON // application/*, */* and unknown types
	}
	switch mediaType {
	case "text/html":
		return formatHTML
	case "application/xml":
		return formatXML
	case "text/plain":
		return formatPlain
	}
	return formatJSON
}

// parseMediaRange reads one media range the way Kong's ACCEPT_PATTERN
// (matched case-insensitively, anchored at the start only) reads it:
// "type/subtype" where each part is "*" or an alphanumeric followed by at
// least one token character, then ";param" items; a "q" item counts when
// its value is 0[.ddd] or 1[.000], and a missing or unreadable q is 1.
func parseMediaRange(s string) (mediaType string, q float64, ok bool) {
	n := mediaTypePart(s)
	if n == 0 || n == len(s) || s[n] != '/' {
		return "", 0, false
	}
	m := mediaTypePart(s[n+1:])
	if m == 0 {
		return "", 0, false
	}
	mediaType, rest := s[:n+1+m], s[n+1+m:]
	q = 1
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" || rest[0] != ';' {
			return mediaType, q, true
		}
		rest = strings.TrimLeft(rest[1:], " \t")
		if v, n, isQ := qValue(rest); isQ {
			q, rest = v, rest[n:]
			continue
		}
		// Any other parameter: a name of two or more token characters and
		// an optional "=value" running to the next ';'.
		k := paramNameLen(rest)
		if k < 2 {
			return mediaType, q, true
		}
		rest = rest[k:]
		if rest != "" && rest[0] == '=' {
			if i := strings.IndexByte(rest, ';'); i >= 0 {
				rest = rest[i:]
			} else {
				rest = ""
			}
		}
	}
}

// mediaTypePart returns the length of a type or subtype at the start of
// s: "*", or an alphanumeric followed by one or more token characters.
func mediaTypePart(s string) int {
	if s == "" {
		return 0
	}
	if s[0] == '*' {
		return 1
	}
	if !isAlnum(s[0]) {
		return 0
	}
	n := paramNameLen(s)
	if n < 2 {
		return 0
	}
	return n
}

// paramNameLen is the length of the run of Kong's token characters
// ([a-z0-9-!#$&^_+.], case-insensitive) at the start of s, provided it
// starts with an alphanumeric.
func paramNameLen(s string) int {
	if s == "" || !isAlnum(s[0]) {
		return 0
	}
	i := 1
	for i < len(s) && (isAlnum(s[i]) || strings.IndexByte("-!#$&^_+.", s[i]) >= 0) {
		i++
	}
	return i
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// qValue reads "q=<value>" at the start of s where value is 1, 1., 1.0,
// 1.00, 1.000 or 0 followed by "." and up to three digits. It returns the
// value and the length read.
func qValue(s string) (q float64, n int, ok bool) {
	if len(s) < 3 || s[0] != 'q' && s[0] != 'Q' || s[1] != '=' {
		return 0, 0, false
	}
	switch s[2] {
	case '1':
		n = 3
		if n < len(s) && s[n] == '.' {
			n++
			for k := 0; k < 3 && n < len(s) && s[n] == '0'; k++ {
				n++
			}
		}
		return 1, n, true
	case '0':
		n = 3
		if n < len(s) && s[n] == '.' {
			n++
			scale := 0.1
			for k := 0; k < 3 && n < len(s) && '0' <= s[n] && s[n] <= '9'; k++ {
				q += float64(s[n]-'0') * scale
				scale /= 10
				n++
			}
		}
		return q, n, true
	}
	return 0, 0, false
}
