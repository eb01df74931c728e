package ngx

import "strings"

// Cookie returns the value of the named cookie as nginx's $cookie_<name>
// finds it in the Cookie header lines: the first "name=value" pair, the
// name compared without case, pairs separated by ";" or ",", the value
// running to the next ";". ok is false when there is no such cookie.
func Cookie(lines []string, name string) (value string, ok bool) {
	for _, line := range lines {
		for line != "" {
			i := strings.IndexAny(line, ";,")
			if len(line) >= len(name) && strings.EqualFold(line[:len(name)], name) {
				v := strings.TrimLeft(line[len(name):], " ")
				if strings.HasPrefix(v, "=") {
					v = strings.TrimLeft(v[1:], " ")
					v, _, _ = strings.Cut(v, ";")
					return v, true
				}
			}
			if i < 0 {
				break
			}
			line = strings.TrimLeft(line[i+1:], " ")
		}
	}
	return "", false
}
