//go:build unix

package proxy

import (
	"crypto/tls"
	"net"
	"syscall"
)

// peeker tells whether an idle pooled connection is still open by peeking
// at its socket without blocking. Upstreams close idle keep-alive
// connections whenever they like; finding out before sending a request
// avoids failing (or, for a non-idempotent request, not being able to
// retry) on a connection that is already gone. Unexpected bytes on an
// idle plain connection make it unusable too; on TLS they may be a session
// ticket, so only end of stream or an error count there.
type peeker struct {
	raw   syscall.RawConn
	isTLS bool
	ok    bool
	buf   [1]byte
	fn    func(fd uintptr) bool // p.peek, bound once: no allocation per check
}

// newPeeker returns a peeker for c, nil when c has no socket to peek at.
func newPeeker(c net.Conn, isTLS bool) *peeker {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	p := &peeker{raw: raw, isTLS: isTLS}
	p.fn = p.peek
	return p
}

func (p *peeker) peek(fd uintptr) bool {
	n, _, err := syscall.Recvfrom(int(fd), p.buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	switch {
	case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK:
		p.ok = true
	case err == nil && n > 0:
		p.ok = p.isTLS
	default:
		p.ok = false
	}
	return true // never wait for readiness
}

// alive reports whether the connection looks usable.
func (p *peeker) alive() bool {
	if p == nil {
		return true
	}
	p.ok = false
	if err := p.raw.Read(p.fn); err != nil {
		return false
	}
	return p.ok
}
