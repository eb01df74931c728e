package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/netip"
	"strings"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// PDK is what a handler sees of one request, in the spirit of Kong's PDK.
// It is valid only during the call it is given to: keep nothing from it.
type PDK struct {
	// Request reads the client's request (kong.request).
	Request *proxy.Request
	// ServiceRequest changes the request sent upstream
	// (kong.service.request); changes made in access are sent.
	ServiceRequest *proxy.ServiceRequest
	// Response produces or changes the response (kong.response).
	Response Response
	// Client describes the client and who it authenticated as
	// (kong.client).
	Client Client
	// Log is the gateway's logger tagged with the plugin name (kong.log).
	Log *slog.Logger
	// Cache is the node's entity cache (kong.cache): credentials and
	// consumers by cache key. Nil when the runtime has none.
	Cache *Cache

	state    *proxy.State
	instance *Instance      // the instance being run
	bodyArgs map[string]any // BodyArgs, once parsed
	bodyErr  error
}

// Context returns the request's context, done when the client goes away:
// pass it to what a handler waits on (the cache, a database, a server).
func (k *PDK) Context() context.Context { return k.state.Context() }

// Shared is a map the plugins of a request share (kong.ctx.shared).
func (k *PDK) Shared() map[string]any { return k.state.Ctx() }

// Plugin returns the plugin instance being run (kong.plugin.get_id is
// its ID); its RouteID, ServiceID and ConsumerID are its scope.
func (k *PDK) Plugin() *Instance { return k.instance }

// PluginID returns the id of the plugin instance being run
// (kong.plugin.get_id).
func (k *PDK) PluginID() string {
	if k.instance == nil {
		return ""
	}
	return k.instance.ID
}

// NodeTLS returns the node's TLS trust for connections plugins open
// themselves, as Kong's Lua sockets verify with lua_ssl_trusted_certificate
// and lua_ssl_verify_depth; nil before a snapshot exists.
func (k *PDK) NodeTLS() *runtime.NodeTLS {
	if snap := k.state.Snapshot(); snap != nil {
		return snap.Node
	}
	return nil
}

// RequestID returns the request's id (X-Kong-Request-Id).
func (k *PDK) RequestID() string { return k.state.RequestID() }

// Route returns the matched route (kong.router.get_route), nil in
// rewrite.
func (k *PDK) Route() *entities.Route { return k.state.Route() }

// Service returns the matched route's service (kong.router.get_service).
func (k *PDK) Service() *entities.Service { return k.state.Service() }

// Response is kong.response: ending the request with a response of the
// gateway's own (rewrite, access) or changing the response on its way
// (header_filter).
type Response struct {
	state *proxy.State
	req   *request
}

// Exit ends the request with status, body (sent as is) and headers
// instead of proxying it (kong.response.exit with a string body). It
// returns ErrExit for the handler to return.
func (r Response) Exit(status int, body []byte, headers ...proxy.Header) error {
	r.state.Exit(status, body, headers...)
	r.req.exited = true
	return ErrExit
}

// ExitJSON is kong.response.exit with a table body: v as compact JSON
// (without Go's escaping of &, < and >, as Kong's cjson), with
// Content-Type application/json; charset=utf-8 unless headers set one. A
// gRPC call (proxy.Request.IsGRPC) given no Content-Type gets no body, as
// in Kong: v's "message" string, if it has one, becomes grpc-message.
func (r Response) ExitJSON(status int, v any, headers ...proxy.Header) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if !hasHeader(headers, "Content-Type") {
		if r.state.Request().IsGRPC() {
			return r.Exit(status, grpcMessage(body), headers...)
		}
		headers = append(headers, proxy.Header{Name: "Content-Type", Value: "application/json; charset=utf-8"})
	}
	return r.Exit(status, body, headers...)
}

// grpcMessage is the "message" string of a JSON object, nil when it has
// none: what Kong keeps of a table body for a gRPC call.
func grpcMessage(object []byte) []byte {
	var m struct {
		Message *string `json:"message"`
	}
	if json.Unmarshal(object, &m) != nil || m.Message == nil {
		return nil
	}
	return []byte(*m.Message)
}

// Message is the body of Kong's exits with a message table:
// {"message":"..."}.
type Message struct {
	Message string `json:"message"`
}

// Error ends the request with Kong's error body for status and message,
// in the format the client accepts, JSON by default, with the request id
// (kong.response.error). An empty message is the status's default.
func (r Response) Error(status int, message string, headers ...proxy.Header) error {
	r.state.Error(status, message, headers...)
	r.req.exited = true
	return ErrExit
}

// Status returns the status sent to the client (header_filter and later).
func (r Response) Status() int { return r.state.Response().Status() }

// SetStatus changes the status sent to the client (header_filter).
func (r Response) SetStatus(status int) { r.state.Response().SetStatus(status) }

// Header gives access to the response headers in header_filter; it is
// nil before (in access, pass headers to Exit or Error instead).
func (r Response) Header() proxy.HeaderMap { return r.state.Response().Header() }

// Source tells where the response comes from (kong.response.get_source):
// proxy.SourceService, SourceExit or SourceError.
func (r Response) Source() string { return r.state.Response().Source() }

// Credential is the credential a request authenticated with
// (kong.client.get_credential).
type Credential struct {
	ID         string
	ConsumerID string
	// Identifier is what X-Credential-Identifier tells the upstream, when
	// it is not ID: basic-auth and hmac-auth send the username, jwt the
	// key, oauth2 the client_id.
	Identifier string
}

// Client is kong.client: the client's address and who it authenticated
// as.
type Client struct {
	state *proxy.State
	req   *request
}

// IP returns the TCP peer's address (kong.client.get_ip).
func (c Client) IP() string { return c.state.Client().IP() }

// ForwardedIP returns the client's address after trusted_ips and
// real_ip_header (kong.client.get_forwarded_ip): an untrusted peer cannot
// set it with X-Forwarded-For.
func (c Client) ForwardedIP() string { return c.state.Client().ForwardedIP() }

// ForwardedAddr returns ForwardedIP as an address.
func (c Client) ForwardedAddr() netip.Addr { return c.state.Client().ForwardedAddr() }

// Trusted reports whether the TCP peer is among trusted_ips
// (kong.ip.is_trusted): only then are its X-Forwarded-* headers believed.
func (c Client) Trusted() bool { return c.state.Client().Trusted() }

// Port returns the TCP peer's port (kong.client.get_port).
func (c Client) Port() int { return c.state.Client().Port() }

// Consumer returns the authenticated consumer, nil when none
// (kong.client.get_consumer).
func (c Client) Consumer() *entities.Consumer { return c.req.consumer }

// Credential returns the authenticated credential, nil when none
// (kong.client.get_credential).
func (c Client) Credential() *Credential { return c.req.credential }

// Authenticate records who the request authenticated as
// (kong.client.authenticate): plugins reached afterwards see them, and
// their consumer-scoped configurations apply.
func (c Client) Authenticate(consumer *entities.Consumer, credential *Credential) {
	c.req.consumer, c.req.credential = consumer, credential
}

func hasHeader(hs []proxy.Header, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}
