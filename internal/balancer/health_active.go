package balancer

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/silverback-gw/silverback/internal/runtime"
)

// activeLoop probes the balancer's addresses until it stops: healthy
// addresses every healthy.interval, unhealthy ones every
// unhealthy.interval (a zero interval does not probe that state), at most
// concurrency probes at a time.
//
// Kong runs a health checker per nginx subsystem, and each probes with
// its own types only: the http one with http and https (tcp is switched
// off there), the stream one with tcp. Silverback keeps one health per
// address, so tcp probes run while a stream service (tcp, tls, udp,
// tls_passthrough) uses the upstream. lua-resty-healthcheck refuses the
// types grpc and grpcs, with which Kong creates no checker: they never
// probe.
func (b *Balancer) activeLoop() {
	defer b.wg.Done()
	ac := &b.checks.active
	if ac.typ != "tcp" && ac.typ != "http" && ac.typ != "https" {
		b.set.log.Error("[healthchecks] error creating health checker", "upstream", b.name,
			"error", "checks.active.type can only be 'http', 'https' or 'tcp', got '"+ac.typ+"'")
		return
	}
	tick := min(nonZero(ac.healthyEvery), nonZero(ac.unhealthyEvery))
	t := time.NewTicker(tick)
	defer t.Stop()
	var certs runtime.CertCache // the upstream's client certificate, parsed once
	due := make(map[*Address]time.Time)
	for {
		select {
		case <-b.ctx.Done():
			return
		case now := <-t.C:
			sy := b.set.synced.Load()
			if ac.typ == "tcp" && !sy.usedByStream(b.name) {
				continue
			}
			var batch []*Address
			addrs := b.view.Load().addrs
			for a := range due {
				if !slices.Contains(addrs, a) {
					delete(due, a) // gone with a target or a DNS answer
				}
			}
			for _, a := range addrs {
				every := ac.unhealthyEvery
				if a.health.isHealthy() {
					every = ac.healthyEvery
				}
				if every == 0 || now.Before(due[a]) {
					continue
				}
				due[a] = now.Add(every - tick/2)
				batch = append(batch, a)
			}
			if len(batch) > 0 {
				b.probeAll(b.roundSettings(sy, &certs), batch)
			}
		}
	}
}

func nonZero(d time.Duration) time.Duration {
	if d <= 0 {
		return time.Duration(1<<63 - 1)
	}
	return d
}

// synced is what the set last synced with: the snapshot, and the
// upstreams (by name) that stream services use.
type synced struct {
	snap   *runtime.Snapshot
	stream map[string]bool
}

// newSynced indexes snap's stream services by upstream.
func newSynced(snap *runtime.Snapshot) *synced {
	s := &synced{snap: snap, stream: make(map[string]bool)}
	for _, svc := range snap.Services {
		switch svc.Protocol {
		case "tcp", "tls", "udp", "tls_passthrough":
			s.stream[svc.Host] = true
		}
	}
	return s
}

// usedByStream reports whether a stream service names the upstream; nil
// s knows none.
func (s *synced) usedByStream(name string) bool { return s != nil && s.stream[name] }

// probeSettings are the settings of one round of probes.
type probeSettings struct {
	hostHeader string                       // the upstream's host_header, "" when unset
	tls        func(sni string) *tls.Config // https only
}

// roundSettings returns the settings of a round of probes: https probes
// present the upstream's client_certificate, else the node's
// client_ssl_cert, and verify with lua_ssl_trusted_certificate and
// lua_ssl_verify_depth, as Kong's Lua sockets do.
func (b *Balancer) roundSettings(sy *synced, certs *runtime.CertCache) probeSettings {
	up := b.src.Load()
	p := probeSettings{hostHeader: up.HostHeader}
	if b.checks.active.typ != "https" {
		return p
	}
	var node *runtime.NodeTLS
	var snap *runtime.Snapshot
	var cert *tls.Certificate
	if sy != nil {
		snap, node = sy.snap, sy.snap.Node
	}
	if node != nil {
		cert = node.ClientCert
	}
	if id := up.ClientCertID; id != "" {
		cert = nil
		if snap != nil && snap.TLS != nil && snap.TLS.Certificates[id] != nil {
			if pairs, err := certs.Pairs(snap.TLS.Certificates[id]); err == nil {
				cert = &pairs[0]
			}
		}
		if cert == nil {
			b.set.log.Error("unable to fetch upstream client TLS certificate", "upstream", b.name, "certificate", id)
		}
	}
	verify := b.checks.active.verify
	p.tls = func(sni string) *tls.Config { return node.CosocketConfig(sni, verify, cert) }
	return p
}

