//go:build !unix

package proxy

import "net"

// connAlive cannot peek at sockets here; a closed idle connection shows up
// as a failed first read and the request is retried on a new one when it
// can be.
func connAlive(net.Conn, bool) bool { return true }
