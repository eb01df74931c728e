package requesttransformer

import (
	"errors"
	"fmt"

	"github.com/silverback-gw/silverback/internal/plugins/requesttransformer/luatemplate"
)

// errNoName is Lua's error for an entry without a name (":value") used as
// a table key: Kong fails the request with it.
var errNoName = errors.New("table index is nil")

// entry is one configured entry, its value compiled.
type entry struct {
	name   string
	named  bool   // false for an entry starting with a colon
	raw    string // the value as configured, "" for none
	tmpl   *luatemplate.Template
	static bool  // the value has no expression: it is raw
	err    error // the value's compile error, reported when it is used
}

// compileEntries compiles a list of entries as Kong's iter reads them.
func compileEntries(list []string) []entry {
	out := make([]entry, len(list))
	for i, s := range list {
		name, value, ok := splitPair(s)
		out[i] = newEntry(name, value)
		out[i].named = ok
	}
	return out
}

func newEntry(name, value string) entry {
	e := entry{name: name, raw: value}
	if value != "" {
		e.tmpl, e.err = luatemplate.Compile(value)
		if e.err == nil {
			_, e.static = e.tmpl.Static()
		}
	}
	return e
}

// render returns the entry's value, rendered in env; has is false when
// the entry has none (Kong's nil).
func (e *entry) render(env *env) (value string, has bool, err error) {
	switch {
	case e.raw == "":
		return "", false, nil
	case e.static:
		return e.raw, true, nil
	}
	err = e.err
	if err == nil {
		value, err = e.tmpl.Render(env)
	}
	if err != nil {
		return "", false, fmt.Errorf("[request-transformer] failed to render the template %s, error:%w", e.raw, err)
	}
	return value, true, nil
}
