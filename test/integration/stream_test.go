package integration

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// streamEcho serves a TCP echo (TLS with certPEM/keyPEM when set) and
// returns its port.
func streamEcho(t *testing.T, certPEM, keyPEM string) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	if certPEM != "" {
		pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
		if err != nil {
			t.Fatal(err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{pair}})
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// udpEchoPort serves a UDP echo and returns its port.
func udpEchoPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:n], from)
		}
	}()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// echoes reports whether c sends msg back.
func echoes(c net.Conn, msg string) bool {
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, msg); err != nil {
		return false
	}
	buf := make([]byte, len(msg))
	_, err := io.ReadFull(c, buf)
	return err == nil && string(buf) == msg
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	var port int
	fmt.Sscan(p, &port)
	return port
}

func pemPool(t *testing.T, certPEM string) *x509.CertPool {
	t.Helper()
	blk, _ := pem.Decode([]byte(certPEM))
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p := x509.NewCertPool()
	p.AddCert(c)
	return p
}

// TestStreamListen: a node with stream_listen entries (plain, ssl, udp)
// proxies tcp, tls (terminated with a certificates entity chosen by SNI),
// tls_passthrough and udp routes created through the Admin API, and GET /
// lists the stream listeners as Kong does.
func TestStreamListen(t *testing.T) {
	n := start(t, map[string]string{"stream_listen": "127.0.0.1:0, 127.0.0.1:0 ssl, 127.0.0.1:0 udp reuseport"})
	addrs := n.g.Addrs()["stream"]
	if len(addrs) != 3 {
		t.Fatalf("stream listeners %v", addrs)
	}
	tcpAddr, sslAddr, udpAddr := addrs[0], addrs[1], addrs[2]

	echoPort := streamEcho(t, "", "")
	upCert, upKey := selfSigned(t, "upstream.pass")
	tlsEchoPort := streamEcho(t, upCert, upKey)
	udpPort := udpEchoPort(t)
	termCert, termKey := selfSigned(t, "term.test")
	b, _ := json.Marshal(map[string]any{"cert": termCert, "key": termKey, "snis": []string{"term.test"}})
	mustAdmin(t, n, "POST", "/certificates", string(b), 201)

	service := func(name, url string) {
		mustAdmin(t, n, "POST", "/services", fmt.Sprintf(`{"name":%q,"url":%q}`, name, url), 201)
	}
	route := func(svc, body string) { mustAdmin(t, n, "POST", "/services/"+svc+"/routes", body, 201) }
	service("echo", fmt.Sprintf("tcp://127.0.0.1:%d", echoPort))
	service("tls-echo", fmt.Sprintf("tcp://127.0.0.1:%d", tlsEchoPort))
	service("udp-echo", fmt.Sprintf("udp://127.0.0.1:%d", udpPort))
	// Protocols are not matched and SNIs only bind TLS connections: each
	// route names its listener's port so that it stays on it.
	route("echo", fmt.Sprintf(`{"protocols":["tcp"],"destinations":[{"port":%d}]}`, portOf(t, tcpAddr)))
	route("echo", fmt.Sprintf(`{"protocols":["tls"],"snis":["term.test"],"destinations":[{"port":%d}]}`, portOf(t, sslAddr)))
	route("tls-echo", fmt.Sprintf(`{"protocols":["tls_passthrough"],"snis":["pass.test"],"destinations":[{"port":%d}]}`, portOf(t, sslAddr)))
	route("udp-echo", fmt.Sprintf(`{"protocols":["udp"],"sources":[{"ip":"127.0.0.1"}],"destinations":[{"port":%d}]}`, portOf(t, udpAddr)))

	eventually(t, 2*time.Second, "the tcp route to be served", func() bool {
		c, err := net.Dial("tcp", tcpAddr)
		if err != nil {
			return false
		}
		defer c.Close()
		return echoes(c, "tcp")
	})

	term, err := tls.Dial("tcp", sslAddr, &tls.Config{ServerName: "term.test", RootCAs: pemPool(t, termCert)})
	if err != nil {
		t.Fatalf("terminated TLS: %v", err)
	}
	if !echoes(term, "terminated") {
		t.Error("no echo through the terminated TLS route")
	}
	term.Close()

	pass, err := tls.Dial("tcp", sslAddr, &tls.Config{ServerName: "pass.test", InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("passthrough TLS: %v", err)
	}
	if cn := pass.ConnectionState().PeerCertificates[0].Subject.CommonName; cn != "upstream.pass" {
		t.Errorf("passthrough: the client saw %q's certificate, want the upstream's", cn)
	}
	if !echoes(pass, "passed through") {
		t.Error("no echo through the passthrough route")
	}
	pass.Close()

	if c, err := tls.Dial("tcp", sslAddr, &tls.Config{ServerName: "unknown.test", InsecureSkipVerify: true}); err == nil {
		c.Close()
		t.Error("a TLS connection no route matches was served")
	}

	u, err := net.Dial("udp", udpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if !echoes(u, "datagram") {
		t.Error("no echo through the udp route")
	}

	var root struct {
		Configuration map[string]any `json:"configuration"`
	}
	_, _, body := call(t, "GET", n.admin+"/", "", "")
	if err := json.Unmarshal(body, &root); err != nil {
		t.Fatal(err)
	}
	listeners, _ := root.Configuration["stream_listeners"].([]any)
	if len(listeners) != 3 || root.Configuration["stream_proxy_ssl_enabled"] != true {
		t.Fatalf("stream_listeners %v, stream_proxy_ssl_enabled %v", listeners, root.Configuration["stream_proxy_ssl_enabled"])
	}
	last := listeners[2].(map[string]any)
	if last["udp"] != true || last["reuseport"] != true || last["ssl"] != false || last["ip"] != "127.0.0.1" {
		t.Errorf("udp listener: %v", last)
	}
}
