package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxArgs is Kong's limit of URI and body arguments (kong/api/arguments.lua).
const maxArgs = 1000

// call is one request being served.
type call struct {
	h       *Handler
	w       http.ResponseWriter
	r       *http.Request
	ctx     context.Context
	started time.Time
	wrote   bool

	route  *route
	method string            // the served method: HEAD is GET
	params map[string]string // path parameters, still escaped

	query url.Values
	// body is the decoded body: the JSON object, or the form/multipart tree
	// of strings (form is then true and values still need schema inference).
	body map[string]any
	form bool
	// raw is the body of other accepted content types (YAML on /config);
	// rawBody is the body whatever its type.
	raw, rawBody []byte
	// ctype is the lower-cased media type of the body.
	ctype string
	// sniName is the SNI name a certificate was addressed by.
	sniName string
}

func needsBody(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// checkContentType is Kong's before_filter: bodies of PUT, POST and PATCH
// must be JSON, form-urlencoded or multipart (YAML on /config only).
func (c *call) checkContentType() error {
	if !needsBody(c.r.Method) {
		return nil
	}
	cts := c.r.Header.Values("Content-Type")
	switch {
	case len(cts) > 1:
		return plainError(http.StatusBadRequest, msgMultipleCT)
	case len(cts) == 0:
		if c.r.ContentLength == 0 || c.r.Body == nil || c.r.Body == http.NoBody {
			return nil
		}
		if c.r.ContentLength < 0 && emptyBody(c.r) {
			return nil
		}
		return errUnsupportedMedia
	}
	ct := cts[0]
	if strings.HasPrefix(ct, "application/json") ||
		strings.HasPrefix(ct, "multipart/form-data") ||
		strings.HasPrefix(ct, "application/x-www-form-urlencoded") ||
		c.route.yaml && (strings.HasPrefix(ct, "application/yaml") || strings.HasPrefix(ct, "text/yaml")) {
		return nil
	}
	return errUnsupportedMedia
}

// emptyBody peeks at a body of unknown length and restores it.
func emptyBody(r *http.Request) bool {
	var one [1]byte
	n, _ := io.ReadFull(r.Body, one[:])
	if n == 0 {
		return true
	}
	r.Body = readCloser{io.MultiReader(bytes.NewReader(one[:n]), r.Body), r.Body}
	return false
}

type readCloser struct {
	io.Reader
	io.Closer
}

// loadArgs decodes the query string and, for PUT, POST and PATCH, the body
// (kong/api/arguments.lua and api_helpers.parse_params).
func (c *call) loadArgs() error {
	q, _ := url.ParseQuery(c.r.URL.RawQuery)
	if countValues(q) > maxArgs {
		return plainError(http.StatusBadRequest, msgTooManyArgs)
	}
	c.query = q
	c.body = map[string]any{}
	if !needsBody(c.method) {
		return nil
	}
	ct := c.r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	c.ctype = strings.ToLower(ct)
	if i := strings.IndexByte(c.ctype, ';'); i >= 0 {
		c.ctype = strings.TrimSpace(c.ctype[:i])
	}
	data, err := c.readBody()
	if err != nil {
		return err
	}
	c.rawBody = data
	lower := strings.ToLower(ct)
	switch {
	case strings.HasPrefix(lower, "application/x-www-form-urlencoded"):
		vals, _ := url.ParseQuery(string(data))
		if countValues(vals) > maxArgs {
			return plainError(http.StatusBadRequest, msgTooManyArgs)
		}
		c.body, c.form = decodeForm(formPairs(vals), true), true
	case strings.Contains(lower, "application/json"):
		obj, ok := decodeJSONObject(data)
		if !ok {
			return plainError(http.StatusBadRequest, msgBadJSON)
		}
		c.body = obj
	case strings.HasPrefix(lower, "multipart/form-data"):
		pairs, err := readMultipart(ct, data)
		if err != nil {
			return err
		}
		c.body, c.form = decodeForm(pairs, true), true
	default:
		c.raw = data
	}
	return nil
}

func (c *call) readBody() ([]byte, error) {
	if c.r.Body == nil {
		return nil, nil
	}
	body := io.Reader(c.r.Body)
	if c.h.maxBody > 0 {
		body = http.MaxBytesReader(c.w, c.r.Body, c.h.maxBody)
	}
	data, err := io.ReadAll(body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, plainError(http.StatusRequestEntityTooLarge, msgTooLarge)
	}
	if err != nil {
		return nil, err
	}
	return data, nil
}

func countValues(v url.Values) int {
	n := 0
	for _, vs := range v {
		n += len(vs)
	}
	return n
}

// decodeJSONObject decodes a JSON object body; numbers become int64 when
// integral and float64 otherwise. An empty array counts as an empty object
// (an empty Lua table).
func decodeJSONObject(data []byte) (map[string]any, bool) {
	v, ok := decodeJSON(data)
	if !ok {
		return nil, false
	}
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case []any:
		if len(x) == 0 {
			return map[string]any{}, true
		}
	}
	return nil, false
}

