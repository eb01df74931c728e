package proxy_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/runtime"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
)

// env is a gateway under test: a memory store, a runtime holder and the
// proxy on a real loopback listener.
type env struct {
	t      testing.TB
	db     *store.DB
	holder *runtime.Holder
	proxy  *proxy.Proxy
	srv    *testServer
	client *http.Client
}

// testServer is the proxy's listener in a test.
type testServer struct {
	URL      string
	Listener interface{ Addr() net.Addr }
}

// addrListener gives a served address the Addr method of a listener.
type addrListener string

func (a addrListener) Addr() net.Addr {
	ap, _ := netip.ParseAddrPort(string(a))
	return net.TCPAddrFromAddrPort(ap)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newEnv starts a proxy with Kong's default options changed by opts, on
// the engine under test (see TestMain).
func newEnv(t testing.TB, opts ...func(*proxy.Options)) *env {
	t.Helper()
	return newEnvEngine(t, testEngine, opts...)
}

// newEnvEngine is newEnv on the given engine.
func newEnvEngine(t testing.TB, engine string, opts ...func(*proxy.Options)) *env {
	t.Helper()
	plugins, err := plugin.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := entities.NewCatalog(plugins)
	db := store.New(memory.New(c), c)
	h := runtime.NewHolder(func() *store.DB { return db }, quietLogger())
	if err := h.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	o := proxy.DefaultOptions(h)
	o.Logger = quietLogger()
	for _, f := range opts {
		f(&o)
	}
	p := proxy.New(o)
	e := &env{t: t, db: db, holder: h, proxy: p, srv: serveProxy(t, p, engine),
		client: &http.Client{Transport: &http.Transport{DisableCompression: true}}}
	t.Cleanup(func() {
		e.client.CloseIdleConnections()
		p.Close()
	})
	return e
}

// serveProxy serves p on a loopback listener with engine ("native" or
// "nethttp") until the test ends.
func serveProxy(t testing.TB, p *proxy.Proxy, engine string) *testServer {
	t.Helper()
	if engine == "nethttp" {
		srv := httptest.NewUnstartedServer(p)
		// As the gateway's listeners: "OPTIONS *" goes to the proxy (400, as
		// nginx) instead of net/http's built-in 200.
		srv.Config.DisableGeneralOptionsHandler = true
		srv.Start()
		t.Cleanup(srv.Close)
		return &testServer{URL: srv.URL, Listener: srv.Listener}
	}
	addr := serveNative(t, p, false, false)
	return &testServer{URL: "http://" + addr, Listener: addrListener(addr)}
}

// serveNative serves p with the native engine, over TLS (httptest's
// certificate) when tlsOn, handing HTTP/2 (ALPN h2, or the cleartext
// preface) to net/http's server when h2; it returns the address.
func serveNative(t testing.TB, p *proxy.Proxy, tlsOn, h2 bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &proxy.Server{Proxy: p, ReadHeaderTimeout: time.Minute, IdleTimeout: 75 * time.Second}
	h2srv := &http.Server{Handler: p, Protocols: new(http.Protocols), ErrorLog: log.New(io.Discard, "", 0)}
	h2srv.Protocols.SetHTTP1(true)
	if tlsOn {
		certSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
		certSrv.StartTLS()
		certs := certSrv.TLS.Certificates
		certSrv.Close()
		cfg := &tls.Config{Certificates: certs, NextProtos: []string{"http/1.1"}}
		if h2 {
			cfg.NextProtos = []string{"h2", "http/1.1"}
			h2srv.Protocols.SetHTTP2(true)
		}
		h2srv.TLSConfig = cfg
		ln = tls.NewListener(ln, cfg)
	} else if h2 {
		h2srv.Protocols.SetUnencryptedHTTP2(true)
	}
	if h2 {
		srv.H2 = h2srv
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String()
}

// write runs fn in a store transaction, then rebuilds the snapshot.
func (e *env) write(fn func(ctx context.Context, tx *store.Txn) error) {
	e.t.Helper()
	ctx := context.Background()
	if err := e.db.Update(ctx, func(tx *store.Txn) error { return fn(ctx, tx) }); err != nil {
		e.t.Fatal(err)
	}
	if err := e.holder.Rebuild(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// insert creates an entity and returns its id.
func (e *env) insert(entity string, row map[string]any) string {
	e.t.Helper()
	var id string
	e.write(func(ctx context.Context, tx *store.Txn) error {
		r, err := tx.Insert(ctx, entity, row)
		if err == nil {
			id = r["id"].(string)
		}
		return err
	})
	return id
}

// service creates a service for url with extra fields.
func (e *env) service(url string, extra map[string]any) string {
	row := map[string]any{"url": url}
	for k, v := range extra {
		row[k] = v
	}
	return e.insert("services", row)
}

// route creates a route of service (none when "") with fields.
func (e *env) route(service string, fields map[string]any) string {
	row := map[string]any{}
	for k, v := range fields {
		row[k] = v
	}
	if service != "" {
		row["service"] = map[string]any{"id": service}
	}
	return e.insert("routes", row)
}

// request is a request to the proxy.
type request struct {
	method, path, host, body string
	header                   http.Header
}

// do sends r to the proxy and returns the response with its body read.
func (e *env) do(r request) (*http.Response, string) {
	e.t.Helper()
	req, err := newHTTPRequest(e, r)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	body, err := readBody(res)
	if err != nil {
		e.t.Fatal(err)
	}
	return res, body
}

// echoed is what the echo upstream saw.
type echoed struct {
	ID      string      `json:"id"`
	Method  string      `json:"method"`
	URI     string      `json:"uri"`
	Host    string      `json:"host"`
	Proto   string      `json:"proto"`
	Headers http.Header `json:"headers"`
	Body    string      `json:"body"`
}

// echoUpstream is an upstream that answers with what reached it, as JSON,
// and counts its requests.
type echoUpstream struct {
	*httptest.Server
	id    string
	count atomic.Int64
}

func newEcho(t testing.TB, id string) *echoUpstream {
	t.Helper()
	return newEchoOn(t, "127.0.0.1:0", id)
}

// newEchoOn returns an echo upstream listening on addr.
func newEchoOn(t testing.TB, addr, id string) *echoUpstream {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	u := &echoUpstream{id: id}
	u.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.count.Add(1)
		b, _ := io.ReadAll(r.Body)
		h := r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(echoed{ID: u.id, Method: r.Method, URI: r.RequestURI, Host: r.Host,
			Proto: r.Proto, Headers: h, Body: string(b)})
	}))
	u.Listener.Close()
	u.Listener = ln
	u.Start()
	t.Cleanup(u.Close)
	return u
}

// decodeEcho reads an echo upstream's answer.
func decodeEcho(t testing.TB, body string) echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not an echo answer: %v: %q", err, body)
	}
	return e
}

// tcpUpstream serves each connection it accepts with handle, then closes
// it; it returns the address.
func tcpUpstream(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// proxyPort returns the proxy's listening port as text.
func (e *env) proxyPort() string {
	_, port, _ := net.SplitHostPort(e.srv.Listener.Addr().String())
	return port
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, d time.Duration, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cond()
}

// dialRaw opens a TCP connection to the proxy.
func dialRaw(t testing.TB, e *env) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", e.srv.Listener.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return conn
}

func readAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// trustLoopback makes the test client a trusted peer.
func trustLoopback(o *proxy.Options) {
	o.TrustedIPs = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
}

// newHTTPRequest builds the net/http request do would send.
func newHTTPRequest(e *env, r request) (*http.Request, error) {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequest(cmpOr(r.method, "GET"), e.srv.URL+r.path, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	if r.host != "" {
		req.Host = r.host
	}
	return req, nil
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// readBody reads and closes a response body.
func readBody(res *http.Response) (string, error) {
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}
