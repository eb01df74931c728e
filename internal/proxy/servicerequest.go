package proxy

import "strings"

// ServiceRequest is the request the gateway is about to send upstream
// (Kong's kong.service.request). Access builds it from the client's
// request; plugins change it before the balancer phase.
type ServiceRequest struct {
	scheme   string // the service's protocol: "http", "https", "grpc" or "grpcs"
	method   string
	path     string // escaped, as sent on the request line
	rawQuery string
	hasQuery bool // send "?" even when rawQuery is empty
	// host is the Host header: the client's with preserve_host, else ""
	// until the balancer picks a target (then target host[:port]).
	host      string
	hostFixed bool // host was set by preserve_host or SetHeader("Host")
	header    headerList
	body      []byte // set by SetBody
	bodySet   bool
}

// Scheme returns the protocol used to reach the upstream.
func (r *ServiceRequest) Scheme() string { return r.scheme }

// Method returns the method sent upstream.
func (r *ServiceRequest) Method() string { return r.method }

// SetMethod changes the method sent upstream.
func (r *ServiceRequest) SetMethod(m string) { r.method = m }

// Path returns the path sent upstream, escaped.
func (r *ServiceRequest) Path() string { return r.path }

// SetPath changes the path sent upstream; p must be escaped and start
// with "/".
func (r *ServiceRequest) SetPath(p string) { r.path = p }

// RawQuery returns the query string sent upstream, without "?".
func (r *ServiceRequest) RawQuery() string { return r.rawQuery }

// SetRawQuery changes the query string sent upstream.
func (r *ServiceRequest) SetRawQuery(q string) { r.rawQuery, r.hasQuery = q, q != "" }

// Header returns the first value of a header to be sent upstream.
func (r *ServiceRequest) Header(name string) string {
	if strings.EqualFold(name, "Host") {
		return r.host
	}
	return r.header.Get(name)
}

// Headers gives read access to the headers to be sent upstream (Host is
// not among them: see Header).
func (r *ServiceRequest) Headers() HeaderReader { return &r.header }

// SetHeader replaces a header sent upstream. Setting Host fixes the Host
// header for every try, as preserve_host does.
func (r *ServiceRequest) SetHeader(name, value string) {
	if strings.EqualFold(name, "Host") {
		r.host, r.hostFixed = value, true
		return
	}
	r.header.Set(name, value)
}

// AddHeader adds a value to a header sent upstream.
func (r *ServiceRequest) AddHeader(name, value string) {
	if strings.EqualFold(name, "Host") {
		r.SetHeader(name, value)
		return
	}
	r.header.Add(name, value)
}

// ClearHeader removes a header from the request sent upstream.
func (r *ServiceRequest) ClearHeader(name string) { r.header.Del(name) }
