package postgres

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/silverback-gw/silverback/internal/conf"
)

// applicationName is what the server shows in pg_stat_activity.
const applicationName = "silverback"

// poolConfig returns the pgxpool settings of cfg: address, credentials,
// database, schema (search_path), TLS (pg_ssl, pg_ssl_verify), connect
// timeout (pg_timeout) and pool size (pg_max_concurrent_queries, else
// pg_pool_size, else maxDefault), idle time (pg_keepalive_timeout).
func poolConfig(cfg conf.PG, maxDefault int) (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	cc := pc.ConnConfig
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
	cc.RuntimeParams = map[string]string{"application_name": applicationName, "timezone": "UTC"}
	if cfg.Schema != "" {
		cc.RuntimeParams["search_path"] = pgx.Identifier{cfg.Schema}.Sanitize()
	}
	switch {
	case cfg.MaxConcurrentQueries > 0:
		pc.MaxConns = int32(cfg.MaxConcurrentQueries)
	case cfg.PoolSize > 0:
		pc.MaxConns = int32(cfg.PoolSize)
	default:
		pc.MaxConns = int32(maxDefault)
	}
	if cfg.KeepaliveTimeout > 0 {
		pc.MaxConnIdleTime = cfg.KeepaliveTimeout
	}
	return pc, nil
}

// newPool connects a pool to cfg's database and checks that it answers.
func newPool(ctx context.Context, cfg conf.PG, maxDefault int) (*pgxpool.Pool, error) {
	pc, err := poolConfig(cfg, maxDefault)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pingCtx := ctx
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		pingCtx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
		return nil, fmt.Errorf("postgres: connect to %s/%s: %w", addr, pc.ConnConfig.Database, err)
	}
	return pool, nil
}

// pgCode returns the SQLSTATE of a server error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// isUndefinedTable reports a "relation does not exist" error.
func isUndefinedTable(err error) bool { return pgCode(err) == "42P01" }
