package requesttransformer

import (
	"strings"

	"github.com/silverback-gw/silverback/internal/ngx"
	"github.com/silverback-gw/silverback/internal/plugin"
)

// bodyKind is a body type the transformations understand.
type bodyKind uint8

const (
	bodyOther bodyKind = iota
	bodyJSON
	bodyMultipart
	bodyForm
)

// kindOf classifies a Content-Type as Kong does: by substring, JSON
// first.
func kindOf(contentType string) bodyKind {
	ct := strings.ToLower(contentType)
	switch {
	case strings.Contains(ct, "application/json"):
		return bodyJSON
	case strings.Contains(ct, "multipart/form-data"):
		return bodyMultipart
	case strings.Contains(ct, "application/x-www-form-urlencoded"):
		return bodyForm
	}
	return bodyOther
}

// transformBody applies the body entries to a JSON, multipart or
// urlencoded body, read from the client; the Content-Type is the one
// after the header transformations. A body is replaced only when Kong's
// would be, and Content-Length follows it.
func (h *handler) transformBody(kong *plugin.PDK, env *env) error {
	contentType := kong.ServiceRequest.Header("Content-Type")
	kind := kindOf(contentType)
	if kind == bodyOther || h.body.empty() {
		return nil
	}
	body, err := kong.Request.Body()
	if err != nil {
		return err
	}
	var out []byte
	var changed bool
	switch kind {
	case bodyJSON:
		out, changed, err = h.transformJSON(body, env)
	case bodyMultipart:
		out, changed, err = h.transformMultipart(body, contentType, env)
	default:
		out, changed, err = h.transformForm(body, env)
	}
	if err != nil || !changed {
		return err
	}
	kong.ServiceRequest.SetBody(out)
	return nil
}

// transformForm transforms a urlencoded body; arguments are re-encoded
// sorted (Kong's follow its Lua table).
func (h *handler) transformForm(body []byte, env *env) ([]byte, bool, error) {
	args := ngx.DecodeArgs(string(body))
	changed, err := h.body.apply(args, env, len(body) == 0, isPresent)
	if err != nil || !changed {
		return nil, false, err
	}
	s, err := encodeArgs(args)
	return []byte(s), err == nil, err
}
