package requesttransformer

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
)

// multipartBody is a multipart/form-data body as Kong's lua-multipart
// reads it: named parts with their header lines, in order.
type multipartBody struct {
	boundary string
	parts    []multipartPart
}

type multipartPart struct {
	name    string
	headers []string
	value   string
}

var (
	boundaryRe = regexp.MustCompile(`;\s*boundary=(\S+)`)
	// headerLineRe is lua-multipart's is_header: "%S:%s*%S".
	headerLineRe = regexp.MustCompile(`\S:\s*\S`)
	partNameRe   = regexp.MustCompile(`^\s*[Nn][Aa][Mm][Ee]=`)
)

// boundaryOf extracts the boundary as lua-multipart does: what follows
// "boundary=" up to a space, without surrounding quotes.
func boundaryOf(contentType string) string {
	m := boundaryRe.FindStringSubmatch(contentType)
	if m == nil {
		return ""
	}
	b := m[1]
	if len(b) >= 2 && (b[0] == '"' && b[len(b)-1] == '"' || b[0] == '\'' && b[len(b)-1] == '\'') {
		b = b[1 : len(b)-1]
	}
	return b
}

// parseMultipart reads body line by line as lua-multipart's decode: a
// line starting with "--" and the boundary ends a part; a part's header
// lines run until an empty line; its name is the Content-Disposition's
// name="..." (quotes stripped); parts without a name are dropped, as is
// everything without a boundary.
func parseMultipart(body, boundary string) *multipartBody {
	m := &multipartBody{boundary: boundary}
	if boundary == "" {
		return m
	}
	var (
		name       string
		named      bool
		headers    []string
		value      []string
		processing bool
	)
	// flush ends the part being read; at a boundary, the line break
	// before it is not part of the value.
	flush := func(atBoundary bool) {
		if !named {
			return
		}
		if n := len(value); atBoundary && n > 0 && value[n-1] == "\n" {
			value = value[:n-1]
			if n > 1 && value[n-2] == "\r" {
				value = value[:n-2]
			}
		} else if atBoundary && n > 1 && value[n-2] == "\r" {
			value = append(value[:n-2], value[n-1])
		}
		m.parts = append(m.parts, multipartPart{name: name, headers: headers, value: strings.Join(value, "")})
		name, named, headers, value = "", false, nil, nil
	}
	for pos, done := 0, false; !done; {
		var line string
		s := strings.IndexAny(body[pos:], "\r\n")
		if s >= 0 {
			s += pos
			line, pos = body[pos:s], s+1
		} else {
			line, done = body[pos:], true
		}
		switch {
		case line == "":
			if s >= 0 && processing {
				value = append(value, body[s:s+1])
			}
		case strings.HasPrefix(line, "--"+boundary):
			processing = false
			flush(true)
		case !processing && (len(line) >= 19 && strings.EqualFold(line[:19], "content-disposition") || headerLineRe.MatchString(line)):
			if len(line) >= 19 && strings.EqualFold(line[:19], "content-disposition") {
				for _, seg := range strings.Split(line, ";") {
					if seg == "" || headerLineRe.MatchString(seg) {
						continue
					}
					if loc := partNameRe.FindStringIndex(seg); loc != nil {
						v, _, _ := strings.Cut(strings.TrimLeft(seg[loc[1]:], " \t\r\n\v\f"), "=")
						v = strings.TrimRight(v, " \t\r\n\v\f")
						if len(v) >= 2 {
							name = v[1 : len(v)-1]
						} else {
							name = ""
						}
						named = true
					}
				}
			}
			headers = append(headers, line)
			if s >= 0 && strings.HasPrefix(body[s:], "\r\n\r\n") {
				processing, pos = true, s+4
			}
		default:
			processing = true
			value = append(value, line)
			if s >= 0 {
				value = append(value, body[s:s+1])
			}
		}
	}
	flush(false)
	return m
}

func (m *multipartBody) get(name string) *multipartPart {
	for i := range m.parts {
		if m.parts[i].name == name {
			return &m.parts[i]
		}
	}
	return nil
}

// setSimple is set_simple: the first part of that name, or a new last
// one, becomes a plain field.
func (m *multipartBody) setSimple(name, value string) {
	p := multipartPart{name: name, value: value,
		headers: []string{`Content-Disposition: form-data; name="` + name + `"`}}
	if old := m.get(name); old != nil {
		*old = p
		return
	}
	m.parts = append(m.parts, p)
}

// delete removes every part of that name.
func (m *multipartBody) delete(name string) {
	kept := m.parts[:0]
	for _, p := range m.parts {
		if p.name != name {
			kept = append(kept, p)
		}
	}
	m.parts = kept
}

// bytes encodes the parts with the boundary (a random one when the
// Content-Type had none); no part gives an empty body.
func (m *multipartBody) bytes() []byte {
	if len(m.parts) == 0 {
		return []byte{}
	}
	boundary := m.boundary
	if boundary == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		boundary = "0x" + hex.EncodeToString(b[:])
	}
	var b strings.Builder
	for _, p := range m.parts {
		b.WriteString("--" + boundary + "\r\n")
		for _, h := range p.headers {
			b.WriteString(h + "\r\n")
		}
		b.WriteString("\r\n" + p.value + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return []byte(b.String())
}

// transformMultipart transforms a multipart/form-data body as Kong does:
// rename, remove, replace (the part moves last), add; append does not
// apply.
func (h *handler) transformMultipart(body []byte, contentType string, env *env) ([]byte, bool, error) {
	m := parseMultipart(string(body), boundaryOf(contentType))
	changed := false
	if len(body) > 0 {
		for i := range h.body.rename {
			e := &h.body.rename[i]
			to, _, err := e.render(env)
			if err != nil {
				return nil, false, err
			}
			if p := m.get(e.name); p != nil && e.name != to {
				m.setSimple(to, p.value)
				m.delete(e.name)
				changed = true
			}
		}
		for i := range h.body.remove {
			e := &h.body.remove[i]
			if _, _, err := e.render(env); err != nil {
				return nil, false, err
			}
			if e.named {
				m.delete(e.name)
			}
			changed = true
		}
		for i := range h.body.replace {
			e := &h.body.replace[i]
			v, _, err := e.render(env)
			if err != nil {
				return nil, false, err
			}
			if m.get(e.name) != nil {
				m.delete(e.name)
				m.setSimple(e.name, v)
				changed = true
			}
		}
	}
	for i := range h.body.add {
		e := &h.body.add[i]
		v, _, err := e.render(env)
		if err != nil {
			return nil, false, err
		}
		if m.get(e.name) == nil {
			m.setSimple(e.name, v)
			changed = true
		}
	}
	if !changed {
		return nil, false, nil
	}
	return m.bytes(), true, nil
}
