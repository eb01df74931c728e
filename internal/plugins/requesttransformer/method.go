package requesttransformer

import (
	"errors"

	"github.com/silverback-gw/silverback/internal/ngx"
	"github.com/silverback-gw/silverback/internal/plugin"
)

// acceptedMethods are the methods kong.service.request.set_method takes.
var acceptedMethods = map[string]bool{
	"GET": true, "HEAD": true, "PUT": true, "POST": true, "DELETE": true, "OPTIONS": true,
	"MKCOL": true, "COPY": true, "MOVE": true, "PROPFIND": true, "PROPPATCH": true,
	"LOCK": true, "UNLOCK": true, "PATCH": true, "TRACE": true,
}

// transformMethod sets http_method; changed to GET, HEAD or TRACE, a
// urlencoded body's arguments join the query string (the body is still
// sent).
func (h *handler) transformMethod(kong *plugin.PDK) error {
	m := h.method
	if m == "" {
		return nil
	}
	if !acceptedMethods[m] {
		return errors.New("invalid method: " + m)
	}
	kong.ServiceRequest.SetMethod(m)
	if m != "GET" && m != "HEAD" && m != "TRACE" || kindOf(kong.ServiceRequest.Header("Content-Type")) != bodyForm {
		return nil
	}
	body, err := kong.Request.Body()
	if err != nil {
		return err
	}
	params := ngx.DecodeArgs(string(body))
	if len(params) == 0 {
		return nil
	}
	query := ngx.DecodeArgs(kong.ServiceRequest.RawQuery())
	for name, v := range params {
		switch cur := query[name].(type) {
		case nil:
			query[name] = v
		case []any:
			query[name] = append(cur, v)
		default:
			query[name] = []any{cur, v}
		}
	}
	q, err := encodeArgs(query)
	if err != nil {
		return err
	}
	kong.ServiceRequest.SetRawQuery(q)
	return nil
}
