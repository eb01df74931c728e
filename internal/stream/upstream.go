package stream

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	lb "github.com/silverback-gw/silverback/internal/balancer"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// proxyMode is how a TCP connection reaches its upstream.
type proxyMode struct {
	// passthrough proxies the client's TLS as it came (tls_passthrough):
	// the gateway originates no TLS then.
	passthrough bool
	// replay are the bytes already read from the client (its
	// ClientHello), sent upstream first.
	replay []byte
	// clientSNI is the server name of the handshake the gateway
	// terminated, sent upstream instead of the target's name when the
	// route preserves the host.
	clientSNI string
}

// proxyTCP connects to the service of b (trying further peers on
// connection failures while its retries last) and pipes the client to
// it. Like Kong, which turns upstream TLS off only for tcp services,
// every other service (tls, and udp or tls_passthrough ones reached over
// TCP) gets TLS from the gateway, unless the connection passes through.
func (s *Server) proxyTCP(client net.Conn, snap *runtime.Snapshot, b *runtime.Binding, mode proxyMode) {
	svc := b.Service
	src := addrPort(client.RemoteAddr())
	var tries lb.Tries
	pr, perr := tries.Prepare(context.Background(), s.balancers, s.hosts, snap.Upstreams, svc.Host, svc.Port, clientHash(src))
	if perr != nil {
		s.log.Error("unable to proxy stream connection", "status", perr.Status, "err", perr.Message, "client", src.String())
		return
	}
	defer tries.Report(lb.Outcome{}) // a try that never connected
	originate := !mode.passthrough && svc.Protocol != "tcp"
	var up net.Conn
	var connectTime time.Duration
	var err error // the last try's
	for try := 0; ; try++ {
		if try > 0 {
			var ok bool
			if pr, ok = tries.Next(try); !ok {
				break
			}
		}
		start := time.Now()
		up, err = s.connect(snap, svc, pr, originate, b.Route.PreserveHost, mode.clientSNI)
		if err == nil {
			connectTime = time.Since(start)
			break
		}
		s.log.Debug("stream upstream try failed", "client", src.String(), "try", try+1, "peer", pr.Addr.String(), "error", err)
		if errors.Is(err, runtime.ErrUpstreamTLS) {
			s.log.Error("stream upstream TLS settings", "service", svc.ID, "error", err)
			return
		}
		tries.Report(failure(err))
		if try >= svc.Retries {
			break
		}
	}
	if up == nil {
		s.log.Error("stream upstream connect failed", "client", src.String(), "service", svc.ID, "peer", pr.Addr.String(), "error", err)
		return
	}
	if len(mode.replay) > 0 {
		if _, err := up.Write(mode.replay); err != nil {
			up.Close()
			tries.Report(lb.Outcome{Failure: lb.FailureTCP})
			return
		}
	}
	res := pipe(client, up, proxyTimeout(svc), s.opts.HalfClose)
	if s.log.Enabled(context.Background(), slog.LevelDebug) {
		s.log.Debug("stream session ended", "client", src.String(), "peer", pr.Addr.String(),
			"bytes_from_client", res.fromClient, "bytes_to_client", res.toClient, "timed_out", res.timedOut)
	}
	// Kong reports the session's status (200) and its connect time.
	tries.Report(lb.Outcome{Status: 200, Latency: max(connectTime, time.Nanosecond)})
}

// connect opens a connection to pr within the service's connect timeout,
// TLS handshake included (nginx's proxy_connect_timeout covers both).
func (s *Server) connect(snap *runtime.Snapshot, svc *entities.Service, pr lb.Peer, originate, preserveHost bool, clientSNI string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), millis(svc.ConnectTimeout))
	defer cancel()
	var d net.Dialer
	tc, err := d.DialTCP(ctx, "tcp", netip.AddrPort{}, pr.Addr)
	if err != nil {
		return nil, err
	}
	if !originate {
		return tc, nil
	}
	// proxy_ssl_name $upstream_host: the client's SNI with preserve_host,
	// else the target's name (none for an IP address).
	name := strings.Trim(pr.Hostname, "[]")
	if preserveHost && clientSNI != "" {
		name = clientSNI
	}
	cfg, err := s.certs.ClientConfig(snap, runtime.NewUpstreamTLS(svc, snap.Upstreams[svc.Host], name))
	if err != nil {
		tc.Close()
		return nil, err
	}
	c := tls.Client(tc, cfg)
	if err := c.HandshakeContext(ctx); err != nil {
		tc.Close()
		return nil, err
	}
	return c, nil
}

// failure classifies a failed connection for the passive health checks.
func failure(err error) lb.Outcome {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return lb.Outcome{Failure: lb.FailureTimeout}
	}
	return lb.Outcome{Failure: lb.FailureTCP}
}

// proxyTimeout is nginx's proxy_timeout as Kong's balancer sets it in the
// stream subsystem: the larger of the service's write and read timeouts.
func proxyTimeout(svc *entities.Service) time.Duration {
	return millis(max(svc.WriteTimeout, svc.ReadTimeout))
}

func millis(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }

// clientHash is a connection seen by consistent hashing: only the client
// address exists in the stream subsystem; headers, cookies, paths and
// the like are empty, so hashing on them falls back as in Kong.
type clientHash netip.AddrPort

func (h clientHash) ClientIP() string       { return netip.AddrPort(h).Addr().String() }
func (clientHash) Consumer() string         { return "" }
func (clientHash) Header(string) string     { return "" }
func (clientHash) Cookie(string) string     { return "" }
func (clientHash) Path() string             { return "" }
func (clientHash) QueryArg(string) string   { return "" }
func (clientHash) URICapture(string) string { return "" }
