package gateway

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/silverback-gw/silverback/internal/cluster"
	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/declarative"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
	"github.com/silverback-gw/silverback/internal/store/postgres"
	"github.com/silverback-gw/silverback/internal/store/sqlite"
)

// SQLiteFile is the embedded database's file name under the prefix.
const SQLiteFile = "silverback.db"

// Catalog returns the entities a node with cfg serves.
func Catalog(cfg *conf.Config) (*entities.Catalog, *plugin.Set, error) {
	plugins, err := plugin.Load(cfg.Plugins)
	if err != nil {
		return nil, nil, err
	}
	return entities.NewCatalog(plugins, plugins.Entities()...), plugins, nil
}

// OpenDB opens the store cfg names: the embedded SQLite file under the
// prefix, PostgreSQL (bootstrapped and up to date, else Kong's message),
// or memory in DB-less mode (empty until a declarative configuration is
// loaded).
func OpenDB(cfg *conf.Config) (*store.DB, error) {
	catalog, _, err := Catalog(cfg)
	if err != nil {
		return nil, err
	}
	return openDB(cfg, catalog, nil)
}

// openDB opens cfg's store; with PostgreSQL and a cluster, every write
// transaction records its cluster events (cl may be nil).
func openDB(cfg *conf.Config, catalog *entities.Catalog, cl *cluster.Cluster) (*store.DB, error) {
	switch cfg.Database {
	case "off":
		return store.New(memory.New(catalog), catalog), nil
	case "sqlite":
		if err := os.MkdirAll(cfg.Prefix, 0o755); err != nil {
			return nil, fmt.Errorf("create prefix: %w", err)
		}
		b, err := sqlite.Open(filepath.Join(cfg.Prefix, SQLiteFile), catalog)
		if err != nil {
			return nil, err
		}
		return store.New(b, catalog), nil
	case "postgres":
		popts := []postgres.Option{postgres.WithReadReplica(cfg.PGRO), postgres.WithPlugins(MigrationPlugins(cfg))}
		if cl != nil {
			popts = append(popts, postgres.WithWriteHook(cl.Hook))
		}
		b, err := postgres.Open(context.Background(), cfg.PG, catalog, popts...)
		if err != nil {
			return nil, err
		}
		if cl != nil {
			return store.New(cl.Wrap(b), catalog), nil
		}
		return store.New(b, catalog), nil
	}
	return nil, fmt.Errorf("database %q is not supported; use sqlite (the default), postgres or off", cfg.Database)
}

// MigrationPlugins names the plugins whose PostgreSQL migrations a node
// with cfg needs: nil for every bundled plugin (the `plugins` property
// includes "bundled"), else the listed ones.
func MigrationPlugins(cfg *conf.Config) []string {
	if slices.Contains(cfg.Plugins, "bundled") {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(cfg.Plugins), func(p string) bool { return p == "off" })
}

// loadDeclarative reads the declarative configuration cfg names
// (declarative_config_string wins over declarative_config) into db,
// replacing its content. It reports whether there was one.
func loadDeclarative(ctx context.Context, cfg *conf.Config, db *store.DB) (*declarative.Config, error) {
	var data []byte
	switch {
	case cfg.DeclarativeConfigString != "":
		data = []byte(cfg.DeclarativeConfigString)
	case cfg.DeclarativeConfig != "":
		b, err := os.ReadFile(cfg.DeclarativeConfig)
		if err != nil {
			return nil, fmt.Errorf("error parsing declarative config file %s:\n%w", cfg.DeclarativeConfig, err)
		}
		data = b
	default:
		return nil, nil
	}
	dc, err := declarative.Parse(db.Catalog(), data)
	if err != nil {
		return nil, fmt.Errorf("error parsing declarative config file %s:\n%w", cfg.DeclarativeConfig, err)
	}
	if err := declarative.Load(ctx, db, dc); err != nil {
		return nil, err
	}
	return dc, nil
}
