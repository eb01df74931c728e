// Package luatemplate renders the value templates of Kong's
// request-transformer: Penlight's pl.template with `$(expression)`
// inline expressions (and no `#` code lines), evaluated as Kong's
// untrusted_lua = "sandbox" mode does.
//
// An expression is a Lua 5.1 expression: nil, true, false, numbers,
// strings (short and long), table constructors, global names, indexing
// (a.b, a["b"]), calls (f(x), f"x", f{x}), method calls on strings
// (s:upper()), and every operator (or, and, comparisons, .., arithmetic
// with string coercion, not, unary minus, #). The globals are what the
// Env gives. Function definitions and "..." are not supported. `$(e)`
// renders as tostring((e) or ""), as Penlight does; syntax errors read as
// LuaJIT's ([string "TMP"]:1: ')' expected near 'x').
package luatemplate
