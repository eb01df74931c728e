package cluster

import (
	"crypto/tls"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/silverback-gw/silverback/internal/conf"
)

// connConfig returns the settings of a connection to cfg's database, as the
// store connects (UTC session time zone, pg_schema, TLS, pg_timeout).
func connConfig(cfg conf.PG) (*pgx.ConnConfig, error) {
	cc, err := pgx.ParseConfig("")
	if err != nil {
		return nil, err
	}
	cc.Host, cc.Port = cfg.Host, uint16(cfg.Port)
	cc.User, cc.Password, cc.Database = cfg.User, cfg.Password, cfg.Database
	if cfg.Database == "" {
		cc.Database = cfg.User
	}
	cc.ConnectTimeout = cfg.Timeout
	cc.Fallbacks = nil
	cc.TLSConfig = nil
	if cfg.SSL {
		cc.TLSConfig = &tls.Config{ServerName: cfg.Host, InsecureSkipVerify: !cfg.SSLVerify}
	}
	cc.RuntimeParams = map[string]string{"application_name": "kong", "timezone": "UTC"}
	if cfg.Schema != "" {
		cc.RuntimeParams["search_path"] = pgx.Identifier{cfg.Schema}.Sanitize()
	}
	return cc, nil
}

// poolConfig returns the settings of the poller's small pool.
func poolConfig(cfg conf.PG) (*pgxpool.Config, error) {
	cc, err := connConfig(cfg)
	if err != nil {
		return nil, err
	}
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	pc.ConnConfig = cc
	pc.MaxConns = 2
	return pc, nil
}
