package admin

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Declarative loads and exports declarative configurations for DB-less
// /config (kong/api/routes/config.lua). The declarative package provides it.
type Declarative interface {
	// Load parses (text forms), validates and loads a configuration,
	// replacing the current one. It returns the loaded entities keyed by
	// table name, then id, foreign keys as {"id": …}, without workspaces.
	// Errors: *ConfigError (400, code 14), ErrConfigBusy (429),
	// ErrConfigTimeout (504), ErrConfigExiting (503), ErrConfigTooLarge
	// (413); anything else is a 500.
	Load(ctx context.Context, in ConfigInput) (map[string]any, error)
	// Export returns the current configuration as Kong's YAML export
	// (_format_version "3.0", _transform false).
	Export(ctx context.Context) ([]byte, error)
	// Hash returns the md5 hex hash of the loaded configuration; "" or 32
	// zeros for an empty one.
	Hash() string
}

// ConfigInput is one POST /config request.
type ConfigInput struct {
	// Text is the configuration as YAML or JSON text (the `config` field or
	// the raw body); Hash is its md5 hex hash, Kong's configuration hash.
	Text []byte
	Hash string
	// Doc is the configuration already decoded from a JSON body that has a
	// _format_version; Text is then nil.
	Doc map[string]any
	// FlattenErrors asks for Kong's flattened_errors in a ConfigError.
	FlattenErrors bool
}

// ConfigError is an invalid declarative configuration (Kong's code 14).
type ConfigError struct {
	// Fields is the error tree keyed by entity and index; text that could
	// not be parsed is {"error": "failed parsing declarative configuration: …"}.
	Fields map[string]any
	// Message replaces the default "declarative config is invalid: <Fields>".
	Message string
	// Flattened is Kong's flattened_errors list, set when requested.
	Flattened []any
}

func (e *ConfigError) Error() string { return e.message() }

func (e *ConfigError) message() string {
	if e.Message != "" {
		return e.Message
	}
	return "declarative config is invalid: " + luaTable(e.Fields)
}

func (e *ConfigError) body() map[string]any {
	body := map[string]any{
		"code":    14,
		"name":    "invalid declarative configuration",
		"message": e.message(),
		"fields":  e.Fields,
	}
	if e.Flattened != nil {
		body["flattened_errors"] = e.Flattened
	}
	return body
}

// Errors of Declarative.Load that have their own status.
var (
	ErrConfigBusy     = errors.New("currently loading previous configuration")
	ErrConfigTimeout  = errors.New("timed out while loading configuration")
	ErrConfigExiting  = errors.New("exiting")
	ErrConfigTooLarge = errors.New("configuration does not fit")
)

// configRetryAfter is the Retry-After of a 429 (Kong: the lock's ttl, at most 10).
const configRetryAfter = 5

func (h *Handler) configRoutes(rr *router) {
	rr.handle("/config", "GET", h.getConfig).yaml = true
	rr.handle("/config", "POST", h.postConfig)
}

func (h *Handler) getConfig(c *call) error {
	if !h.opts.DBLess {
		return plainError(http.StatusBadRequest, msgOnlyDBLess)
	}
	if h.opts.Declarative == nil {
		return fmt.Errorf("get /config: %w", errNoDeclarative)
	}
	text, err := h.opts.Declarative.Export(c.ctx)
	if err != nil {
		return fmt.Errorf("export configuration: %w", err)
	}
	return c.ok(map[string]any{"config": string(text)})
}

var errNoDeclarative = errors.New("no declarative loader configured")

// postConfig is POST /config: a JSON document with _format_version, a
// `config` field holding YAML or JSON text, or a raw YAML/JSON body.
func (h *Handler) postConfig(c *call) error {
	if !h.opts.DBLess {
		return plainError(http.StatusBadRequest, msgOnlyDBLess)
	}
	if h.opts.Declarative == nil {
		return fmt.Errorf("post /config: %w", errNoDeclarative)
	}
	params := c.allParams()
	in := ConfigInput{FlattenErrors: truthy(params["flatten_errors"])}
	checkHash := luaString(params["check_hash"]) == "1"
	delete(params, "flatten_errors")
	delete(params, "check_hash")
	if _, ok := params["_format_version"]; ok && c.raw == nil {
		in.Doc = params
	} else {
		switch v := params["config"].(type) {
		case string:
			in.Text = []byte(v)
		case map[string]any:
			in.Doc = v
		default:
			if len(c.rawBody) == 0 {
				return plainError(http.StatusBadRequest, "expected a declarative configuration")
			}
			in.Text = c.rawBody
		}
	}
	if in.Text != nil {
		sum := md5.Sum(in.Text)
		in.Hash = hex.EncodeToString(sum[:])
		if checkHash && in.Hash == h.opts.Declarative.Hash() {
			c.reply(http.StatusNotModified, nil)
			return nil
		}
	}
	loaded, err := h.opts.Declarative.Load(c.ctx, in)
	switch {
	case err == nil:
		if loaded == nil {
			loaded = map[string]any{}
		}
		c.reply(http.StatusCreated, loaded)
		return nil
	case errors.Is(err, ErrConfigBusy):
		c.w.Header().Set("Retry-After", strconv.Itoa(configRetryAfter))
		return plainError(http.StatusTooManyRequests, "Currently loading previous configuration")
	case errors.Is(err, ErrConfigTimeout):
		return plainError(http.StatusGatewayTimeout, "Timed out while loading configuration")
	case errors.Is(err, ErrConfigExiting):
		return plainError(http.StatusServiceUnavailable, "Kong currently exiting")
	case errors.Is(err, ErrConfigTooLarge):
		return plainError(http.StatusRequestEntityTooLarge,
			`Configuration does not fit in LMDB database, consider raising the "lmdb_map_size" config for Kong`)
	}
	return err
}

// truthy is Kong's flag test for flatten_errors.
func truthy(v any) bool {
	switch x := v.(type) {
	case string:
		switch strings.ToLower(x) {
		case "true", "1", "on", "yes":
			return true
		}
	case bool:
		return x
	case int64:
		return x == 1
	case float64:
		return x == 1
	}
	return false
}

// luaString is Lua's tostring for the values of the data model.
func luaString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', 14, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}
