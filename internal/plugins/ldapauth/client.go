package ldapauth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// outcome is how a bind ended.
type outcome int

const (
	// bound: the server accepted the password.
	bound outcome = iota
	// refused: the server answered the bind with an error (wrong
	// password, unknown or invalid DN ...), or the TLS handshake failed;
	// Kong answers 401 and caches it.
	refused
	// failed: the server could not be reached, or refused StartTLS; Kong
	// answers 500 and caches it too.
	failed
	// broken: the connection broke or timed out during an operation, or
	// the client went away; Kong answers 500 without caching.
	broken
)

// tlsMode is how the connection is secured.
type tlsMode int

const (
	modePlain tlsMode = iota
	modeLDAPS
	modeStartTLS
)

// startTLSOID names the StartTLS extended operation (RFC 4511).
const startTLSOID = "1.3.6.1.4.1.1466.20037"

// server is where and how a plugin instance binds.
type server struct {
	addr, host string // host:port, and host for the TLS server name
	mode       tlsMode
	verify     bool
	// timeout bounds the connection, StartTLS and TLS handshake, and each
	// bind; keepalive is how long a connection may stay idle in the pool
	// (0: no limit).
	timeout, keepalive time.Duration
}

// conn is a connection to an LDAP server: raw is the TCP connection
// under ldap (and under TLS), on which deadlines are set.
type conn struct {
	raw  net.Conn
	ldap *ldap.Conn
}

func (s *server) key() poolKey { return poolKey{addr: s.addr, mode: s.mode, verify: s.verify} }

// bind binds as dn with password on a pooled connection or a new one (its
// TLS verified with the node's trust) and reports the outcome, with an
// error saying why it was not bound.
func (s *server) bind(ctx context.Context, node *runtime.NodeTLS, dn, password string) (outcome, error) {
	if c := connections.get(s.key()); c != nil {
		if o, err := s.bindOn(c, dn, password); o != broken {
			return o, err
		}
		// the server may have dropped the idle connection: use a new one
	}
	c, o, err := s.dial(ctx, node)
	if c == nil {
		return o, err
	}
	return s.bindOn(c, dn, password)
}

// bindOn binds on c, which goes back to the pool unless it broke.
func (s *server) bindOn(c *conn, dn, password string) (outcome, error) {
	_ = c.raw.SetDeadline(time.Now().Add(s.timeout))
	err := c.ldap.Bind(dn, password)
	var lerr *ldap.Error
	if err != nil && !(errors.As(err, &lerr) && serverResult(lerr.ResultCode)) {
		c.ldap.Close()
		return broken, fmt.Errorf("bind to %s: %w", s.addr, err)
	}
	_ = c.raw.SetDeadline(time.Time{})
	connections.put(s.key(), c, s.keepalive)
	if err != nil {
		return refused, fmt.Errorf("bind to %s as %s: %w", s.addr, dn, err)
	}
	return bound, nil
}

// serverResult tells a result code the server sent from go-ldap's own
// codes for client-side failures.
func serverResult(code uint16) bool {
	return code < ldap.ErrorNetwork || code > ldap.ErrorMalformedPacket
}

// dial connects to the server, securing the connection as configured;
// without a connection it returns the outcome to report.
func (s *server) dial(ctx context.Context, node *runtime.NodeTLS) (*conn, outcome, error) {
	dctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	raw, err := (&net.Dialer{}).DialContext(dctx, "tcp", s.addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, broken, err
		}
		return nil, failed, fmt.Errorf("failed to connect to %s: %w", s.addr, err)
	}
	deadline, _ := dctx.Deadline()
	_ = raw.SetDeadline(deadline)
	var c net.Conn = raw
	if s.mode == modeStartTLS {
		if o, err := startTLS(raw); err != nil {
			raw.Close()
			return nil, o, fmt.Errorf("StartTLS with %s: %w", s.addr, err)
		}
	}
	if s.mode != modePlain {
		tc := tls.Client(raw, node.CosocketConfig(s.host, s.verify, nil))
		if err := tc.HandshakeContext(dctx); err != nil {
			raw.Close()
			if ctx.Err() != nil {
				return nil, broken, err
			}
			return nil, refused, fmt.Errorf("failed to do SSL handshake with %s: %w", s.addr, err)
		}
		c = tc
	}
	_ = raw.SetDeadline(time.Time{})
	l := ldap.NewConn(c, s.mode != modePlain)
	l.Start()
	return &conn{raw: raw, ldap: l}, bound, nil
}

// startTLS runs the StartTLS extended operation on raw, before go-ldap
// reads from it, so that a refusal (failed) is told from a broken
// connection (broken) and from a failed handshake.
func startTLS(raw net.Conn) (outcome, error) {
	req := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Request")
	req.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, 1, "MessageID"))
	op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationExtendedRequest, nil, "Start TLS")
	op.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, startTLSOID, "TLS Extended Command"))
	req.AppendChild(op)
	if _, err := raw.Write(req.Bytes()); err != nil {
		return broken, err
	}
	res, err := ber.ReadPacket(raw)
	if err != nil {
		return broken, err
	}
	if len(res.Children) < 2 || res.Children[1].ClassType != ber.ClassApplication ||
		res.Children[1].Tag != ldap.ApplicationExtendedResponse {
		return failed, errors.New("not an extended response")
	}
	if err := ldap.GetLDAPError(res); err != nil {
		return failed, err
	}
	return bound, nil
}
