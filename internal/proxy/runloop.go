package proxy

import (
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	lb "github.com/silverback-gw/silverback/internal/balancer"
)

// run takes a request through Kong's phases: rewrite, access (routing and
// the service request), balancer and the upstream tries, header_filter,
// body_filter, log.
func (p *Proxy) run(ex *exchange) {
	s := &ex.State
	if !p.rejectEarly(ex) {
		if p.plugins != nil {
			p.plugins.Rewrite(s)
		}
		if !s.exited() {
			p.access(s)
		}
		if !s.exited() {
			p.balanceAndProxy(ex)
		}
	}
	if s.exited() {
		p.respondExit(ex)
	}
	if p.plugins != nil {
		if ex.flushBeforeLog() {
			ex.w.Flush() // the client has the response before the log phase
		}
		p.plugins.Log(s)
	}
}

// nginx's large_client_header_buffers (4 8k): a request line or a header
// line must fit one 8 KiB buffer, and all header lines four of them.
const (
	maxHeaderLine        = 8 << 10
	maxHeaderTotal       = 4 * maxHeaderLine
	statusHeaderTooLarge = 494 // nginx's status, answered as 400 by Kong
)

// rejectEarly answers the requests nginx refuses before Kong's phases:
// TRACE and CONNECT (405), a request line too long (414), header lines too
// large (400 "Request header or cookie too large"), a declared body beyond
// client_max_body_size (413), and a request target that is not a path (400).
func (p *Proxy) rejectEarly(ex *exchange) bool {
	rq := &ex.request
	switch {
	case ex.in.lineLen+2 > maxHeaderLine:
		ex.fail(http.StatusRequestURITooLong)
	case headersTooLarge(ex.in.header):
		ex.fail(http.StatusBadRequest)
		ex.exit.message = errorMessage(statusHeaderTooLarge)
	case rq.method == http.MethodTrace || rq.method == http.MethodConnect:
		ex.fail(http.StatusMethodNotAllowed)
	case ex.body.limit > 0 && rq.length > ex.body.limit:
		ex.fail(http.StatusRequestEntityTooLarge)
	case !strings.HasPrefix(rq.rawPath, "/"):
		ex.fail(http.StatusBadRequest)
	default:
		return false
	}
	return true
}

// balanceAndProxy is Kong's access.after and balancer phases: pick the
// first peer (resolving names), then try peers until one answers or the
// service's retries are spent, and stream the answer.
func (p *Proxy) balanceAndProxy(ex *exchange) {
	s := &ex.State
	pr, berr := s.bal.Prepare(ex.ctx, p.balancers, p.hosts, s.snap.Upstreams, s.service.Host, s.service.Port, (*hashInput)(s))
	if berr != nil {
		s.Error(berr.Status, berr.Message)
		return
	}
	s.proxied = true
	defer s.bal.Report(lb.Outcome{}) // a try that never reached the upstream
	for try := 0; ; try++ {
		balancerStart := time.Now()
		if try > 0 {
			var ok bool
			if pr, ok = s.bal.Next(try); !ok {
				ex.fail(s.tries[len(s.tries)-1].Status) // the last failure stands
				return
			}
		}
		host := s.upstream.host
		if !s.upstream.hostFixed {
			host = hostHeader(pr, s.upstream.scheme)
		}
		if !validField(s.upstream.method, host) {
			// Only a plugin can set a method that is not a token or a Host
			// with control characters: Kong's PDK raises an error there.
			p.log.Error("invalid service request", "request_id", s.id, "method", s.upstream.method, "host", host)
			ex.Error(http.StatusInternalServerError, msgUnexpected)
			ex.unexpected = true
			return
		}
		now := time.Now()
		s.timings.balancerEnd = now
		s.tries = append(s.tries, Try{Addr: pr.Addr, BalancerLatency: now.Sub(balancerStart)})
		res := p.try(ex, pr, host)
		if res.err == nil {
			p.respondUpstream(ex, res.resp, res.conn)
			// not res.resp's: the connection, which owns it, is released
			s.bal.Report(lb.Outcome{Status: s.upstreamStatus})
			return
		}
		s.bal.Report(outcome(res))
		t := &s.tries[len(s.tries)-1]
		t.Failure, t.Status = "failed", res.status
		p.log.Debug("upstream try failed", "request_id", s.id, "try", try+1, "peer", pr.Addr, "error", res.err)
		if !res.retry || try >= s.service.Retries || ex.ctx.Err() != nil {
			ex.fail(res.status)
			if res.status >= 500 {
				p.log.Error("upstream failed", "request_id", s.id, "peer", pr.Addr, "tries", try+1, "error", res.err)
			}
			return
		}
	}
}

