package proxy_test

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// echoTunnelUpstream completes any Upgrade: websocket request with a 101
// and then echoes the bytes it receives (no WebSocket framing is needed
// to test a byte tunnel).
func echoTunnelUpstream(t *testing.T) *httptest.Server {
	srv := newTunnelUpstream()
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// newTunnelUpstream is echoTunnelUpstream, not started.
func newTunnelUpstream() *httptest.Server {
	return httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			http.Error(w, "no upgrade", 400)
			return
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: test\r\n\r\n")
		_ = brw.Flush()
		_, _ = io.Copy(conn, brw)
	}))
}

func TestWebSocket(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.route(e.service(echoTunnelUpstream(t).URL, nil), map[string]any{"paths": []any{"/ws"}})
	testTunnel(t, dialRaw(t, e), "/ws")
}

// TestWebSocketTLS: a client upgrading on the proxy's TLS listener (wss)
// reaches a cleartext (ws) and a TLS (wss) upstream. Kong 3.9 OSS has no
// ws/wss protocols: WebSocket routes and services are http/https ones.
func TestWebSocketTLS(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wss := newTunnelUpstream()
	wss.StartTLS()
	t.Cleanup(wss.Close)
	e.route(e.service(echoTunnelUpstream(t).URL, nil), map[string]any{"paths": []any{"/ws"}, "protocols": []any{"https"}})
	e.route(e.service(wss.URL, nil), map[string]any{"paths": []any{"/wss"}, "protocols": []any{"https"}})
	// ALPN http/1.1 only: WebSocket upgrades are HTTP/1.1.
	var addr string
	if testEngine == "native" {
		addr = serveNative(t, e.proxy, true, false)
	} else {
		proxy := httptest.NewUnstartedServer(e.proxy)
		proxy.StartTLS()
		t.Cleanup(proxy.Close)
		addr = proxy.Listener.Addr().String()
	}
	for _, path := range []string{"/ws", "/wss"} {
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // the test server's certificate
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		testTunnel(t, conn, path)
	}
}

// testTunnel upgrades conn to a WebSocket on path and checks that bytes
// go both ways, those sent with the handshake included.
func testTunnel(t *testing.T, conn net.Conn, path string) {
	t.Helper()
	_, _ = conn.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\nearly"))
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 101 || res.Header.Get("Upgrade") != "websocket" || res.Header.Get("Sec-Websocket-Accept") != "test" {
		t.Fatalf("handshake: %d %v", res.StatusCode, res.Header)
	}
	if res.Header.Get("Via") != "1.1 kong/3.9.1" || !hexID.MatchString(res.Header.Get("X-Kong-Request-Id")) {
		t.Errorf("the handshake goes through header_filter: %v", res.Header)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "early" {
		t.Fatalf("bytes sent with the handshake: %q, %v", buf, err)
	}
	for _, msg := range []string{"hello", "world, twice as long"} {
		_, _ = conn.Write([]byte(msg))
		buf := make([]byte, len(msg))
		if _, err := io.ReadFull(br, buf); err != nil || string(buf) != msg {
			t.Fatalf("echo %q: %q, %v", msg, buf, err)
		}
	}
}