// probeAll probes addrs, concurrency at a time, and waits for them.
func (b *Balancer) probeAll(p probeSettings, addrs []*Address) {
	sem := make(chan struct{}, b.checks.active.concurrency)
	var wg sync.WaitGroup
	for _, a := range addrs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			b.observe(a, b.probe(p, a), &b.checks.active.counters)
		})
	}
	wg.Wait()
}

// probe checks one address as lua-resty-healthcheck does, each socket
// operation within the timeout: a connection, for type tcp the whole
// check; for https a TLS handshake (any failure of it, a timeout
// included, is a tcp failure); then "GET <http_path> HTTP/1.0" with the
// configured headers and Host, and the status of the response's status
// line, classified by the active lists (a status in neither is ignored,
// a status line that does not parse is an http failure).
func (b *Balancer) probe(p probeSettings, a *Address) event {
	ac := &b.checks.active
	d := net.Dialer{Timeout: ac.timeout}
	conn, err := d.DialContext(b.ctx, "tcp", a.AddrPort.String())
	if err != nil {
		return failure(err)
	}
	defer conn.Close()
	if ac.typ == "tcp" {
		return evSuccess
	}
	host := probeHost(a, p.hostHeader)
	if ac.typ == "https" {
		sni := ac.sni
		if sni == "" {
			sni = strings.Trim(host, "[]")
		}
		tc := tls.Client(conn, p.tls(sni))
		ctx, cancel := context.WithTimeout(b.ctx, ac.timeout)
		err := tc.HandshakeContext(ctx)
		cancel()
		if err != nil {
			b.set.log.Error("failed SSL handshake", "upstream", b.name, "address", a.AddrPort.String(), "sni", sni, "error", err)
			return evTCP
		}
		conn = tc
	}
	_ = conn.SetWriteDeadline(time.Now().Add(ac.timeout))
	if _, err := conn.Write(probeRequest(ac, host)); err != nil {
		b.set.log.Error("failed to send http request", "upstream", b.name, "address", a.AddrPort.String(), "error", err)
		return failure(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(ac.timeout))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		b.set.log.Error("failed to receive status line", "upstream", b.name, "address", a.AddrPort.String(), "error", err)
		return failure(err)
	}
	status := 0 // an unparsable status line counts as an unhealthy status
	if m := statusLine.FindStringSubmatch(line); m != nil {
		status, _ = strconv.Atoi(m[1])
	}
	switch {
	case ac.counters.healthyStatuses[status]:
		return evSuccess
	case ac.counters.unhealthyStatuses[status] || status == 0:
		return evHTTP
	}
	return evIgnore
}

// statusLine is lua-resty-healthcheck's pattern of a status line.
var statusLine = regexp.MustCompile(`(?i)^HTTP/\d+\.\d+\s+(\d+)`)

// probeRequest is the request of an http or https probe.
func probeRequest(ac *activeChecks, host string) []byte {
	var sb strings.Builder
	sb.WriteString("GET " + ac.path + " HTTP/1.0\r\n")
	for k, vs := range ac.headers {
		for _, v := range vs {
			sb.WriteString(k + ": " + v + "\r\n")
		}
	}
	sb.WriteString("Host: " + host + "\r\n\r\n")
	return []byte(sb.String())
}

// probeHost is the Host header of a probe: the upstream's host_header,
// else the target's host without port, as lua-resty-healthcheck sends it
// (an IPv6 literal in brackets).
func probeHost(a *Address, hostHeader string) string {
	switch {
	case hostHeader != "":
		return hostHeader
	case strings.IndexByte(a.Host, ':') >= 0:
		return "[" + a.Host + "]"
	}
	return a.Host
}

// failure classifies a probe error.
func failure(err error) event {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return evTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return evTimeout
	}
	return evTCP
}
