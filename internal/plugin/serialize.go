package plugin

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// Serialized is a request as kong.log.serialize() describes it, the body
// the logging plugins (http-log, file-log, tcp-log, udp-log) send. Fields
// Kong leaves out when they have no value are omitted.
type Serialized struct {
	Request             SerializedRequest  `json:"request"`
	UpstreamURI         string             `json:"upstream_uri"`
	UpstreamStatus      string             `json:"upstream_status"`
	Response            SerializedResponse `json:"response"`
	Latencies           Latencies          `json:"latencies"`
	Tries               []SerializedTry    `json:"tries,omitempty"`
	AuthenticatedEntity *AuthenticatedID   `json:"authenticated_entity,omitempty"`
	Route               map[string]any     `json:"route,omitempty"`
	Service             map[string]any     `json:"service,omitempty"`
	Consumer            map[string]any     `json:"consumer,omitempty"`
	ClientIP            string             `json:"client_ip"`
	// StartedAt is the request's start in milliseconds since the epoch.
	StartedAt     int64  `json:"started_at"`
	Source        string `json:"source"`
	WorkspaceName string `json:"workspace_name"`
}

// SerializedRequest is the "request" part: header names lower-cased, a
// header or argument given once is a string, more often an array; an
// argument without "=" is true.
type SerializedRequest struct {
	ID          string         `json:"id"`
	URI         string         `json:"uri"`
	URL         string         `json:"url"`
	QueryString map[string]any `json:"querystring"`
	Method      string         `json:"method"`
	Headers     map[string]any `json:"headers"`
	Size        int64          `json:"size"`
}

// SerializedResponse is the "response" part.
type SerializedResponse struct {
	Status  int            `json:"status"`
	Headers map[string]any `json:"headers"`
	Size    int64          `json:"size"`
}

// Latencies are Kong's latencies in milliseconds: Kong is the gateway's
// own time (until the upstream was contacted, or until its own response),
// Proxy the upstream's until its response headers (-1 when not proxied),
// Request the whole request's, Receive the time the upstream's body took
// to be passed on.
type Latencies struct {
	Kong    int64 `json:"kong"`
	Proxy   int64 `json:"proxy"`
	Request int64 `json:"request"`
	Receive int64 `json:"receive"`
}

// SerializedTry is one try to reach an upstream; State and Code are set
// on failed tries.
type SerializedTry struct {
	IP                string `json:"ip"`
	Port              int    `json:"port"`
	BalancerLatency   int64  `json:"balancer_latency"`
	BalancerLatencyNS int64  `json:"balancer_latency_ns"`
	State             string `json:"state,omitempty"`
	Code              int    `json:"code,omitempty"`
}

// AuthenticatedID identifies the credential a request authenticated
// with. Kong reads a consumer_id field its credential rows do not have
// (they hold consumer.id), so only the id is ever set.
type AuthenticatedID struct {
	ID string `json:"id"`
}

// redacted are the request headers whose values kong.log.serialize
// replaces by "REDACTED".
var redacted = map[string]bool{"authorization": true, "proxy-authorization": true}

// maxArgs is how many query arguments nginx's get_uri_args returns.
const maxArgs = 100

// Latencies returns the entry's latencies as Kong reports them.
func (e *LogEntry) Latencies() Latencies {
	l := Latencies{Kong: millis(e.ResponseLatency), Proxy: -1, Request: millis(e.RequestLatency)}
	if len(e.Tries) > 0 {
		l.Kong, l.Proxy, l.Receive = millis(e.ProxyLatency), millis(e.UpstreamLatency), millis(e.ReceiveLatency)
	}
	return l
}

// Serialize returns the entry as kong.log.serialize() builds it.
func (e *LogEntry) Serialize() *Serialized {
	s := &Serialized{
		Request: SerializedRequest{
			ID: e.RequestID, URI: e.Request.URI,
			URL:         e.Request.Scheme + "://" + e.Request.Host + ":" + strconv.Itoa(e.Request.Port) + e.Request.URI,
			QueryString: queryArgs(e.Request.RawQuery), Method: e.Request.Method,
			Headers: headerTable(e.Request.Headers, true), Size: e.Request.Size,
		},
		UpstreamURI:    e.UpstreamURI,
		UpstreamStatus: e.upstreamStatus(),
		Response: SerializedResponse{Status: e.Response.Status, Headers: headerTable(e.Response.Headers, false),
			Size: e.Response.Size},
		Latencies:     e.Latencies(),
		Route:         routeTable(e.Route),
		Service:       serviceTable(e.Service),
		Consumer:      consumerTable(e.Consumer),
		ClientIP:      e.ClientIP,
		StartedAt:     e.StartedAt.UnixMilli(),
		Source:        SourceName(e.Response.Source),
		WorkspaceName: "default",
	}
	for _, t := range e.Tries {
		st := SerializedTry{IP: t.Addr.Addr().String(), Port: int(t.Addr.Port()),
			BalancerLatency: millis(t.BalancerLatency), BalancerLatencyNS: t.BalancerLatency.Nanoseconds()}
		if t.Failure != "" {
			st.State, st.Code = t.Failure, t.Status
		}
		s.Tries = append(s.Tries, st)
	}
	if e.Credential != nil {
		s.AuthenticatedEntity = &AuthenticatedID{ID: e.Credential.ID}
	}
	return s
}

