package stream

import (
	"bytes"
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// clientHello returns the bytes crypto/tls sends to open a handshake with
// serverName (none when "" or an IP address).
func clientHello(t testing.TB, serverName string) []byte {
	t.Helper()
	c, s := net.Pipe()
	defer s.Close()
	go func() {
		_ = tls.Client(c, &tls.Config{ServerName: serverName, InsecureSkipVerify: true}).Handshake()
		c.Close()
	}()
	_ = s.SetReadDeadline(time.Now().Add(5 * time.Second))
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := s.Read(buf)
		out = append(out, buf[:n]...)
		if _, status := parseClientHello(out); status != helloIncomplete || err != nil {
			return out
		}
	}
}

func TestParseClientHello(t *testing.T) {
	for _, name := range []string{"example.com", "a.b.example.org", ""} {
		data := clientHello(t, name)
		sni, status := parseClientHello(data)
		if status != helloComplete || sni != name {
			t.Errorf("%q: got %q, status %d", name, sni, status)
		}
		for cut := range len(data) {
			if _, status := parseClientHello(data[:cut]); status != helloIncomplete {
				t.Fatalf("%q cut at %d: status %d, want incomplete", name, cut, status)
			}
		}
	}
	// The handshake message fragmented over records of 7 bytes.
	data := clientHello(t, "fragmented.test")
	msg := data[recordHeaderLen:]
	var frag []byte
	for len(msg) > 0 {
		n := min(7, len(msg))
		frag = append(frag, recordTypeHandshake, 3, 1, 0, byte(n))
		frag = append(frag, msg[:n]...)
		msg = msg[n:]
	}
	if sni, status := parseClientHello(frag); status != helloComplete || sni != "fragmented.test" {
		t.Errorf("fragmented: got %q, status %d", sni, status)
	}
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"http", []byte("GET / HTTP/1.1\r\n")},
		{"ssl2", []byte{0x80, 0x2e, 0x01, 0x03, 0x01}},
		{"not a hello", []byte{0x16, 3, 1, 0, 4, 2, 0, 0, 0}},
		{"empty record", []byte{0x16, 3, 1, 0, 0}},
		{"oversized record", []byte{0x16, 3, 1, 0x40, 1}},
		{"truncated body", []byte{0x16, 3, 1, 0, 6, 1, 0, 0, 2, 3, 3}},
	} {
		if _, status := parseClientHello(tt.data); status != helloNotTLS {
			t.Errorf("%s: status %d, want not TLS", tt.name, status)
		}
	}
}

// TestPrereadHello: the bytes read are kept for replay, TLS or not.
func TestPrereadHello(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
		tls  bool
		sni  string
	}{
		{"tls", clientHello(t, "preread.test"), true, "preread.test"},
		{"plain", []byte("hello there"), false, ""},
	} {
		c, s := net.Pipe()
		go func() { c.Write(tt.data) }()
		h, err := prereadHello(s)
		if err != nil || h.tls != tt.tls || h.sni != tt.sni || !bytes.Equal(h.bytes, tt.data) {
			t.Errorf("%s: %+v, %v", tt.name, h, err)
		}
		c.Close()
		s.Close()
	}
}

// FuzzParseClientHello: no input makes the parser panic, and the hello
// crypto/tls writes for a host name yields that name, whatever follows.
func FuzzParseClientHello(f *testing.F) {
	for _, name := range []string{"example.com", "", "x.test"} {
		f.Add(clientHello(f, name), name)
	}
	f.Add([]byte{0x16, 3, 1, 0, 4, 1, 0, 0, 0}, "a-b.example")
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), "a.test")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		parseClientHello(data)
		if !plainHostName(name) {
			return
		}
		sni, status := parseClientHello(append(clientHello(t, name), data...))
		if status != helloComplete || sni != name {
			t.Fatalf("hello for %q: %q, status %d", name, sni, status)
		}
	})
}

// plainHostName reports whether crypto/tls sends name as is: letters,
// digits, dots and dashes, no trailing dot, not an IP address.
func plainHostName(name string) bool {
	if name == "" || len(name) > 200 || name[len(name)-1] == '.' || net.ParseIP(name) != nil {
		return false
	}
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}
