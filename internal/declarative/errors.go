package declarative

import (
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
)

// Kong's texts for code 14 (kong/db/errors.lua, kong/db/declarative/init.lua).
const (
	errorName     = "invalid declarative configuration"
	messagePrefix = "declarative config is invalid: "
	parsePrefix   = "failed parsing declarative configuration"
)

// Error is an invalid declarative configuration: Kong's error code 14. Its
// tree is keyed as Kong keys it — entity table names, 1-based entry
// positions (with null for valid entries once rendered), field names,
// "@entity" for entity checks, and entity names or ids for reference and
// uniqueness errors found after validation.
//
// A text that is no JSON or YAML object is an Error too, with the single
// field "error" (`failed parsing declarative configuration: …`).
type Error struct {
	tree *node
	// doc is the (migrated) document the tree describes; FlattenedErrors
	// correlates the tree with its entities.
	doc     map[string]any
	catalog *entities.Catalog
	// parse is the message of a parse failure, "" for validation errors.
	parse string
}

func parseError(why string) *Error {
	msg := parsePrefix
	if why != "" {
		msg += ": " + why
	}
	t := newNode()
	t.set("error", msg)
	return &Error{tree: t, parse: msg}
}

// Error returns Kong's message: "declarative config is invalid: " and the
// tree as Lua table text, e.g.
// `declarative config is invalid: {services={{host="required field missing"}}}`.
func (e *Error) Error() string { return messagePrefix + e.tree.lua() }

// Fields returns the error tree as Kong's Admin API encodes it in "fields".
func (e *Error) Fields() map[string]any { return e.tree.json().(map[string]any) }

// StoreError returns the error as a DAO error, the shape the Admin API renders:
// {"code":14,"name":"invalid declarative configuration","message":…,"fields":…}.
func (e *Error) StoreError() *store.Error {
	return &store.Error{
		Code:    store.CodeInvalidDeclarative,
		Name:    errorName,
		Message: e.Error(),
		Fields:  e.Fields(),
	}
}

// Pretty returns the text `kong config parse` prints after "Failed parsing:":
// the parse failure's message, or the tree as nested "in '…':" lines.
func (e *Error) Pretty() string {
	if e.parse != "" {
		return e.parse
	}
	return e.tree.pretty("", "")
}
