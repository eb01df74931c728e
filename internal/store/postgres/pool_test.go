package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

func TestPoolConfig(t *testing.T) {
	t.Parallel()
	base := conf.PG{Host: "db", Port: 5433, User: "kong", Password: "pw", Database: "kong", Timeout: 5 * time.Second}
	cases := []struct {
		name     string
		cfg      conf.PG
		maxConns int32
		tls      string // "", "insecure", "verify"
		path     string
	}{
		{"defaults", base, 7, "", ""},
		{"ssl", with(base, func(c *conf.PG) { c.SSL = true }), 7, "insecure", ""},
		{"ssl verify", with(base, func(c *conf.PG) { c.SSL, c.SSLVerify = true, true }), 7, "verify", ""},
		{"max concurrent queries", with(base, func(c *conf.PG) { c.MaxConcurrentQueries, c.PoolSize = 3, 9 }), 3, "", ""},
		{"pool size", with(base, func(c *conf.PG) { c.PoolSize = 9 }), 9, "", ""},
		{"schema", with(base, func(c *conf.PG) { c.Schema = "kong" }), 7, "", `"kong"`},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			pc, err := poolConfig(tt.cfg, 7)
			if err != nil {
				t.Fatal(err)
			}
			cc := pc.ConnConfig
			if cc.Host != "db" || cc.Port != 5433 || cc.User != "kong" || cc.Password != "pw" || cc.Database != "kong" ||
				cc.ConnectTimeout != 5*time.Second || len(cc.Fallbacks) != 0 {
				t.Errorf("connection settings: %+v", cc.Config)
			}
			if pc.MaxConns != tt.maxConns {
				t.Errorf("MaxConns = %d, want %d", pc.MaxConns, tt.maxConns)
			}
			tls := ""
			if cc.TLSConfig != nil {
				tls = map[bool]string{true: "insecure", false: "verify"}[cc.TLSConfig.InsecureSkipVerify]
			}
			if tls != tt.tls {
				t.Errorf("tls = %q, want %q", tls, tt.tls)
			}
			if got := cc.RuntimeParams["search_path"]; got != tt.path {
				t.Errorf("search_path = %q, want %q", got, tt.path)
			}
			if cc.RuntimeParams["timezone"] != "UTC" {
				t.Errorf("timezone = %q", cc.RuntimeParams["timezone"])
			}
		})
	}
}

func with(c conf.PG, edit func(*conf.PG)) conf.PG {
	edit(&c)
	return c
}

// TestSemaphoreTimeout: with every connection busy, a transaction waits at
// most pg_semaphore_timeout for one.
func TestSemaphoreTimeout(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := newDatabase(t)
	bootstrap(t, cfg)
	cfg.MaxConcurrentQueries, cfg.SemaphoreTimeout = 1, 100*time.Millisecond
	b, err := Open(ctx, cfg, storetest.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.View(ctx, func(store.Tx) error {
		return b.View(ctx, func(store.Tx) error { return nil })
	})
	if err == nil || !strings.Contains(err.Error(), "pg_semaphore_timeout") {
		t.Errorf("nested View with one connection: %v, want a semaphore timeout", err)
	}
}
