package conf

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// File is what a kong.conf file assigns: raw values by key, the last
// assignment of a key winning. Values have comments removed, `\#` turned
// into `#` and surrounding whitespace trimmed; they are not yet typed.
type File map[string]string

// Parse reads kong.conf syntax the way Kong does (Penlight's pl.config with
// Kong's comment stripping, kong/conf_loader/init.lua load_config):
//
//   - blank lines and lines whose first non-blank character is '#' or ';'
//     are skipped;
//   - a line ending in '\' continues on the next line (the '\' is dropped);
//   - "key = value" assigns; the key is everything before the first '=',
//     trimmed, with every character other than an ASCII letter or digit
//     replaced by '_' (so "pg-host" is "pg_host");
//   - in the value, an unescaped '#' starts a comment and "\#" is a literal '#';
//   - lines without '=' (including "[section]" lines) assign nothing.
//
// Parse fails only when r does.
func Parse(r io.Reader) (File, error) {
	f := File{}
	br := bufio.NewReader(r)
	var pending strings.Builder // a line continued with '\'
	for {
		raw, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if raw != "" {
			line := strings.TrimSuffix(raw, "\n")
			if !skipLine(line) {
				if i := continuation(line); i >= 0 {
					pending.WriteString(line[:i])
				} else {
					pending.WriteString(line)
					f.assign(pending.String())
					pending.Reset()
				}
			}
		}
		if err != nil {
			// Like Penlight, a continuation still open at the end is dropped.
			return f, nil
		}
	}
}

// skipLine reports whether a line is blank or a whole-line comment.
func skipLine(line string) bool {
	t := strings.TrimLeft(line, luaSpace)
	return t == "" || t[0] == '#' || t[0] == ';'
}

// continuation returns the index of a trailing '\' (only whitespace after
// it), or -1.
func continuation(line string) int {
	t := strings.TrimRight(line, luaSpace)
	if strings.HasSuffix(t, `\`) {
		return len(t) - 1
	}
	return -1
}

// assign records one "key = value" line; other lines are ignored.
func (f File) assign(line string) {
	key, value, ok := strings.Cut(strings.TrimLeft(line, luaSpace), "=")
	if !ok {
		return
	}
	f[variabilize(strings.TrimRight(key, luaSpace))] = stripComment(strings.Trim(value, luaSpace))
}

// variabilize replaces every byte that is not an ASCII letter or digit with
// '_', as Penlight does to keys.
func variabilize(key string) string {
	b := []byte(key)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// stripComment removes a trailing comment (from the first '#' not preceded
// by '\', with the whitespace before it) and unescapes "\#".
func stripComment(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] == '#' && (i == 0 || v[i-1] != '\\') {
			v = strings.TrimRight(v[:i], luaSpace)
			break
		}
	}
	return strings.ReplaceAll(v, `\#`, "#")
}

// luaSpace is the set of characters Lua's %s and Kong's strip() trim.
const luaSpace = " \t\n\v\f\r"
