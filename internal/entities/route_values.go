package entities

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// Validation of route paths and hosts, with Kong's messages
// (kong/db/schema/typedefs.lua router_path, hosts).

var badPercent = regexp.MustCompile(`%([^%]{0,2})`)

func validateRoutePath(v any) error {
	p := v.(string)
	switch {
	case strings.HasPrefix(p, "~/"):
		if err := checkPathEncoding(p); err != nil {
			return err
		}
		if _, err := regexp.Compile(p[1:]); err != nil {
			return errors.New("invalid regex: '" + p[1:] + "' (PCRE returned: " + err.Error() + ")")
		}
		return nil
	case strings.HasPrefix(p, "/"):
		if err := checkPathEncoding(p); err != nil {
			return err
		}
		if n := normalizeRoutePath(p); n != p {
			return errors.New("non-normalized path, consider use '" + n + "' instead")
		}
		return nil
	}
	return errors.New("should start with: / (fixed path) or ~/ (regex path)")
}

func checkPathEncoding(p string) error {
	if strings.Contains(p, "//") {
		return errors.New("must not have empty segments")
	}
	for _, m := range badPercent.FindAllStringSubmatch(p, -1) {
		if _, err := strconv.ParseUint(m[1], 16, 8); len(m[1]) != 2 || err != nil {
			return errors.New("invalid url-encoded value: '%" + m[1] + "'")
		}
	}
	return nil
}

// normalizeRoutePath decodes percent-encoded unreserved characters,
// upper-cases the hex of the others and removes dot segments.
func normalizeRoutePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			n, err := strconv.ParseUint(p[i+1:i+3], 16, 8)
			if err == nil {
				c := byte(n)
				if isUnreserved(c) {
					b.WriteByte(c)
				} else {
					b.WriteString("%" + strings.ToUpper(p[i+1:i+3]))
				}
				i += 2
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return removeDotSegments(b.String())
}

func isUnreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func removeDotSegments(p string) string {
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		switch s {
		case ".":
			if i == len(segs)-1 {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if i == len(segs)-1 {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return strings.Join(out, "/")
}

func validateRouteHost(v any) error {
	h := v.(string)
	if strings.Count(h, "*") > 1 {
		return errors.New("invalid wildcard: must have at most one wildcard")
	}
	if strings.Contains(h, "*") {
		host, _, _ := strings.Cut(h, ":")
		if !strings.HasPrefix(host, "*.") && !strings.HasSuffix(host, ".*") {
			return errors.New("invalid wildcard: must be placed at leftmost or rightmost label")
		}
	}
	return nil
}
