package httplog

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxReplyBody bounds what is read of the log server's answer, which
// only ends up in an error message.
const maxReplyBody = 64 << 10

// sender sends batches of serialized requests to the log server, as
// Kong's send_entries does.
type sender struct {
	method string
	// url is the endpoint without user info and query: Kong sends to
	// scheme://host:port/path only.
	url string
	// hostPort names the server in error messages.
	hostPort string
	// header is Content-Type, the Authorization the user info makes, then
	// the configured headers.
	header http.Header
	// single: max_batch_size is 1 and a batch is sent as the entry itself,
	// not as a JSON array.
	single bool
	client *http.Client
}

func newSender(c Config, batchSize int) (*sender, error) {
	u, err := url.Parse(c.HTTPEndpoint)
	if err != nil {
		return nil, err
	}
	port := u.Port()
	defaultPort := map[string]string{"http": "80", "https": "443"}[u.Scheme]
	if port == "" {
		port = defaultPort
	}
	// The Host header names the port only when it is not the scheme's.
	host := u.Hostname()
	authority := net.JoinHostPort(host, port)
	if port == defaultPort {
		authority = strings.TrimSuffix(authority, ":"+port)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	s := &sender{
		method: c.Method, url: u.Scheme + "://" + authority + path, hostPort: host + ":" + port,
		header: http.Header{"Content-Type": {c.ContentType}}, single: batchSize == 1,
	}
	if u.User != nil {
		s.header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.User.String())))
	}
	for name, value := range c.Headers {
		if s.header.Get(name) == "" {
			s.header.Set(name, value)
		}
	}
	timeout := time.Duration(c.Timeout * float64(time.Millisecond))
	s.client = &http.Client{
		Transport: &http.Transport{
			DialContext:           (&net.Dialer{Timeout: timeout}).DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			IdleConnTimeout:       time.Duration(c.Keepalive * float64(time.Millisecond)),
			TLSClientConfig:       &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // Kong's http-log does not verify the log server (ssl_verify = false)
		},
		// Kong's HTTP client does not follow redirects: a 3xx is a failure.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return s, nil
}

// send posts batch; an error (no answer, or a status of 300 or more)
// makes the queue retry it.
func (s *sender) send(batch [][]byte) error {
	body := s.payload(batch)
	req, err := http.NewRequest(s.method, s.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = s.header.Clone()
	res, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("failed request to %s: %w", s.hostPort, err)
	}
	defer res.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(res.Body, maxReplyBody))
	if res.StatusCode < 300 {
		return nil
	}
	return fmt.Errorf("request to %s returned status code %d and body %s", s.hostPort, res.StatusCode, reply)
}

// payload is the entry itself when batches hold one entry, else a JSON
// array of the entries.
func (s *sender) payload(batch [][]byte) []byte {
	if s.single {
		return batch[0]
	}
	n := 1
	for _, e := range batch {
		n += len(e) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, e := range batch {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	return append(b, ']')
}
