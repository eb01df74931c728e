package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// upstreamBody is the small answer: 40 bytes, like the upstream of the figures.
const upstreamBody = "silverback loadbench upstream says hi!\r\n"

// bigBody is the 16 KiB answer to any path starting with /big.
var bigBody = bytes.Repeat([]byte("0123456789abcdef"), 1024)

func responseFor(body []byte) []byte {
	return []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + string(body))
}

// runUpstream is the `loadbench upstream` subcommand: a minimal raw HTTP/1.1 server
// (no net/http) that reads request heads, ignores them except for the path, and
// answers a canned keep-alive response, so its cost per request stays negligible.
func runUpstream(args []string) error {
	fs := flag.NewFlagSet("upstream", flag.ExitOnError)
	addr := fs.String("listen", upstreamAddr, "address")
	fs.Parse(args)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	small, large := responseFor([]byte(upstreamBody)), responseFor(bigBody)
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go serveRaw(c, small, large)
	}
}

func serveRaw(c net.Conn, small, large []byte) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 8192)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		resp := small
		// "GET /big... HTTP/1.1": the path starts after the first space.
		if i := bytes.IndexByte(line, ' '); i >= 0 && bytes.HasPrefix(line[i+1:], []byte("/big")) {
			resp = large
		}
		length := int64(0)
		for { // headers up to the blank line; only Content-Length matters
			h, err := r.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(bytes.TrimSpace(h)) == 0 {
				break
			}
			if k, v, ok := bytes.Cut(h, []byte(":")); ok && bytes.EqualFold(bytes.TrimSpace(k), []byte("Content-Length")) {
				length, _ = strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
			}
		}
		if length > 0 {
			if _, err := io.CopyN(io.Discard, r, length); err != nil {
				return
			}
		}
		if _, err := c.Write(resp); err != nil {
			return
		}
	}
}

// startUpstream runs this same binary as `loadbench upstream` on the load core.
func startUpstream(ctx context.Context, procs *group, work, cpu string) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	p, err := procs.start(ctx, "upstream", work, nil, "taskset", "-c", cpu, self, "upstream", "-listen", upstreamAddr)
	if err != nil {
		return nil, err
	}
	if err := waitTCP(ctx, upstreamAddr, 5*time.Second); err != nil {
		return nil, fmt.Errorf("upstream: %w (log: %s)", err, p.logPath)
	}
	return p, nil
}

func waitTCP(ctx context.Context, addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not answering after %s", addr, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// writeCertificate writes a throw-away self-signed ECDSA P-256 certificate for
// 127.0.0.1 to cert.pem and key.pem in dir, for both proxies' TLS listeners.
func writeCertificate(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return errors.Join(
		os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644),
		os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600),
	)
}
