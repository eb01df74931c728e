package postgres

import (
	"context"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

// silentProxy forwards TCP to target until silenced; then it keeps the
// connections open and swallows what it receives, as a hung or partitioned
// database does.
type silentProxy struct {
	ln     net.Listener
	silent atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

// cut closes every connection through the proxy.
func (p *silentProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

func newSilentProxy(t *testing.T, target string) *silentProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &silentProxy{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c, target)
		}
	}()
	return p
}

func (p *silentProxy) serve(c net.Conn, target string) {
	defer c.Close()
	up, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer up.Close()
	p.mu.Lock()
	p.conns = append(p.conns, c, up)
	p.mu.Unlock()
	go p.copy(up, c)
	p.copy(c, up)
}

// copy forwards src to dst while the proxy is not silent, then drops it.
func (p *silentProxy) copy(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		if !p.silent.Load() {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
	}
}

// TestSilentDatabaseFailsWithinTimeout: with pg_timeout set, a write on an
// open connection to a database that stopped answering fails within about
// that timeout instead of hanging (Kong bounds every operation by it).
func TestSilentDatabaseFailsWithinTimeout(t *testing.T) {
	cfg := newDatabase(t)
	bootstrap(t, cfg)
	proxy := newSilentProxy(t, net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	cfg.Host, cfg.Port = "127.0.0.1", proxy.ln.Addr().(*net.TCPAddr).Port
	cfg.Timeout = 500 * time.Millisecond
	c := storetest.Catalog()
	b, err := Open(context.Background(), cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	db := store.New(b, c)
	t.Cleanup(func() { db.Close() })
	insert := func(name string) error {
		return db.Update(context.Background(), func(tx *store.Txn) error {
			_, err := tx.Insert(context.Background(), "services", map[string]any{"name": name, "host": "example.com"})
			return err
		})
	}
	if err := insert("before"); err != nil {
		t.Fatalf("write through the proxy: %v", err)
	}
	proxy.silent.Store(true)
	// Before the pool closes (cleanups run last-in first-out): answer again
	// and drop the stalled connections, so closing need not wait on them.
	t.Cleanup(func() { proxy.silent.Store(false); proxy.cut() })
	start := time.Now()
	err = insert("during")
	if took := time.Since(start); err == nil || took > 3*time.Second {
		t.Fatalf("write to a silent database: err %v after %s; want an error within about pg_timeout", err, took)
	}
}