// JSON returns Serialize's result as JSON, built once per entry: the
// logging plugins of a request share it and must not modify it.
func (e *LogEntry) JSON() []byte {
	e.jsonOnce.Do(func() {
		e.json, _ = json.Marshal(e.Serialize()) // maps of strings and numbers: no error
	})
	return e.json
}

// SourceName is what Kong's logs and metrics call a response source:
// "upstream" for the service's response, "kong" for the gateway's own.
func SourceName(source string) string {
	if source == proxy.SourceService {
		return "upstream"
	}
	return "kong"
}

// upstreamStatus is nginx's $upstream_status: the status of each try,
// comma separated ("502, 200"), "" when the request was not proxied.
func (e *LogEntry) upstreamStatus() string {
	var b strings.Builder
	for i, t := range e.Tries {
		if i > 0 {
			b.WriteString(", ")
		}
		status := t.Status
		if t.Failure == "" {
			status = e.UpstreamStatus
		}
		b.WriteString(strconv.Itoa(status))
	}
	return b.String()
}

func millis(d time.Duration) int64 { return d.Milliseconds() }

// headerTable is ngx's header table: lower-cased names, one value as a
// string, several as an array; request credentials are redacted.
func headerTable(h map[string][]string, request bool) map[string]any {
	out := make(map[string]any, len(h))
	for name, values := range h {
		if len(values) == 0 {
			continue
		}
		n := strings.ToLower(name)
		switch {
		case request && redacted[n]:
			out[n] = "REDACTED"
		case len(values) == 1:
			out[n] = values[0]
		default:
			out[n] = append([]string(nil), values...)
		}
	}
	return out
}

// queryArgs is nginx's get_uri_args: decoded arguments, true for one
// without "=", repeated ones as arrays, at most maxArgs.
func queryArgs(raw string) map[string]any {
	out := map[string]any{}
	n := 0
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		if n++; n > maxArgs {
			break
		}
		k, v, hasValue := strings.Cut(part, "=")
		k = unescape(k)
		if k == "" {
			continue
		}
		var val any = true
		if hasValue {
			val = unescape(v)
		}
		switch prev := out[k].(type) {
		case nil:
			out[k] = val
		case []any:
			out[k] = append(prev, val)
		default:
			out[k] = []any{prev, val}
		}
	}
	return out
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// routeTable is the route as Kong's router holds it, unset fields left
// out.
func routeTable(r *entities.Route) map[string]any {
	if r == nil {
		return nil
	}
	m := map[string]any{
		"id": r.ID, "protocols": r.Protocols, "https_redirect_status_code": r.HTTPSRedirectStatusCode,
		"strip_path": r.StripPath, "preserve_host": r.PreserveHost, "request_buffering": r.RequestBuffering,
		"response_buffering": r.ResponseBuffering, "regex_priority": r.RegexPriority, "path_handling": r.PathHandling,
	}
	setString(m, "name", r.Name)
	setStrings(m, "tags", r.Tags)
	setStrings(m, "snis", r.SNIs)
	setStrings(m, "methods", r.Methods)
	setStrings(m, "hosts", r.Hosts)
	setStrings(m, "paths", r.Paths)
	if len(r.Headers) > 0 {
		m["headers"] = r.Headers
	}
	if r.ServiceID != "" {
		m["service"] = map[string]any{"id": r.ServiceID}
	}
	return m
}

// serviceTable is the service as Kong's router holds it, unset fields
// left out.
func serviceTable(s *entities.Service) map[string]any {
	if s == nil {
		return nil
	}
	m := map[string]any{
		"id": s.ID, "protocol": s.Protocol, "host": s.Host, "port": s.Port, "retries": s.Retries,
		"connect_timeout": s.ConnectTimeout, "write_timeout": s.WriteTimeout, "read_timeout": s.ReadTimeout,
		"enabled": s.Enabled,
	}
	setString(m, "name", s.Name)
	setString(m, "path", s.Path)
	setStrings(m, "tags", s.Tags)
	setStrings(m, "ca_certificates", s.CACertificates)
	if s.ClientCertID != "" {
		m["client_certificate"] = map[string]any{"id": s.ClientCertID}
	}
	if s.TLSVerify != nil {
		m["tls_verify"] = *s.TLSVerify
	}
	if s.TLSVerifyDepth != nil {
		m["tls_verify_depth"] = *s.TLSVerifyDepth
	}
	return m
}

// consumerTable is the authenticated consumer, unset fields left out.
func consumerTable(c *entities.Consumer) map[string]any {
	if c == nil {
		return nil
	}
	m := map[string]any{"id": c.ID}
	setString(m, "username", c.Username)
	setString(m, "custom_id", c.CustomID)
	setStrings(m, "tags", c.Tags)
	return m
}

func setString(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func setStrings(m map[string]any, k string, v []string) {
	if len(v) > 0 {
		m[k] = v
	}
}
