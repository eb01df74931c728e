package proxy

import (
	"net/http"
	"strconv"
	"strings"

	lb "github.com/silverback-gw/silverback/internal/balancer"
)

// outcome classifies a failed try for the passive health checks: a 504 is
// a timeout, a 502 a TCP failure, and a failure of the client's body
// (413, 400) is not the upstream's.
func outcome(res tryResult) lb.Outcome {
	switch res.status {
	case http.StatusGatewayTimeout:
		return lb.Outcome{Failure: lb.FailureTimeout}
	case http.StatusBadGateway:
		return lb.Outcome{Failure: lb.FailureTCP}
	}
	return lb.Outcome{}
}

// hostHeader returns the Host header (:authority for gRPC) for a peer
// when the client's is not preserved: the name (an IPv6 address in
// brackets) and the port, unless it is the scheme's default, 80 for http
// and grpc, 443 for https and grpcs (Kong's balancer set_host_header).
func hostHeader(pr lb.Peer, scheme string) string {
	name := pr.Hostname
	if strings.IndexByte(name, ':') >= 0 && !strings.HasPrefix(name, "[") {
		name = "[" + name + "]"
	}
	port := pr.Addr.Port()
	if port == 80 && (scheme == "http" || scheme == "grpc") || port == 443 && (scheme == "https" || scheme == "grpcs") {
		return name
	}
	var buf [128]byte
	b := append(buf[:0], name...)
	b = append(b, ':')
	return string(strconv.AppendUint(b, uint64(port), 10))
}