// respondUpstream sends the upstream's response: its headers minus the
// hop-by-hop ones, the plugins' header_filter, the gateway's headers, then
// the body as it arrives, through body_filter. The connection goes back to
// its pool when the exchange ended cleanly.
func (p *Proxy) respondUpstream(ex *exchange, resp *http.Response, c upstreamConn) {
	s := &ex.State
	if uc, ok := c.(*upConn); ok && resp.StatusCode == http.StatusSwitchingProtocols {
		p.tunnel(ex, resp, uc)
		return
	}
	p.copyResponseHeader(ex, resp)
	s.upstreamStatus = resp.StatusCode
	s.response = Response{status: resp.StatusCode, header: httpHeader(ex.w.Header()), source: SourceService}
	p.headerFilter(s)
	p.writeHeader(ex)

	if !c.buffered() && resp.ContentLength != 0 {
		ex.w.Flush() // the headers go now; the body may take its time
	}
	reusable := !resp.Close
	if err := p.copyBody(ex, resp.Body, c); err != nil {
		reusable = false
		ex.abort = true
		if _, upstream := err.(upstreamBodyError); upstream {
			p.log.Error("upstream response broken off", "request_id", s.id, "error", err)
		}
	} else if s.upstream.isGRPC() {
		copyTrailers(ex.w.Header(), resp.Trailer)
	}
	ex.release(c, reusable)
}

// upstreamBodyError is a failure reading the upstream's body (as opposed
// to writing it to the client).
type upstreamBodyError struct{ error }

// copyBody streams body to the client through the plugins' body_filter,
// flushing whenever no more upstream data is at hand.
func (p *Proxy) copyBody(ex *exchange, body io.Reader, c upstreamConn) error {
	s := &ex.State
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for {
		n, err := body.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if p.plugins != nil {
				chunk = p.plugins.BodyFilter(s, chunk, false)
			}
			if werr := ex.write(chunk); werr != nil {
				return werr
			}
			if !c.buffered() {
				ex.w.Flush()
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return upstreamBodyError{err}
		}
	}
	if p.plugins != nil {
		if last := p.plugins.BodyFilter(s, nil, true); len(last) > 0 {
			if err := ex.write(last); err != nil {
				return err
			}
		}
	}
	return nil
}

// release ends the try on c: the connection is pooled when the exchange
// ended cleanly and the request body was sent in full, else closed.
func (ex *exchange) release(c upstreamConn, reusable bool) {
	ex.conn = nil
	if err := ex.stopBody(c); err != nil {
		reusable = false
	}
	c.finish(reusable)
}

// copyResponseHeader copies the upstream's headers to the client's,
// dropping the hop-by-hop ones (Kong's header_filter.before and nginx's
// proxy module): Connection and the headers it names, Keep-Alive,
// Proxy-Connection, Transfer-Encoding (the server frames the body
// itself), Upgrade unless it is the upgrade asked for, Trailer unless the
// client accepts trailers (the trailers themselves are not passed, as
// nginx's proxy_pass_trailers is off), and nginx's X-Accel-* control headers.
func (p *Proxy) copyResponseHeader(ex *exchange, resp *http.Response) {
	dst := ex.w.Header()
	conn := strings.Join(resp.Header["Connection"], ",")
	listed := conn != "" &&
		!strings.EqualFold(conn, "keep-alive") &&
		!strings.EqualFold(conn, "close") &&
		!strings.EqualFold(conn, "upgrade")
	upgrade := ex.State.upstream.header.Get("Upgrade")
	trailers := ex.State.upstream.header.has("TE")
	for name, values := range resp.Header {
		switch name {
		case "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding":
			continue
		case "Upgrade":
			if upgrade == "" || !strings.EqualFold(values[0], upgrade) {
				continue
			}
		}
		if listed && hasToken(conn, name) && !hasToken("close,upgrade,keep-alive", name) {
			continue
		}
		if strings.HasPrefix(name, "X-Accel-") {
			continue
		}
		dst[name] = values
	}
	// The response readers move the Trailer header into resp.Trailer.
	if trailers && len(resp.Trailer) > 0 {
		dst["Trailer"] = []string{strings.Join(slices.Sorted(maps.Keys(resp.Trailer)), ", ")}
	}
}

