package store

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/silverback-gw/silverback/internal/schema"
)

// Code is one of Kong's DAO error codes (kong/db/errors.lua).
type Code int

// Kong's error codes.
const (
	CodeInvalidPrimaryKey     Code = 1
	CodeSchemaViolation       Code = 2
	CodePrimaryKeyViolation   Code = 3
	CodeForeignKeyViolation   Code = 4
	CodeUniqueViolation       Code = 5
	CodeNotFound              Code = 6
	CodeInvalidOffset         Code = 7
	CodeDatabaseError         Code = 8
	CodeInvalidSize           Code = 9
	CodeInvalidUniqueField    Code = 10
	CodeInvalidOptions        Code = 11
	CodeOperationUnsupported  Code = 12
	CodeForeignKeysUnresolved Code = 13
	CodeInvalidDeclarative    Code = 14
	CodeTransformationError   Code = 15
	CodeReferencedByOthers    Code = 19
)

var codeNames = map[Code]string{
	CodeInvalidPrimaryKey: "invalid primary key", CodeSchemaViolation: "schema violation",
	CodePrimaryKeyViolation: "primary key violation", CodeForeignKeyViolation: "foreign key violation",
	CodeUniqueViolation: "unique constraint violation", CodeNotFound: "not found",
	CodeInvalidOffset: "invalid offset", CodeDatabaseError: "database error",
	CodeInvalidSize: "invalid size", CodeInvalidOptions: "invalid options",
	CodeOperationUnsupported: "operation unsupported", CodeForeignKeysUnresolved: "foreign keys unresolved",
	CodeInvalidDeclarative: "invalid declarative configuration", CodeTransformationError: "transformation error",
	CodeReferencedByOthers: "referenced by others",
}

// Error is a DAO error in Kong's shape: {"code","name","message","fields"}.
type Error struct {
	Code    Code
	Name    string
	Message string
	// Fields is the per-field detail (schema.Errors or plain map), or nil.
	Fields map[string]any
	// Options replaces Fields for code 11 (invalid options).
	Options map[string]any
	// Err is the underlying cause of a database error; never shown to clients.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func newError(code Code, msg string, fields map[string]any) *Error {
	return &Error{Code: code, Name: codeNames[code], Message: msg, Fields: fields}
}

// AsError returns err as a *Error when it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// SchemaViolation wraps a schema validation error.
func SchemaViolation(err *schema.ValidationError) *Error {
	return newError(CodeSchemaViolation, err.Error(), err.Fields.JSON())
}

// NotFound is Kong's code 6 for a missing entity addressed by key.
func NotFound(key map[string]any) *Error {
	return newError(CodeNotFound, "could not find the entity with "+pkString(key), key)
}

// NotFoundByPK is code 6 for a missing entity addressed by primary key.
func NotFoundByPK(id string) *Error {
	key := map[string]any{"id": id}
	return newError(CodeNotFound, "could not find the entity with primary key "+pkString(key), key)
}

// InvalidOffset is code 7.
func InvalidOffset(token, why string) *Error {
	return newError(CodeInvalidOffset, "'"+token+"' is not a valid offset: "+why, nil)
}

// InvalidSize is code 9.
func InvalidSize(msg string) *Error { return newError(CodeInvalidSize, msg, nil) }

// InvalidOptions is code 11; options maps the option to its problem.
func InvalidOptions(option, problem string) *Error {
	e := newError(CodeInvalidOptions, "invalid option ("+option+": "+problem+")", nil)
	e.Options = map[string]any{option: problem}
	return e
}

// OperationUnsupported is code 12 (DB-less writes).
func OperationUnsupported(msg string) *Error { return newError(CodeOperationUnsupported, msg, nil) }

// InvalidUniqueField is code 10.
func InvalidUniqueField(field, msg string) *Error {
	return newError(CodeInvalidUniqueField, msg, nil).withName("invalid unique " + field)
}

// DatabaseError is code 8; the cause is logged, never shown.
func DatabaseError(err error) *Error {
	e := newError(CodeDatabaseError, "database error", nil)
	e.Err = err
	return e
}

func (e *Error) withName(n string) *Error { e.Name = n; return e }

// pkString renders a key as Kong's Lua-table text: '{id="x"}' or
// '{consumer=null,name="key-auth",route={id="…"}}' (keys sorted).
func pkString(key map[string]any) string {
	return "'" + luaTable(key) + "'"
}

func luaTable(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + luaValue(m[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func luaValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", x)
	case map[string]any:
		return luaTable(x)
	}
	return fmt.Sprint(v)
}
