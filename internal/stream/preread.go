package stream

import (
	"errors"
	"net"
	"time"
)

// Preread limits: nginx's preread_buffer_size (16k) and preread_timeout
// (30 s) defaults.
const (
	prereadBufferSize = 16 << 10
	prereadTimeout    = 30 * time.Second
)

// errPrereadFull is a ClientHello that does not fit the preread buffer
// (nginx: "preread buffer full", the session ends).
var errPrereadFull = errors.New("preread buffer full")

// hello is what a TLS listener learnt from a connection's first bytes.
type hello struct {
	// tls reports a ClientHello: SNIs then constrain the routes.
	tls bool
	// sni is its server name, "" for none.
	sni string
	// bytes are the bytes read, to be replayed.
	bytes []byte
}

// prereadHello reads from c until its first bytes are a whole ClientHello
// or cannot start one, within the preread timeout, without consuming
// them for the rest of the session: they are in the result, to replay.
func prereadHello(c net.Conn) (hello, error) {
	_ = c.SetReadDeadline(time.Now().Add(prereadTimeout))
	defer c.SetReadDeadline(time.Time{})
	buf := make([]byte, 0, 2<<10)
	for {
		if len(buf) == cap(buf) {
			if cap(buf) >= prereadBufferSize {
				return hello{bytes: buf}, errPrereadFull
			}
			buf = append(buf, make([]byte, min(cap(buf), prereadBufferSize-cap(buf)))...)[:len(buf)]
		}
		n, err := c.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch sni, status := parseClientHello(buf); status {
		case helloComplete:
			return hello{tls: true, sni: sni, bytes: buf}, nil
		case helloNotTLS:
			return hello{bytes: buf}, nil
		}
		if err != nil {
			return hello{bytes: buf}, err
		}
	}
}

// prefixConn is a connection whose first reads return bytes already read
// from it.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// CloseWrite shuts the connection's writing side down.
func (c *prefixConn) CloseWrite() error { return closeWrite(c.Conn) }
