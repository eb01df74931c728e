package proxy

// Response is the response on its way to the client (Kong's
// kong.response), readable and changeable in header_filter.
type Response struct {
	status int
	header HeaderMap
	source string
}

// Response sources, as kong.response.get_source names them.
const (
	SourceService = "service" // the upstream's response
	SourceExit    = "exit"    // a response a plugin or the router produced
	SourceError   = "error"   // a failure: upstream error, timeout, panic
)

// Status returns the status sent to the client.
func (r *Response) Status() int { return r.status }

// SetStatus changes the status sent to the client (header_filter only).
func (r *Response) SetStatus(status int) { r.status = status }

// Header gives access to the response headers.
func (r *Response) Header() HeaderMap { return r.header }

// Source tells where the response comes from: SourceService, SourceExit
// or SourceError.
func (r *Response) Source() string { return r.source }
