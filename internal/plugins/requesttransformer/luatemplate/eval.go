package luatemplate

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
)

// Env resolves the global names of expressions.
type Env interface {
	Global(name string) Value
}

// runtimeError is an error raised while evaluating, reported as LuaJIT
// reports it.
func runtimeError(line int, format string, args ...any) error {
	return fmt.Errorf(`[string "TMP"]:%d: %s`, line, fmt.Sprintf(format, args...))
}

// describe names the variable an expression reads, as Lua's error
// messages do ("global 'x'", "field 'y'"), "" when it has no name.
func describe(n node) string {
	switch x := n.(type) {
	case *globalNode:
		return "global '" + x.name + "'"
	case *indexNode:
		if k, ok := x.key.(*constNode); ok {
			if s, ok := k.v.(string); ok {
				return "field '" + s + "'"
			}
		}
	}
	return ""
}

// typeError is "attempt to <op> <variable> (a <type> value)".
func typeError(line int, op string, n node, v Value) error {
	if d := describe(n); d != "" {
		return runtimeError(line, "attempt to %s %s (a %s value)", op, d, TypeName(v))
	}
	return runtimeError(line, "attempt to %s a %s value", op, TypeName(v))
}

func (n *constNode) eval(Env) (Value, error) { return n.v, nil }

func (n *globalNode) eval(env Env) (Value, error) { return env.Global(n.name), nil }

func (n *indexNode) eval(env Env) (Value, error) {
	obj, err := n.obj.eval(env)
	if err != nil {
		return nil, err
	}
	key, err := n.key.eval(env)
	if err != nil {
		return nil, err
	}
	v, ok := index(obj, key)
	if !ok {
		return nil, typeError(n.line, "index", n.obj, obj)
	}
	return v, nil
}

// index returns obj[key]; ok is false when obj cannot be indexed.
func index(obj, key Value) (Value, bool) {
	switch o := obj.(type) {
	case *Table:
		return o.Get(key), true
	case string:
		if k, ok := key.(string); ok {
			if f, ok := stringLibrary[k]; ok {
				return f, true
			}
		}
		return nil, true
	}
	return nil, false
}

func evalList(env Env, list []node) ([]Value, error) {
	vs := make([]Value, len(list))
	for i, n := range list {
		v, err := n.eval(env)
		if err != nil {
			return nil, err
		}
		vs[i] = v
	}
	return vs, nil
}

func (n *callNode) eval(env Env) (Value, error) {
	fn, err := n.fn.eval(env)
	if err != nil {
		return nil, err
	}
	args, err := evalList(env, n.args)
	if err != nil {
		return nil, err
	}
	f, ok := fn.(Function)
	if !ok {
		return nil, typeError(n.line, "call", n.fn, fn)
	}
	return f(args)
}

func (n *methodNode) eval(env Env) (Value, error) {
	obj, err := n.obj.eval(env)
	if err != nil {
		return nil, err
	}
	m, ok := index(obj, n.name)
	if !ok {
		return nil, typeError(n.line, "index", n.obj, obj)
	}
	args, err := evalList(env, n.args)
	if err != nil {
		return nil, err
	}
	f, ok := m.(Function)
	if !ok {
		return nil, runtimeError(n.line, "attempt to call method '%s' (a %s value)", n.name, TypeName(m))
	}
	return f(append([]Value{obj}, args...))
}

func (n *tableNode) eval(env Env) (Value, error) {
	t := NewTable()
	for i, k := range n.keys {
		key, err := k.eval(env)
		if err != nil {
			return nil, err
		}
		v, err := n.vals[i].eval(env)
		if err != nil {
			return nil, err
		}
		if key == nil {
			return nil, runtimeError(n.line, "table index is nil")
		}
		t.Set(key, v)
	}
	for i, e := range n.list {
		v, err := e.eval(env)
		if err != nil {
			return nil, err
		}
		t.Set(float64(i+1), v)
	}
	return t, nil
}

func (n *unaryNode) eval(env Env) (Value, error) {
	x, err := n.x.eval(env)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "not":
		return !truthy(x), nil
	case "-":
		if f, ok := toArith(x); ok {
			return -f, nil
		}
		return nil, typeError(n.line, "perform arithmetic on", n.x, x)
	}
	switch v := x.(type) {
	case string:
		return float64(len(v)), nil
	case *Table:
		return float64(v.Len()), nil
	}
	return nil, typeError(n.line, "get length of", n.x, x)
}

func (n *binaryNode) eval(env Env) (Value, error) {
	l, err := n.l.eval(env)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "and":
		if !truthy(l) {
			return l, nil
		}
		return n.r.eval(env)
	case "or":
		if truthy(l) {
			return l, nil
		}
		return n.r.eval(env)
	}
	r, err := n.r.eval(env)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "==":
		return equal(l, r), nil
	case "~=":
		return !equal(l, r), nil
	case "<", "<=":
		return n.compare(l, r)
	case ">", ">=": // Lua evaluates a > b as b < a
		return n.compare(r, l)
	case "..":
		return n.concat(l, r)
	}
	return n.arith(l, r)
}

func (n *binaryNode) arith(l, r Value) (Value, error) {
	a, ok := toArith(l)
	if !ok {
		return nil, typeError(n.line, "perform arithmetic on", n.l, l)
	}
	b, ok := toArith(r)
	if !ok {
		return nil, typeError(n.line, "perform arithmetic on", n.r, r)
	}
	switch n.op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	case "/":
		return a / b, nil
	case "%":
		return a - math.Floor(a/b)*b, nil
	}
	return math.Pow(a, b), nil
}

func (n *binaryNode) concat(l, r Value) (Value, error) {
	a, ok := toConcat(l)
	if !ok {
		return nil, typeError(n.line, "concatenate", n.l, l)
	}
	b, ok := toConcat(r)
	if !ok {
		return nil, typeError(n.line, "concatenate", n.r, r)
	}
	return a + b, nil
}

// compare evaluates l < r (or l <= r for the "<=" and ">=" operators).
func (n *binaryNode) compare(l, r Value) (Value, error) {
	orEqual := n.op == "<=" || n.op == ">="
	switch a := l.(type) {
	case float64:
		if b, ok := r.(float64); ok {
			return a < b || orEqual && a == b, nil
		}
	case string:
		if b, ok := r.(string); ok {
			return a < b || orEqual && a == b, nil
		}
	}
	if t1, t2 := TypeName(l), TypeName(r); t1 != t2 {
		return nil, runtimeError(n.line, "attempt to compare %s with %s", t1, t2)
	}
	return nil, runtimeError(n.line, "attempt to compare two %s values", TypeName(l))
}

func toArith(v Value) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		return ToNumber(x)
	}
	return 0, false
}

func toConcat(v Value) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return FormatNumber(x), true
	}
	return "", false
}

// equal is Lua's ==: no coercion, tables and functions by identity.
func equal(a, b Value) bool {
	switch x := a.(type) {
	case Function:
		y, ok := b.(Function)
		return ok && reflect.ValueOf(x).Pointer() == reflect.ValueOf(y).Pointer()
	case Userdata:
		return false
	}
	if _, ok := b.(Function); ok {
		return false
	}
	if _, ok := b.(Userdata); ok {
		return false
	}
	return a == b
}

// argError is a library function's "bad argument" error.
func argError(n int, fn, msg string) error {
	return fmt.Errorf("bad argument #%s to '%s' (%s)", strconv.Itoa(n), fn, msg)
}
