package declarative

import (
	"context"
	"fmt"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
)

// Load replaces the whole content of db by cfg in one backend
// transaction — every table truncated, every row inserted parents first —
// as DB-less mode loads a declarative configuration: when anything fails
// nothing changes.
//
// cfg is already validated and consistent, so rows are written straight
// through the backend, without the DAO's per-row checks and without change
// events: the caller rebuilds what it derives from db (the runtime
// snapshot) after Load returns.
func Load(ctx context.Context, db *store.DB, cfg *Config) error {
	catalog := db.Catalog()
	if err := checkEntities(catalog, cfg); err != nil {
		return fmt.Errorf("load declarative configuration: %w", err)
	}
	err := db.Backend().Update(ctx, func(tx store.Tx) error {
		all := catalog.All()
		for i := len(all) - 1; i >= 0; i-- {
			if err := tx.Truncate(ctx, all[i].Name); err != nil {
				return err
			}
		}
		for _, e := range all {
			for _, row := range cfg.Entities[e.Name] {
				if err := tx.Insert(ctx, e.Name, row, store.CacheKey(e, row)); err != nil {
					return fmt.Errorf("insert %s %v: %w", e.Name, row["id"], err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load declarative configuration: %w", err)
	}
	return nil
}

// Import writes cfg into db the way `kong config db_import` does: every
// entity upserted by id through the DAO (validation, foreign keys,
// uniqueness against what db already holds), parents first, in one
// transaction; other content of db stays. progress, when not nil, is
// called after each entity with the number done and the total. The error
// is the DAO's, as Kong prints it.
func Import(ctx context.Context, db *store.DB, cfg *Config, progress func(done, total int)) error {
	if err := checkEntities(db.Catalog(), cfg); err != nil {
		return fmt.Errorf("import declarative configuration: %w", err)
	}
	total := cfg.Len()
	return db.Update(ctx, func(t *store.Txn) error {
		done := 0
		for _, e := range db.Catalog().All() {
			for _, row := range cfg.Entities[e.Name] {
				id, _ := row["id"].(string)
				if _, err := t.Upsert(ctx, e.Name, id, row); err != nil {
					return err
				}
				done++
				if progress != nil {
					progress(done, total)
				}
			}
		}
		return nil
	})
}

// checkEntities refuses a configuration parsed with another catalog.
func checkEntities(c *entities.Catalog, cfg *Config) error {
	for name := range cfg.Entities {
		if _, ok := c.Get(name); !ok {
			return fmt.Errorf("unknown entity %q", name)
		}
	}
	return nil
}
