package proxy

import (
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// HeaderReader reads a set of HTTP header fields. Names are
// case-insensitive.
type HeaderReader interface {
	// Get returns the first value of name, "" when absent.
	Get(name string) string
	// Values returns every value of name, one per header line; the slice
	// must not be modified.
	Values(name string) []string
	// Each calls fn for every field until fn returns false.
	Each(fn func(name, value string) bool)
}

// HeaderMap reads and changes a set of HTTP header fields, the way Kong's
// PDK header functions do.
type HeaderMap interface {
	HeaderReader
	// Set replaces every value of name by value.
	Set(name, value string)
	// Add appends a value to name.
	Add(name, value string)
	// Del removes name.
	Del(name string)
}

// Header is one header field, given to State.Exit and State.Error.
type Header struct {
	Name, Value string
}

// headerList is a HeaderMap kept as an ordered slice of fields: building
// the upstream request's headers costs no map, and its backing array is
// reused across pooled requests.
type headerList struct {
	fields []Header
}

var _ HeaderMap = (*headerList)(nil)

func (h *headerList) Get(name string) string {
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].Name, name) {
			return h.fields[i].Value
		}
	}
	return ""
}

func (h *headerList) has(name string) bool {
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].Name, name) {
			return true
		}
	}
	return false
}

func (h *headerList) Values(name string) []string {
	var out []string
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].Name, name) {
			out = append(out, h.fields[i].Value)
		}
	}
	return out
}

func (h *headerList) Set(name, value string) {
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].Name, name) {
			h.fields[i].Value = value
			h.delFrom(i+1, name)
			return
		}
	}
	h.fields = append(h.fields, Header{name, value})
}

func (h *headerList) Add(name, value string) {
	h.fields = append(h.fields, Header{name, value})
}

func (h *headerList) Del(name string) { h.delFrom(0, name) }

// delFrom removes the fields named name at index i or after.
func (h *headerList) delFrom(i int, name string) {
	kept := h.fields[:i]
	for _, f := range h.fields[i:] {
		if !strings.EqualFold(f.Name, name) {
			kept = append(kept, f)
		}
	}
	clear(h.fields[len(kept):])
	h.fields = kept
}

func (h *headerList) Each(fn func(name, value string) bool) {
	for _, f := range h.fields {
		if !fn(f.Name, f.Value) {
			return
		}
	}
}

// setShared sets name to the value of a sharedValue.
func (h *headerList) setShared(name string, v sharedValue) { h.Set(name, v[0]) }

func (h *headerList) reset() {
	clear(h.fields)
	h.fields = h.fields[:0]
}

// SetFields sets each of fields on h as Set does. On a response's header
// the values share one allocation instead of one each.
func SetFields(h HeaderMap, fields []Header) {
	hh, ok := h.(httpHeader)
	if !ok {
		for _, f := range fields {
			h.Set(f.Name, f.Value)
		}
		return
	}
	vals := make([]string, len(fields))
	for i, f := range fields {
		vals[i] = f.Value
		hh[textproto.CanonicalMIMEHeaderKey(f.Name)] = vals[i : i+1 : i+1] // capacity 1: appending copies
	}
}

// sharedValue is a header value in a one-element slice that every
// response sending it shares: a HeaderMap keeping []string values stores
// it without allocating. Its capacity is 1, so appending to it copies.
type sharedValue []string

func newShared(v string) sharedValue { return sharedValue{v}[:1:1] }

// setShared sets a header to a shared value, for HeaderMaps that can hold
// it as is, else through Set. name must be in canonical form.
func setShared(h HeaderMap, name string, v sharedValue) {
	if hs, ok := h.(interface{ setShared(string, sharedValue) }); ok {
		hs.setShared(name, v)
		return
	}
	h.Set(name, v[0])
}

// millisValues are the latency header values of 0 to 255 ms.
var millisValues = func() (vs [256]sharedValue) {
	for i := range vs {
		vs[i] = newShared(strconv.Itoa(i))
	}
	return vs
}()

// setMillis sets a latency header to d in whole milliseconds.
func setMillis(h HeaderMap, name string, d time.Duration) {
	ms := d.Milliseconds()
	if ms >= 0 && ms < int64(len(millisValues)) {
		setShared(h, name, millisValues[ms])
		return
	}
	h.Set(name, strconv.FormatInt(ms, 10))
}

// validField reports whether a field can be written on the wire as is: a
// token name and a value without control characters other than tab. A
// plugin that sets "a\r\nb" must not inject a header.
func validField(name, value string) bool { return validFieldName(name) && validFieldValue(value) }

// eachToken calls fn with each comma-separated token of v, trimmed of
// spaces and tabs, skipping empty ones.
func eachToken(v string, fn func(tok string)) {
	for v != "" {
		var tok string
		tok, v, _ = strings.Cut(v, ",")
		tok = strings.Trim(tok, " \t")
		if tok != "" {
			fn(tok)
		}
	}
}

// hasToken reports whether the comma-separated list v holds tok
// (case-insensitively).
func hasToken(v, tok string) bool {
	found := false
	eachToken(v, func(t string) {
		if strings.EqualFold(t, tok) {
			found = true
		}
	})
	return found
}
