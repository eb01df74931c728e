package hmacauth_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestHTTP10RequestLine: the request line of an HTTP/1.0 request is
// signed as "HTTP/1.0".
func TestHTTP10RequestLine(t *testing.T) {
	f := setup(t, "")
	date := now()
	for _, c := range []struct {
		signed string
		status int
	}{{"HTTP/1.0", 200}, {"HTTP/1.1", 401}} {
		sig := sign("hmac-sha1", "s3cret", "date: "+date+"\nGET /request?a=b "+c.signed)
		conn, err := net.Dial("tcp", strings.TrimPrefix(f.Server.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.Write([]byte("GET /request?a=b HTTP/1.0\r\nHost: example.test\r\nDate: " + date +
			"\r\nAuthorization: " + authorization("alice", "hmac-sha1", "date request-line", sig) + "\r\n\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		conn.Close()
		if res.StatusCode != c.status {
			t.Errorf("signed as %s: %d, want %d", c.signed, res.StatusCode, c.status)
		}
	}
}