// decodeJSON decodes one JSON value with numbers in the data model of
// package schema.
func decodeJSON(data []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return normalizeNumbers(v), true
}

func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	}
	return v
}

// readMultipart returns the parts of a multipart/form-data body as form
// pairs; a part sent as application/json is JSON-decoded. A malformed body
// yields no arguments (Kong logs it and goes on).
func readMultipart(contentType string, data []byte) ([]formPair, error) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["boundary"] == "" {
		return nil, nil
	}
	mr := multipart.NewReader(bytes.NewReader(data), params["boundary"])
	var pairs []formPair
	for {
		p, err := mr.NextPart()
		if err != nil {
			if err == io.EOF {
				return pairs, nil
			}
			return nil, nil
		}
		if len(pairs) >= maxArgs {
			return nil, plainError(http.StatusBadRequest, msgTooManyArgs)
		}
		content, err := io.ReadAll(p)
		if err != nil {
			return nil, nil
		}
		name := p.FormName()
		if name == "" {
			continue
		}
		var value any = string(content)
		if strings.HasPrefix(strings.ToLower(p.Header.Get("Content-Type")), "application/json") {
			if v, ok := decodeJSON(content); ok {
				value = v
			}
		}
		pairs = append(pairs, formPair{name, value})
	}
}

// options answers OPTIONS with the route's methods (api_helpers.options_method).
func (c *call) options() {
	allow := c.route.allow()
	hd := c.w.Header()
	hd.Set("Allow", allow)
	hd.Set("Access-Control-Allow-Methods", allow)
	if hd.Get("Access-Control-Allow-Headers") == "" {
		hd.Set("Access-Control-Allow-Headers", "Content-Type")
	}
	c.reply(http.StatusNoContent, nil)
}

// reply writes the response: body (nil for none) as JSON, with Kong's
// Server and X-Kong-Admin-Latency headers when enabled.
func (c *call) reply(status int, body any) {
	if c.wrote {
		return
	}
	c.wrote = true
	hd := c.w.Header()
	var data []byte
	if body != nil && status != http.StatusNoContent && status != http.StatusNotModified {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			c.h.log.Error("admin: cannot encode response", "error", err)
			buf.Reset()
			buf.WriteString(`{"message":"` + msgUnexpected + "\"}\n")
			status = http.StatusInternalServerError
		}
		data = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		hd.Set("Content-Type", "application/json; charset=utf-8")
	}
	if status != http.StatusNoContent && status != http.StatusNotModified {
		hd.Set("Content-Length", strconv.Itoa(len(data)))
	}
	c.h.responseHeaders(hd, c.started)
	c.w.WriteHeader(status)
	if len(data) > 0 && c.r.Method != http.MethodHead {
		_, _ = c.w.Write(data)
	}
}

// fail writes the response for err.
func (c *call) fail(err error) {
	status, body := c.h.render(err)
	c.reply(status, body)
}

// ok answers 200 with body.
func (c *call) ok(body any) error {
	c.reply(http.StatusOK, body)
	return nil
}

// responseHeaders sets the headers Kong's admin_header_filter adds.
func (h *Handler) responseHeaders(hd http.Header, started time.Time) {
	if h.opts.Headers.AdminLatency {
		hd.Set("X-Kong-Admin-Latency", strconv.FormatInt(time.Since(started).Milliseconds(), 10))
	}
	if h.opts.Headers.Server {
		hd.Set("Server", "kong/"+h.opts.Node.Version)
	}
}

// param returns the unescaped path parameter name (Kong's unescape_uri).
func (c *call) param(name string) string { return unescapePath(c.params[name]) }

func unescapePath(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// queryArg returns the first value of a query argument and whether it was given.
func (c *call) queryArg(name string) (string, bool) {
	vs, ok := c.query[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// params merges query arguments and body into one map, the body winning,
// as lapis's self.params (used by /schemas/*/validate, /config and /debug).
func (c *call) allParams() map[string]any {
	out := decodeForm(formPairs(c.query), false)
	for k, v := range c.body {
		out[k] = v
	}
	return out
}
