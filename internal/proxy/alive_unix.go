//go:build unix

package proxy

import (
	"crypto/tls"
	"net"
	"syscall"
)

// connAlive reports whether an idle pooled connection is still open: it
// peeks at the socket without blocking. Upstreams close idle keep-alive
// connections whenever they like; finding out before sending a request
// avoids failing (or, for a non-idempotent request, not being able to
// retry) on a connection that is already gone. Unexpected bytes on an
// idle plain connection make it unusable too; on TLS they may be a
// session ticket, so only end of stream or an error counts there.
func connAlive(c net.Conn, isTLS bool) bool {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := false
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK:
			alive = true
		case err == nil && n > 0:
			alive = isTLS
		}
		return true // never wait for readiness
	})
	return err == nil && alive
}
