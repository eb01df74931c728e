package balancer

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// activeLoop probes the balancer's addresses until it stops: healthy
// addresses every healthy.interval, unhealthy ones every
// unhealthy.interval (a zero interval does not probe that state), at most
// concurrency probes at a time.
func (b *Balancer) activeLoop() {
	defer b.wg.Done()
	ac := &b.checks.active
	tick := min(nonZero(ac.healthyEvery), nonZero(ac.unhealthyEvery))
	t := time.NewTicker(tick)
	defer t.Stop()
	client := b.probeClient()
	defer client.CloseIdleConnections()
	due := make(map[*Address]time.Time)
	for {
		select {
		case <-b.ctx.Done():
			return
		case now := <-t.C:
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
			b.probeAll(client, batch)
		}
	}
}

func nonZero(d time.Duration) time.Duration {
	if d <= 0 {
		return time.Duration(1<<63 - 1)
	}
	return d
}

// probeAll probes addrs, concurrency at a time, and waits for them.
func (b *Balancer) probeAll(client *http.Client, addrs []*Address) {
	sem := make(chan struct{}, b.checks.active.concurrency)
	var wg sync.WaitGroup
	for _, a := range addrs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			b.observe(a, b.probe(client, a), &b.checks.active.counters)
		})
	}
	wg.Wait()
}

// probe checks one address: a TCP connection for type tcp, else a GET of
// http_path whose status is classified by the active lists (a status in
// neither is ignored).
func (b *Balancer) probe(client *http.Client, a *Address) event {
	ac := &b.checks.active
	ctx, cancel := context.WithTimeout(context.WithValue(b.ctx, sniKey{}, b.serverName(a)), ac.timeout)
	defer cancel()
	if ac.typ == "tcp" {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", a.AddrPort.String())
		if err != nil {
			return failure(err)
		}
		c.Close()
		return evSuccess
	}
	scheme := "http"
	if ac.typ == "https" || ac.typ == "grpcs" {
		scheme = "https"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+a.AddrPort.String()+ac.path, nil)
	if err != nil {
		return evHTTP
	}
	req.Host = probeHost(a)
	for k, vs := range ac.headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return failure(err)
	}
	resp.Body.Close()
	switch {
	case ac.counters.healthyStatuses[resp.StatusCode]:
		return evSuccess
	case ac.counters.unhealthyStatuses[resp.StatusCode]:
		return evHTTP
	}
	return evIgnore
}

// probeHost is the Host header of a probe: the target's host without port,
// as lua-resty-healthcheck sends it (an IPv6 literal in brackets).
func probeHost(a *Address) string {
	if strings.IndexByte(a.Host, ':') >= 0 {
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

// probeClient is the HTTP client of the active checks: no redirects, no
// proxies, no keep-alive; https probes send https_sni, else the target's
// host name, and verify the certificate unless https_verify_certificate
// is false.
func (b *Balancer) probeClient() *http.Client {
	ac := &b.checks.active
	return &http.Client{
		Transport: &http.Transport{
			DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				name, _ := ctx.Value(sniKey{}).(string)
				d := tls.Dialer{Config: &tls.Config{ServerName: name, InsecureSkipVerify: !ac.verify}} //nolint:gosec // https_verify_certificate
				return d.DialContext(ctx, network, addr)
			},
			DisableKeepAlives: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// sniKey is the context key of a probe's TLS server name.
type sniKey struct{}

// serverName is the TLS server name of a probe to a: https_sni, else the
// target's host unless it is an IP address.
func (b *Balancer) serverName(a *Address) string {
	if sni := b.checks.active.sni; sni != "" {
		return sni
	}
	if _, err := netip.ParseAddr(a.Host); err == nil {
		return ""
	}
	return a.Host
}
