package ratelimit

import (
	"math"
	"strconv"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// headersKey is where the headers live in kong.ctx.shared, as Kong keeps
// them in ngx.ctx.__rate_limiting_context__.
const headersKey = "__rate_limiting_context__"

// Headers are the response headers the rate-limiting plugins recorded
// for the client. Both plugins record into the same set.
type Headers struct {
	fields []Header
	buf    [8]proxy.Header // fields' first backing array
}

// Header is one recorded response header.
type Header = proxy.Header

// ResponseHeaders returns the request's recorded headers, an empty set
// the first time.
func ResponseHeaders(kong *plugin.PDK) *Headers {
	sh := kong.Shared()
	rh, _ := sh[headersKey].(*Headers)
	if rh == nil {
		rh = &Headers{}
		rh.fields = rh.buf[:0]
		sh[headersKey] = rh
	}
	return rh
}

// Set records a response header, replacing one of the same name recorded
// before (kong.pdk.private.rate_limiting's store_response_header). Give
// name in its canonical form (http.CanonicalHeaderKey, as the response
// will spell it) to spare an allocation per header.
func (rh *Headers) Set(name, value string) {
	for i := range rh.fields {
		if rh.fields[i].Name == name {
			rh.fields[i].Value = value
			return
		}
	}
	rh.fields = append(rh.fields, Header{Name: name, Value: value})
}

// ApplyHeaders sets the recorded headers on the response, replacing
// those of the same names (apply_response_headers). Call it in
// header_filter: it serves the upstream's responses and the gateway's
// own, a refusal included.
func ApplyHeaders(kong *plugin.PDK) {
	rh, _ := kong.Shared()[headersKey].(*Headers)
	if rh == nil {
		return
	}
	proxy.SetFields(kong.Response.Header(), rh.fields)
}

// FormatNumber formats a limit or a count as Lua's tostring does (%.14g):
// 10, 7.5, 1e+15. Integers below 100 cost no allocation.
func FormatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e14 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 14, 64)
}
