package rowjson

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// maxKeys bounds a Decoder's table of interned object keys.
const maxKeys = 4096

// Decoder decodes JSON text into the data model: objects as map[string]any,
// arrays as []any, numbers without fraction or exponent as int64 (float64
// if they overflow), other numbers as float64. It accepts any valid JSON,
// replaces invalid UTF-8 and lone surrogates with U+FFFD as encoding/json
// does, and interns object keys: decoding many rows of one table with one
// Decoder allocates each field name once. A Decoder is not safe for
// concurrent use; its zero value is ready.
type Decoder struct {
	data  []byte
	pos   int
	depth int
	keys  map[string]string
	// sizes holds, per depth, the size of the last object decoded there:
	// rows of one table have the same fields, so it sizes the next map.
	sizes []int
}

// Unmarshal decodes one JSON value.
func Unmarshal(data []byte) (any, error) {
	var d Decoder
	return d.Decode(data)
}

// UnmarshalObject decodes a JSON object.
func UnmarshalObject(data []byte) (map[string]any, error) {
	var d Decoder
	return d.DecodeObject(data)
}

// DecodeObject decodes a JSON object.
func (d *Decoder) DecodeObject(data []byte) (map[string]any, error) {
	v, err := d.Decode(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected a JSON object, got %T", v)
	}
	return m, nil
}

// DecodeString is Decode over text held in a string, which it reads in
// place: the decoder never writes to its input nor keeps it.
func (d *Decoder) DecodeString(data string) (any, error) {
	return d.Decode(unsafe.Slice(unsafe.StringData(data), len(data)))
}

// Decode decodes one JSON value.
func (d *Decoder) Decode(data []byte) (any, error) {
	d.data, d.pos, d.depth = data, 0, 0
	defer func() { d.data = nil }()
	d.space()
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.space()
	if d.pos != len(d.data) {
		return nil, d.syntax("after top-level value")
	}
	return v, nil
}

func (d *Decoder) syntax(what string) error {
	if d.pos >= len(d.data) {
		return errors.New("rowjson: unexpected end of JSON input")
	}
	return fmt.Errorf("rowjson: invalid character %q at offset %d %s", d.data[d.pos], d.pos, what)
}

func (d *Decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *Decoder) value() (any, error) {
	if d.pos >= len(d.data) {
		return nil, d.syntax("looking for a value")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.string(false)
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, d.syntax("looking for a value")
}

func (d *Decoder) literal(lit string) error {
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return d.syntax("in literal " + lit)
	}
	d.pos += len(lit)
	return nil
}

func (d *Decoder) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return errors.New("rowjson: exceeded max depth")
	}
	d.pos++ // the opening bracket
	d.space()
	return nil
}

func (d *Decoder) object() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	for len(d.sizes) <= d.depth {
		d.sizes = append(d.sizes, 8)
	}
	m := make(map[string]any, d.sizes[d.depth])
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return m, nil
	}
	for {
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.syntax("looking for an object key")
		}
		k, err := d.string(true)
		if err != nil {
			return nil, err
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.syntax("after object key")
		}
		d.pos++
		d.space()
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		m[k.(string)] = v
		d.space()
		if d.pos >= len(d.data) {
			return nil, d.syntax("after object value")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.space()
		case '}':
			d.pos++
			d.sizes[d.depth] = len(m)
			d.depth--
			return m, nil
		default:
			return nil, d.syntax("after object value")
		}
	}
}

func (d *Decoder) array() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	a := []any{}
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return a, nil
	}
	for {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		d.space()
		if d.pos >= len(d.data) {
			return nil, d.syntax("after array element")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.space()
		case ']':
			d.pos++
			d.depth--
			return a, nil
		default:
			return nil, d.syntax("after array element")
		}
	}
}

// number scans a JSON number.
func (d *Decoder) number() (any, error) {
	start := d.pos
	isFloat := false
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.data[d.pos] == '-' {
		d.pos++
	}
	intStart := d.pos
	if digits() == 0 || d.data[intStart] == '0' && d.pos-intStart > 1 {
		return nil, d.syntax("in number")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		isFloat = true
		d.pos++
		if digits() == 0 {
			return nil, d.syntax("after decimal point in number")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		isFloat = true
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return nil, d.syntax("in exponent of number")
		}
	}
	if !isFloat && d.pos-intStart <= 18 { // fits an int64: no need for strconv
		var n int64
		for _, c := range d.data[intStart:d.pos] {
			n = n*10 + int64(c-'0')
		}
		if intStart > start {
			n = -n
		}
		return n, nil
	}
	text := string(d.data[start:d.pos])
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, fmt.Errorf("rowjson: number %s: %w", text, err)
	}
	return f, nil
}

// string scans a JSON string; keys are interned.
func (d *Decoder) string(key bool) (any, error) {
	d.pos++ // the opening quote
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			raw := d.data[start:d.pos]
			d.pos++
			if !utf8.Valid(raw) {
				return unquote(raw), nil
			}
			if key {
				return d.intern(raw), nil
			}
			return string(raw), nil
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			return nil, d.syntax("in string literal")
		}
		d.pos++
	}
	return nil, d.syntax("in string literal")
}

func (d *Decoder) intern(b []byte) string {
	if s, ok := d.keys[string(b)]; ok {
		return s
	}
	s := string(b)
	if d.keys == nil {
		d.keys = make(map[string]string, 32)
	}
	if len(d.keys) < maxKeys {
		d.keys[s] = s
	}
	return s
}

// escaped finishes scanning a string that has escapes, from its start.
func (d *Decoder) escaped(start int) (any, error) {
	for d.pos < len(d.data) {
		switch c := d.data[d.pos]; {
		case c == '"':
			s := unquote(d.data[start:d.pos])
			d.pos++
			return s, nil
		case c == '\\':
			d.pos++
			if d.pos >= len(d.data) {
				return nil, d.syntax("in string escape code")
			}
			switch d.data[d.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.pos++
			case 'u':
				if len(d.data)-d.pos < 5 || !isHex4(d.data[d.pos+1:d.pos+5]) {
					return nil, d.syntax("in \\u hexadecimal character escape")
				}
				d.pos += 5
			default:
				return nil, d.syntax("in string escape code")
			}
		case c < 0x20:
			return nil, d.syntax("in string literal")
		default:
			d.pos++
		}
	}
	return nil, d.syntax("in string literal")
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// unquote decodes the validated body of a JSON string.
func unquote(raw []byte) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c == '\\' {
			i++
			switch raw[i] {
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r := hex4(raw[i+1 : i+5])
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
						r2 = hex4(raw[i+3 : i+7])
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default: // " \ /
				out = append(out, raw[i])
			}
			i++
			continue
		}
		if c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, raw[i:i+size]...)
		}
		i += size
	}
	return string(out)
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
