package requesttransformer

// argOps are the entries of the five operations on one kind of named
// arguments: the query string, or a JSON or urlencoded body.
type argOps struct {
	remove, rename, replace, add, append []entry
}

func (o argOps) empty() bool {
	return len(o.remove)+len(o.rename)+len(o.replace)+len(o.add)+len(o.append) == 0
}

// apply transforms args in Kong's order: remove, rename, replace only if
// present, add only if absent, append. Only add and append apply when
// onlyAdd (Kong's empty body). present tells whether a value counts (a
// JSON false does not). changed reports what Kong's flags would: a
// remove, a rename or replace that happened, an add, an append.
func (o argOps) apply(args map[string]any, env *env, onlyAdd bool, present func(any, bool) bool) (changed bool, err error) {
	has := func(name string) bool {
		v, ok := args[name]
		return present(v, ok)
	}
	if !onlyAdd {
		for i := range o.remove {
			e := &o.remove[i]
			if _, _, err := e.render(env); err != nil {
				return false, err
			}
			if !e.named {
				return false, errNoName
			}
			delete(args, e.name)
			changed = true
		}
		for i := range o.rename {
			e := &o.rename[i]
			to, _, err := e.render(env)
			if err != nil {
				return false, err
			}
			if e.name != to && has(e.name) {
				args[to] = args[e.name]
				delete(args, e.name)
				changed = true
			}
		}
		for i := range o.replace {
			e := &o.replace[i]
			v, _, err := e.render(env)
			if err != nil {
				return false, err
			}
			if has(e.name) {
				args[e.name] = v
				changed = true
			}
		}
	}
	for i := range o.add {
		e := &o.add[i]
		v, _, err := e.render(env)
		if err != nil {
			return false, err
		}
		if !has(e.name) {
			args[e.name] = v
			changed = true
		}
	}
	for i := range o.append {
		e := &o.append[i]
		v, _, err := e.render(env)
		if err != nil {
			return false, err
		}
		args[e.name] = appendValue(args[e.name], v)
		changed = true
	}
	return changed, nil
}

// isPresent counts every value that is there (query and form arguments).
func isPresent(_ any, ok bool) bool { return ok }

// isTruthy counts values Lua finds true: all but false (JSON null is
// cjson.null, which is true).
func isTruthy(v any, ok bool) bool { return ok && v != false }
