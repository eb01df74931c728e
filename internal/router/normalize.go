package router

import "strings"

// reserved are the characters whose percent-encoding NormalizePath keeps
// (kong/tools/uri.lua RESERVED_CHARS): decoding them would change the path's
// meaning.
const reserved = "!*'();:@&=+$,/?%#[]"

// NormalizePath normalizes a request path the way Kong does before routing
// (kong/tools/uri.lua normalize with merge_slashes):
//
//   - every %XX triplet is decoded unless it encodes a reserved character,
//     whose hex digits are upper-cased instead (one pass, left to right, so
//     "%%341" gives "%41", exactly as Kong);
//   - "." and ".." segments are resolved (RFC 3986 5.2.4);
//   - "//" is merged into "/".
//
// Paths that need none of this are returned as they are, without allocating.
func NormalizePath(p string) string {
	if p == "" || p == "/" {
		return p
	}
	if strings.IndexByte(p, '%') >= 0 {
		p = decodeUnreserved(p)
	}
	if strings.IndexByte(p, '.') < 0 && !strings.Contains(p, "//") {
		return p
	}
	return removeDotSegments(p)
}

// decodeUnreserved decodes the %XX triplets that do not encode a reserved
// character and upper-cases the hex digits of those that do.
func decodeUnreserved(p string) string {
	var b strings.Builder
	last := 0 // p[last:i] is still to be copied
	for i := 0; i+2 < len(p); {
		if p[i] != '%' {
			i++
			continue
		}
		hi, ok1 := unhex(p[i+1])
		lo, ok2 := unhex(p[i+2])
		if !ok1 || !ok2 {
			i++
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(p))
		}
		b.WriteString(p[last:i])
		if c := hi<<4 | lo; strings.IndexByte(reserved, c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(upperHex[hi])
			b.WriteByte(upperHex[lo])
		} else {
			b.WriteByte(c)
		}
		i += 3
		last = i
	}
	if last == 0 {
		return p
	}
	b.WriteString(p[last:])
	return b.String()
}

const upperHex = "0123456789ABCDEF"

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// removeDotSegments is Kong's segment loop: the input is consumed from the
// left, a segment being a leading "/" and what follows up to the next "/".
func removeDotSegments(in string) string {
	out := make([]byte, 0, len(in))
	var startsBuf [32]int
	starts := startsBuf[:0] // offsets in out where each kept segment begins
	pop := func() {
		if n := len(starts); n > 0 {
			out = out[:starts[n-1]]
			starts = starts[:n-1]
		}
	}
	for len(in) > 0 {
		switch {
		case in == "/.":
			in = "/"
		case in == "/..":
			in = "/"
			pop()
		case in == "." || in == "..":
			in = ""
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			pop()
		case strings.HasPrefix(in, "//"):
			in = in[1:]
		default:
			end := len(in)
			if i := strings.IndexByte(in[1:], '/'); i >= 0 {
				end = i + 1
			}
			starts = append(starts, len(out))
			out = append(out, in[:end]...)
			in = in[end:]
		}
	}
	return string(out)
}