// headerFilter runs the plugins' header_filter, then sets the gateway's
// own response headers as Kong's header_filter.after does: for proxied
// requests the latencies, Via and a Server the upstream did not send, for
// the gateway's own responses X-Kong-Response-Latency and Server; the
// request id always. X-Kong-Upstream-Status goes before the plugins.
func (p *Proxy) headerFilter(s *State) {
	s.timings.headerFilter = time.Now()
	h := s.response.header
	hs := &p.opts.Headers
	if s.proxied && hs.UpstreamStatus {
		h.Set("X-Kong-Upstream-Status", strconv.Itoa(s.response.status))
	}
	if c := s.bal.SetCookie(); c != "" { // Kong sets it in the balancer, before header_filter
		h.Add("Set-Cookie", c)
	}
	if p.opts.AllowDebugHeader && s.route != nil && s.request.header.Get("Kong-Debug") != "" {
		setDebugHeaders(h, s)
	}
	if p.plugins != nil {
		p.plugins.HeaderFilter(s)
	}
	if s.proxied {
		if hs.UpstreamLatency {
			setMillis(h, "X-Kong-Upstream-Latency", s.timings.UpstreamLatency())
		}
		if hs.ProxyLatency {
			setMillis(h, "X-Kong-Proxy-Latency", s.timings.ProxyLatency())
		}
		if hs.Via {
			// The upstream's protocol: nginx's proxy module speaks HTTP/1.1,
			// its grpc module HTTP/2.
			token, via := p.via11, p.via
			if s.upstream.isGRPC() {
				token, via = p.via2, p.viaH2
			}
			if v := h.Get("Via"); v != "" && s.response.source == SourceService {
				h.Set("Via", v+", "+token)
			} else {
				setShared(h, "Via", via)
			}
		}
		if hs.Server && h.Get("Server") == "" {
			setShared(h, "Server", p.server)
		}
	} else {
		if hs.ResponseLatency {
			setMillis(h, "X-Kong-Response-Latency", s.timings.ResponseLatency())
		}
		// A plugin that answered with Via: kong/<version> keeps Server unset.
		if !(hs.Via && h.Get("Via") == p.opts.ServerToken) {
			if hs.Server {
				setShared(h, "Server", p.server)
			} else {
				h.Del("Server")
			}
		}
	}
	if hs.RequestID {
		h.Set("X-Kong-Request-Id", s.id)
	}
}

// setDebugHeaders names the matched route and service (Kong's
// router add_debug_headers).
func setDebugHeaders(h HeaderMap, s *State) {
	h.Set("Kong-Route-Id", s.route.ID)
	if s.route.Name != "" {
		h.Set("Kong-Route-Name", s.route.Name)
	}
	if s.service != nil {
		h.Set("Kong-Service-Id", s.service.ID)
		if s.service.Name != "" {
			h.Set("Kong-Service-Name", s.service.Name)
		}
	}
}

