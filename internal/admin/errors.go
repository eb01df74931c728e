package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/silverback-gw/silverback/internal/store"
)

// Messages of Kong's plain error bodies, byte-identical.
const (
	msgNotFound         = "Not found"
	msgMethodNotAllowed = "Method not allowed"
	msgUnexpected       = "An unexpected error occurred"
	msgBadJSON          = "Cannot parse JSON body"
	msgMultipleCT       = "Multiple Content-Type headers not allowed"
	msgTooManyArgs      = "Too many arguments"
	msgTooLarge         = "Request Entity Too Large"
	msgOnlyDBLess       = "this endpoint is only available when Kong is configured to not use a database"
)

// httpError is a plain error response: {"message": msg}, or no body when
// msg is empty.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func plainError(status int, msg string) *httpError { return &httpError{status: status, msg: msg} }

var (
	errNotFound         = plainError(http.StatusNotFound, msgNotFound)
	errMethodNotAllowed = plainError(http.StatusMethodNotAllowed, msgMethodNotAllowed)
	errUnsupportedMedia = plainError(http.StatusUnsupportedMediaType, "")
	errNoDB             = errors.New("no database available")
)

// storeStatus maps Kong's DAO error codes to HTTP statuses, as
// kong/api/endpoints.lua's ERRORS_HTTP_CODES; codes absent here are 500.
var storeStatus = map[store.Code]int{
	store.CodeInvalidPrimaryKey:     http.StatusBadRequest,
	store.CodeSchemaViolation:       http.StatusBadRequest,
	store.CodePrimaryKeyViolation:   http.StatusBadRequest,
	store.CodeForeignKeyViolation:   http.StatusBadRequest,
	store.CodeUniqueViolation:       http.StatusConflict,
	store.CodeNotFound:              http.StatusNotFound,
	store.CodeInvalidOffset:         http.StatusBadRequest,
	store.CodeInvalidSize:           http.StatusBadRequest,
	store.CodeInvalidUniqueField:    http.StatusBadRequest,
	store.CodeInvalidOptions:        http.StatusBadRequest,
	store.CodeOperationUnsupported:  http.StatusMethodNotAllowed,
	store.CodeForeignKeysUnresolved: http.StatusBadRequest,
	store.CodeReferencedByOthers:    http.StatusBadRequest,
}

// render turns any error into an HTTP status and Kong's JSON body (nil for
// no body). It is the one place where errors become responses; unexpected
// errors are logged and answered with Kong's 500 body.
func (h *Handler) render(err error) (int, any) {
	var he *httpError
	if errors.As(err, &he) {
		if he.msg == "" {
			return he.status, nil
		}
		return he.status, message(he.msg)
	}
	var ce *ConfigError
	if errors.As(err, &ce) {
		return http.StatusBadRequest, ce.body()
	}
	if e, ok := store.AsError(err); ok {
		status, known := storeStatus[e.Code]
		if known {
			return status, storeErrorBody(e)
		}
	}
	if errors.Is(err, context.Canceled) {
		h.log.Debug("admin: request canceled", "error", err)
	} else {
		h.log.Error("admin: unexpected error", "error", err)
	}
	return http.StatusInternalServerError, message(msgUnexpected)
}

// storeErrorBody renders a DAO error as Kong does: code, name, message and
// fields (options for code 11) when present.
func storeErrorBody(e *store.Error) map[string]any {
	body := map[string]any{"code": int(e.Code), "name": e.Name, "message": e.Message}
	if e.Message == "" {
		body["message"] = nil
	}
	switch {
	case e.Code == store.CodeInvalidOptions && e.Options != nil:
		body["options"] = e.Options
	case e.Fields != nil:
		body["fields"] = e.Fields
	}
	return body
}

// message is Kong's plain body.
func message(msg string) map[string]any { return map[string]any{"message": msg} }

// daoError builds a store error for codes the store package has no
// constructor for.
func daoError(code store.Code, name, msg string, fields map[string]any) *store.Error {
	return &store.Error{Code: code, Name: name, Message: msg, Fields: fields}
}

// invalidPrimaryKey is Kong's code 1 for a path key that is neither a UUID
// nor usable as an endpoint key.
func invalidPrimaryKey() *store.Error {
	fields := map[string]any{"id": "expected a valid UUID"}
	return daoError(store.CodeInvalidPrimaryKey, "invalid primary key",
		"invalid primary key: '"+luaTable(fields)+"'", fields)
}

// operationUnsupported is DB-less mode's code 12 for a write.
func operationUnsupported(verb, entity, byField string) *store.Error {
	msg := "cannot " + verb + " '" + entity + "' entities"
	if byField != "" {
		msg += " by '" + byField + "'"
	}
	return store.OperationUnsupported(msg + " when not using a database")
}
