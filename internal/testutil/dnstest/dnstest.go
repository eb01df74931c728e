// Package dnstest runs a DNS server on 127.0.0.1 for tests: it answers
// from a table of records that tests change while it runs (A, AAAA, SRV
// and CNAME records, NXDOMAIN for unknown names, chosen response codes
// such as SERVFAIL), can answer late or not at all, and counts the
// queries.
package dnstest

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/silverback-gw/silverback/internal/dns"
)

// Server is a DNS server on a random UDP port of 127.0.0.1. Its methods
// are safe for concurrent use.
type Server struct {
	// Addr is the server's "127.0.0.1:port".
	Addr string

	srv *mdns.Server

	mu      sync.Mutex
	records map[string][]mdns.RR // by lowercase name without final dot
	rcodes  map[key]int
	silent  bool
	delay   time.Duration
	queries map[key]int
}

type key struct {
	name string
	typ  uint16
}

// SRV is one SRV record to answer.
type SRV struct {
	Target                 string
	Port, Weight, Priority uint16
}

// New starts a server stopped when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: pc.LocalAddr().String(), records: map[string][]mdns.RR{},
		rcodes: map[key]int{}, queries: map[key]int{}}
	started := make(chan struct{})
	s.srv = &mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(s.serve), NotifyStartedFunc: func() { close(started) }}
	go s.srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { s.srv.Shutdown() })
	return s
}

// A makes the A records of name ips, with ttl seconds; no ips leaves
// the name without A records (an empty answer, not NXDOMAIN).
func (s *Server) A(name string, ttl uint32, ips ...string) {
	var rrs []mdns.RR
	for _, ip := range ips {
		rrs = append(rrs, &mdns.A{Hdr: s.header(name, mdns.TypeA, ttl), A: net.ParseIP(ip)})
	}
	s.set(name, mdns.TypeA, rrs)
}

// AAAA makes the AAAA records of name ips, with ttl seconds.
func (s *Server) AAAA(name string, ttl uint32, ips ...string) {
	var rrs []mdns.RR
	for _, ip := range ips {
		rrs = append(rrs, &mdns.AAAA{Hdr: s.header(name, mdns.TypeAAAA, ttl), AAAA: net.ParseIP(ip)})
	}
	s.set(name, mdns.TypeAAAA, rrs)
}

// SRV makes the SRV records of name recs, with ttl seconds.
func (s *Server) SRV(name string, ttl uint32, recs ...SRV) {
	var rrs []mdns.RR
	for _, r := range recs {
		rrs = append(rrs, &mdns.SRV{Hdr: s.header(name, mdns.TypeSRV, ttl), Target: mdns.Fqdn(r.Target),
			Port: r.Port, Weight: r.Weight, Priority: r.Priority})
	}
	s.set(name, mdns.TypeSRV, rrs)
}

// CNAME makes name an alias of target, with ttl seconds.
func (s *Server) CNAME(name, target string, ttl uint32) {
	s.set(name, mdns.TypeCNAME, []mdns.RR{&mdns.CNAME{Hdr: s.header(name, mdns.TypeCNAME, ttl), Target: mdns.Fqdn(target)}})
}

// Rcode makes queries for name and typ answered with rcode (such as
// mdns.RcodeServerFailure); RcodeSuccess answers from the records again.
func (s *Server) Rcode(name string, typ uint16, rcode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rcode == mdns.RcodeSuccess {
		delete(s.rcodes, key{canonical(name), typ})
		return
	}
	s.rcodes[key{canonical(name), typ}] = rcode
}

// Remove forgets every record of name: it is NXDOMAIN again.
func (s *Server) Remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, canonical(name))
}

// Silence makes the server read queries without answering them (true)
// or answer again (false).
func (s *Server) Silence(silent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.silent = silent
}

// Config returns kong.conf's DNS defaults asking only s: no search
// domains (an empty resolv.conf), an empty hosts file, and one attempt of
// 300 ms per query.
func (s *Server) Config(t testing.TB) dns.Config {
	t.Helper()
	dir := t.TempDir()
	cfg := dns.DefaultConfig()
	cfg.Servers = []string{s.Addr}
	cfg.ResolvConf, cfg.HostsFile = filepath.Join(dir, "resolv.conf"), filepath.Join(dir, "hosts")
	for _, f := range []string{cfg.ResolvConf, cfg.HostsFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Timeout, cfg.Attempts = 300*time.Millisecond, 1
	return cfg
}

// Delay makes the server wait d before each answer.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Queries returns how many queries for name and typ the server got.
func (s *Server) Queries(name string, typ uint16) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[key{canonical(name), typ}]
}

func (s *Server) header(name string, typ uint16, ttl uint32) mdns.RR_Header {
	return mdns.RR_Header{Name: mdns.Fqdn(name), Rrtype: typ, Class: mdns.ClassINET, Ttl: ttl}
}

// set replaces the records of name and typ with rrs.
func (s *Server) set(name string, typ uint16, rrs []mdns.RR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := canonical(name)
	kept := s.records[n][:0:0]
	for _, rr := range s.records[n] {
		if rr.Header().Rrtype != typ {
			kept = append(kept, rr)
		}
	}
	s.records[n] = append(kept, rrs...)
}

// serve answers one query: the response code set for it, else the
// records of its name and type (a CNAME answering any type, followed by
// its target's records), NXDOMAIN for a name without records.
func (s *Server) serve(w mdns.ResponseWriter, q *mdns.Msg) {
	if len(q.Question) != 1 {
		return
	}
	question := q.Question[0]
	name := canonical(question.Name)
	s.mu.Lock()
	s.queries[key{name, question.Qtype}]++
	if s.silent {
		s.mu.Unlock()
		return
	}
	delay := s.delay
	r := new(mdns.Msg)
	r.SetReply(q)
	r.RecursionAvailable = true
	if rcode, ok := s.rcodes[key{name, question.Qtype}]; ok {
		r.Rcode = rcode
	} else if _, ok := s.records[name]; !ok {
		r.Rcode = mdns.RcodeNameError
	} else {
		r.Answer = s.answer(name, question.Qtype, 0)
	}
	s.mu.Unlock()
	time.Sleep(delay)
	_ = w.WriteMsg(r)
}

// answer returns the records of name and typ, following a CNAME as a
// recursive server does; s.mu is held.
func (s *Server) answer(name string, typ uint16, depth int) []mdns.RR {
	var out []mdns.RR
	for _, rr := range s.records[name] {
		switch rr.Header().Rrtype {
		case typ:
			out = append(out, rr)
		case mdns.TypeCNAME:
			if depth < 8 {
				out = append(out, rr)
				out = append(out, s.answer(canonical(rr.(*mdns.CNAME).Target), typ, depth+1)...)
			}
		}
	}
	return out
}

func canonical(name string) string { return strings.TrimSuffix(strings.ToLower(name), ".") }