// respondExit sends a response the gateway produced: a plugin's or the
// router's exit, or an error in Kong's format for the request.
func (p *Proxy) respondExit(ex *exchange) {
	s := &ex.State
	e := &s.exit
	h := ex.w.Header()
	for _, f := range e.header.fields {
		h.Set(f.Name, f.Value)
	}
	body := e.body
	if e.kind != 0 {
		body = p.errorBody(ex, h)
	}
	body = grpcExit(s, h, e.status, body)
	if h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	source := SourceExit
	if s.unexpected {
		source = SourceError
	}
	s.response = Response{status: e.status, header: httpHeader(h), source: source}
	p.headerFilter(s)
	p.writeHeader(ex)
	if s.request.method == http.MethodHead {
		body = nil // body_filter still runs, with nothing
	}
	if p.plugins != nil {
		body = p.plugins.BodyFilter(s, body, true)
	}
	if len(body) > 0 && s.request.method != http.MethodHead {
		_ = ex.write(body)
	}
}

// errorBody returns the body of a gateway error in Kong's format for the
// request and sets its Content-Type (kong.response.error and
// Kong.handle_error, see errorKind). An error given its own Content-Type
// (kong.response.error's headers argument) gets the template of that
// type. A gRPC call gets no body: grpcExit puts the status in grpc-status
// and grpc-message.
func (p *Proxy) errorBody(ex *exchange, h http.Header) []byte {
	e := &ex.exit
	var f errorFormat
	if ct := h.Get("Content-Type"); ct != "" {
		if e.kind == kongError && ct == contentTypeGRPC {
			return nil
		}
		f = negotiateFormat(ct)
	} else if e.kind == kongError && ex.request.IsGRPC() {
		h.Set("Content-Type", contentTypeGRPC)
		return nil
	} else if accept, _ := nginxAccept(ex.in.header); e.kind == nginxError && strings.HasPrefix(accept, contentTypeGRPC) {
		// Kong.handle_error answers a gRPC client {message = ...}: its
		// message for a gRPC call (grpcExit), JSON for anything else.
		if ex.request.IsGRPC() {
			ex.errBody = append(ex.errBody[:0], e.message...)
			return ex.errBody
		}
		h.Set("Content-Type", formatJSON.contentType())
		ex.errBody = append(append(append(ex.errBody[:0], `{"message":"`...), e.message...), `"}`...)
		return ex.errBody
	} else {
		f = p.errorFormat(ex, e.kind)
		h.Set("Content-Type", f.contentType())
	}
	if tmpl := p.opts.ErrorTemplates.template(f); tmpl != "" {
		ex.errBody = appendTemplate(ex.errBody[:0], tmpl, e.message, ex.id)
	} else {
		ex.errBody = appendErrorBody(ex.errBody[:0], f, e.message, ex.id)
	}
	return ex.errBody
}

// writeHeader sends the response head. While the client is still
// sending a body the upstream will not get, the connection is closed
// after this response (as nginx does), since the rest of the body is not
// read.
func (p *Proxy) writeHeader(ex *exchange) {
	if ex.unfinishedBody() && ex.request.version != "2" {
		ex.w.Header().Set("Connection", "close")
	}
	ex.w.WriteHeader(ex.response.status)
	ex.wroteHeader = true
}

// errorFormat negotiates an error's format (Kong's two paths, see
// errorKind).
func (p *Proxy) errorFormat(ex *exchange, kind errorKind) errorFormat {
	h := ex.in.header
	if kind == kongError {
		accept := h["Accept"]
		if len(accept) == 0 {
			return formatJSON
		}
		if len(accept) == 1 {
			return negotiateFormat(accept[0])
		}
		return negotiateFormat(strings.Join(accept, ","))
	}
	if accept, ok := nginxAccept(h); ok {
		return negotiateFormat(accept)
	}
	return p.errorDefault
}

// nginxAccept is what Kong.handle_error negotiates on: the request's
// Accept, else its Content-Type; ok is false when it has neither.
func nginxAccept(h http.Header) (accept string, ok bool) {
	if v, ok := h["Accept"]; ok {
		return v[0], true
	}
	if v, ok := h["Content-Type"]; ok {
		return v[0], true
	}
	return "", false
}

// headersTooLarge reports whether the request's header lines exceed what
// nginx buffers (counted as "Name: value\r\n").
func headersTooLarge(h http.Header) bool {
	total := 0
	for name, values := range h {
		for _, v := range values {
			n := len(name) + len(v) + 4
			if n > maxHeaderLine {
				return true
			}
			total += n
		}
	}
	return total > maxHeaderTotal
}
