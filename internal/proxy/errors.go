package proxy

import "strconv"

// Messages of the errors the gateway itself answers with, byte for byte
// Kong's (kong/runloop/handler.lua, kong/error_handlers.lua; the balancer's are
// package balancer's PeerError).
const (
	msgNoRoute    = "no Route matched with those values"
	msgNoService  = "no Service found with those values"
	msgUseHTTPS   = "Please use HTTPS protocol"
	msgBadGateway = "An invalid response was received from the upstream server"
	msgTimeout    = "The upstream server is timing out"
	msgUnexpected = "An unexpected error occurred"
)

// errorKind says how a gateway error picks its format (see negotiate.go).
type errorKind uint8

const (
	// kongError is kong.response.error: negotiated on Accept, JSON when
	// the request has none. The router, the balancer and plugins use it.
	kongError errorKind = iota + 1
	// nginxError is nginx's error_page handled by Kong.handle_error:
	// Accept, else the request's Content-Type, else error_default_type.
	// Upstream failures (502, 504) and client errors (400, 405, 413) use it.
	nginxError
)

// errorMessages are Kong's messages for a status given without one:
// kong.response.error(status) (kong/pdk/response.lua) and nginx's own
// errors (kong/error_handlers.lua) share them.
var errorMessages = map[int]string{
	400: "Bad request",
	401: "Unauthorized",
	402: "Payment required",
	403: "Forbidden",
	404: "Not found",
	405: "Method not allowed",
	406: "Not acceptable",
	407: "Proxy authentication required",
	408: "Request timeout",
	409: "Conflict",
	410: "Gone",
	411: "Length required",
	412: "Precondition failed",
	413: "Payload too large",
	414: "URI too long",
	415: "Unsupported media type",
	416: "Range not satisfiable",
	417: "Expectation failed",
	418: "I'm a teapot",
	421: "Misdirected request",
	422: "Unprocessable entity",
	423: "Locked",
	424: "Failed dependency",
	425: "Too early",
	426: "Upgrade required",
	428: "Precondition required",
	429: "Too many requests",
	431: "Request header fields too large",
	451: "Unavailable for legal reasons",
	494: "Request header or cookie too large",
	500: msgUnexpected,
	501: "Not implemented",
	502: msgBadGateway,
	503: "The upstream server is currently unavailable",
	504: msgTimeout,
	505: "HTTP version not supported",
	506: "Variant also negotiates",
	507: "Insufficient storage",
	508: "Loop detected",
	510: "Not extended",
	511: "Network authentication required",
}

// errorMessage returns Kong's message for status.
func errorMessage(status int) string {
	if m, ok := errorMessages[status]; ok {
		return m
	}
	return "The upstream server responded with " + strconv.Itoa(status)
}

// errorFormat is one of Kong's error templates (kong/tools/http.lua).
type errorFormat uint8

const (
	formatJSON errorFormat = iota
	formatHTML
	formatXML
	formatPlain
)

// contentType is the Content-Type Kong sends with a format.
func (f errorFormat) contentType() string {
	switch f {
	case formatHTML:
		return "text/html; charset=utf-8"
	case formatXML:
		return "application/xml; charset=utf-8"
	case formatPlain:
		return "text/plain; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

// template returns the custom template for f, "" for Kong's.
func (t *ErrorTemplates) template(f errorFormat) string {
	switch f {
	case formatHTML:
		return t.HTML
	case formatXML:
		return t.XML
	case formatPlain:
		return t.Plain
	}
	return t.JSON
}

// appendTemplate formats a custom template as Lua's string.format does
// with two string arguments: %s takes the next one, %% is a percent sign.
func appendTemplate(b []byte, tmpl string, args ...string) []byte {
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '%' || i+1 == len(tmpl) {
			b = append(b, c)
			continue
		}
		switch tmpl[i+1] {
		case 's':
			if len(args) > 0 {
				b = append(b, args[0]...)
				args = args[1:]
			}
			i++
		case '%':
			b = append(b, '%')
			i++
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendErrorBody appends Kong's error body for message and request id.
// Like Kong's string.format, the message is inserted as is, unescaped.
func appendErrorBody(b []byte, f errorFormat, message, requestID string) []byte {
	switch f {
	case formatHTML:
		b = append(b, "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>"...)
		b = append(b, message...)
		b = append(b, ".</p>\n    <p>request_id: "...)
		b = append(b, requestID...)
		return append(b, "</p>\n  </body>\n</html>\n"...)
	case formatXML:
		b = append(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n  <message>"...)
		b = append(b, message...)
		b = append(b, "</message>\n  <requestid>"...)
		b = append(b, requestID...)
		return append(b, "</requestid>\n</error>\n"...)
	case formatPlain:
		b = append(b, message...)
		b = append(b, "\nrequest_id: "...)
		b = append(b, requestID...)
		return append(b, '\n')
	}
	b = append(b, "{\n  \"message\":\""...)
	b = append(b, message...)
	b = append(b, "\",\n  \"request_id\":\""...)
	b = append(b, requestID...)
	return append(b, "\"\n}"...)
}
